"""Message action endpoints: add, get (with paging), remove."""
import json

import pytest

from pubnub_fast import errors
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.message_actions import (PNAddMessageActionResult, PNGetMessageActionsResult,
                                                         PNMessageAction)
from tests.client_stub import StubbedClient, successResultOf
from tests.endpoint_vectors import (FORBIDDEN, failed, no_sub_key_client, query_counts, rejected_async,
                                    rejected_deferred, request_vector_test, request_vectors, send, signing_vector_test,
                                    signing_vectors, via_pn_async)

FACTORIES = ("add_message_action", "get_message_actions", "remove_message_action")
PATH = "/v1/message-actions/sub-c-demo/channel/"
MTT = "15000000000000000"
ACTION = {"type": "reaction", "value": "smiley_face", "uuid": "user-456", "actionTimetoken": "15610547826970050",
          "messageTimetoken": "15610547826969050"}


def action(type="reaction", value="smiley_face", message_timetoken=MTT):
    return PNMessageAction.create(type=type, value=value, message_timetoken=message_timetoken)


def query(request):
    return dict(query_counts(request.query))


test_request_matches_vector = request_vector_test(*FACTORIES)
test_signature_matches_vector = signing_vector_test(*FACTORIES)


def test_every_actions_vector_is_covered():
    assert {p.id for p in request_vectors(*FACTORIES)} == {"action-add", "action-get", "action-get-end-only",
                                                           "action-remove"}
    assert {p.id for p in signing_vectors(*FACTORIES)} == {"gen-add-message-action"}


# --- request format ------------------------------------------------------------------------------------

def test_add_request():
    client = StubbedClient()
    request = send(client, client.pubnub.add_message_action().channel("a b").message_action(
        PNMessageAction({"type": "receipt", "value": "read ✓", "messageTimetoken": int(MTT)})))
    assert request.method == "POST"
    assert request.raw_path == PATH + "a%20b/message/" + MTT
    assert json.loads(request.body) == {"type": "receipt", "value": "read ✓"}
    assert request.body == b'{"type": "receipt", "value": "read \\u2713"}'
    assert request.header("Content-Type") == "application/json"
    assert query(request) == {}


def test_get_request_paging_params():
    client = StubbedClient()
    get = client.pubnub.get_message_actions
    assert query(send(client, get().channel("c"))) == {}
    assert send(client, get().channel("a/b")).raw_path == PATH + "a%2Fb"
    assert query(send(client, get().channel("c").start(16).end(15).limit(100))) == {("start", "16"): 1}
    assert query(send(client, get().channel("c").end("15").limit(1))) == {("end", "15"): 1, ("limit", "1"): 1}
    assert query(send(client, get().channel("c").limit("100"))) == {}


def test_remove_request():
    client = StubbedClient()
    request = send(client, client.pubnub.remove_message_action().channel("a b").message_timetoken(MTT)
                   .action_timetoken(int(MTT) + 1))
    assert request.method == "DELETE"
    assert request.raw_path == PATH + "a%%20b/message/%s/action/%d" % (MTT, int(MTT) + 1)
    assert request.body == b""


def test_operations():
    pubnub = StubbedClient().pubnub
    assert pubnub.add_message_action().operation_type() == PNOperationType.PNAddMessageAction
    assert pubnub.get_message_actions().operation_type() == PNOperationType.PNGetMessageActions
    assert pubnub.remove_message_action().operation_type() == PNOperationType.PNDeleteMessageAction


# --- validation ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("factory", FACTORIES)
def test_subscribe_key_then_channel(factory):
    client = no_sub_key_client()
    rejected_deferred(client, getattr(client.pubnub, factory)().channel("c"), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    client = StubbedClient()
    rejected_deferred(client, getattr(client.pubnub, factory)(), errors.PNERR_CHANNEL_MISSING)
    rejected_deferred(client, getattr(client.pubnub, factory)().channel(""), errors.PNERR_CHANNEL_MISSING)


def test_add_validation_order():
    client = StubbedClient()
    add = client.pubnub.add_message_action
    rejected_deferred(client, add().channel("c"), errors.PNERR_MESSAGE_ACTION_MISSING)
    rejected_deferred(client, add().channel("c").message_action(PNMessageAction()),
                      errors.PNERR_MESSAGE_TIMETOKEN_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(type=None, message_timetoken=None)),
                      errors.PNERR_MESSAGE_TIMETOKEN_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(type=None, value=None)),
                      errors.PNERR_MESSAGE_ACTION_TYPE_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(type="")),
                      errors.PNERR_MESSAGE_ACTION_TYPE_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(type=5)),
                      errors.PNERR_MESSAGE_ACTION_TYPE_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(value="")),
                      errors.PNERR_MESSAGE_ACTION_VALUE_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(value=None)),
                      errors.PNERR_MESSAGE_ACTION_VALUE_MISSING)
    rejected_deferred(client, add().channel("c").message_action(action(message_timetoken="soon")),
                      errors.PNERR_INVALID_ARGUMENT)
    rejected_deferred(client, add().channel("c").message_action({"type": "reaction"}), errors.PNERR_INVALID_ARGUMENT)
    rejected_async(client, add().channel("c"), errors.PNERR_MESSAGE_ACTION_MISSING)


def test_remove_validation_order():
    client = StubbedClient()
    remove = client.pubnub.remove_message_action
    rejected_deferred(client, remove().channel("c"), errors.PNERR_MESSAGE_TIMETOKEN_MISSING)
    rejected_deferred(client, remove().channel("c").action_timetoken(1), errors.PNERR_MESSAGE_TIMETOKEN_MISSING)
    rejected_deferred(client, remove().channel("c").message_timetoken(1), errors.PNERR_MESSAGE_ACTION_TIMETOKEN_MISSING)
    rejected_deferred(client, remove().channel("c").message_timetoken(1).action_timetoken(""),
                      errors.PNERR_MESSAGE_ACTION_TIMETOKEN_MISSING)
    rejected_deferred(client, remove().channel("c").message_timetoken("x/y").action_timetoken(1),
                      errors.PNERR_INVALID_ARGUMENT)
    rejected_async(client, remove().channel("c").message_timetoken(1), errors.PNERR_MESSAGE_ACTION_TIMETOKEN_MISSING)


def test_get_setter_types():
    pubnub = StubbedClient().pubnub
    for call in (lambda: pubnub.get_message_actions().limit(0), lambda: pubnub.get_message_actions().limit(101),
                 lambda: pubnub.get_message_actions().limit("ten"), lambda: pubnub.get_message_actions().limit(True),
                 lambda: pubnub.get_message_actions().start("abc"), lambda: pubnub.get_message_actions().end(-1)):
        with pytest.raises(PubNubException) as info:
            call()
        assert info.value.pn_error == errors.PNERR_INVALID_ARGUMENT


# --- results -------------------------------------------------------------------------------------------

def test_add_result():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "data": ACTION}))
    envelope = successResultOf(client.call(client.pubnub.add_message_action().channel("c").message_action(action())))
    result = envelope.result
    assert isinstance(result, PNAddMessageActionResult)
    assert (result.type, result.value, result.uuid, result.action_timetoken, result.message_timetoken) == (
        "reaction", "smiley_face", "user-456", "15610547826970050", "15610547826969050")
    assert envelope.status.operation == PNOperationType.PNAddMessageAction
    assert envelope.status.affected_channels == ["c"]


def test_add_stored_but_not_published():
    client = StubbedClient()
    body = {"status": 207, "data": ACTION, "error": {"message": "Stored but failed to publish message action.",
                                                    "source": "actions"}}
    client.server.respond((207, body))
    envelope = successResultOf(client.call(client.pubnub.add_message_action().channel("c").message_action(action())))
    assert envelope.result.action_timetoken == ACTION["actionTimetoken"]
    assert envelope.status.status_code == 207


def test_get_result_and_paging():
    client = StubbedClient()
    more = {"url": "/v1/message-actions/sub-c-demo/channel/c?start=15610547826970050&limit=1",
            "start": "15610547826970050", "end": "15610547826969050", "limit": 1}
    second = dict(ACTION, value="frown", actionTimetoken="15610547826970051")
    client.server.respond((200, {"status": 200, "data": [ACTION, second], "more": more}),
                          (200, {"status": 200, "data": []}))
    result = successResultOf(client.call(client.pubnub.get_message_actions().channel("c").limit(2))).result
    assert isinstance(result, PNGetMessageActionsResult)
    assert [(a.value, a.action_timetoken) for a in result.actions] == [("smiley_face", "15610547826970050"),
                                                                       ("frown", "15610547826970051")]
    assert all(isinstance(a, PNMessageAction) for a in result.actions)
    assert result.more == more
    # the next page: start from the paging object
    last = successResultOf(client.call(client.pubnub.get_message_actions().channel("c").start(more["start"])
                                       .limit(more["limit"]))).result
    assert (client.last.params["start"], client.last.params["limit"]) == (more["start"], "1")
    assert last.actions == [] and last.more is None


def test_actions_are_never_decrypted():
    client = StubbedClient(cipher_key="testKey")
    encrypted_looking = dict(ACTION, value="Dt7qBesIhJT2DweUJc2HRQ==")
    client.server.respond((200, {"status": 200, "data": [encrypted_looking]}),
                          (200, {"status": 200, "data": encrypted_looking}))
    result = successResultOf(client.call(client.pubnub.get_message_actions().channel("c"))).result
    assert result.actions[0].value == "Dt7qBesIhJT2DweUJc2HRQ=="
    send(client, client.pubnub.add_message_action().channel("c").message_action(action(value="plain")))
    assert json.loads(client.last.body) == {"type": "reaction", "value": "plain"}


def test_remove_result():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "data": {}}))
    envelope = successResultOf(client.call(client.pubnub.remove_message_action().channel("c").message_timetoken(1)
                                           .action_timetoken(2)))
    assert envelope.result == {}
    assert envelope.status.operation == PNOperationType.PNDeleteMessageAction


# --- error statuses ------------------------------------------------------------------------------------

def test_error_statuses():
    client = StubbedClient()
    duplicate = {"status": 409, "error": {"message": "Action Already Added", "source": "actions"}}
    exc = failed(client, client.pubnub.add_message_action().channel("c").message_action(action()), 409, duplicate)
    assert exc.status.status_code == 409 and exc.status.is_error()
    assert exc.status.operation == PNOperationType.PNAddMessageAction
    assert exc.status.error_data.exception.get_error_message()["message"] == "Action Already Added"
    assert exc.result == duplicate
    exc = failed(client, client.pubnub.get_message_actions().channel("c"), 403, FORBIDDEN)
    assert exc.status.category == PNStatusCategory.PNAccessDeniedCategory
    exc = failed(client, client.pubnub.add_message_action().channel("c").message_action(action()), 200, [1, 2])
    assert exc.status.category == PNStatusCategory.PNMalformedResponseCategory


# --- pn_async and keyword factories ----------------------------------------------------------------------

def test_pn_async():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "data": [ACTION]}), (403, FORBIDDEN))
    result, status = via_pn_async(client, client.pubnub.get_message_actions().channel("c"))
    assert result.actions[0].uuid == "user-456" and not status.is_error()
    result, status = via_pn_async(client, client.pubnub.remove_message_action().channel("c").message_timetoken(1)
                                  .action_timetoken(2))
    assert result == FORBIDDEN and status.category == PNStatusCategory.PNAccessDeniedCategory


def test_keyword_factories():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.add_message_action(channel="c", message_action=action()))
    assert request.raw_path == PATH + "c/message/" + MTT
    request = send(client, pubnub.get_message_actions(channel="c", start=None, end="15", limit="5"))
    assert query(request) == {("end", "15"): 1, ("limit", "5"): 1}
    request = send(client, pubnub.get_message_actions(channel="c", start=None, end=None, limit=None))
    assert query(request) == {}
    request = send(client, pubnub.remove_message_action(channel="c", message_timetoken=1, action_timetoken=2))
    assert request.raw_path == PATH + "c/message/1/action/2"
    with pytest.raises(TypeError, match="unexpected keyword argument 'action'"):
        pubnub.add_message_action(action=action())
