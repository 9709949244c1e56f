"""Access Manager v2 results (client-api.md §4.6, protocol.md §2.18) and v3 resources (§4.7)."""
import pytest

from pubnub_fast.models.consumer.access_manager import (
    PNAccessManagerAuditResult,
    PNAccessManagerChannelData,
    PNAccessManagerChannelGroupData,
    PNAccessManagerGrantResult,
    PNAccessManagerKeyData,
    PNAccessManagerResult,
    PNAccessManagerUuidsData,
)
from pubnub_fast.models.consumer.v3.category import Category
from pubnub_fast.models.consumer.v3.channel import Channel
from pubnub_fast.models.consumer.v3.group import Group
from pubnub_fast.models.consumer.v3.pn_resource import PNResource
from pubnub_fast.models.consumer.v3.space import Space
from pubnub_fast.models.consumer.v3.user import User
from pubnub_fast.models.consumer.v3.uuid import UUID
from tests.models.samples import PAM_PAYLOADS


def _flags(data):
    return (data.read_enabled, data.write_enabled, data.manage_enabled, data.delete_enabled)


def test_subkey_level():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["subkey"])
    assert (result.level, result.subscribe_key, result.ttl) == ("subkey", "sub-c-1", 1440)
    assert _flags(result) == (True, True, False, False)
    assert (result.channels, result.groups, result.uuids, result.categories) == ({}, {}, {}, {})


def test_flags_absent_are_none():
    result = PNAccessManagerGrantResult.from_json({"level": "channel", "subscribe_key": "k"})
    assert _flags(result) == (None, None, None, None) and result.ttl is None


def test_channel_level():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["channel"])
    assert set(result.channels) == {"ch1", "ch2"}
    ch2 = result.channels["ch2"]
    assert isinstance(ch2, PNAccessManagerChannelData)
    assert (ch2.name, _flags(ch2), ch2.get, ch2.auth_keys) == ("ch2", (False, True, True, True), None, {})


def test_channel_group_level():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["channel-group"])
    group = result.groups["cg1"]
    assert isinstance(group, PNAccessManagerChannelGroupData)
    assert _flags(group) == (True, True, False, False)


def test_user_level_one_channel():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["user-one-channel"])
    channel = result.channels["test channel"]
    assert channel.ttl == 60 and _flags(channel) == (None, None, None, None)
    key = channel.auth_keys["client auth key with spaces"]
    assert isinstance(key, PNAccessManagerKeyData)
    assert _flags(key) + (key.get, key.update, key.join) == (True, True, False, False, False, False, False)


def test_user_level_many_channels():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["user-many-channels"])
    assert _flags(result.channels["ch2"].auth_keys["k"]) == (True, False, False, False)


def test_group_auth_single_name_and_dict():
    one = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["group-auth-one"])
    assert _flags(one.groups["cg"].auth_keys["k"]) == (True, False, True, False)
    many = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["group-auth-many"])
    assert _flags(many.groups["cg1"].auth_keys["k"]) == (True, True, False, False)


def test_uuid_level():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["uuid"])
    data = result.uuids["someuuid"]
    assert isinstance(data, PNAccessManagerUuidsData)
    key = data.auth_keys["authKey123"]
    assert (key.get, key.update, key.join, key.read_enabled) == (True, True, True, False)


def test_audit_channel_group_singular():
    result = PNAccessManagerAuditResult.from_json(PAM_PAYLOADS["audit-group-auth"])
    key = result.groups["cg"].auth_keys["k"]
    assert (_flags(key), key.ttl) == ((True, True, False, None), 1440)


def test_whole_response_is_unwrapped():
    body = {"message": "Success", "payload": PAM_PAYLOADS["channel"], "service": "Access Manager", "status": 200}
    assert set(PNAccessManagerGrantResult.from_json(body).channels) == {"ch1", "ch2"}


def test_categories_dict():
    payload = {"level": "subkey", "subscribe_key": "k", "categories": {"channels": {"g": 1}}}
    result = PNAccessManagerGrantResult.from_json(payload)
    assert result.categories["channels"].get is True


def test_result_classes_and_text():
    result = PNAccessManagerGrantResult.from_json(PAM_PAYLOADS["channel"])
    assert isinstance(result, PNAccessManagerResult)
    assert type(PNAccessManagerAuditResult.from_json(PAM_PAYLOADS["channel"])) is PNAccessManagerAuditResult
    assert "ch1" in str(result) and "level='channel'" in repr(result)
    assert "read: True" in str(result.channels["ch1"])
    assert "read: True" in str(PNAccessManagerKeyData(r=True))


# ---- v3 resources (grant_token) ---------------------------------------------------------------

@pytest.mark.parametrize(
    "resource,bitmask",
    [
        (Channel.id("ch").read(), 1),
        (Channel.id("ch").read().write().manage().delete().get().update().join(), 239),
        (Channel.id("ch").read().write().manage().delete().update().join(), 207),
        (Group.id("cg").read().manage(), 5),
        (UUID.id("u").delete().get().update(), 104),
        (User.id("u").create(), 16),
        (Space.pattern("^s").read().write().manage().delete().create().get().update().join(), 255),
        (Category.channels().get(), 32),
        (Channel.id("nothing"), 0),
    ],
)
def test_resource_bitmask(resource, bitmask):
    assert resource.bitmask == bitmask


def test_resource_id_and_pattern():
    plain = Channel.id("ch1").read()
    assert (plain.get_id(), plain.is_pattern_resource(), plain.is_read(), plain.is_write()) == ("ch1", False, True,
                                                                                                 False)
    pattern = Group.pattern("^cg-.*").manage()
    assert (pattern.get_id(), pattern.is_pattern_resource(), pattern.is_manage()) == ("^cg-.*", True, True)
    assert isinstance(plain, PNResource)


def test_builder_methods_chain_and_limit():
    assert not hasattr(Group.id("g"), "write")
    assert not hasattr(UUID.id("u"), "read")
    assert not hasattr(Category.uuids(), "read")
    assert Category.uuids().get_id() == Category.UUIDS == "uuids"
    assert Category.channels().get_id() == Category.CHANNELS == "channels"


def test_resource_text():
    assert str(Channel.id("ch").read().join()) == "Channel id 'ch': read, join"
    assert "bitmask=3" in repr(Channel.id("c").read().write())
