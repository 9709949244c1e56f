"""Presence REST endpoints: heartbeat, here_now, where_now, set_state, get_state.

The exact requests of tests/vectors/requests.json and signing.json (compared on the decoded
query, decisions.md §17), validation before anything is sent, result parsing, error statuses,
``.deferred()``/``.pn_async()`` and the v10 keyword factories.
"""
from collections import Counter

import pytest

from pubnub_fast import errors
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.presence import (PNGetStateResult, PNHereNowChannelData, PNHereNowResult,
                                                  PNSetStateResult, PNWhereNowResult)
from tests.client_stub import HOLD, StubbedClient, failureResultOf, successResultOf
from tests.endpoint_vectors import (FORBIDDEN, failed, no_sub_key_client, query_counts, rejected_async,
                                    rejected_deferred, request_vector_test, request_vectors, send, signing_vector_test,
                                    signing_vectors, via_pn_async)

PRESENCE_OK = {"status": 200, "message": "OK", "service": "Presence"}


# --- request vectors -----------------------------------------------------------------------------

FACTORIES = ("heartbeat", "here_now", "where_now", "set_state", "get_state")


test_request_matches_vector = request_vector_test(*FACTORIES)
test_signature_matches_vector = signing_vector_test(*FACTORIES)


def test_every_presence_vector_is_covered():
    ids = {p.id for p in request_vectors(*FACTORIES)} | {p.id for p in signing_vectors(*FACTORIES)}
    assert {"heartbeat", "heartbeat-state-groups", "here-now-single", "here-now-multi-state", "here-now-global",
            "here-now-groups", "where-now", "set-state", "get-state", "spec82-here-now-group",
            "gen-heartbeat-state", "gen-set-state", "gen-here-now-auth-token"} <= ids


def test_values_are_encoded_once():
    client = StubbedClient(uuid="me & you")
    send(client, client.pubnub.here_now().channels(["a/b", "c d"]).channel_groups(["g&1", "g 2"]))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/a%2Fb,c%20d"
    assert "channel-group=g%261%2Cg%202" in client.last.raw_query
    assert client.last.params["uuid"] == "me & you"
    send(client, client.pubnub.set_state().channels("c d").state({"k": "v&w"}))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/c%20d/uuid/me%20%26%20you/data"
    assert client.last.params["state"] == '{"k": "v&w"}'
    send(client, client.pubnub.get_state().channel_groups("g 1").uuid("u/1"))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/,/uuid/u%2F1"
    assert client.last.params["channel-group"] == "g 1"


def test_heartbeat_sorts_and_dedupes_names():
    client = StubbedClient()
    send(client, client.pubnub.heartbeat().channels(["b", "a", "b"]).channel_groups("y,x"))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/a,b/heartbeat"
    assert client.last.params["channel-group"] == "x,y"
    assert client.last.params["heartbeat"] == "300"


def test_here_now_keeps_order_and_accumulates():
    client = StubbedClient()
    send(client, client.pubnub.here_now().channels("b,a").channels(["c"]).channel_groups("z").channel_groups("y"))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/b,a,c"
    assert client.last.params["channel-group"] == "z,y"
    assert client.last.params["limit"] == "1000"
    assert "state" not in client.last.params and "disable_uuids" not in client.last.params


def test_presence_operations():
    pubnub = StubbedClient().pubnub
    assert pubnub.here_now().operation_type() == PNOperationType.PNHereNowOperation
    assert pubnub.where_now().operation_type() == PNOperationType.PNWhereNowOperation
    assert pubnub.set_state().operation_type() == PNOperationType.PNSetStateOperation
    assert pubnub.get_state().operation_type() == PNOperationType.PNGetState
    assert pubnub.heartbeat().operation_type() == PNOperationType.PNHeartbeatOperation


# --- validation ------------------------------------------------------------------------------------

def test_missing_subscribe_key_comes_first():
    for make in (lambda p: p.here_now().channels("c"), lambda p: p.where_now(),
                 lambda p: p.set_state(), lambda p: p.get_state(), lambda p: p.heartbeat()):
        client = no_sub_key_client()
        rejected_deferred(client, make(client.pubnub), errors.PNERR_SUBSCRIBE_KEY_MISSING)


def test_where_now_uuid_validation():
    client = StubbedClient()
    rejected_deferred(client, client.pubnub.where_now().uuid(""), errors.PNERR_UUID_MISSING)
    rejected_deferred(client, client.pubnub.where_now().uuid(42), errors.PNERR_UUID_MISSING)
    rejected_deferred(client, client.pubnub.where_now(user_id=["x"]), errors.PNERR_UUID_MISSING)
    # None means "this client"
    send(client, client.pubnub.where_now().uuid(None))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/uuid/vector-uuid"


def test_set_state_validation_order():
    client = StubbedClient()
    pubnub = client.pubnub
    rejected_deferred(client, pubnub.set_state().state({"a": 1}), errors.PNERR_CHANNEL_OR_GROUP_MISSING)
    rejected_deferred(client, pubnub.set_state(), errors.PNERR_CHANNEL_OR_GROUP_MISSING)
    # groups only is refused before the state is looked at
    rejected_deferred(client, pubnub.set_state().channel_groups("g"),
                      errors.PNERR_STATE_SETTER_FOR_GROUPS_NOT_SUPPORTED_YET)
    rejected_deferred(client, pubnub.set_state().channels("c"), errors.PNERR_STATE_MISSING)
    rejected_deferred(client, pubnub.set_state().channels("c").state(["not", "a", "dict"]), errors.PNERR_STATE_MISSING)
    rejected_deferred(client, pubnub.set_state().channels("c").state("x"), errors.PNERR_STATE_MISSING)
    rejected_deferred(client, pubnub.set_state().channels("c").state({"k": object()}),
                      errors.PNERR_JSON_NOT_SERIALIZABLE)
    rejected_deferred(client, pubnub.set_state().channels("c").state({"k": float("nan")}),
                      errors.PNERR_JSON_NOT_SERIALIZABLE)
    # an empty dict is a valid state (it clears it)
    send(client, pubnub.set_state().channels("c").state({}))
    assert client.last.params["state"] == "{}"


def test_get_state_validation():
    client = StubbedClient()
    rejected_deferred(client, client.pubnub.get_state(), errors.PNERR_CHANNEL_OR_GROUP_MISSING)
    rejected_deferred(client, client.pubnub.get_state().uuid(""), errors.PNERR_CHANNEL_OR_GROUP_MISSING)
    rejected_deferred(client, client.pubnub.get_state().channels("c").uuid(""), errors.PNERR_UUID_MISSING)
    rejected_deferred(client, client.pubnub.get_state().channels("c").uuid(7), errors.PNERR_UUID_MISSING)


def test_heartbeat_validation():
    client = StubbedClient()
    rejected_deferred(client, client.pubnub.heartbeat(), errors.PNERR_CHANNEL_OR_GROUP_MISSING)
    rejected_deferred(client, client.pubnub.heartbeat().channels("c").state("x"), errors.PNERR_STATE_MISSING)
    rejected_deferred(client, client.pubnub.heartbeat().channels("c").state({"c": {1, 2}}),
                      errors.PNERR_JSON_NOT_SERIALIZABLE)


def test_setter_types_are_checked():
    pubnub = StubbedClient().pubnub
    for call in (lambda: pubnub.here_now().include_state("yes"), lambda: pubnub.here_now().include_uuids(1),
                 lambda: pubnub.here_now().limit("10"), lambda: pubnub.here_now().limit(-1),
                 lambda: pubnub.here_now().offset(-5), lambda: pubnub.here_now().offset(True),
                 lambda: pubnub.here_now().channels([1, 2]), lambda: pubnub.set_state().channels(7),
                 lambda: pubnub.get_state().channel_groups([None])):
        with pytest.raises(PubNubException) as info:
            call()
        assert info.value.pn_error == errors.PNERR_INVALID_ARGUMENT


def test_validation_errors_through_pn_async():
    client = StubbedClient()
    status = rejected_async(client, client.pubnub.set_state().channel_groups("g").state({"a": 1}),
                            errors.PNERR_STATE_SETTER_FOR_GROUPS_NOT_SUPPORTED_YET)
    assert status.operation == PNOperationType.PNSetStateOperation
    rejected_async(client, client.pubnub.where_now().uuid(""), errors.PNERR_UUID_MISSING)
    rejected_async(client, client.pubnub.get_state(), errors.PNERR_CHANNEL_OR_GROUP_MISSING)


# --- results ---------------------------------------------------------------------------------------

HERE_NOW_MULTI = {
    "status": 200, "message": "OK", "service": "Presence",
    "payload": {"total_occupancy": 3, "total_channels": 2, "channels": {
        "ch1": {"occupancy": 2, "uuids": [{"uuid": "u1", "state": {"mood": "ok"}}, {"uuid": "u2"}]},
        "ch2": {"occupancy": 1, "uuids": ["u3"]}}},
}


def test_here_now_multi_channel_result():
    client = StubbedClient()
    client.server.respond((200, HERE_NOW_MULTI))
    envelope = successResultOf(client.call(client.pubnub.here_now().channels(["ch1", "ch2"]).include_state(True)))
    result = envelope.result
    assert isinstance(result, PNHereNowResult)
    assert (result.total_channels, result.total_occupancy) == (2, 3)
    by_name = {c.channel_name: c for c in result.channels}
    assert by_name["ch1"].occupancy == 2
    assert [(o.uuid, o.state) for o in by_name["ch1"].occupants] == [("u1", {"mood": "ok"}), ("u2", None)]
    assert [o.uuid for o in by_name["ch2"].occupants] == ["u3"]
    assert envelope.status.category == PNStatusCategory.PNAcknowledgmentCategory
    assert envelope.status.operation == PNOperationType.PNHereNowOperation
    assert envelope.status.affected_channels == ["ch1", "ch2"]
    assert envelope.raw_result == HERE_NOW_MULTI


def test_here_now_single_channel_shapes():
    client = StubbedClient()
    client.server.respond(
        (200, {"status": 200, "message": "OK", "service": "Presence", "uuids": ["a", "b"], "occupancy": 2}),
        (200, {"status": 200, "message": "OK", "service": "Presence", "occupancy": 4}),
        (200, {"status": 200, "message": "OK", "service": "Presence", "uuids": [], "occupancy": 0}),
    )
    one = successResultOf(client.call(client.pubnub.here_now().channels("lobby"))).result
    assert one.total_occupancy == 2 and one.total_channels == 1
    (lobby,) = one.channels
    assert isinstance(lobby, PNHereNowChannelData)
    assert lobby.channel_name == "lobby" and [o.uuid for o in lobby.occupants] == ["a", "b"]
    counted = successResultOf(client.call(client.pubnub.here_now().channels("lobby").include_uuids(False))).result
    assert client.last.params["disable_uuids"] == "1"
    assert counted.total_occupancy == 4 and counted.channels[0].occupants == []
    empty = successResultOf(client.call(client.pubnub.here_now().channels("lobby"))).result
    assert empty.channels[0].occupancy == 0 and empty.channels[0].occupants == []


def test_here_now_global_result():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "service": "Presence", "payload": {
        "total_occupancy": 1, "total_channels": 1, "channels": {"x": {"occupancy": 1, "uuids": ["u"]}}}}),
        (200, {"status": 200, "service": "Presence", "payload": {
            "total_occupancy": 0, "total_channels": 0, "channels": {}}}))
    result = successResultOf(client.call(client.pubnub.here_now())).result
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo"
    assert [c.channel_name for c in result.channels] == ["x"]
    nobody = successResultOf(client.call(client.pubnub.here_now())).result
    assert nobody.total_occupancy == 0 and not nobody.channels


def test_where_now_result():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "message": "OK", "service": "Presence",
                                 "payload": {"channels": ["a", "b"]}}))
    envelope = successResultOf(client.call(client.pubnub.where_now()))
    assert isinstance(envelope.result, PNWhereNowResult)
    assert envelope.result.channels == ["a", "b"]
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/uuid/vector-uuid"


def test_set_state_result_and_non_200_payload():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "message": "OK", "service": "Presence", "payload": {"mood": "ok"}}),
                          (200, {"status": 400, "message": "Invalid state", "service": "Presence"}))
    result = successResultOf(client.call(client.pubnub.set_state().channels("c").state({"mood": "ok"}))).result
    assert isinstance(result, PNSetStateResult) and result.state == {"mood": "ok"}
    raw = successResultOf(client.call(client.pubnub.set_state().channels("c").state({"mood": "ok"}))).result
    assert raw == {"status": 400, "message": "Invalid state", "service": "Presence"}


def test_set_state_updates_the_subscription_loop():
    client = StubbedClient()
    client.server.route("/v2/subscribe/", default=HOLD)
    client.server.route("/v2/presence/sub-key/sub-c-demo/channel/ch1,other/uuid/vector-uuid/data",
                        (200, {"status": 200, "message": "OK", "service": "Presence", "payload": {"a": 1}}),
                        (403, FORBIDDEN))
    client.pubnub.subscribe().channels(["ch1", "ch2"]).execute()
    loop = client.pubnub._subscription
    successResultOf(client.call(client.pubnub.set_state().channels(["ch1", "other"]).state({"a": 1})))
    assert loop._subscribe_state() == {"ch1": {"a": 1}}  # only channels the client is subscribed to
    failureResultOf(client.call(client.pubnub.set_state().channels(["ch1", "other"]).state({"a": 2})),
                    PubNubTwistedException)
    assert loop._subscribe_state() == {"ch1": {"a": 1}}  # a failed request changes nothing
    client.pubnub.stop()


def test_set_state_without_subscription_manager():
    client = StubbedClient(enable_subscribe=False)
    client.server.respond((200, {"status": 200, "message": "OK", "service": "Presence", "payload": {"a": 1}}))
    result = successResultOf(client.call(client.pubnub.set_state().channels("c").state({"a": 1}))).result
    assert result.state == {"a": 1}


def test_get_state_results():
    client = StubbedClient()
    client.server.respond(
        (200, {"status": 200, "message": "OK", "service": "Presence", "uuid": "vector-uuid", "channel": "c1",
               "payload": {"mood": "ok"}}),
        (200, {"status": 200, "message": "OK", "service": "Presence", "uuid": "vector-uuid",
               "payload": {"channels": {"c1": {"mood": "ok"}, "c2": {"n": 2}}}}))
    single = successResultOf(client.call(client.pubnub.get_state().channels("c1"))).result
    assert isinstance(single, PNGetStateResult) and single.channels == {"c1": {"mood": "ok"}}
    many = successResultOf(client.call(client.pubnub.get_state().channels(["c1", "c2"]).channel_groups("g"))).result
    assert many.channels == {"c1": {"mood": "ok"}, "c2": {"n": 2}}


def test_heartbeat_result():
    client = StubbedClient()
    client.server.respond((200, PRESENCE_OK))
    assert successResultOf(client.call(client.pubnub.heartbeat().channels("c"))).result is True


# --- error statuses ----------------------------------------------------------------------------------

def test_access_denied_status():
    client = StubbedClient()
    exc = failed(client, client.pubnub.here_now().channels("ch1"), 403, FORBIDDEN)
    assert exc.status.category == PNStatusCategory.PNAccessDeniedCategory
    assert exc.status.operation == PNOperationType.PNHereNowOperation
    assert exc.status.status_code == 403 and exc.status.is_error()
    assert exc.status.error_data.exception.pn_error == errors.PNERR_CLIENT_ERROR
    assert exc.status.error_data.exception.get_error_message() == "Forbidden"
    assert exc.result == FORBIDDEN


def test_bad_request_and_server_error_statuses():
    client = StubbedClient()
    exc = failed(client, client.pubnub.where_now().uuid("x"), 400,
                 {"status": 400, "error": True, "message": "Invalid UUID", "service": "Presence"})
    assert exc.status.category == PNStatusCategory.PNBadRequestCategory
    assert exc.status.operation == PNOperationType.PNWhereNowOperation
    exc = failed(client, client.pubnub.get_state().channels("c"), 503, b"Service Unavailable")
    assert exc.status.error_data.exception.pn_error == errors.PNERR_SERVER_ERROR
    assert exc.result is None


def test_malformed_response_status():
    client = StubbedClient()
    client.server.respond((200, b"<html>not json</html>", {}), (200, ["unexpected", "list"]))
    exc = failureResultOf(client.call(client.pubnub.here_now().channels("c")), PubNubTwistedException).value
    assert exc.status.category == PNStatusCategory.PNMalformedResponseCategory
    exc = failureResultOf(client.call(client.pubnub.where_now()), PubNubTwistedException).value
    assert exc.status.category == PNStatusCategory.PNMalformedResponseCategory
    assert exc.status.error_data.exception.pn_error == errors.PNERR_JSON_DECODING_FAILED


# --- pn_async and keyword factories -------------------------------------------------------------------

def test_pn_async_success_and_failure():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "payload": {"channels": ["a"]}, "service": "Presence"}),
                          (403, FORBIDDEN))
    result, status = via_pn_async(client, client.pubnub.where_now())
    assert result.channels == ["a"] and not status.is_error()
    result, status = via_pn_async(client, client.pubnub.here_now().channels("ch1"))
    assert result == FORBIDDEN
    assert status.category == PNStatusCategory.PNAccessDeniedCategory


def test_keyword_factories():
    client = StubbedClient()
    pubnub = client.pubnub
    send(client, pubnub.here_now(channels=["ch1", "ch2"], channel_groups="g", include_state=True,
                                 include_uuids=False, limit=5, offset=2))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/ch1,ch2"
    assert query_counts(client.last.query) == Counter({("limit", "5"): 1, ("channel-group", "g"): 1,
                                                        ("state", "1"): 1, ("disable_uuids", "1"): 1,
                                                        ("offset", "2"): 1})
    send(client, pubnub.where_now(user_id="someone"))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/uuid/someone"
    send(client, pubnub.where_now(uuid="other"))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/uuid/other"
    send(client, pubnub.set_state(channels="c", channel_groups=["g"], state={"k": 1}))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/c/uuid/vector-uuid/data"
    assert client.last.params["state"] == '{"k": 1}' and client.last.params["channel-group"] == "g"
    send(client, pubnub.get_state(channels=["c"], uuid="him"))
    assert client.last.raw_path == "/v2/presence/sub-key/sub-c-demo/channel/c/uuid/him"
    send(client, pubnub.heartbeat(channels="c", state={"c": {"x": 1}}))
    assert client.last.params["state"] == '{"c": {"x": 1}}'
    # v10 defaults passed explicitly are accepted
    send(client, pubnub.here_now(channels=None, channel_groups=None, include_state=False, include_uuids=True))
    assert query_counts(client.last.query) == Counter({("limit", "1000"): 1})
    with pytest.raises(TypeError, match="unexpected keyword argument 'channel'"):
        pubnub.here_now(channel="c")
    with pytest.raises(TypeError, match="unexpected keyword argument 'deferred'"):
        pubnub.where_now(deferred=True)
