"""App Context (objects v2): uuid/channel metadata, members, memberships — request format,
include/limit/filter/sort/page/count/If-Match, validation, results."""
import json

import pytest

from pubnub_fast import errors
from pubnub_fast.endpoints.objects import ChannelIncludeEndpoint, UUIDIncludeEndpoint
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.objects_v2.channel import (PNGetAllChannelMetadataResult, PNGetChannelMetadataResult,
                                                            PNRemoveChannelMetadataResult, PNSetChannelMetadataResult)
from pubnub_fast.models.consumer.objects_v2.channel_members import (PNUUID, PNGetChannelMembersResult,
                                                                    PNManageChannelMembersResult,
                                                                    PNRemoveChannelMembersResult,
                                                                    PNSetChannelMembersResult, PNUserMember)
from pubnub_fast.models.consumer.objects_v2.common import MemberIncludes, MembershipIncludes
from pubnub_fast.models.consumer.objects_v2.memberships import (PNChannelMembership, PNGetMembershipsResult,
                                                                PNManageMembershipsResult, PNRemoveMembershipsResult,
                                                                PNSetMembershipsResult)
from pubnub_fast.models.consumer.objects_v2.page import Next, Previous
from pubnub_fast.models.consumer.objects_v2.sort import PNSortKey, PNSortKeyValue
from pubnub_fast.models.consumer.objects_v2.uuid import (PNGetAllUUIDMetadataResult, PNGetUUIDMetadataResult,
                                                         PNRemoveUUIDMetadataResult, PNSetUUIDMetadataResult)
from pubnub_fast.pnconfiguration import PNConfiguration
from tests.client_stub import StubbedClient, failureResultOf
from tests.endpoint_vectors import (answered, decoded_query, rejected, request_vector_test, request_vectors, send,
                                    signing_vector_test, signing_vectors, via_pn_async)

FACTORIES = ("set_uuid_metadata", "get_uuid_metadata", "remove_uuid_metadata", "get_all_uuid_metadata",
             "set_channel_metadata", "get_channel_metadata", "remove_channel_metadata", "get_all_channel_metadata",
             "set_channel_members", "get_channel_members", "remove_channel_members", "manage_channel_members",
             "set_memberships", "get_memberships", "remove_memberships", "manage_memberships")

UUID_OBJECT = {"id": "someuuid", "name": "Some name", "externalId": "1234", "profileUrl": "http://example.com",
               "email": "test@example.com", "type": "QA", "status": "online", "custom": {"key1": "val1"},
               "updated": "2025-02-06T21:16:34.527863Z", "eTag": "f2d7a3864402d255d2ae22555649841a"}
MEMBERS_PAGE = {"status": 200, "data": [{"uuid": {"id": "someuuid"}, "custom": None, "updated": "2025-02-06T21:16:34Z",
                                         "eTag": "AZO/t53al7m8fw", "status": "active", "type": "QA"}],
                "totalCount": 12, "next": "MQ", "prev": "MA"}


test_request_matches_vector = request_vector_test(*FACTORIES, encoded_once_path=True)
test_signature_matches_vector = signing_vector_test(*FACTORIES)


def test_every_objects_vector_is_covered():
    assert {p.id for p in request_vectors(*FACTORIES)} == {
        "uuid-set", "uuid-get", "uuid-remove", "uuid-get-all", "channel-set", "channel-get", "members-set",
        "members-get", "members-get-default", "memberships-get-default", "memberships-set", "memberships-get"}
    assert {p.id for p in signing_vectors(*FACTORIES)} == {"gen-set-uuid-metadata",
                                                           "gen-get-channel-members-filter-sort"}


def query(request):
    return dict(decoded_query(request.query))


def test_paths_encode_ids_once_and_default_to_own_uuid():
    client = StubbedClient(uuid="me/you")
    pubnub = client.pubnub
    assert send(client, pubnub.get_uuid_metadata()).raw_path == "/v2/objects/sub-c-demo/uuids/me%2Fyou"
    assert send(client, pubnub.get_uuid_metadata().uuid("a b")).raw_path == "/v2/objects/sub-c-demo/uuids/a%20b"
    assert send(client, pubnub.get_memberships()).raw_path == "/v2/objects/sub-c-demo/uuids/me%2Fyou/channels"
    assert send(client, pubnub.get_channel_metadata().channel("c?d")).raw_path == \
        "/v2/objects/sub-c-demo/channels/c%3Fd"
    assert send(client, pubnub.get_channel_members().channel("c#")).raw_path == \
        "/v2/objects/sub-c-demo/channels/c%23/uuids"
    assert send(client, pubnub.get_all_channel_metadata()).raw_path == "/v2/objects/sub-c-demo/channels"
    request = send(client, pubnub.remove_channel_metadata().channel("c"))
    assert request.method == "DELETE" and query(request) == {}
    assert send(client, pubnub.remove_uuid_metadata().uuid("x")).method == "DELETE"


def test_include_variants():
    client = StubbedClient()
    pubnub = client.pubnub
    assert query(send(client, pubnub.get_uuid_metadata())) == {"include": "status,type"}
    assert query(send(client, pubnub.get_uuid_metadata().include_status(False).include_type(False))) == {}
    assert query(send(client, pubnub.get_all_channel_metadata().include_custom(True).include_type(False))) == \
        {"include": "custom,status"}
    assert query(send(client, pubnub.get_uuid_metadata(include_custom=True, include_status=False))) == \
        {"include": "custom,type"}
    assert query(send(client, pubnub.get_channel_members().channel("c").include_uuid(UUIDIncludeEndpoint.UUID))) == \
        {"include": "uuid"}
    request = send(client, pubnub.get_channel_members().channel("c").include_custom(True)
                   .include_uuid(UUIDIncludeEndpoint.UUID_WITH_CUSTOM))
    assert query(request) == {"include": "custom,uuid.custom"}
    request = send(client, pubnub.get_memberships().include_channel(ChannelIncludeEndpoint.CHANNEL_WITH_CUSTOM))
    assert query(request) == {"include": "channel.custom"}
    request = send(client, pubnub.get_memberships().include_channel(pubnub.get_memberships().CHANNEL))
    assert query(request) == {"include": "channel"}
    includes = MembershipIncludes(custom=True, status=True, type=True, total_count=True, channel=True,
                                  channel_custom=True, channel_type=True, channel_status=True)
    request = send(client, pubnub.set_memberships(include=includes).channel_memberships(["c"]))
    assert query(request) == {"include": "custom,status,type,totalCount,channel,channel.custom,channel.type,"
                                         "channel.status"}
    # an includes object replaces the legacy flags; an empty one sends nothing
    request = send(client, pubnub.get_channel_members().channel("c").include_custom(True).include(MemberIncludes()))
    assert query(request) == {}
    with pytest.raises(PubNubException, match="include_uuid"):
        pubnub.get_channel_members().include_uuid(7)
    with pytest.raises(PubNubException, match="PNIncludes"):
        pubnub.get_memberships().include("custom")


def test_list_parameters():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.get_all_channel_metadata().limit(5).filter("name LIKE 'a*' && custom.x == 1")
                   .include_total_count(True).sort(PNSortKey.desc(PNSortKeyValue.UPDATED),
                                                   PNSortKey.asc(PNSortKeyValue.ID))
                   .page(Previous("MjA=")).include_status(False).include_type(False))
    assert query(request) == {"limit": "5", "filter": "name LIKE 'a*' && custom.x == 1", "count": "True",
                              "sort": "updated:desc,id:asc", "end": "MjA="}
    assert "filter=name%20LIKE%20%27a%2A%27%20%26%26%20custom.x%20%3D%3D%201" in request.raw_query
    request = send(client, pubnub.get_all_uuid_metadata(limit=3, sort_keys=[PNSortKey(PNSortKeyValue.NAME)],
                                                        include_total_count=False).page(Next("abc")))
    assert query(request) == {"include": "status,type", "limit": "3", "sort": "name:asc", "start": "abc"}
    request = send(client, pubnub.get_channel_members(channel="c", page=Next("n"), filter="uuid.name == 'x'"))
    assert query(request) == {"start": "n", "filter": "uuid.name == 'x'"}
    with pytest.raises(PubNubException, match="PNSortKey"):
        pubnub.get_all_uuid_metadata().sort("name:asc")
    with pytest.raises(PubNubException, match="Next or Previous"):
        pubnub.get_memberships().page("MQ")
    with pytest.raises(PubNubException, match="limit"):
        pubnub.get_all_uuid_metadata().limit("10")
    with pytest.raises(TypeError, match="unexpected keyword argument 'limit'"):
        pubnub.get_uuid_metadata(limit=5)


def test_set_bodies_and_etag():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.set_uuid_metadata(uuid="u", name="N", email="e@x", external_id="ext",
                                                    profile_url="http://p", custom={"a": 1}, status="active",
                                                    type="admin").if_matches_etag("etag-1"))
    assert request.method == "PATCH"
    assert request.header("If-Match") == "etag-1"
    assert request.header("Content-Type") == "application/json"
    assert json.loads(request.body) == {"name": "N", "email": "e@x", "externalId": "ext", "profileUrl": "http://p",
                                        "custom": {"a": 1}, "status": "active", "type": "admin"}
    # custom= on the factory does not ask for custom back; .custom() on the builder does (PubNub SDK 10.8)
    assert query(request) == {"include": "status,type"}
    request = send(client, pubnub.set_uuid_metadata().uuid("u").custom({"a": 1}))
    assert query(request) == {"include": "custom,status,type"}
    request = send(client, pubnub.set_channel_metadata("c", {"a": 1}))
    assert query(request) == {"include": "status,type"}
    request = send(client, pubnub.set_uuid_metadata().set_name("only"))
    assert json.loads(request.body) == {"name": "only", "email": None, "externalId": None, "profileUrl": None}
    assert request.header("If-Match") is None
    request = send(client, pubnub.set_channel_metadata(channel="c", name="n", status="archived")
                   .set_type("t").if_matches_etag("e2"))
    assert json.loads(request.body) == {"name": "n", "description": None, "status": "archived", "type": "t",
                                        "custom": None}
    assert request.header("If-Match") == "e2"
    # PubNub SDK v10's keyword defaults (custom=None, include_custom=False) ask for nothing extra
    request = send(client, pubnub.set_channel_metadata(channel="c", custom=None, include_custom=False))
    assert query(request) == {"include": "status,type"}
    # the etag is per request, never shared
    assert send(client, pubnub.set_channel_metadata().channel("c")).header("If-Match") is None
    with pytest.raises(PubNubException, match="custom must be a dict"):
        pubnub.set_uuid_metadata().custom(["x"])
    with pytest.raises(PubNubException, match="email"):
        pubnub.set_uuid_metadata().email(5)


def test_member_and_membership_bodies():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.set_channel_members().channel("c").uuids(
        [PNUUID.uuid("u1"), PNUserMember("u2", type="QA", status="active", custom={"r": 1}), "u3"]))
    assert json.loads(request.body) == {"set": [
        {"uuid": {"id": "u1"}},
        {"uuid": {"id": "u2"}, "custom": {"r": 1}, "status": "active", "type": "QA"},
        {"uuid": {"id": "u3"}}], "delete": []}
    request = send(client, pubnub.remove_channel_members(channel="c", uuids=[PNUUID.uuid("u1")]))
    assert json.loads(request.body) == {"set": [], "delete": [{"uuid": {"id": "u1"}}]}
    request = send(client, pubnub.manage_channel_members(channel="c", uuids_to_set=["a"], uuids_to_remove=["b"]))
    assert json.loads(request.body) == {"set": [{"uuid": {"id": "a"}}], "delete": [{"uuid": {"id": "b"}}]}
    request = send(client, pubnub.manage_channel_members().channel("c").set([PNUUID.uuid_with_custom("a", {"x": 1})])
                   .remove([]))
    assert json.loads(request.body) == {"set": [{"uuid": {"id": "a"}, "custom": {"x": 1}}], "delete": []}
    request = send(client, pubnub.set_memberships().uuid("u").channel_memberships(
        [PNChannelMembership("c1", custom={"a": 1}, status="s", type="t"), PNChannelMembership.channel("c2")]))
    assert request.raw_path == "/v2/objects/sub-c-demo/uuids/u/channels"
    assert json.loads(request.body) == {"set": [{"channel": {"id": "c1"}, "custom": {"a": 1}, "status": "s",
                                                 "type": "t"}, {"channel": {"id": "c2"}}], "delete": []}
    request = send(client, pubnub.remove_memberships(uuid="u", channel_memberships=["c1"]))
    assert json.loads(request.body) == {"set": [], "delete": [{"channel": {"id": "c1"}}]}
    request = send(client, pubnub.manage_memberships(channel_memberships_to_set=[PNChannelMembership.channel("a")],
                                                     channel_memberships_to_remove=["b"]))
    assert json.loads(request.body) == {"set": [{"channel": {"id": "a"}}], "delete": [{"channel": {"id": "b"}}]}
    assert request.raw_path == "/v2/objects/sub-c-demo/uuids/vector-uuid/channels"


def test_validation():
    config = PNConfiguration(uuid="u")
    client = StubbedClient(config=config)
    pubnub = client.pubnub
    rejected(client, pubnub.get_uuid_metadata(), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    rejected(client, pubnub.get_all_channel_metadata(), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    config.subscribe_key = "sub"
    rejected(client, pubnub.get_channel_metadata(), errors.PNERR_CHANNEL_MISSING)
    rejected(client, pubnub.set_channel_metadata().channel(""), errors.PNERR_CHANNEL_MISSING)
    rejected(client, pubnub.get_channel_members(), errors.PNERR_CHANNEL_MISSING)
    rejected(client, pubnub.remove_channel_metadata(), errors.PNERR_CHANNEL_MISSING)
    rejected(client, pubnub.get_uuid_metadata().uuid(""), errors.PNERR_UUID_MISSING)
    rejected(client, pubnub.set_memberships().uuid(""), errors.PNERR_UUID_MISSING)
    rejected(client, pubnub.set_channel_members().channel("c").uuids([5]), errors.PNERR_INVALID_ARGUMENT)
    rejected(client, pubnub.set_channel_members().channel("c").uuids([""]), errors.PNERR_INVALID_ARGUMENT)
    rejected(client, pubnub.set_memberships().channel_memberships("not-a-list-but-ok").channel_memberships(5),
             errors.PNERR_INVALID_ARGUMENT)
    rejected(client, pubnub.set_uuid_metadata().custom({"x": object()}), errors.PNERR_JSON_NOT_SERIALIZABLE)


def test_results():
    client = StubbedClient()
    pubnub = client.pubnub
    cases = [
        (pubnub.set_uuid_metadata().set_name("n"), {"status": 200, "data": UUID_OBJECT}, PNSetUUIDMetadataResult),
        (pubnub.get_uuid_metadata(), {"status": 200, "data": UUID_OBJECT}, PNGetUUIDMetadataResult),
        (pubnub.remove_uuid_metadata(), {"status": 200, "data": None}, PNRemoveUUIDMetadataResult),
        (pubnub.set_channel_metadata().channel("c"), {"status": 200, "data": {"id": "c"}}, PNSetChannelMetadataResult),
        (pubnub.get_channel_metadata().channel("c"), {"status": 200, "data": {"id": "c"}}, PNGetChannelMetadataResult),
        (pubnub.remove_channel_metadata().channel("c"), {"status": 200, "data": None}, PNRemoveChannelMetadataResult),
    ]
    for builder, body, model in cases:
        envelope = answered(client, builder, body)
        assert type(envelope.result) is model
        assert envelope.result.data == body["data"] and envelope.result.status == 200
    envelope = answered(client, pubnub.get_uuid_metadata(), {"status": 200, "data": UUID_OBJECT})
    assert envelope.result.data["eTag"] == "f2d7a3864402d255d2ae22555649841a"
    assert envelope.status.operation == PNOperationType.PNGetUuidMetadataOperation

    pages = [
        (pubnub.get_all_uuid_metadata(), PNGetAllUUIDMetadataResult),
        (pubnub.get_all_channel_metadata(), PNGetAllChannelMetadataResult),
        (pubnub.get_channel_members().channel("c"), PNGetChannelMembersResult),
        (pubnub.set_channel_members().channel("c").uuids(["u"]), PNSetChannelMembersResult),
        (pubnub.remove_channel_members().channel("c").uuids(["u"]), PNRemoveChannelMembersResult),
        (pubnub.manage_channel_members().channel("c"), PNManageChannelMembersResult),
        (pubnub.get_memberships(), PNGetMembershipsResult),
        (pubnub.set_memberships().channel_memberships(["c"]), PNSetMembershipsResult),
        (pubnub.remove_memberships().channel_memberships(["c"]), PNRemoveMembershipsResult),
        (pubnub.manage_memberships(), PNManageMembershipsResult),
    ]
    for builder, model in pages:
        result = answered(client, builder, MEMBERS_PAGE).result
        assert type(result) is model
        assert result.total_count == 12 and result.next == Next("MQ") and result.prev == Previous("MA")
        assert result.data == MEMBERS_PAGE["data"]
    result, status = via_pn_async(client, pubnub.get_all_uuid_metadata(), {"status": 200, "data": []})
    assert result.data == [] and result.next is None and result.total_count is None and not status.is_error()
    # the next page is requested with the cursor of this one
    request = send(client, pubnub.get_all_uuid_metadata().page(answered(client, pubnub.get_all_uuid_metadata(),
                                                                        MEMBERS_PAGE).result.next))
    assert request.params["start"] == "MQ"


def test_errors():
    client = StubbedClient()
    stale = {"status": 412, "error": {"message": "User to update has been modified after it was read.",
                                      "source": "objects"}}
    client.server.respond((412, stale))
    failure = failureResultOf(client.call(client.pubnub.set_uuid_metadata().set_name("n").if_matches_etag("old")),
                              PubNubTwistedException)
    assert failure.value.status.status_code == 412 and failure.value.result == stale
    # PubNub SDK 10.8: the decoded "error" object (decisions §22)
    assert failure.value.status.error_data.exception.get_error_message().get("message") == \
        "User to update has been modified after it was read."
    client.server.respond((404, {"status": 404, "error": {"message": "Requested object was not found."}}))
    failure = failureResultOf(client.call(client.pubnub.get_uuid_metadata()), PubNubTwistedException)
    assert failure.value.status.status_code == 404
    client.server.respond((200, [1, 2]))
    failure = failureResultOf(client.call(client.pubnub.get_uuid_metadata()), PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNMalformedResponseCategory
