"""The official ``pubnub`` package (10.8, native sync client) against ``pubnub-fast serve``:
mobile push provisioning, App Context (with listener events) and files (an encrypted file sent,
announced, downloaded and deleted).

The server runs as a subprocess; every wait is bounded and the process is always killed.
"""
import io

import pytest

pubnub = pytest.importorskip("pubnub")

from pubnub.endpoints.objects_v2.objects_endpoint import ObjectsEndpoint  # noqa: E402
from pubnub.enums import PNPushEnvironment, PNPushType  # noqa: E402
from pubnub.exceptions import PubNubException  # noqa: E402
from pubnub.models.consumer.objects_v2.channel_members import PNUUID  # noqa: E402
from pubnub.models.consumer.objects_v2.common import MemberIncludes  # noqa: E402
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership  # noqa: E402
from pubnub.models.consumer.objects_v2.sort import PNSortKey, PNSortKeyValue  # noqa: E402

from tests.server.interop_support import listen, official_clients, server_fixture, unique  # noqa: E402

TOKEN = "a1b2c3d4e5f60718" * 4

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Mutable config will be deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Deprecated:UserWarning"),
    pytest.mark.filterwarnings("ignore:The function .* is deprecated:DeprecationWarning"),
]


server = server_fixture()


@pytest.fixture
def clients(server):
    with official_clients(server.origin) as make:
        yield lambda name, cipher_key=None: make(unique(name), cipher_key=cipher_key)


def subscribe_events(pn, channels):
    events = listen(pn, channels)
    # pubnub 10.8 runs subscribe() through its subscription registry, whose callback forwards
    # App Context and file events to emitter objects without uuid()/channel()/membership()/
    # file_message() methods: the AttributeError kills the SDK's message worker thread after
    # the first such event. Our listener does not need that callback; take it out.
    registry_callback = pn._subscription_registry.subscription_registry_callback
    if registry_callback is not None:
        pn.remove_listener(registry_callback)
    events.wait_connected()
    return events


# -- push -----------------------------------------------------------------------------------------


def test_push_add_list_remove(server, clients):
    pn = clients("push")
    channels = [unique("p-b"), unique("p-a")]
    pn.add_channels_to_push().channels(channels).device_id(TOKEN).push_type(PNPushType.APNS).sync()
    listed = pn.list_push_channels().device_id(TOKEN).push_type(PNPushType.APNS).sync()
    assert listed.result.channels == sorted(channels)
    pn.remove_channels_from_push().channels(channels[:1]).device_id(TOKEN).push_type(PNPushType.APNS).sync()
    assert pn.list_push_channels().device_id(TOKEN).push_type(PNPushType.APNS).sync().result.channels == channels[1:]
    pn.remove_device_from_push().device_id(TOKEN).push_type(PNPushType.APNS).sync()
    assert pn.list_push_channels().device_id(TOKEN).push_type(PNPushType.APNS).sync().result.channels == []

    fcm = unique("fcm-token")
    pn.add_channels_to_push().channels(["f1"]).device_id(fcm).push_type(PNPushType.FCM).sync()
    assert pn.list_push_channels().device_id(fcm).push_type(PNPushType.FCM).sync().result.channels == ["f1"]

    def apns2(builder):
        return builder.device_id(TOKEN).push_type(PNPushType.APNS2).topic("com.example.app") \
            .environment(PNPushEnvironment.PRODUCTION)

    apns2(pn.add_channels_to_push().channels(["z2", "a2"])).sync()
    assert apns2(pn.list_push_channels()).sync().result.channels == ["z2", "a2"]
    apns2(pn.remove_device_from_push()).sync()
    assert apns2(pn.list_push_channels()).sync().result.channels == []

    with pytest.raises(PubNubException) as raised:
        pn.add_channels_to_push().channels(["x"]).device_id("not-a-token").push_type(PNPushType.APNS).sync()
    assert raised.value.get_status_code() == 400
    assert "Invalid device token" in str(raised.value)


# -- App Context ----------------------------------------------------------------------------------


def test_uuid_and_channel_metadata(server, clients):
    pn = clients("objects")
    user = unique("user")
    set_reply = pn.set_uuid_metadata().uuid(user).set_name("Jane Doe").email("jane@example.com") \
        .custom({"age": 30}).include_custom(True).sync()
    data = set_reply.result.data
    assert data["id"] == user and data["name"] == "Jane Doe" and data["custom"] == {"age": 30}
    fetched = pn.get_uuid_metadata().uuid(user).include_custom(True).sync().result.data
    assert fetched == data

    stale = data["eTag"]
    pn.set_uuid_metadata().uuid(user).set_name("Jane").sync()
    try:
        with pytest.raises(PubNubException) as raised:
            pn.set_uuid_metadata().uuid(user).set_name("Lost update").if_matches_etag(stale).sync()
        assert raised.value.get_status_code() == 412
    finally:
        # pubnub 10.8 keeps If-Match in a class-level dict shared by every objects request
        # of the process (a bug): without this, all later objects calls would send it too.
        ObjectsEndpoint._custom_headers.clear()

    others = [unique("user") for _ in range(3)]
    for index, other in enumerate(others):
        pn.set_uuid_metadata().uuid(other).set_name("Jane %d" % index).sync()
    filtered = pn.get_all_uuid_metadata().filter("name like 'Jane *' && id like '%s*'" % others[0][:5]) \
        .sort(PNSortKey.desc(PNSortKeyValue.NAME)).limit(2).include_total_count(True).sync()
    assert filtered.result.total_count == 3
    assert [d["name"] for d in filtered.result.data] == ["Jane 2", "Jane 1"]
    assert filtered.result.next is not None
    rest = pn.get_all_uuid_metadata().filter("name like 'Jane *' && id like '%s*'" % others[0][:5]) \
        .sort(PNSortKey.desc(PNSortKeyValue.NAME)).limit(2).page(filtered.result.next).sync()
    assert [d["name"] for d in rest.result.data] == ["Jane 0"] and rest.result.next is None
    assert rest.result.prev is not None

    pn.remove_uuid_metadata().uuid(user).sync()
    with pytest.raises(PubNubException) as raised:
        pn.get_uuid_metadata().uuid(user).sync()
    assert raised.value.get_status_code() == 404

    channel = unique("chan")
    pn.set_channel_metadata().channel(channel).set_name("Channel One").description("desc") \
        .custom({"topic": "x"}).include_custom(True).sync()
    got = pn.get_channel_metadata().channel(channel).include_custom(True).sync().result.data
    assert (got["name"], got["description"], got["custom"]) == ("Channel One", "desc", {"topic": "x"})
    assert channel in [d["id"] for d in pn.get_all_channel_metadata().limit(100).sync().result.data]


def test_members_and_memberships(server, clients):
    pn = clients("members")
    channel = unique("room")
    u1, u2 = sorted([unique("m1"), unique("m2")])
    pn.set_uuid_metadata().uuid(u2).set_name("Second").sync()
    pn.set_channel_members().channel(channel).uuids([PNUUID.uuid(u1), PNUUID.uuid_with_custom(u2, {"role": "admin"})]) \
        .include_custom(True).sync()
    members = pn.get_channel_members().channel(channel) \
        .include(MemberIncludes(custom=True, total_count=True, user=True, user_custom=True)).sync()
    assert members.result.total_count == 2
    first, second = members.result.data
    assert first["uuid"] == {"id": u1}
    assert second["uuid"]["name"] == "Second" and second["custom"] == {"role": "admin"}

    other = unique("room")
    pn.set_memberships().uuid(u1).channel_memberships([PNChannelMembership.channel_with_custom(other, {"a": 1})]).sync()
    mine = pn.get_memberships().uuid(u1).include_custom(True).sync()
    assert sorted(item["channel"]["id"] for item in mine.result.data) == sorted([channel, other])
    pn.remove_memberships().uuid(u1).channel_memberships([PNChannelMembership.channel(channel)]).sync()
    assert [i["channel"]["id"] for i in pn.get_memberships().uuid(u1).sync().result.data] == [other]
    remaining = pn.get_channel_members().channel(channel).sync().result.data
    assert [item["uuid"]["id"] for item in remaining] == [u2]


def test_app_context_events_reach_listeners(server, clients):
    listener = clients("ctx-listener")
    user, channel = unique("ev-user"), unique("ev-room")
    events = subscribe_events(listener, [user, channel])
    admin = clients("ctx-admin")

    admin.set_uuid_metadata().uuid(user).set_name("Evented").sync()
    kind, event = events.next()
    assert kind == "uuid" and event.event == "set" and event.data["name"] == "Evented"

    admin.set_channel_metadata().channel(channel).set_name("Room").sync()
    kind, event = events.next()
    assert kind == "channel" and event.event == "set" and event.data["id"] == channel

    admin.set_memberships().uuid(user).channel_memberships([PNChannelMembership.channel(channel)]).sync()
    seen = [events.next(), events.next()]  # once on the channel, once on the uuid's channel
    for kind, event in seen:
        assert kind == "membership" and event.event == "set"
        assert event.data["channel"] == {"id": channel} and event.data["uuid"] == {"id": user}

    admin.remove_channel_metadata().channel(channel).sync()
    kind, event = events.next()
    assert (kind, event.event, event.data) == ("channel", "delete", {"id": channel})


# -- files ----------------------------------------------------------------------------------------


def test_encrypted_file_send_announce_download_list_delete(server, clients):
    channel = unique("files")
    receiver = clients("file-receiver", cipher_key="enigma")
    events = subscribe_events(receiver, [channel])
    sender = clients("file-sender", cipher_key="enigma")
    content = b"Knights who say Ni! " * 100

    sent = sender.send_file().channel(channel).file_name("king arthur.txt").message({"note": "holy grail"}) \
        .should_store(True).file_object(io.BytesIO(content)).sync()
    file_id = sent.result.file_id
    assert sent.result.name == "king arthur.txt" and len(str(sent.result.timestamp)) == 17

    kind, event = events.next()
    assert kind == "file"
    assert (event.file_id, event.file_name, event.message) == (file_id, "king arthur.txt", {"note": "holy grail"})
    assert event.publisher == sender.config.uuid
    assert event.file_url.startswith("http://%s/v1/files/demo/channels/%s/files/%s/" % (server.origin, channel, file_id))

    downloaded = receiver.download_file().channel(channel).file_id(file_id).file_name("king arthur.txt").sync()
    assert downloaded.result.data == content
    # the server holds what the client uploaded: ciphertext
    plain = clients("file-peeker")
    stored = plain.download_file().channel(channel).file_id(file_id).file_name("king arthur.txt").sync()
    assert stored.result.data != content and len(stored.result.data) > len(content)

    listed = plain.list_files().channel(channel).sync()
    assert listed.result.count == 1
    assert listed.result.data[0]["id"] == file_id and listed.result.data[0]["size"] == len(stored.result.data)
    url = plain.get_file_url().channel(channel).file_id(file_id).file_name("king arthur.txt").sync()
    assert url.result.file_url.startswith("http://%s/_files/demo/" % server.origin)

    history = receiver.fetch_messages().channels([channel]).include_message_type(True) \
        .decrypt_messages(True).sync()
    (item,) = history.result.channels[channel]
    assert item.message["file"] == {"id": file_id, "name": "king arthur.txt"}
    assert item.message["message"] == {"note": "holy grail"}

    assert plain.delete_file().channel(channel).file_id(file_id).file_name("king arthur.txt").sync().result.status == 200
    assert plain.list_files().channel(channel).sync().result.data == []
