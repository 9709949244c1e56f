"""Storage endpoints: history, fetch_messages, delete_messages, message_counts."""
import binascii
from collections import Counter

import pytest

from pubnub_fast import errors
from pubnub_fast.crypto import AesCbcCryptoModule, LegacyCryptoModule
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.history import (PNFetchMessageItem, PNFetchMessagesResult, PNHistoryItemResult,
                                                 PNHistoryResult)
from pubnub_fast.models.consumer.message_count import PNMessageCountResult
from tests.client_stub import StubbedClient, successResultOf
from tests.endpoint_vectors import (FORBIDDEN, failed, no_sub_key_client, query_counts, rejected_async,
                                    rejected_deferred, request_vector_test, request_vectors, send, signing_vector_test,
                                    signing_vectors, via_pn_async)

FACTORIES = ("history", "fetch_messages", "delete_messages", "message_counts")
TT = 15000000000000000


test_request_matches_vector = request_vector_test(*FACTORIES)
test_signature_matches_vector = signing_vector_test(*FACTORIES)


def test_every_storage_vector_is_covered():
    assert {p.id for p in request_vectors(*FACTORIES)} == {
        "history", "history-default", "fetch-single", "fetch-multi", "fetch-actions", "delete-messages",
        "message-counts-one", "message-counts-many"}
    assert {p.id for p in signing_vectors(*FACTORIES)} == {"gen-delete-messages", "gen-message-counts"}


# --- request format ---------------------------------------------------------------------------------

def query(request):
    return dict(query_counts(request.query))


def test_history_defaults_and_count_bounds():
    client = StubbedClient()
    request = send(client, client.pubnub.history().channel("a b"))
    assert request.raw_path == "/v2/history/sub-key/sub-c-demo/channel/a%20b"
    assert query_counts(request.query) == Counter({("count", "100"): 1})
    for count, sent in ((1, "1"), (100, "100"), (0, "100"), (-3, "100"), (101, "100")):
        assert send(client, client.pubnub.history().channel("c").count(count)).params["count"] == sent
    request = send(client, client.pubnub.history().channel("c").reverse(False).include_timetoken(False)
                   .include_meta(False).start(str(TT)))
    assert query(request) == {("count", "100"): 1, ("reverse", "false"): 1, ("include_token", "false"): 1,
                              ("include_meta", "false"): 1, ("start", str(TT)): 1}
    assert request.method == "GET"


def test_fetch_messages_count_defaults():
    client = StubbedClient()
    fetch = client.pubnub.fetch_messages
    cases = [
        (fetch().channels("c"), "100"), (fetch().channels("c").count(0), "100"),
        (fetch().channels("c").count(101), "100"), (fetch().channels("c").count(7), "7"),
        (fetch().channels("a,b"), "25"), (fetch().channels(["a", "b"]).count(26), "25"),
        (fetch().channels(["a", "b"]).count(3), "3"), (fetch().channels("c").maximum_per_channel(50), "50"),
        (fetch().channels("c").include_message_actions(True), "25"),
        (fetch().channels("c").include_message_actions(True).count(100), "25"),
        (fetch().channels("c").include_message_actions(True).count(5), "5"),
    ]
    for builder, sent in cases:
        assert send(client, builder).params["max"] == sent


def test_fetch_messages_flags_and_paths():
    client = StubbedClient()
    request = send(client, client.pubnub.fetch_messages().channels(["a b", "c/d"]).include_meta(True)
                   .include_custom_message_type(False).include_uuid(False).include_message_type(False)
                   .start(TT + 9).end(TT))
    assert request.raw_path == "/v3/history/sub-key/sub-c-demo/channel/a%20b,c%2Fd"
    assert query(request) == {("max", "25"): 1, ("start", str(TT + 9)): 1, ("end", str(TT)): 1,
                              ("include_meta", "true"): 1, ("include_custom_message_type", "false"): 1,
                              ("include_uuid", "false"): 1, ("include_message_type", "false"): 1}
    request = send(client, client.pubnub.fetch_messages().channels("a b").include_message_actions(True))
    assert request.raw_path == "/v3/history-with-actions/sub-key/sub-c-demo/channel/a%20b"
    request = send(client, client.pubnub.fetch_messages().channels("a").include_message_actions(False))
    assert request.raw_path == "/v3/history/sub-key/sub-c-demo/channel/a"


def test_delete_messages_request():
    client = StubbedClient()
    request = send(client, client.pubnub.delete_messages().channel("a b"))
    assert request.method == "DELETE"
    assert request.raw_path == "/v3/history/sub-key/sub-c-demo/channel/a%20b"
    assert query(request) == {}
    request = send(client, client.pubnub.delete_messages().channel("c").start(TT - 1).end(str(TT)))
    assert query(request) == {("start", str(TT - 1)): 1, ("end", str(TT)): 1}


def test_message_counts_requests():
    client = StubbedClient()
    request = send(client, client.pubnub.message_counts().channel("a b,c").channel_timetokens([TT, str(TT + 1)]))
    assert request.raw_path == "/v3/history/sub-key/sub-c-demo/message-counts/a%20b,c"
    assert request.params["channelsTimetoken"] == "%d,%d" % (TT, TT + 1)
    assert "channelsTimetoken=%d%%2C%d" % (TT, TT + 1) in request.raw_query
    request = send(client, client.pubnub.message_counts().channel(["a"]).channel_timetokens(TT))
    assert query(request) == {("timetoken", str(TT)): 1}
    # accumulating calls
    request = send(client, client.pubnub.message_counts().channel("a").channel("b").channel_timetokens([1])
                   .channel_timetokens([2]))
    assert request.params["channelsTimetoken"] == "1,2"


def test_operations():
    pubnub = StubbedClient().pubnub
    assert pubnub.history().operation_type() == PNOperationType.PNHistoryOperation
    assert pubnub.fetch_messages().operation_type() == PNOperationType.PNFetchMessagesOperation
    assert pubnub.delete_messages().operation_type() == PNOperationType.PNHistoryDeleteOperation
    assert pubnub.message_counts().operation_type() == PNOperationType.PNMessageCountOperation


# --- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("factory", FACTORIES)
def test_subscribe_key_is_checked_first(factory):
    client = no_sub_key_client()
    rejected_deferred(client, getattr(client.pubnub, factory)(), errors.PNERR_SUBSCRIBE_KEY_MISSING)


def test_channel_is_required():
    client = StubbedClient()
    pubnub = client.pubnub
    for make in (pubnub.history, pubnub.delete_messages):
        rejected_deferred(client, make(), errors.PNERR_CHANNEL_MISSING)
        rejected_deferred(client, make().channel(""), errors.PNERR_CHANNEL_MISSING)
        rejected_deferred(client, make().channel(["a"]), errors.PNERR_CHANNEL_MISSING)
    rejected_deferred(client, pubnub.fetch_messages(), errors.PNERR_CHANNEL_MISSING)
    rejected_deferred(client, pubnub.fetch_messages().channels([]), errors.PNERR_CHANNEL_MISSING)
    rejected_deferred(client, pubnub.message_counts().channel_timetokens([TT]), errors.PNERR_CHANNEL_MISSING)
    rejected_async(client, pubnub.history(), errors.PNERR_CHANNEL_MISSING)


def test_fetch_messages_with_actions_takes_one_channel():
    client = StubbedClient()
    exc = rejected_deferred(client, client.pubnub.fetch_messages().channels(["a", "b"]).include_message_actions(True),
                            errors.PNERR_HISTORY_MESSAGE_ACTIONS_MULTIPLE_CHANNELS)
    assert "single channel" in str(exc)


def test_message_counts_mismatch():
    client = StubbedClient()
    for builder in (client.pubnub.message_counts().channel(["a", "b"]).channel_timetokens([TT]),
                    client.pubnub.message_counts().channel("a"),
                    client.pubnub.message_counts().channel("a").channel_timetokens([TT, TT])):
        exc = rejected_deferred(client, builder, errors.PNERR_INVALID_ARGUMENT)
        assert exc.get_error_message() == "The number of channels and the number of timetokens do not match."
    status = rejected_async(client, client.pubnub.message_counts().channel("a"), errors.PNERR_INVALID_ARGUMENT)
    assert status.operation == PNOperationType.PNMessageCountOperation


def test_setter_types_are_checked():
    pubnub = StubbedClient().pubnub
    bad = [lambda: pubnub.history().count("10"), lambda: pubnub.history().reverse(1),
           lambda: pubnub.history().include_timetoken("yes"), lambda: pubnub.history().include_meta(0),
           lambda: pubnub.history().start(-1), lambda: pubnub.history().start("abc"),
           lambda: pubnub.history().end(1.5), lambda: pubnub.history().end(True),
           lambda: pubnub.fetch_messages().count(2.0), lambda: pubnub.fetch_messages().start("1e5"),
           lambda: pubnub.fetch_messages().include_meta("true"), lambda: pubnub.fetch_messages().include_uuid(1),
           lambda: pubnub.fetch_messages().include_message_type("x"),
           lambda: pubnub.fetch_messages().include_custom_message_type(0),
           lambda: pubnub.fetch_messages().include_message_actions("no"),
           lambda: pubnub.fetch_messages().decrypt_messages("yes"), lambda: pubnub.fetch_messages().channels(5),
           lambda: pubnub.delete_messages().start("yesterday"), lambda: pubnub.delete_messages().end([1]),
           lambda: pubnub.message_counts().channel_timetokens(["x"]),
           lambda: pubnub.message_counts().channel_timetokens([-1]), lambda: pubnub.message_counts().channel([3])]
    for call in bad:
        with pytest.raises(PubNubException) as info:
            call()
        assert info.value.pn_error == errors.PNERR_INVALID_ARGUMENT


# --- results ------------------------------------------------------------------------------------------

def test_history_plain_and_wrapped_items():
    client = StubbedClient()
    client.server.respond(
        (200, [["hey-0", {"message": "a dict with a message key"}, 5], TT, TT + 2]),
        (200, [[{"message": "hi", "timetoken": TT, "meta": {"m": 1}}, {"message": {"x": 1}, "timetoken": TT + 1}],
               TT, TT + 1]),
        (200, [[], 0, 0]))
    envelope = successResultOf(client.call(client.pubnub.history().channel("c")))
    result = envelope.result
    assert isinstance(result, PNHistoryResult)
    assert [m.entry for m in result.messages] == ["hey-0", {"message": "a dict with a message key"}, 5]
    assert all(isinstance(m, PNHistoryItemResult) and m.timetoken is None for m in result.messages)
    assert (result.start_timetoken, result.end_timetoken) == (TT, TT + 2)
    assert envelope.status.operation == PNOperationType.PNHistoryOperation
    assert envelope.status.affected_channels == ["c"]
    wrapped = successResultOf(client.call(client.pubnub.history().channel("c").include_timetoken(True)
                                          .include_meta(True))).result
    assert [(m.entry, m.timetoken, m.meta) for m in wrapped.messages] == [("hi", TT, {"m": 1}), ({"x": 1}, TT + 1,
                                                                                                  None)]
    empty = successResultOf(client.call(client.pubnub.history().channel("c"))).result
    assert empty.messages == [] and empty.start_timetoken == 0


def test_history_decrypts_with_the_cipher():
    client = StubbedClient(cipher_key="testKey")
    legacy = LegacyCryptoModule(client.config)
    acrh = AesCbcCryptoModule(client.config)
    client.server.respond((200, [[legacy.encrypt('{"text": "secret"}'), acrh.encrypt('"acrh"'), "not base64 !",
                                  {"plain": True}], TT, TT]),
                          (200, [[{"message": legacy.encrypt("5"), "timetoken": TT}], TT, TT]))
    result = successResultOf(client.call(client.pubnub.history().channel("c"))).result
    first, second, broken, plain = result.messages
    assert (first.entry, first.error) == ({"text": "secret"}, None)
    assert (second.entry, second.error) == ("acrh", None)
    # text that is not base64 keeps the underlying binascii.Error, as PubNub SDK 10.8 (decisions §22)
    assert broken.entry == "not base64 !" and isinstance(broken.error, binascii.Error)
    assert isinstance(broken.error.__cause__, PubNubException)
    assert plain.entry == {"plain": True} and isinstance(plain.error, PubNubException)
    wrapped = successResultOf(client.call(client.pubnub.history().channel("c").include_timetoken(True))).result
    assert (wrapped.messages[0].entry, wrapped.messages[0].timetoken) == (5, TT)


def test_history_static_iv_vector():
    # client-api.md §7.4: testKey, static IV, "hey-0" -> QfD1NCBJCmt1aPPGU2cshw==
    client = StubbedClient(cipher_key="testKey", use_random_initialization_vector=False)
    client.server.respond((200, [["QfD1NCBJCmt1aPPGU2cshw=="], TT, TT]))
    assert successResultOf(client.call(client.pubnub.history().channel("c"))).result.messages[0].entry == "hey-0"


FETCH_BODY = {
    "status": 200, "error": False, "error_message": "",
    "channels": {
        "a": [{"message": "hey-19", "timetoken": "16075182590271497", "uuid": "pub-1", "message_type": None,
               "meta": {"m": 1}, "custom_message_type": "chat-text"}],
        "b b": [{"message": {"x": 1}, "timetoken": "16075182590271498"}],
    },
}


def test_fetch_messages_result():
    client = StubbedClient()
    client.server.respond((200, FETCH_BODY))
    envelope = successResultOf(client.call(client.pubnub.fetch_messages().channels(["a", "b b"]).start(TT + 5)
                                           .end(TT).include_meta(True).include_uuid(True)))
    result = envelope.result
    assert isinstance(result, PNFetchMessagesResult)
    assert (result.start_timetoken, result.end_timetoken) == (TT + 5, TT)
    (item,) = result.channels["a"]
    assert isinstance(item, PNFetchMessageItem)
    assert (item.message, item.timetoken, item.meta, item.uuid, item.custom_message_type) == (
        "hey-19", "16075182590271497", {"m": 1}, "pub-1", "chat-text")
    assert item.actions is None
    assert result.channels["b b"][0].message == {"x": 1}
    assert result.more is None
    assert envelope.status.affected_channels == ["a", "b b"]


def test_fetch_messages_with_actions_result():
    client = StubbedClient()
    more = {"url": "/v3/history-with-actions/sub-key/sub-c-demo/channel/c?start=15&max=25", "start": "15", "max": 25}
    client.server.respond((200, {"status": 200, "channels": {"c": [
        {"message": "hey", "timetoken": "16", "actions": {"reaction": {"smiley": [
            {"uuid": "u", "actionTimetoken": "17"}]}}},
        {"message": "bare", "timetoken": "18"}]}, "more": more}))
    result = successResultOf(client.call(client.pubnub.fetch_messages().channels("c")
                                         .include_message_actions(True))).result
    with_actions, bare = result.channels["c"]
    assert with_actions.actions == {"reaction": {"smiley": [{"uuid": "u", "actionTimetoken": "17"}]}}
    assert bare.actions == {}
    assert result.more == more


def test_fetch_messages_decrypts_only_when_asked():
    client = StubbedClient(cipher_key="testKey")
    ciphertext = LegacyCryptoModule(client.config).encrypt('{"text": "secret"}')
    body = {"status": 200, "error": False, "error_message": "", "channels": {"c": [
        {"message": ciphertext, "timetoken": "16"}, {"message": {"plain": 1}, "timetoken": "17"}]}}
    client.server.respond((200, body), (200, body), (200, body))
    kept = successResultOf(client.call(client.pubnub.fetch_messages().channels("c"))).result
    assert kept.channels["c"][0].message == ciphertext and kept.channels["c"][0].error is None
    decrypted = successResultOf(client.call(client.pubnub.fetch_messages().channels("c").decrypt_messages())).result
    secret, plain = decrypted.channels["c"]
    assert (secret.message, secret.error) == ({"text": "secret"}, None)
    assert plain.message == {"plain": 1} and isinstance(plain.error, PubNubException)
    keyword = successResultOf(client.call(client.pubnub.fetch_messages(channels="c", decrypt_messages=True))).result
    assert keyword.channels["c"][0].message == {"text": "secret"}


def test_fetch_messages_decrypt_without_cipher_is_a_no_op():
    client = StubbedClient()
    client.server.respond((200, FETCH_BODY))
    result = successResultOf(client.call(client.pubnub.fetch_messages().channels("a").decrypt_messages(True))).result
    assert result.channels["a"][0].message == "hey-19" and result.channels["a"][0].error is None


def test_delete_and_counts_results():
    client = StubbedClient()
    client.server.respond((200, {"status": 200, "error": False, "error_message": ""}),
                          (200, {"status": 200, "error": False, "error_message": "",
                                 "channels": {"a": 1, "b": 0}}))
    envelope = successResultOf(client.call(client.pubnub.delete_messages().channel("a")))
    assert envelope.result == {}
    assert envelope.status.operation == PNOperationType.PNHistoryDeleteOperation
    counts = successResultOf(client.call(client.pubnub.message_counts().channel(["a", "b"])
                                         .channel_timetokens([TT, TT]))).result
    assert isinstance(counts, PNMessageCountResult) and counts.channels == {"a": 1, "b": 0}


# --- error statuses ------------------------------------------------------------------------------------

def test_storage_error_statuses():
    client = StubbedClient()
    bad_args = {"status": 400, "error": True, "error_message": "Invalid Arguments: start", "channels": {}}
    exc = failed(client, client.pubnub.fetch_messages().channels("c"), 400, bad_args)
    assert exc.status.category == PNStatusCategory.PNBadRequestCategory
    assert exc.status.operation == PNOperationType.PNFetchMessagesOperation
    assert exc.status.error_data.exception.get_error_message() == "Invalid Arguments: start"
    assert exc.result == bad_args
    no_delete = {"status": 403, "error": True, "error_message": "Do not have permission to delete"}
    exc = failed(client, client.pubnub.delete_messages().channel("c"), 403, no_delete)
    assert exc.status.category == PNStatusCategory.PNAccessDeniedCategory
    assert exc.status.error_data.exception.get_error_message() == "Do not have permission to delete"
    exc = failed(client, client.pubnub.history().channel("c"), 403, FORBIDDEN)
    assert exc.status.category == PNStatusCategory.PNAccessDeniedCategory
    exc = failed(client, client.pubnub.history().channel("c"), 200, {"unexpected": "shape"})
    assert exc.status.category == PNStatusCategory.PNMalformedResponseCategory
    exc = failed(client, client.pubnub.message_counts().channel("c").channel_timetokens([1]), 500,
                 b"internal error")
    assert exc.status.error_data.exception.pn_error == errors.PNERR_SERVER_ERROR


# --- pn_async and keyword factories ---------------------------------------------------------------------

def test_pn_async():
    client = StubbedClient()
    client.server.respond((200, [["a"], 1, 2]), (403, FORBIDDEN))
    result, status = via_pn_async(client, client.pubnub.history().channel("c"))
    assert result.messages[0].entry == "a" and not status.is_error()
    result, status = via_pn_async(client, client.pubnub.message_counts().channel("c").channel_timetokens([1]))
    assert result == FORBIDDEN and status.category == PNStatusCategory.PNAccessDeniedCategory


def test_keyword_factories():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.fetch_messages(channels=["a"], start=TT + 1, end=TT, count=10, include_meta=True,
                                                 include_message_actions=True, include_message_type=True,
                                                 include_uuid=True, decrypt_messages=False))
    assert request.raw_path == "/v3/history-with-actions/sub-key/sub-c-demo/channel/a"
    assert query(request) == {("max", "10"): 1, ("start", str(TT + 1)): 1, ("end", str(TT)): 1,
                              ("include_meta", "true"): 1, ("include_message_type", "true"): 1,
                              ("include_uuid", "true"): 1}
    # v10 defaults passed explicitly
    request = send(client, pubnub.fetch_messages(channels="a", start=None, end=None, count=None, include_meta=None,
                                                 include_message_actions=None, include_message_type=None,
                                                 include_uuid=None, decrypt_messages=False))
    assert query(request) == {("max", "100"): 1, ("include_meta", "false"): 1}
    request = send(client, pubnub.delete_messages(channel="c", start=1, end=2))
    assert request.method == "DELETE" and query(request) == {("start", "1"): 1, ("end", "2"): 1}
    request = send(client, pubnub.message_counts(channels=["a", "b"], channels_timetoken=[TT, TT + 1]))
    assert request.raw_path == "/v3/history/sub-key/sub-c-demo/message-counts/a,b"
    assert request.params["channelsTimetoken"] == "%d,%d" % (TT, TT + 1)
    request = send(client, pubnub.message_counts(channel="a", channel_timetokens=[TT]))
    assert request.params["timetoken"] == str(TT)
    request = send(client, pubnub.history(channel="c", count=5, reverse=True, include_timetoken=True))
    assert query(request) == {("count", "5"): 1, ("reverse", "true"): 1, ("include_token", "true"): 1}
    with pytest.raises(TypeError, match="unexpected keyword argument 'channel'"):
        pubnub.fetch_messages(channel="c")
