"""Mobile push provisioning over real loopback HTTP (protocol.md §2.20)."""
import pytest_twisted
from twisted.internet import reactor

from pubnub_fast.server import push_registry, start_server
from tests.server.conftest import ApiClient

TOKEN = "0123456789abcdef" * 4  # 64 hex digits, an APNs token
V1 = "/v1/push/sub-key/demo/devices/%s"
V2 = "/v2/push/sub-key/demo/devices-apns2/%s"


def _text_js(reply):
    assert reply.header("Content-Type") == 'text/javascript; charset="UTF-8"'


@pytest_twisted.ensureDeferred
async def test_v1_add_list_remove_channels_and_device(api):
    added = await api.get(V1 % TOKEN, add="ch_4,ch_3,channel_1", type="apns")
    assert (added.status, added.json) == (200, [1, "Modified Channels"])
    _text_js(added)
    listed = await api.get(V1 % TOKEN, type="apns")
    assert listed.json == ["ch_3", "ch_4", "channel_1"]  # v1 lists are sorted
    _text_js(listed)

    removed = await api.get(V1 % TOKEN, remove="ch_4", type="apns")
    assert removed.json == [1, "Modified Channels"]
    assert (await api.get(V1 % TOKEN, type="apns")).json == ["ch_3", "channel_1"]

    gone = await api.get(V1 % TOKEN + "/remove", type="apns")
    assert (gone.status, gone.json) == (200, [1, "Removed Device"])
    assert (await api.get(V1 % TOKEN, type="apns")).json == []


@pytest_twisted.ensureDeferred
async def test_registrations_are_keyed_by_type_and_keyset(api):
    await api.get(V1 % "fcm-token-1", add="a", type="fcm")
    await api.get(V1 % "fcm-token-1", add="b", type="gcm")
    await api.get("/v1/push/sub-key/other/devices/fcm-token-1", add="c", type="fcm")
    assert (await api.get(V1 % "fcm-token-1", type="fcm")).json == ["a"]
    assert (await api.get(V1 % "fcm-token-1", type="gcm")).json == ["b"]
    assert (await api.get("/v1/push/sub-key/other/devices/fcm-token-1", type="fcm")).json == ["c"]
    # adding twice is harmless; removing what is not there too
    await api.get(V1 % "fcm-token-1", add="a", type="fcm")
    assert (await api.get(V1 % "fcm-token-1", remove="zzz", type="fcm")).json == [1, "Modified Channels"]
    assert (await api.get(V1 % "fcm-token-1", type="fcm")).json == ["a"]
    # mpns (v4 SDKs) is still accepted; the type is case-insensitive
    assert (await api.get(V1 % "mpns-dev", add="m", type="MPNS")).status == 200
    assert (await api.get(V1 % "mpns-dev", type="mpns")).json == ["m"]


@pytest_twisted.ensureDeferred
async def test_apns2_is_keyed_by_environment_and_topic_and_keeps_order(api):
    await api.get(V2 % TOKEN, add="zeta,alpha", environment="development", topic="com.example.app")
    await api.get(V2 % TOKEN, add="beta", environment="development", topic="com.example.app")
    await api.get(V2 % TOKEN, add="prod-only", environment="production", topic="com.example.app")
    await api.get(V2 % TOKEN, add="other-topic", environment="development", topic="com.example.other")
    dev = await api.get(V2 % TOKEN, environment="development", topic="com.example.app")
    assert dev.json == ["zeta", "alpha", "beta"]  # registration order
    # environment defaults to development
    assert (await api.get(V2 % TOKEN, topic="com.example.app")).json == ["zeta", "alpha", "beta"]
    assert (await api.get(V2 % TOKEN, environment="production", topic="com.example.app")).json == ["prod-only"]
    # the same token via v1 apns is a different registration
    assert (await api.get(V1 % TOKEN, type="apns")).json == []

    removed = await api.get(V2 % TOKEN, remove="alpha", topic="com.example.app")
    assert removed.json == [1, "Modified Channels"]
    gone = await api.get(V2 % TOKEN + "/remove", environment="development", topic="com.example.app")
    assert gone.json == [1, "Removed Device"]
    assert (await api.get(V2 % TOKEN, topic="com.example.app")).json == []
    assert (await api.get(V2 % TOKEN, environment="production", topic="com.example.app")).json == ["prod-only"]
    assert (await api.get(V2 % TOKEN, topic="com.example.other")).json == ["other-topic"]


@pytest_twisted.ensureDeferred
async def test_errors(api):
    for query in ({"add": "a"}, {"add": "a", "type": "apns2"}, {"add": "a", "type": "blackberry"}):
        reply = await api.get(V1 % TOKEN, **query)
        assert (reply.status, reply.json) == (400, {"error": "Invalid type argument"})
    assert (await api.get(V1 % TOKEN + "/remove")).json == {"error": "Invalid type argument"}

    # an APNs token must be 16-200 hex digits to be added (the real cassette's token)
    for token, push_type in (("device_id_should_be_16_characters_long", "apns"), ("abc", "apns")):
        reply = await api.get(V1 % token, add="a", type=push_type)
        assert (reply.status, reply.json) == (400, {"error": "Invalid device token"})
    reply = await api.get(V2 % "not-hex", add="a", topic="t")
    assert (reply.status, reply.json) == (400, {"error": "Invalid device token"})
    # ... but removing anything is accepted, as the real service does
    for token in ("device id with spaces", "caf%C3%A9"):
        reply = await api.get(V1 % token, remove="a", type="apns")
        assert reply.json == [1, "Modified Channels"]
        assert (await api.get(V1 % token + "/remove", type="apns")).json == [1, "Removed Device"]
    # FCM tokens are opaque
    assert (await api.get(V1 % "fcm:opaque-Token_1", add="a", type="fcm")).status == 200

    missing_topic = await api.get(V2 % TOKEN, add="a", environment="development")
    assert (missing_topic.status, missing_topic.json) == (400, {"error": "Missing topic"})
    bad_env = await api.get(V2 % TOKEN, add="a", environment="staging", topic="t")
    assert (bad_env.status, bad_env.json) == (400, {"error": "Invalid environment argument"})

    no_channels = await api.get(V1 % TOKEN, add=",", type="apns")
    assert no_channels.status == 400 and "error" in no_channels.json
    bad_channel = await api.get(V1 % TOKEN, add="x" * 93, type="apns")
    assert bad_channel.status == 400 and "error" in bad_channel.json
    long_token = await api.get(V1 % ("a" * 600), type="fcm")
    assert long_token.json == {"error": "Invalid device token"}
    bad_key = await api.get("/v1/push/sub-key/%s/devices/x" % ("k" * 200), type="fcm")
    assert bad_key.status == 400 and bad_key.json["message"] == "Invalid Subscribe Key"


@pytest_twisted.ensureDeferred
async def test_a_device_holds_a_bounded_number_of_channels(api, monkeypatch):
    monkeypatch.setattr(push_registry, "MAX_CHANNELS_PER_DEVICE", 3)
    assert (await api.get(V1 % "cap", add="a,b", type="fcm")).status == 200
    full = await api.get(V1 % "cap", add="c,d", type="fcm")
    assert full.status == 400 and "at most 3" in full.json["error"]
    assert (await api.get(V1 % "cap", type="fcm")).json == ["a", "b"]  # nothing was added


@pytest_twisted.ensureDeferred
async def test_registrations_survive_a_restart(tmp_path):
    data = str(tmp_path / "push.sqlite3")
    first = await start_server(reactor, port=0, data=data)
    api = ApiClient(first.url)
    await api.get(V1 % TOKEN, add="kept", type="apns")
    await api.get(V2 % TOKEN, add="kept2", topic="com.x")
    await first.stop()
    second = await start_server(reactor, port=0, data=data)
    try:
        api = ApiClient(second.url)
        assert (await api.get(V1 % TOKEN, type="apns")).json == ["kept"]
        assert (await api.get(V2 % TOKEN, topic="com.x")).json == ["kept2"]
    finally:
        await second.stop()
