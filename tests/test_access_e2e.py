"""Issue 7 end to end: pubnub_fast's Access Manager API against the in-process local server with a
secret keyset, over loopback HTTP.

A secret-key client grants/audits/revokes (v2) and issues/revokes tokens (v3); clients without
the secret publish, subscribe and read history with an auth key or a token (``set_token``), and
get ``PNAccessDeniedCategory`` (403) where they hold no permission — including after a revoke and
with somebody else's token. ``parse_token`` reads the tokens the server issues.
"""
import pytest

from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import PubNubTwistedException
from pubnub_fast.models.consumer.access_manager import PNAccessManagerAuditResult, PNAccessManagerGrantResult
from pubnub_fast.models.consumer.v3.channel import Channel
from pubnub_fast.models.consumer.v3.group import Group
from pubnub_fast.models.consumer.v3.uuid import UUID
from tests.e2e_support import Events, local_server_fixture

pytestmark = pytest.mark.integration

SUB, PUB, SECRET = "sub-c-e2e-pam", "pub-c-e2e-pam", "sec-c-e2e-pam"


server = local_server_fixture(keysets=["%s:%s:%s" % (SUB, PUB, SECRET)])


@pytest.fixture
def make_client(make_client):
    def make(uuid, secret=False, auth_key=None):
        settings = {}
        if secret:
            settings["secret_key"] = SECRET
        if auth_key:
            settings["auth_key"] = auth_key
        return make_client(uuid, subscribe_key=SUB, publish_key=PUB, **settings)

    return make


async def refused(deferred):
    with pytest.raises(PubNubTwistedException) as raised:
        await deferred
    status = raised.value.status
    assert status.category == PNStatusCategory.PNAccessDeniedCategory
    assert status.status_code == 403
    return raised.value


async def test_grant_audit_revoke_and_enforcement(make_client):
    admin = make_client("admin", secret=True)
    envelope = await admin.grant().channels(["room"]).auth_keys(["reader"]).read(True).ttl(30).deferred()
    assert isinstance(envelope.result, PNAccessManagerGrantResult)
    assert envelope.result.level == "user" and envelope.result.ttl == 30
    assert envelope.result.channels["room"].auth_keys["reader"].read_enabled is True
    await admin.grant(channels="room", auth_keys="writer", write=True).deferred()

    audit = (await admin.audit().channels(["room"]).auth_keys(["reader"]).deferred()).result
    assert isinstance(audit, PNAccessManagerAuditResult)
    assert audit.channels["room"].auth_keys["reader"].ttl == 30

    reader = make_client("reader", auth_key="reader")
    writer = make_client("writer", auth_key="writer")
    events = Events()
    reader.add_listener(events)
    reader.subscribe().channels(["room"]).execute()
    await events.has_status(PNStatusCategory.PNConnectedCategory)
    await writer.publish().channel("room").message({"n": 1}).deferred()
    await events.wait(lambda e: e.messages)
    assert events.messages[0].message == {"n": 1}

    await refused(reader.publish().channel("room").message("no").deferred())
    await refused(writer.history().channel("room").deferred())
    assert (await reader.history().channel("room").deferred()).result.messages[0].entry == {"n": 1}

    await admin.revoke().channels(["room"]).auth_keys(["writer"]).deferred()
    error = await refused(writer.publish().channel("room").message("revoked").deferred())
    assert "room" in str(error.result)


async def test_denied_subscribe_reports_access_denied(make_client):
    client = make_client("intruder", auth_key="nobody")
    events = Events()
    client.add_listener(events)
    client.subscribe().channels(["secret-room"]).execute()
    await events.has_status(PNStatusCategory.PNAccessDeniedCategory)


async def test_grant_token_set_token_parse_token_and_revoke(make_client):
    admin = make_client("admin", secret=True)
    token = (await admin.grant_token().channels([
        Channel.id("chat").read().write(),
        Channel.pattern("^news-").read(),
    ]).groups([Group.id("cg").read()]).uuids([UUID.id("alice").get().update()]).authorized_uuid("alice").ttl(
        15).meta({"team": "a"}).deferred()).result.token

    parsed = admin.parse_token(token)
    assert parsed["authorized_uuid"] == "alice" and parsed["ttl"] == 15 and parsed["meta"] == {"team": "a"}
    assert parsed["resources"]["channels"]["chat"]["write"] is True
    assert parsed["resources"]["channels"]["chat"]["manage"] is False
    assert parsed["patterns"]["channels"]["^news-"]["read"] is True
    assert parsed["resources"]["uuids"]["alice"]["update"] is True

    alice = make_client("alice")
    alice.set_token(token)
    events = Events()
    alice.add_listener(events)
    alice.subscribe().channels(["chat", "news-1"]).execute()
    await events.has_status(PNStatusCategory.PNConnectedCategory)
    await alice.publish().channel("chat").message("hello").deferred()
    await events.wait(lambda e: e.messages)
    assert events.messages[0].message == "hello"
    await refused(alice.publish().channel("news-1").message("read only").deferred())

    bob = make_client("bob")
    bob.set_token(token)
    await refused(bob.publish().channel("chat").message("not bob's").deferred())

    await admin.revoke_token(token).deferred()
    error = await refused(alice.publish().channel("chat").message("revoked").deferred())
    assert "Token is revoked" in str(error.result)


async def test_unsigned_and_wrongly_signed_admin_calls(make_client, server):
    wrong = make_client("wrong-secret")
    wrong.config.secret_key = "not-the-secret"
    with pytest.raises(PubNubTwistedException) as raised:
        await wrong.grant().channels(["x"]).read(True).deferred()
    assert raised.value.status.status_code == 403
    assert raised.value.status.category == PNStatusCategory.PNAccessDeniedCategory
    with pytest.raises(PubNubTwistedException):
        await wrong.publish().channel("x").message("m").deferred()
