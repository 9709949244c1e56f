"""history / fetch_messages results (client-api.md §4.2, §4.4; protocol.md §2.12–2.14)."""
import binascii

import pytest

from pubnub_fast.models.consumer.history import (
    PNFetchMessageItem,
    PNFetchMessagesResult,
    PNHistoryItemResult,
    PNHistoryResult,
)


def test_history_plain_items():
    body = [["hey-0", "hey-1", "hey-2"], 14820999261239656, 14820999264622346]
    result = PNHistoryResult.from_json(body)
    assert [item.entry for item in result.messages] == ["hey-0", "hey-1", "hey-2"]
    assert all(item.timetoken is None and item.meta is None and item.error is None for item in result.messages)
    assert (result.start_timetoken, result.end_timetoken) == (14820999261239656, 14820999264622346)


def test_history_empty():
    result = PNHistoryResult.from_json([[], 0, 0])
    assert result.messages == [] and (result.start_timetoken, result.end_timetoken) == (0, 0)


def test_history_with_timetoken_and_meta():
    body = [[{"message": "m1", "timetoken": 15, "meta": {"x": 1}}, {"message": {"k": 2}, "timetoken": 16}], 15, 16]
    result = PNHistoryResult.from_json(body, include_timetoken=True, include_meta=True)
    assert [(i.entry, i.timetoken, i.meta) for i in result.messages] == [("m1", 15, {"x": 1}), ({"k": 2}, 16, None)]


def test_history_dict_message_not_unwrapped_without_flags():
    body = [[{"message": "inner", "timetoken": 1}], 1, 1]
    result = PNHistoryResult.from_json(body)
    assert result.messages[0].entry == {"message": "inner", "timetoken": 1}


def test_history_decrypt_success_and_failure():
    def decrypt(value):
        if value == "bad":
            raise binascii.Error("Incorrect padding")
        return value.upper()

    result = PNHistoryResult.from_json([["ok", "bad"], 1, 2], decrypt=decrypt)
    good, bad = result.messages
    assert (good.entry, good.error) == ("OK", None)
    assert bad.entry == "bad" and isinstance(bad.error, binascii.Error)


def test_history_item_decrypt_with_crypto_object():
    class Crypto:
        def decrypt(self, key, value):
            return "%s:%s" % (key, value)

    item = PNHistoryItemResult("abc", Crypto())
    item.decrypt("key")
    assert item.entry == "key:abc" and item.error is None


def test_history_item_decrypt_without_crypto_raises():
    with pytest.raises(ValueError, match="crypto"):
        PNHistoryItemResult("abc").decrypt("key")


def test_history_item_constructor_and_text():
    item = PNHistoryItemResult("msg", None, 123, {"m": 1})
    assert (item.entry, item.crypto, item.timetoken, item.meta, item.error) == ("msg", None, 123, {"m": 1}, None)
    assert "123" in str(item) and "msg" in str(item)
    assert "1..2" in str(PNHistoryResult([item], 1, 2))


FETCH_SINGLE = {
    "status": 200, "error": False, "error_message": "",
    "channels": {"fetch-messages-ch-1": [
        {"message": "hey-19", "timetoken": "16075182590271497"},
        {"message": {"a": 1}, "timetoken": "16075182590271498", "meta": {"m": 1}, "uuid": "pub",
         "message_type": 4, "custom_message_type": "chat"},
    ]},
}


def test_fetch_messages_single_channel():
    result = PNFetchMessagesResult.from_json(FETCH_SINGLE, start_timetoken=10, end_timetoken=20)
    assert (result.start_timetoken, result.end_timetoken) == (10, 20)
    first, second = result.channels["fetch-messages-ch-1"]
    assert (first.message, first.timetoken, first.meta, first.actions) == ("hey-19", "16075182590271497", None, None)
    assert (first.uuid, first.message_type, first.custom_message_type, first.error) == (None, None, None, None)
    assert (second.meta, second.uuid, second.message_type, second.custom_message_type) == ({"m": 1}, "pub", 4,
                                                                                           "chat")


def test_fetch_messages_several_channels():
    body = {"status": 200, "error": False, "error_message": "",
            "channels": {"a": [{"message": 1, "timetoken": "1"}], "b": [{"message": 2, "timetoken": "2"}]}}
    result = PNFetchMessagesResult.from_json(body)
    assert {name: [i.message for i in items] for name, items in result.channels.items()} == {"a": [1], "b": [2]}
    assert (result.start_timetoken, result.end_timetoken) == (None, None)


def test_fetch_messages_with_actions():
    body = {"status": 200, "channels": {"ch": [
        {"message": "hey-meta", "timetoken": "16485817079213403", "meta": {"is-this": "krusty-krab"},
         "actions": {"reaction": {"smiley_face": [{"uuid": "user-456", "actionTimetoken": "15610547826970050"}]}}},
        {"message": "no actions", "timetoken": "16485817079213404"},
    ]}, "error_message": "", "error": False}
    with_actions, without = PNFetchMessagesResult.from_json(body, include_message_actions=True).channels["ch"]
    assert with_actions.actions == {
        "reaction": {"smiley_face": [{"uuid": "user-456", "actionTimetoken": "15610547826970050"}]}}
    assert without.actions == {}
    assert with_actions.meta == {"is-this": "krusty-krab"}


def test_fetch_messages_actions_not_requested_are_none():
    result = PNFetchMessagesResult.from_json(FETCH_SINGLE, include_message_actions=False)
    assert all(item.actions is None for item in result.channels["fetch-messages-ch-1"])


def test_fetch_messages_empty_channels():
    assert PNFetchMessagesResult.from_json({"status": 200, "channels": {}}).channels == {}
    assert PNFetchMessagesResult.from_json({"status": 200}).channels == {}


def test_fetch_messages_decrypt_error_kept_on_item():
    def decrypt(value):
        if not isinstance(value, str):
            raise TypeError("not a ciphertext")
        return "plain"

    items = PNFetchMessagesResult.from_json(FETCH_SINGLE, decrypt=decrypt).channels["fetch-messages-ch-1"]
    assert (items[0].message, items[0].error) == ("plain", None)
    assert items[1].message == {"a": 1} and isinstance(items[1].error, TypeError)


def test_fetch_constructors_and_text():
    item = PNFetchMessageItem("m", "1", {"x": 1}, {}, None)
    result = PNFetchMessagesResult({"ch": [item]}, 1, 2)
    assert result.error is None and result.channels["ch"][0] is item
    assert "'ch': 1" in str(result) and "content: m" in str(item)
    assert "PNFetchMessageItem(message='m'" in repr(item)
