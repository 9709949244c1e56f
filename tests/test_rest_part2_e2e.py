"""Issue 7 end to end: pubnub_fast clients against the in-process local server over loopback HTTP
for mobile push provisioning, App Context (with listener events) and files (an encrypted file
sent, announced, downloaded, listed and deleted)."""
import io

import pytest
import pytest_twisted

from pubnub_fast.enums import PNPushEnvironment, PNPushType
from pubnub_fast.models.consumer.objects_v2.channel_members import PNUUID
from pubnub_fast.models.consumer.objects_v2.memberships import PNChannelMembership
from pubnub_fast.models.consumer.objects_v2.sort import PNSortKey, PNSortKeyValue
from tests.e2e_support import failed, local_server_fixture, subscribed

pytestmark = pytest.mark.integration

TOKEN = "0123456789abcdef" * 4


server = local_server_fixture()


async def failure_of(builder):
    return (await failed(builder)).status


# -- push -----------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_push_provisioning(make_client):
    pn = make_client("pusher")
    await pn.add_channels_to_push().channels(["b", "a"]).device_id(TOKEN).push_type(PNPushType.APNS).deferred()
    listed = await pn.list_push_channels().device_id(TOKEN).push_type(PNPushType.APNS).deferred()
    assert listed.result.channels == ["a", "b"]
    await pn.remove_channels_from_push().channels(["a"]).device_id(TOKEN).push_type(PNPushType.APNS).deferred()
    assert (await pn.list_push_channels(device_id=TOKEN, push_type=PNPushType.APNS).deferred()).result.channels == ["b"]
    await pn.remove_device_from_push().device_id(TOKEN).push_type(PNPushType.APNS).deferred()
    assert (await pn.list_push_channels().device_id(TOKEN).push_type(PNPushType.APNS).deferred()).result.channels == []

    await pn.add_channels_to_push().channels(["f"]).device_id("fcm-token").push_type(PNPushType.FCM).deferred()
    assert (await pn.list_push_channels().device_id("fcm-token").push_type(PNPushType.FCM).deferred()).result.channels == ["f"]

    def apns2(builder):
        return builder.device_id(TOKEN).push_type(PNPushType.APNS2).topic("com.example.app") \
            .environment(PNPushEnvironment.PRODUCTION)

    await apns2(pn.add_channels_to_push().channels(["z", "y"])).deferred()
    assert (await apns2(pn.list_push_channels()).deferred()).result.channels == ["z", "y"]
    await apns2(pn.remove_device_from_push()).deferred()
    assert (await apns2(pn.list_push_channels()).deferred()).result.channels == []

    status = await failure_of(
        pn.add_channels_to_push().channels(["x"]).device_id("not-hex").push_type(PNPushType.APNS))
    assert status.is_error() and status.status_code == 400


# -- App Context ----------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_app_context_metadata_lists_and_etags(make_client):
    pn = make_client("ctx")
    set_reply = await pn.set_uuid_metadata().uuid("jane").set_name("Jane Doe").email("j@example.com") \
        .custom({"age": 30}).include_custom(True).deferred()
    data = set_reply.result.data
    assert (data["id"], data["name"], data["custom"]) == ("jane", "Jane Doe", {"age": 30})
    assert (await pn.get_uuid_metadata().uuid("jane").include_custom(True).deferred()).result.data == data

    await pn.set_uuid_metadata().uuid("jane").set_name("Jane").deferred()
    status = await failure_of(pn.set_uuid_metadata().uuid("jane").set_name("Lost").if_matches_etag(data["eTag"]))
    assert status.status_code == 412
    # the If-Match of one request does not leak into the next (unlike PubNub's SDK 10.8)
    assert (await pn.set_uuid_metadata().uuid("jane").set_name("Jane 9").deferred()).result.data["name"] == "Jane 9"

    for index in range(3):
        await pn.set_uuid_metadata().uuid("jane-%d" % index).set_name("Jane %d" % index).deferred()
    first = await pn.get_all_uuid_metadata().filter("name like 'jane *' && id != 'jane'") \
        .sort(PNSortKey.desc(PNSortKeyValue.NAME)).limit(2).include_total_count(True).deferred()
    assert first.result.total_count == 3 and [d["name"] for d in first.result.data] == ["Jane 2", "Jane 1"]
    rest = await pn.get_all_uuid_metadata().filter("name like 'jane *' && id != 'jane'") \
        .sort(PNSortKey.desc(PNSortKeyValue.NAME)).limit(2).page(first.result.next).deferred()
    assert [d["name"] for d in rest.result.data] == ["Jane 0"] and rest.result.next is None

    status = await failure_of(pn.get_all_uuid_metadata().filter("name ==="))
    assert status.status_code == 400

    await pn.remove_uuid_metadata().uuid("jane").deferred()
    assert (await failure_of(pn.get_uuid_metadata().uuid("jane"))).status_code == 404

    await pn.set_channel_metadata().channel("room").set_name("Room").description("d").deferred()
    got = await pn.get_channel_metadata().channel("room").deferred()
    assert (got.result.data["name"], got.result.data["description"]) == ("Room", "d")


@pytest_twisted.ensureDeferred
async def test_members_memberships_and_events(make_client):
    listener = make_client("listener")
    events = await subscribed(listener, ["room", "u1"])
    admin = make_client("admin")

    await admin.set_uuid_metadata().uuid("u1").set_name("One").deferred()
    await admin.set_channel_metadata().channel("room").set_name("Room").deferred()
    await admin.set_channel_members().channel("room") \
        .uuids([PNUUID.uuid("u1"), PNUUID.uuid_with_custom("u2", {"role": "admin"})]).deferred()
    members = await admin.get_channel_members().channel("room").include_custom(True).include_total_count(True).deferred()
    assert members.result.total_count == 2
    assert [(m["uuid"]["id"], m["custom"]) for m in members.result.data] == [("u1", None), ("u2", {"role": "admin"})]

    await admin.set_memberships().uuid("u1").channel_memberships([PNChannelMembership.channel("lobby")]).deferred()
    mine = await admin.get_memberships().uuid("u1").deferred()
    assert [m["channel"]["id"] for m in mine.result.data] == ["lobby", "room"]
    await admin.remove_memberships().uuid("u1").channel_memberships([PNChannelMembership.channel("room")]).deferred()
    remaining = await admin.get_channel_members().channel("room").deferred()
    assert [m["uuid"]["id"] for m in remaining.result.data] == ["u2"]

    await events.wait_for("uuid", 1)
    await events.wait_for("channel", 1)
    # on room: set u1 and u2; on u1's channel: set u1-room, set u1-lobby, delete u1-room; on room: delete
    await events.wait_for("membership", 6)
    (uuid_event,) = events.of("uuid")
    assert uuid_event.event == "set" and uuid_event.data["name"] == "One"
    (channel_event,) = events.of("channel")
    assert channel_event.event == "set" and channel_event.data["id"] == "room"
    seen = sorted((m.event, m.data["channel"]["id"], m.data["uuid"]["id"]) for m in events.of("membership"))
    assert seen == [("delete", "room", "u1"), ("delete", "room", "u1"), ("set", "lobby", "u1"),
                    ("set", "room", "u1"), ("set", "room", "u1"), ("set", "room", "u2")]


# -- files ----------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_encrypted_file_round_trip(make_client, server):
    receiver = make_client("receiver", cipher_key="enigma")
    events = await subscribed(receiver, ["files"])
    sender = make_client("sender", cipher_key="enigma")
    content = b"Knights who say Ni! " * 50

    sent = await sender.send_file().channel("files").file_name("grail.txt").message({"note": "ni"}) \
        .should_store(True).file_object(io.BytesIO(content)).deferred()
    file_id = sent.result.file_id
    assert sent.result.name == "grail.txt" and sent.result.timestamp

    await events.wait_for("file", 1)
    (announced,) = events.of("file")
    assert (announced.file_id, announced.file_name, announced.message) == (file_id, "grail.txt", {"note": "ni"})
    assert announced.publisher == "sender"

    downloaded = await receiver.download_file().channel("files").file_id(file_id).file_name("grail.txt").deferred()
    assert downloaded.result.data == content
    plain = make_client("plain")
    raw = await plain.download_file().channel("files").file_id(file_id).file_name("grail.txt").deferred()
    assert raw.result.data != content  # the server holds the ciphertext

    listed = await plain.list_files().channel("files").deferred()
    assert [(f["id"], f["name"]) for f in listed.result.data] == [(file_id, "grail.txt")]
    url = await plain.get_file_url().channel("files").file_id(file_id).file_name("grail.txt").deferred()
    assert url.result.file_url.startswith(server.url + "/_files/demo/files/%s/grail.txt?" % file_id)

    await plain.delete_file().channel("files").file_id(file_id).file_name("grail.txt").deferred()
    assert (await plain.list_files().channel("files").deferred()).result.data == []
