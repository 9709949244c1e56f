"""Access Manager with the official ``pubnub`` package (10.8, native sync client) as the client of
``pubnub-fast serve --keyset sub:pub:secret`` (a subprocess; every wait bounded, always killed).

The secret holder (signs every request) grants and audits v2 permissions and issues/revokes v3
tokens; clients without the secret publish and subscribe with an auth key or a token, and are
refused with the real 403 (``PNAccessDeniedCategory``) where they hold no permission.
"""
import pytest

pubnub = pytest.importorskip("pubnub")

from pubnub.enums import PNStatusCategory  # noqa: E402
from pubnub.exceptions import PubNubException  # noqa: E402
from pubnub.models.consumer.v3.channel import Channel  # noqa: E402
from pubnub.models.consumer.v3.group import Group  # noqa: E402
from pubnub.models.consumer.v3.uuid import UUID  # noqa: E402

from tests.server.interop_support import WAIT, listen, official_clients, server_fixture, unique  # noqa: E402

SUB, PUB, SECRET = "sub-c-interop-pam", "pub-c-interop-pam", "sec-c-interop-pam"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Mutable config will be deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Access management v2 is being deprecated:DeprecationWarning"),
]


server = server_fixture("--keyset", "%s:%s:%s" % (SUB, PUB, SECRET))


@pytest.fixture
def clients(server):
    with official_clients(server.origin, subscribe_key=SUB, publish_key=PUB) as make:
        def client(name, secret=False, auth_key=None):
            return make(unique(name), secret_key=SECRET if secret else None, auth_key=auth_key)

        yield client


def denied(call):
    with pytest.raises(PubNubException) as raised:
        call()
    assert raised.value.get_status_code() == 403  # the SDK's PNAccessDeniedCategory
    return raised.value


def test_secret_holder_grants_audits_and_revokes(server, clients):
    admin = clients("admin", secret=True)
    channel = unique("granted")
    result = admin.grant().channels([channel]).auth_keys(["user-key"]).read(True).write(True).ttl(60).sync().result
    assert result.level == "user" and result.subscribe_key == SUB and result.ttl == 60
    key = result.channels[channel].auth_keys["user-key"]
    assert key.read_enabled is True and key.write_enabled is True and key.manage_enabled is False

    result = admin.grant().channel_groups(["cg-a", "cg-b"]).read(True).sync().result
    assert result.level == "channel-group" and set(result.groups) == {"cg-a", "cg-b"}
    assert result.groups["cg-a"].read_enabled is True

    result = admin.grant().uuids(["someuuid"]).auth_keys(["user-key"]).get(True).update(True).ttl(120).sync().result
    assert result.level == "uuid" and result.uuids["someuuid"].auth_keys["user-key"].get is True

    audit = admin.audit().channels([channel]).auth_keys(["user-key"]).sync().result
    assert audit.level == "user"
    assert audit.channels[channel].auth_keys["user-key"].read_enabled is True
    assert audit.channels[channel].auth_keys["user-key"].ttl == 60

    user = clients("user", auth_key="user-key")
    assert user.publish().channel(channel).message("hi").sync().result.timetoken > 0
    admin.grant().channels([channel]).auth_keys(["user-key"]).read(False).write(False).sync()
    error = denied(lambda: user.publish().channel(channel).message("hi").sync())
    assert channel in error._errormsg
    assert admin.audit().channels([channel]).auth_keys(["user-key"]).sync().result.channels[channel].auth_keys == {}


def test_secret_holder_has_root_access(server, clients):
    admin = clients("admin", secret=True)
    channel = unique("root")
    recorder = listen(admin, [channel])
    recorder.wait_status(PNStatusCategory.PNConnectedCategory)
    admin.publish().channel(channel).message({"n": 1}).sync()
    assert recorder.messages.get(timeout=WAIT).message == {"n": 1}
    admin.publish().channel(channel).message("post").use_post(True).sync()  # the legacy v1 signature
    assert recorder.messages.get(timeout=WAIT).message == "post"
    assert [item.entry for item in admin.history().channel(channel).sync().result.messages] == [{"n": 1}, "post"]
    admin.add_channel_to_channel_group().channels([channel]).channel_group("cg-root").sync()
    assert admin.list_channels_in_channel_group().channel_group("cg-root").sync().result.channels == [channel]
    assert admin.here_now().sync().result.total_occupancy >= 0


def test_client_with_an_auth_key_publishes_and_subscribes_where_granted(server, clients):
    admin = clients("admin", secret=True)
    room, other = unique("room"), unique("other")
    admin.grant().channels([room]).auth_keys(["reader"]).read(True).sync()
    admin.grant().channels([room]).auth_keys(["writer"]).write(True).sync()

    reader = clients("reader", auth_key="reader")
    writer = clients("writer", auth_key="writer")
    recorder = listen(reader, [room])
    recorder.wait_status(PNStatusCategory.PNConnectedCategory)
    writer.publish().channel(room).message("hello").sync()
    received = recorder.messages.get(timeout=WAIT)
    assert received.message == "hello" and received.channel == room

    denied(lambda: reader.publish().channel(room).message("nope").sync())
    denied(lambda: writer.publish().channel(other).message("nope").sync())
    denied(lambda: writer.history().channel(room).sync())

    intruder = clients("intruder", auth_key="nobody")
    refused = listen(intruder, [room])
    status = refused.wait_status(PNStatusCategory.PNAccessDeniedCategory)
    assert status.is_error()


def test_grant_token_set_token_publish_subscribe_and_revoke(server, clients):
    admin = clients("admin", secret=True)
    user = clients("token-user")
    room = unique("room")
    token = admin.grant_token().channels([
        Channel.id(room).read().write(),
        Channel.pattern("^lobby-[0-9]+$").read(),
    ]).groups([Group.id("cg-t").read()]).uuids([UUID.id(user.config.uuid).get().update()]).authorized_uuid(
        user.config.uuid).ttl(15).meta({"app": "interop"}).sync().result.token

    parsed = admin.parse_token(token)
    assert parsed["authorized_uuid"] == user.config.uuid and parsed["ttl"] == 15 and parsed["version"] == 2
    assert parsed["resources"]["channels"][room]["read"] is True
    assert parsed["resources"]["channels"][room]["write"] is True
    assert parsed["resources"]["channels"][room]["manage"] is False
    assert parsed["resources"]["groups"]["cg-t"]["read"] is True
    assert parsed["resources"]["uuids"][user.config.uuid]["update"] is True
    assert parsed["patterns"]["channels"]["^lobby-[0-9]+$"]["read"] is True
    assert parsed["meta"] == {"app": "interop"}

    user.set_token(token)
    recorder = listen(user, [room, "lobby-7"])
    recorder.wait_status(PNStatusCategory.PNConnectedCategory)
    user.publish().channel(room).message("with token").sync()
    assert recorder.messages.get(timeout=WAIT).message == "with token"
    user.set_uuid_metadata().uuid(user.config.uuid).set_name("me").sync()
    denied(lambda: user.publish().channel("lobby-7").message("read only").sync())
    denied(lambda: user.publish().channel(unique("elsewhere")).message("x").sync())

    impostor = clients("impostor")
    impostor.set_token(token)
    denied(lambda: impostor.publish().channel(room).message("not mine").sync())

    assert admin.revoke_token(token).sync().status.status_code == 200
    error = denied(lambda: user.publish().channel(room).message("revoked").sync())
    assert "Token is revoked" in error._errormsg


def test_token_without_authorized_uuid_and_an_invalid_ttl(server, clients):
    admin = clients("admin", secret=True)
    room = unique("room")
    token = admin.grant_token().channels([Channel.id(room).write()]).ttl(1).sync().result.token
    assert admin.parse_token(token)["authorized_uuid"] is None
    anyone = clients("anyone")
    anyone.set_token(token)
    anyone.publish().channel(room).message("ok").sync()
    with pytest.raises(PubNubException) as raised:
        admin.grant_token().channels([Channel.id(room).write()]).ttl(43201).sync()
    assert raised.value.get_status_code() == 400


def test_unsigned_admin_calls_are_refused(server, clients):
    impostor = clients("no-secret")
    # the SDK refuses to send them without a secret; the wire check is in test_access_manager.py
    with pytest.raises(PubNubException):
        impostor.grant().channels(["x"]).read(True).sync()
