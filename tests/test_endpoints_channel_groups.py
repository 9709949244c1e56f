"""Channel group endpoints: add/remove channels, list a group, remove a group."""
from collections import Counter

import pytest

from pubnub_fast import errors
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.channel_group import (PNChannelGroupsAddChannelResult, PNChannelGroupsListResult,
                                                       PNChannelGroupsRemoveChannelResult,
                                                       PNChannelGroupsRemoveGroupResult)
from tests.client_stub import StubbedClient, successResultOf
from tests.endpoint_vectors import (FORBIDDEN, failed, no_sub_key_client, query_counts, rejected_async,
                                    rejected_deferred, request_vector_test, request_vectors, send, via_pn_async)

FACTORIES = ("add_channel_to_channel_group", "remove_channel_from_channel_group", "list_channels_in_channel_group",
             "remove_channel_group")
PATH = "/v1/channel-registration/sub-key/sub-c-demo/channel-group/"
OK = {"status": 200, "message": "OK", "service": "channel-registry", "error": False}


test_request_matches_vector = request_vector_test(*FACTORIES)


def test_every_factory_has_a_vector():
    assert {p.values[0]["call"]["factory"] for p in request_vectors(*FACTORIES)} == set(FACTORIES)


def test_channels_are_encoded_once():
    client = StubbedClient()
    request = send(client, client.pubnub.add_channel_to_channel_group().channels(["a b", "c&d"]).channels("e")
                   .channel_group("g/1"))
    assert request.raw_path == PATH + "g%2F1"
    assert request.raw_query.startswith("add=a%20b%2Cc%26d%2Ce&")
    assert request.params["add"] == "a b,c&d,e"
    request = send(client, client.pubnub.remove_channel_from_channel_group().channels("x,y").channel_group("g"))
    assert request.params["remove"] == "x,y"
    request = send(client, client.pubnub.remove_channel_group().channel_group("a b"))
    assert request.raw_path == PATH + "a%20b/remove"


def test_operations_and_affected_names():
    client = StubbedClient()
    pubnub = client.pubnub
    client.server.respond((200, OK), (200, OK), (200, OK), (200, OK))
    for builder, operation in (
            (pubnub.add_channel_to_channel_group().channels("c").channel_group("g"),
             PNOperationType.PNAddChannelsToGroupOperation),
            (pubnub.remove_channel_from_channel_group().channels("c").channel_group("g"),
             PNOperationType.PNRemoveChannelsFromGroupOperation),
            (pubnub.list_channels_in_channel_group().channel_group("g"), PNOperationType.PNChannelsForGroupOperation),
            (pubnub.remove_channel_group().channel_group("g"), PNOperationType.PNRemoveGroupOperation)):
        status = successResultOf(client.call(builder)).status
        assert status.operation == operation
        assert status.category == PNStatusCategory.PNAcknowledgmentCategory
        assert status.affected_groups == ["g"]


# --- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("factory", FACTORIES)
def test_subscribe_key_is_checked_first(factory):
    client = no_sub_key_client()
    rejected_deferred(client, getattr(client.pubnub, factory)(), errors.PNERR_SUBSCRIBE_KEY_MISSING)


@pytest.mark.parametrize("factory", ["add_channel_to_channel_group", "remove_channel_from_channel_group"])
def test_channels_then_group(factory):
    client = StubbedClient()
    make = getattr(client.pubnub, factory)
    rejected_deferred(client, make(), errors.PNERR_CHANNELS_MISSING)
    rejected_deferred(client, make().channel_group("g"), errors.PNERR_CHANNELS_MISSING)
    rejected_deferred(client, make().channels([]).channel_group("g"), errors.PNERR_CHANNELS_MISSING)
    rejected_deferred(client, make().channels(""), errors.PNERR_CHANNELS_MISSING)
    rejected_deferred(client, make().channels("c"), errors.PNERR_GROUP_MISSING)
    rejected_deferred(client, make().channels("c").channel_group(""), errors.PNERR_GROUP_MISSING)
    rejected_deferred(client, make().channels("c").channel_group(["g"]), errors.PNERR_GROUP_MISSING)
    with pytest.raises(PubNubException) as info:
        make().channels([1])
    assert info.value.pn_error == errors.PNERR_INVALID_ARGUMENT


@pytest.mark.parametrize("factory", ["list_channels_in_channel_group", "remove_channel_group"])
def test_group_is_required(factory):
    client = StubbedClient()
    make = getattr(client.pubnub, factory)
    rejected_deferred(client, make(), errors.PNERR_GROUP_MISSING)
    rejected_deferred(client, make().channel_group(""), errors.PNERR_GROUP_MISSING)
    rejected_deferred(client, make().channel_group(5), errors.PNERR_GROUP_MISSING)
    rejected_async(client, make(), errors.PNERR_GROUP_MISSING)


# --- results -------------------------------------------------------------------------------------------

def test_results():
    client = StubbedClient()
    pubnub = client.pubnub
    client.server.respond(
        (200, OK), (200, OK),
        (200, {"status": 200, "payload": {"channels": ["a", "b"], "group": "g"}, "service": "channel-registry",
               "error": False}),
        (200, {"status": 200, "payload": {"group": "g"}, "service": "channel-registry", "error": False}),
        (200, OK))
    add = successResultOf(client.call(pubnub.add_channel_to_channel_group().channels("a").channel_group("g")))
    assert isinstance(add.result, PNChannelGroupsAddChannelResult)
    remove = successResultOf(client.call(pubnub.remove_channel_from_channel_group().channels("a").channel_group("g")))
    assert isinstance(remove.result, PNChannelGroupsRemoveChannelResult)
    listed = successResultOf(client.call(pubnub.list_channels_in_channel_group().channel_group("g"))).result
    assert isinstance(listed, PNChannelGroupsListResult) and listed.channels == ["a", "b"]
    empty = successResultOf(client.call(pubnub.list_channels_in_channel_group().channel_group("g"))).result
    assert empty.channels == []
    gone = successResultOf(client.call(pubnub.remove_channel_group().channel_group("g"))).result
    assert isinstance(gone, PNChannelGroupsRemoveGroupResult)


def test_error_statuses():
    client = StubbedClient()
    exc = failed(client, client.pubnub.list_channels_in_channel_group().channel_group("g"), 403, FORBIDDEN)
    assert exc.status.category == PNStatusCategory.PNAccessDeniedCategory
    assert exc.status.operation == PNOperationType.PNChannelsForGroupOperation
    too_many = {"status": 400, "message": "Maximum channels per group exceeded", "error": True,
                "service": "channel-registry"}
    exc = failed(client, client.pubnub.add_channel_to_channel_group().channels("c").channel_group("g"), 400, too_many)
    assert exc.status.category == PNStatusCategory.PNBadRequestCategory
    assert exc.status.error_data.exception.get_error_message() == "Maximum channels per group exceeded"
    assert exc.result == too_many


def test_pn_async():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "payload": {"channels": ["x"], "group": "g"},
                                 "service": "channel-registry", "error": False}), (403, FORBIDDEN))
    result, status = via_pn_async(client, client.pubnub.list_channels_in_channel_group().channel_group("g"))
    assert result.channels == ["x"] and not status.is_error()
    result, status = via_pn_async(client, client.pubnub.remove_channel_group().channel_group("g"))
    assert result == FORBIDDEN and status.category == PNStatusCategory.PNAccessDeniedCategory


def test_keyword_factories():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.add_channel_to_channel_group(channels=["a", "b"], channel_group="g"))
    assert request.raw_path == PATH + "g" and query_counts(request.query) == Counter({("add", "a,b"): 1})
    request = send(client, pubnub.remove_channel_from_channel_group(channels="a", channel_group="g"))
    assert query_counts(request.query) == Counter({("remove", "a"): 1})
    request = send(client, pubnub.list_channels_in_channel_group(channel_group="g"))
    assert request.raw_path == PATH + "g" and query_counts(request.query) == Counter()
    request = send(client, pubnub.remove_channel_group(channel_group="g"))
    assert request.raw_path == PATH + "g/remove"
    with pytest.raises(TypeError):
        pubnub.remove_channel_group(group="g")
