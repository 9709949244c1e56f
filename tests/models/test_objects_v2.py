"""App Context (objects v2) models: results, paging, sorting, includes, payload helpers (client-api.md §4.8)."""
import pytest

from pubnub_fast.models.consumer.objects_v2.channel import (
    PNChannelMetadataResult,
    PNGetAllChannelMetadataResult,
    PNGetChannelMetadataResult,
    PNRemoveChannelMetadataResult,
    PNSetChannelMetadataResult,
)
from pubnub_fast.models.consumer.objects_v2.channel_members import (
    PNUUID,
    JustUUID,
    PNGetChannelMembersResult,
    PNManageChannelMembersResult,
    PNRemoveChannelMembersResult,
    PNSetChannelMembersResult,
    PNUserMember,
    UUIDWithCustom,
)
from pubnub_fast.models.consumer.objects_v2.common import MemberIncludes, MembershipIncludes, PNIncludes
from pubnub_fast.models.consumer.objects_v2.memberships import (
    ChannelWithCustom,
    JustChannel,
    PNChannelMembership,
    PNGetMembershipsResult,
    PNManageMembershipsResult,
    PNMembershipResult,
    PNRemoveMembershipsResult,
    PNSetMembershipsResult,
)
from pubnub_fast.models.consumer.objects_v2.page import Next, PNPage, PNPageable, Previous
from pubnub_fast.models.consumer.objects_v2.sort import PNSortDirection, PNSortKey, PNSortKeyValue
from pubnub_fast.models.consumer.objects_v2.uuid import (
    PNGetAllUUIDMetadataResult,
    PNGetUUIDMetadataResult,
    PNRemoveUUIDMetadataResult,
    PNSetUUIDMetadataResult,
    PNUUIDMetadataResult,
)

UUID_OBJECT = {"id": "someuuid", "name": "Some name", "externalId": "1234", "profileUrl": "http://example.com",
               "email": "test@example.com", "type": "QA", "status": "online",
               "custom": {"key1": "val1", "key2": "val2"}, "updated": "2025-02-06T21:16:34.527863Z",
               "eTag": "f2d7a3864402d255d2ae22555649841a"}


@pytest.mark.parametrize("cls", [PNSetUUIDMetadataResult, PNGetUUIDMetadataResult, PNSetChannelMetadataResult,
                                 PNGetChannelMetadataResult])
def test_single_object_results(cls):
    body = {"status": 200, "data": UUID_OBJECT}
    result = cls.from_json(body)
    assert (result.data, result.status) == (UUID_OBJECT, 200)
    assert vars(cls(body)) == vars(result)
    assert "someuuid" in str(result) and repr(result).startswith(cls.__name__ + "(data=")


@pytest.mark.parametrize("cls", [PNRemoveUUIDMetadataResult, PNRemoveChannelMetadataResult])
def test_remove_results(cls):
    result = cls.from_json({"status": 200, "data": None})
    assert (result.data, result.status) == (None, 200)


PAGEABLE = [PNGetAllUUIDMetadataResult, PNGetAllChannelMetadataResult, PNSetChannelMembersResult,
            PNGetChannelMembersResult, PNRemoveChannelMembersResult, PNManageChannelMembersResult,
            PNSetMembershipsResult, PNGetMembershipsResult, PNRemoveMembershipsResult, PNManageMembershipsResult]


@pytest.mark.parametrize("cls", PAGEABLE)
def test_paged_results(cls):
    body = {"status": 200, "data": [{"id": "a"}], "totalCount": 1, "next": "MQ"}
    result = cls.from_json(body)
    assert isinstance(result, PNPageable)
    assert (result.data, result.status, result.total_count) == ([{"id": "a"}], 200, 1)
    assert isinstance(result.next, Next) and result.next.hash == "MQ"
    assert result.prev is None
    assert "1 item(s)" in str(result)


def test_paged_result_with_prev_and_empty():
    result = PNGetAllUUIDMetadataResult({"status": 200, "data": [], "prev": "Mg", "next": "Mw"})
    assert (result.total_count, result.prev, result.next) == (None, Previous("Mg"), Next("Mw"))
    empty = PNGetAllUUIDMetadataResult({"status": 200, "data": []})
    assert (empty.data, empty.total_count, empty.next, empty.prev) == ([], None, None, None)


def test_members_page_shape():
    body = {"status": 200, "data": [{"uuid": {"id": "someuuid"}, "custom": None, "updated": "2025-01-01T00:00:00Z",
                                     "eTag": "AZO/t53al7m8fw", "status": "active", "type": "QA"}], "next": "MQ"}
    result = PNGetChannelMembersResult.from_json(body)
    assert result.data[0]["uuid"]["id"] == "someuuid"


def test_pages():
    assert Next("MQ").hash == "MQ" and str(Previous("Mg")) == "Mg"
    assert Next("a") == Next("a") and Next("a") != Previous("a")
    assert isinstance(Next("a"), PNPage) and repr(Next("a")) == "Next('a')"
    assert len({Next("a"), Next("a"), Previous("a")}) == 2


def test_sort_keys():
    assert str(PNSortKey.asc(PNSortKeyValue.ID)) == "id:asc"
    assert str(PNSortKey.desc(PNSortKeyValue.UPDATED)) == "updated:desc"
    key = PNSortKey(PNSortKeyValue.NAME, PNSortDirection.DESC)
    assert (key.key_str(), key.dir_str()) == ("name", "desc")
    assert PNSortKey(PNSortKeyValue.NAME).dir_str() == "asc"
    assert ",".join(str(k) for k in [PNSortKey.asc(PNSortKeyValue.ID), PNSortKey.desc(PNSortKeyValue.NAME)]) == \
        "id:asc,name:desc"


def test_includes():
    assert str(PNIncludes()) == ""
    assert str(PNIncludes(custom=True, status=True, type=True)) == "custom,status,type"
    assert str(MemberIncludes(custom=True, status=True, type=True, total_count=True, user=True, user_custom=True,
                              user_type=True, user_status=True)) == \
        "custom,status,type,totalCount,uuid,uuid.custom,uuid.type,uuid.status"
    assert str(MembershipIncludes(total_count=True, channel=True, channel_custom=True, channel_type=True,
                                  channel_status=True)) == \
        "totalCount,channel,channel.custom,channel.type,channel.status"
    members = MemberIncludes(user=True)
    members.user_id = True
    assert str(members) == "uuid,uuid.id"
    memberships = MembershipIncludes()
    memberships.channel_id = True
    assert str(memberships) == "channel.id"
    assert "total_count=False" in repr(PNIncludes())


def test_member_payload_helpers():
    assert isinstance(PNUUID.uuid("u1"), JustUUID)
    assert PNUUID.uuid("u1").to_payload_dict() == {"uuid": {"id": "u1"}}
    with_custom = PNUUID.uuid_with_custom("u1", {"a": 1})
    assert isinstance(with_custom, UUIDWithCustom)
    assert with_custom.to_payload_dict() == {"uuid": {"id": "u1"}, "custom": {"a": 1}}
    assert PNUserMember("u1").to_payload_dict() == {"uuid": {"id": "u1"}}
    assert PNUserMember("u1", type="QA", status="active", custom={"a": 1}).to_payload_dict() == {
        "uuid": {"id": "u1"}, "custom": {"a": 1}, "status": "active", "type": "QA"}
    member = PNUserMember("u1", "QA")
    assert (member.user_id, member.type, member.status, member.custom) == ("u1", "QA", None, None)
    assert isinstance(member, PNUUID)


def test_membership_payload_helpers():
    assert isinstance(PNChannelMembership.channel("ch"), JustChannel)
    assert PNChannelMembership.channel("ch").to_payload_dict() == {"channel": {"id": "ch"}}
    with_custom = PNChannelMembership.channel_with_custom("ch", {"a": 1})
    assert isinstance(with_custom, ChannelWithCustom)
    assert with_custom.to_payload_dict() == {"channel": {"id": "ch"}, "custom": {"a": 1}}
    full = PNChannelMembership("ch", custom={"a": 1}, status="active", type="QA")
    assert full.to_payload_dict() == {"channel": {"id": "ch"}, "custom": {"a": 1}, "status": "active",
                                      "type": "QA"}
    assert PNChannelMembership("ch", status="s").to_payload_dict() == {"channel": {"id": "ch"}, "status": "s"}
    assert "ch" in str(full) and "status='active'" in repr(full)


@pytest.mark.parametrize("cls", [PNChannelMetadataResult, PNUUIDMetadataResult, PNMembershipResult])
def test_event_results(cls):
    payload = {"source": "objects", "version": "2.0", "event": "set", "type": "channel",
               "data": {"id": "ch", "name": "Probe Chan"}}
    event = cls.from_json(payload)
    assert (event.event, event.data) == ("set", {"id": "ch", "name": "Probe Chan"})
    direct = cls("delete", {"id": "x"})
    assert (direct.event, direct.data) == ("delete", {"id": "x"})
    assert "delete" in str(direct) and "event='delete'" in repr(direct)
