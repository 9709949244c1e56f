"""Access Manager on the local server (protocol.md §2.18, §2.19, §5; decisions.md §11, §17).

Signature verification against the official SDK's signing vectors, the route table (every route
has a rule), v2 grants/audit/revoke, v3 grant-token/revoke-token, and enforcement of every API
area over real loopback HTTP with plain treq: unsigned and wrongly signed requests, stale
timestamps, missing permissions, expired/revoked/foreign tokens, authorized uuids, patterns —
and the allow paths.
"""
import base64
import json
import time
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import pytest_twisted
from twisted.internet import reactor

from pubnub_fast import _cbor
from pubnub_fast._speedups import signing
from pubnub_fast.server import start_server
from pubnub_fast.server.access import AccessManager, InvalidToken, TokenAuthority
from pubnub_fast.server.api import all_routes
from pubnub_fast.server.keysets import Keyset
from pubnub_fast.server.permissions import RULES, Permission, Rule, rule_for, table_problems
from pubnub_fast.server.responses import ApiError
from pubnub_fast.server.wire import parse_query
from tests.conftest import load_vectors
from tests.server.conftest import ApiClient

pytestmark = pytest.mark.integration

SUB, PUB, SECRET = "sub-c-pam", "pub-c-pam", "sec-c-pam-secret"
OPEN_SUB, OPEN_PUB = "sub-c-open", "pub-c-open"
KEYSETS = ["%s:%s:%s" % (SUB, PUB, SECRET), "%s:%s" % (OPEN_SUB, OPEN_PUB)]
JSON = {"Content-Type": ["application/json"]}

R, W, M, D, G, U, J = (Permission.READ, Permission.WRITE, Permission.MANAGE, Permission.DELETE,
                       Permission.GET, Permission.UPDATE, Permission.JOIN)
FLAGS = (("r", R), ("w", W), ("m", M), ("d", D), ("g", G), ("u", U), ("j", J))


# -- clients ---------------------------------------------------------------------------------------


class PamClient(ApiClient):
    """``ApiClient`` that can sign like a secret-key holder (decisions.md §17 canonical form)."""

    def signed(self, method, path, query=None, body=None, secret=SECRET, timestamp=None, headers=None):
        query = dict(query or {})
        query.setdefault("uuid", "admin")
        query["timestamp"] = str(int(time.time()) if timestamp is None else timestamp)
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        query["signature"] = signing.sign_request(secret, SUB, PUB, method, path, query, text)
        return self.request(method, path, query, body, headers)

    def grant(self, **params):
        query = {name: str(value) for name, value in params.items()}
        return self.signed("GET", "/v2/auth/grant/sub-key/%s" % SUB, query)

    def audit(self, **params):
        return self.signed("GET", "/v2/auth/audit/sub-key/%s" % SUB, dict(params))

    async def token(self, ttl=60, uuid=None, meta=None, **sections):
        """grant-token; ``sections`` are ``resources``/``patterns``/``categories`` dicts."""
        permissions = {"resources": sections.get("resources", {}), "patterns": sections.get("patterns", {}),
                       "meta": meta or {}}
        if uuid is not None:
            permissions["uuid"] = uuid
        if "categories" in sections:
            permissions["categories"] = sections["categories"]
        body = json.dumps({"ttl": ttl, "permissions": permissions}).encode("utf-8")
        reply = await self.signed("POST", "/v3/pam/%s/grant" % SUB, None, body, headers=JSON)
        assert reply.status == 200, reply
        return reply.json["data"]["token"]

    def revoke_token(self, token):
        return self.signed("DELETE", "/v3/pam/%s/grant/%s" % (SUB, quote(token, safe="")))


@pytest_twisted.async_yield_fixture
async def server():
    running = await start_server(reactor, port=0, data=":memory:", keysets=KEYSETS, long_poll=2.0)
    yield running
    await running.stop()


@pytest.fixture
def api(server):
    return PamClient(server.url)


def publish_path(channel, message="hi", sub=SUB, pub=PUB):
    return "/publish/%s/%s/0/%s/0/%s" % (pub, sub, quote(channel, safe=""), quote(json.dumps(message), safe=""))


def assert_forbidden(reply, payload=None):
    assert reply.status == 403, reply
    assert reply.header("Content-Type") == "text/javascript; charset=UTF-8"
    assert reply.header("X-PN-Cause") == "9999"
    assert reply.json["message"] == "Forbidden"
    assert reply.json["error"] is True and reply.json["service"] == "Access Manager" and reply.json["status"] == 403
    if payload is not None:
        assert reply.json["payload"] == payload


def assert_signature_refused(reply):
    assert reply.status == 403, reply
    assert reply.json == {"message": "Signature does not match", "error": True, "service": "Access Manager",
                          "status": 403}


# -- the route table -------------------------------------------------------------------------------


async def test_every_route_has_a_rule(server):
    """Fails when a route is added without an Access Manager rule (it would be refused on
    secret keysets) or when a rule reads a placeholder its route does not have."""
    routes = all_routes(server.app)
    assert table_problems(routes) == []
    covered = {(route.pattern, method) for route in routes for method in route.methods}
    assert ("/time/0", "GET") in covered and ("/v3/pam/{sub}/grant", "POST") in covered


def test_table_problems_reports_missing_rules_and_placeholders():
    route = SimpleNamespace(pattern="/v9/new/{sub}/{thing}", methods=frozenset(["GET", "POST"]))
    history = RULES["/v2/history/sub-key/{sub}/channel/{channel}"]["GET"]
    rules = {"/v9/new/{sub}/{thing}": {"GET": Rule(needs=history.needs)}}
    problems = table_problems([route], rules)
    assert problems == [
        "GET /v9/new/{sub}/{thing}: its rule reads channel, not in the pattern",
        "POST /v9/new/{sub}/{thing} has no Access Manager rule",
    ]


async def test_a_route_without_a_rule_is_refused_on_a_secret_keyset(server, api, monkeypatch):
    monkeypatch.delitem(RULES, "/v2/history/sub-key/{sub}/channel/{channel}")
    reply = await api.signed("GET", "/v2/history/sub-key/%s/channel/ch" % SUB)
    assert reply.status == 200  # the secret holder still gets through
    assert_forbidden(await api.get("/v2/history/sub-key/%s/channel/ch" % SUB, uuid="u"))
    reply = await api.get("/v2/history/sub-key/%s/channel/ch" % OPEN_SUB, uuid="u")
    assert reply.status == 200  # keysets without a secret are not checked


def test_rule_lookup():
    assert rule_for("/time/0", "GET").exempt
    assert rule_for("/v3/pam/{sub}/grant", "POST").admin
    assert rule_for("/time/0", "POST") is None and rule_for("/nope", "GET") is None


# -- signatures: the official SDK's vectors --------------------------------------------------------


def _vector_cases():
    return [case for case in load_vectors("signing.json")["cases"]
            if case["kind"] in ("sign_v2", "sign_v1_post_publish")]


def _call_of(case, signature=None, path=None, body=None, query_changes=None):
    query, _ = parse_query(case["final_query_string"].encode("utf-8"))
    if signature is not None:
        query["signature"] = signature
    query.update(query_changes or {})
    raw_body = (case.get("body") or "") if body is None else body
    return SimpleNamespace(
        method=case["method"], query=query, target_path=(path or case["path"]).encode("utf-8"),
        body=lambda: raw_body.encode("utf-8"),
    )


def _manager_at(timestamp):
    manager = AccessManager(reactor, database=None)
    manager.now = lambda: float(timestamp)
    return manager


def _keyset(case):
    return Keyset(case["subscribe_key"], case["publish_key"], case["secret_key"])


@pytest.mark.parametrize("case", _vector_cases(), ids=lambda case: case["id"])
def test_official_signatures_verify_and_tampering_is_refused(case):
    """decisions.md §17: every official signature whose values need no escaping verifies; where
    the official SDK double-encodes a pre-encoded value, the canonical signature verifies."""
    manager = _manager_at(int(case["timestamp"]))
    keyset = _keyset(case)
    if case.get("official_sdk_double_encodes"):
        with pytest.raises(ApiError):
            manager.verify_signature(_call_of(case), keyset)
        manager.verify_signature(_call_of(case, signature=case["canonical_signature"]), keyset)
        good = case["canonical_signature"]
    else:
        manager.verify_signature(_call_of(case), keyset)
        good = case["signature"]

    tampered = [
        _call_of(case, signature=good, path=case["path"] + "x"),
        _call_of(case, signature=good, query_changes={"uuid": "someone-else"}),
        _call_of(case, signature=good, query_changes={"extra": "1"}),
        _call_of(case, signature=good[:-2] + ("AA" if not good.endswith("AA") else "BB")),
        _call_of(case, signature=""),
    ]
    if case["kind"] == "sign_v2":  # the legacy form does not sign the body
        tampered.append(_call_of(case, signature=good, body=(case.get("body") or "") + " "))
    for call in tampered:
        with pytest.raises(ApiError) as refused:
            manager.verify_signature(call, keyset)
        assert refused.value.response.status == 403
    with pytest.raises(ApiError):
        other = Keyset(keyset.subscribe_key, keyset.publish_key, "other")
        manager.verify_signature(_call_of(case, signature=good), other)


def test_signature_timestamp_window():
    case = next(case for case in _vector_cases() if case["id"] == "spec82-time")
    keyset = _keyset(case)
    stamp = int(case["timestamp"])
    for now in (stamp - 60, stamp, stamp + 60):  # ±60 s by default, as the real service
        _manager_at(now).verify_signature(_call_of(case), keyset)
    for now in (stamp - 61, stamp + 61, stamp + 600, stamp + 86400):
        with pytest.raises(ApiError):
            _manager_at(now).verify_signature(_call_of(case), keyset)
    for bad in ("", "12.5", "-1", "1234567890123", "１２３"):
        with pytest.raises(ApiError):
            _manager_at(stamp).verify_signature(_call_of(case, query_changes={"timestamp": bad}), keyset)


def test_legacy_form_only_for_post_publish():
    case = next(case for case in _vector_cases() if case["id"] == "spec82-time")
    keyset = _keyset(case)
    query, _ = parse_query(case["final_query_string"].encode())
    query.pop("signature")
    legacy = signing.sign_v1(keyset.secret_key, keyset.subscribe_key, keyset.publish_key, case["path"], query)
    with pytest.raises(ApiError):
        _manager_at(int(case["timestamp"])).verify_signature(_call_of(case, signature=legacy), keyset)


# -- signatures over HTTP --------------------------------------------------------------------------


async def test_signed_requests_have_root_access_and_unsigned_ones_need_grants(api):
    path = publish_path("ch-1")
    assert_forbidden(await api.get(path, uuid="u1"), {"channels": ["ch-1"]})
    reply = await api.signed("GET", path, {"uuid": "u1"})
    assert reply.status == 200 and reply.json[1] == "Sent"
    # root everywhere: a group listing, the keyset's here_now, a delete
    for method, signed_path in (
        ("GET", "/v1/channel-registration/sub-key/%s/channel-group" % SUB),
        ("GET", "/v2/presence/sub-key/%s" % SUB),
        ("DELETE", "/v3/history/sub-key/%s/channel/ch-1" % SUB),
    ):
        assert (await api.signed(method, signed_path)).status == 200


async def test_a_wrong_signature_is_refused_even_with_a_granting_auth_key(api):
    assert (await api.grant(channel="ch-1", auth="k1", w=1)).status == 200
    path = publish_path("ch-1")
    assert (await api.get(path, uuid="u1", auth="k1")).status == 200
    assert_signature_refused(await api.signed("GET", path, {"uuid": "u1", "auth": "k1"}, secret="wrong"))
    reply = await api.get(path, uuid="u1", auth="k1", timestamp=str(int(time.time())), signature="v2.bogus")
    assert_signature_refused(reply)
    assert reply.header("X-PN-Cause") == "9999"


async def test_old_and_missing_timestamps_are_refused(api):
    path = publish_path("ch-1")
    assert_signature_refused(await api.signed("GET", path, timestamp=int(time.time()) - 3600))
    assert_signature_refused(await api.signed("GET", path, timestamp=int(time.time()) + 3600))
    signature = signing.sign_request(SECRET, SUB, PUB, "GET", path, {"uuid": "u"})
    assert_signature_refused(await api.get(path, uuid="u", signature=signature))


async def test_post_publish_takes_the_legacy_signature(api):
    path = "/publish/%s/%s/0/ch-1/0" % (PUB, SUB)
    query = {"uuid": "u", "timestamp": str(int(time.time()))}
    query["signature"] = signing.sign_v1(SECRET, SUB, PUB, path, query)
    assert not query["signature"].startswith("v2.")
    reply = await api.request("POST", path, query, b'{"a":1}', JSON)
    assert reply.status == 200, reply
    query["signature"] = signing.sign_v1("wrong", SUB, PUB, path, query)
    assert_signature_refused(await api.request("POST", path, query, b'{"a":1}', JSON))
    # a legacy signature anywhere else is refused
    path = publish_path("ch-1")
    query = {"uuid": "u", "timestamp": str(int(time.time()))}
    query["signature"] = signing.sign_v1(SECRET, SUB, PUB, path, query)
    assert_signature_refused(await api.request("GET", path, query))


# -- admin calls -----------------------------------------------------------------------------------


async def test_admin_calls_need_a_signature(api):
    body = json.dumps({"ttl": 5, "permissions": {"resources": {"channels": {"a": 1}}}}).encode()
    for method, path, data in (
        ("GET", "/v2/auth/grant/sub-key/%s" % SUB, None),
        ("GET", "/v1/auth/grant/sub-key/%s" % SUB, None),
        ("GET", "/v2/auth/audit/sub-key/%s" % SUB, None),
        ("GET", "/v1/auth/audit/sub-key/%s" % SUB, None),
        ("POST", "/v3/pam/%s/grant" % SUB, body),
        ("DELETE", "/v3/pam/%s/grant/abc" % SUB, None),
    ):
        assert_signature_refused(await api.request(method, path, {"uuid": "u", "channel": "a", "r": "1"}, data))
    # an auth key granted everything still cannot grant
    assert (await api.grant(auth="root-ish", r=1, w=1, m=1, d=1, g=1, u=1, j=1)).status == 200
    assert_signature_refused(await api.get("/v2/auth/grant/sub-key/%s" % SUB, auth="root-ish", channel="a", r="1"))


async def test_admin_calls_on_a_keyset_without_secret_are_refused_and_nothing_is_enforced(api):
    reply = await api.get("/v2/auth/grant/sub-key/%s" % OPEN_SUB, channel="a", r="1")
    assert reply.status == 400 and reply.json["service"] == "Access Manager"
    reply = await api.request("POST", "/v3/pam/%s/grant" % OPEN_SUB, None, b'{"ttl":5,"permissions":{}}', JSON)
    assert reply.status == 400
    reply = await api.get(publish_path("ch", sub=OPEN_SUB, pub=OPEN_PUB), uuid="u", auth="anything")
    assert reply.status == 200
    reply = await api.get(publish_path("ch", sub=OPEN_SUB, pub=OPEN_PUB), uuid="u", signature="v2.garbage")
    assert reply.status == 200


async def test_grant_payload_shapes(api):
    """protocol.md §2.18: the payload of each grant level."""
    flags = {"r": 1, "w": 1, "m": 0, "d": 0, "g": 0, "u": 0, "j": 0}
    reply = await api.grant(r=1, w=1)
    assert reply.status == 200 and reply.header("Content-Type") == "text/javascript; charset=UTF-8"
    assert reply.json == {"message": "Success", "payload": dict(level="subkey", subscribe_key=SUB, ttl=1440, **flags),
                          "service": "Access Manager", "status": 200}
    payload = (await api.grant(channel="ch1,ch2", r=1, w=1, ttl=60)).json["payload"]
    assert payload == {"level": "channel", "subscribe_key": SUB, "ttl": 60, "channels": {"ch1": flags, "ch2": flags}}
    payload = (await api.grant(channel="test channel", auth="key with spaces", r=1, w=1, ttl=60)).json["payload"]
    assert payload == {"level": "user", "subscribe_key": SUB, "ttl": 60, "channel": "test channel",
                       "auths": {"key with spaces": flags}}
    payload = (await api.grant(channel="ch1,ch2", auth="k", r=1, w=1)).json["payload"]
    assert payload["level"] == "user" and payload["channels"] == {"ch1": {"auths": {"k": flags}},
                                                                  "ch2": {"auths": {"k": flags}}}
    payload = (await api.grant(**{"channel-group": "cg1", "r": 1, "w": 1})).json["payload"]
    assert payload == {"level": "channel-group", "subscribe_key": SUB, "ttl": 1440, "channel-groups": {"cg1": flags}}
    payload = (await api.grant(**{"channel-group": "cg", "auth": "k", "r": 1, "w": 1})).json["payload"]
    assert payload == {"level": "channel-group+auth", "subscribe_key": SUB, "ttl": 1440, "channel-groups": "cg",
                       "auths": {"k": flags}}
    payload = (await api.grant(**{"channel-group": "a,b", "auth": "k", "r": 1, "w": 1})).json["payload"]
    assert payload["channel-groups"] == {"a": {"auths": {"k": flags}}, "b": {"auths": {"k": flags}}}
    payload = (await api.grant(**{"target-uuid": "someuuid", "auth": "authKey123", "g": 1, "u": 1, "j": 1,
                                  "ttl": 120})).json["payload"]
    assert payload == {"level": "uuid", "subscribe_key": SUB, "ttl": 120, "uuids": {"someuuid": {"auths": {
        "authKey123": {"r": 0, "w": 0, "m": 0, "d": 0, "g": 1, "u": 1, "j": 1}}}}}


async def test_grant_validation(api):
    for params in (
        {"channel": "a", "r": "yes"},
        {"channel": "a", "r": 1, "ttl": 525601},
        {"channel": "a", "r": 1, "ttl": "-1"},
        {"target-uuid": "u", "g": 1},
        {"category": "uuids", "g": 1},
        {"category": "spaces", "auth": "k", "g": 1},
        {"category": "uuids", "auth": "k", "g": 1, "r": 1},
        {"channel": "x" * 93, "r": 1},
        {"channel": ",".join("c%d" % i for i in range(201)), "r": 1},
    ):
        reply = await api.grant(**params)
        assert reply.status == 400, (params, reply)
        assert reply.json["service"] == "Access Manager" and reply.json["error"] is True


async def test_revoke_is_a_grant_of_zeros_and_audit_reports_live_grants(api):
    await api.grant(channel="ch1", auth="k1", r=1, w=1, ttl=5)
    await api.grant(channel="ch1", r=1, ttl=0)
    await api.grant(**{"channel-group": "cg", "auth": "k1", "m": 1})
    await api.grant(**{"target-uuid": "u9", "auth": "k1", "g": 1})
    await api.grant(auth="k2", r=1)
    assert (await api.get(publish_path("ch1"), uuid="u", auth="k1")).status == 200

    payload = (await api.audit()).json["payload"]
    entry = {"r": 1, "w": 1, "m": 0, "d": 0, "g": 0, "u": 0, "j": 0, "ttl": 5}
    assert payload["level"] == "subkey" and payload["subscribe_key"] == SUB
    assert payload["channels"] == {"ch1": {"r": 1, "w": 0, "m": 0, "d": 0, "g": 0, "u": 0, "j": 0, "ttl": 0,
                                           "auths": {"k1": entry}}}
    assert payload["channel-groups"]["cg"]["auths"]["k1"]["m"] == 1
    assert payload["uuids"]["u9"]["auths"]["k1"]["g"] == 1
    payload = (await api.audit(channel="ch1", auth="k1")).json["payload"]
    assert payload == {"subscribe_key": SUB, "level": "user", "channel": "ch1", "auths": {"k1": entry}}
    payload = (await api.audit(**{"channel-group": "cg", "auth": "k1"})).json["payload"]
    assert payload["level"] == "channel-group+auth" and payload["channel-group"] == "cg"
    payload = (await api.audit(channel="ch1,other")).json["payload"]
    assert payload["level"] == "channel" and payload["channels"]["other"] == {}

    revoked = await api.grant(channel="ch1", auth="k1", r=0, w=0, m=0, d=0, g=0, u=0, j=0)
    assert revoked.status == 200 and revoked.json["payload"]["auths"]["k1"]["w"] == 0
    assert_forbidden(await api.get(publish_path("ch1"), uuid="u", auth="k1"), {"channels": ["ch1"]})
    assert (await api.audit(channel="ch1", auth="k1")).json["payload"]["auths"] == {}


async def test_grants_without_auth_apply_to_every_request(api):
    await api.grant(channel="open", w=1)
    assert (await api.get(publish_path("open"), uuid="u")).status == 200
    assert (await api.get(publish_path("open"), uuid="u", auth="whatever")).status == 200
    assert_forbidden(await api.get(publish_path("closed"), uuid="u"))
    await api.grant(w=1)  # keyset level: every channel
    assert (await api.get(publish_path("closed"), uuid="u")).status == 200


async def test_grants_expire_after_their_ttl(server, api):
    await api.grant(channel="ch1", auth="k", w=1, ttl=1)
    await api.grant(channel="ch2", auth="k", w=1, ttl=0)
    assert (await api.get(publish_path("ch1"), uuid="u", auth="k")).status == 200
    manager = server.app.access.manager
    manager.now = lambda: time.time() + 61
    assert_forbidden(await api.get(publish_path("ch1"), uuid="u", auth="k"))
    assert (await api.get(publish_path("ch2"), uuid="u", auth="k")).status == 200  # 0 = forever
    manager.now = lambda: time.time() + 10 * 365 * 86400
    assert (await api.get(publish_path("ch2"), uuid="u", auth="k")).status == 200


async def test_grants_and_revocations_survive_a_restart(tmp_path):
    data = str(tmp_path / "pam.sqlite")
    running = await start_server(reactor, port=0, data=data, keysets=KEYSETS, long_poll=2.0)
    try:
        api = PamClient(running.url)
        await api.grant(channel="kept", auth="k", w=1, ttl=0)
        await api.grant(channel="gone", auth="k", w=1, ttl=1)
        token = await api.token(resources={"channels": {"kept": 2}})
        kept = await api.token(resources={"channels": {"kept": 2}}, meta={"n": 2})
        assert (await api.revoke_token(token)).status == 200
    finally:
        await running.stop()
    running = await start_server(reactor, port=running.port, data=data, keysets=KEYSETS, long_poll=2.0)
    try:
        api = PamClient(running.url)
        assert (await api.get(publish_path("kept"), uuid="u", auth="k")).status == 200
        assert (await api.get(publish_path("kept"), uuid="u", auth=kept)).status == 200
        reply = await api.get(publish_path("kept"), uuid="u", auth=token)
        assert reply.status == 403 and reply.json["message"] == "Token is revoked"
        running.app.access.manager.now = lambda: time.time() + 120
        assert_forbidden(await api.get(publish_path("gone"), uuid="u", auth="k"))
    finally:
        await running.stop()


# -- v3 tokens -------------------------------------------------------------------------------------


def _fields(token):
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return _cbor.loads(raw)


async def test_grant_token_issues_a_parsable_signed_token(api):
    from pubnub_fast.tokens import parse_token

    token = await api.token(
        ttl=15, uuid="u1", meta={"app": "x", "n": [1, True, None, 1.5]},
        resources={"channels": {"ch1": 1}, "groups": {"cg1": 5}, "uuids": {"u1": 96}, "spaces": {"ch1": 1}},
        patterns={"channels": {"^pre-[0-9]+$": 3}},
    )
    assert token.startswith("qEF2")  # a CBOR map of 8 (with uuid), as the real service's
    assert len(token) % 4 == 0  # padded: PubNub SDKs decode with a strict base64 decoder
    fields = _fields(token)
    assert list(fields) == [b"v", b"t", b"ttl", b"res", b"pat", b"meta", b"uuid", b"sig"]
    assert fields[b"v"] == 2 and fields[b"ttl"] == 15 and abs(fields[b"t"] - time.time()) < 10
    assert fields[b"res"][b"chan"] == {"ch1": 1} and fields[b"res"][b"spc"] == {"ch1": 1}
    assert len(fields[b"sig"]) == 32
    parsed = parse_token(token)
    assert parsed["authorized_uuid"] == "u1" and parsed["ttl"] == 15 and parsed["version"] == 2
    assert parsed["resources"]["groups"]["cg1"]["manage"] is True
    assert parsed["resources"]["uuids"]["u1"] == {"read": False, "write": False, "manage": False, "delete": False,
                                                  "get": True, "update": True, "join": False}
    assert parsed["patterns"]["channels"]["^pre-[0-9]+$"]["write"] is True
    assert parsed["meta"] == {"app": "x", "n": [1, True, None, 1.5]}
    assert (await api.token(resources={"channels": {"a": 1}})).startswith("p0F2")  # no uuid: map of 7


async def test_token_resources_patterns_and_denials(api):
    token = await api.token(resources={"channels": {"exact": 2, "pre-9": 0}},
                            patterns={"channels": {"^pre-[0-9]+$": 3}, "groups": {"^cg-": 1}})
    assert (await api.get(publish_path("exact"), uuid="u", auth=token)).status == 200
    assert (await api.get(publish_path("pre-42"), uuid="u", auth=token)).status == 200
    # the exact entry wins over the pattern
    assert_forbidden(await api.get(publish_path("pre-9"), uuid="u", auth=token), {"channels": ["pre-9"]})
    assert_forbidden(await api.get(publish_path("pre-x"), uuid="u", auth=token), {"channels": ["pre-x"]})
    reply = await api.get("/v2/subscribe/%s/exact,pre-1/0" % SUB, uuid="u", auth=token, tt="0")
    assert_forbidden(reply, {"channels": ["exact"]})  # exact grants write only
    reply = await api.get("/v2/subscribe/%s/pre-1/0" % SUB, uuid="u", auth=token, tt="0",
                          **{"channel-group": "cg-1,other"})
    assert_forbidden(reply, {"channel-groups": ["other"]})
    reply = await api.get("/v2/subscribe/%s/pre-1/0" % SUB, uuid="u", auth=token, tt="0", **{"channel-group": "cg-1"})
    assert reply.status == 200


async def test_token_authorized_uuid_must_be_the_requests_uuid(api):
    token = await api.token(uuid="alice", resources={"channels": {"ch": 2}})
    assert (await api.get(publish_path("ch"), uuid="alice", auth=token)).status == 200
    assert_forbidden(await api.get(publish_path("ch"), uuid="mallory", auth=token), {"uuids": ["mallory"]})
    assert_forbidden(await api.get(publish_path("ch"), auth=token))
    anyone = await api.token(resources={"channels": {"ch": 2}})
    assert (await api.get(publish_path("ch"), uuid="mallory", auth=anyone)).status == 200


async def test_expired_token(server, api):
    token = await api.token(ttl=1, resources={"channels": {"ch": 2}})
    assert (await api.get(publish_path("ch"), uuid="u", auth=token)).status == 200
    server.app.access.manager.now = lambda: time.time() + 61
    reply = await api.get(publish_path("ch"), uuid="u", auth=token)
    assert reply.status == 403
    assert reply.json == {"error": True, "status": 403, "service": "Access Manager", "message": "Token is expired"}
    # revoking it once expired: the real 400 (protocol.md §2.19); the signature is within the window
    reply = await api.signed("DELETE", "/v3/pam/%s/grant/%s" % (SUB, quote(token, safe="")),
                             timestamp=int(time.time()) + 61)
    assert reply.status == 400
    assert reply.json == {"error": {"details": [{"location": "token", "locationType": "path",
                                                 "message": "Token is expired."}],
                                    "message": "Invalid token", "source": "revoke"},
                          "service": "Access Manager", "status": 400}


async def test_revoked_token(api):
    token = await api.token(resources={"channels": {"ch": 3}})
    other = await api.token(resources={"channels": {"ch": 3}}, meta={"other": True})
    assert (await api.get(publish_path("ch"), uuid="u", auth=token)).status == 200
    reply = await api.revoke_token(token)
    assert reply.status == 200
    assert reply.json == {"data": {"message": "Success"}, "service": "Access Manager", "status": 200}
    assert reply.header("Access-Control-Allow-Methods") == "DELETE"
    reply = await api.get(publish_path("ch"), uuid="u", auth=token)
    assert reply.status == 403 and reply.header("X-PN-Cause") == "4001"
    assert reply.json == {"error": True, "status": 403, "service": "Access Manager", "message": "Token is revoked"}
    assert (await api.get(publish_path("ch"), uuid="u", auth=other)).status == 200
    assert (await api.revoke_token(token)).status == 200  # again: still revoked, still fine
    reply = await api.revoke_token("not-a-token")
    assert reply.status == 400 and reply.json["error"]["source"] == "revoke"


async def test_forged_and_foreign_tokens_are_invalid(api):
    token = await api.token(resources={"channels": {"ch": 2}})
    fields = _fields(token)
    fields[b"res"][b"chan"]["other"] = 255
    forged = base64.urlsafe_b64encode(_cbor.dumps(fields)).decode()
    foreign = TokenAuthority(None, time.time).issue("another-secret", 60, {"chan": {"ch": 2}}, {}, {}, None, {})
    for bad in (forged, foreign):
        reply = await api.get(publish_path("other"), uuid="u", auth=bad)
        assert reply.status == 403
        assert reply.json == {"error": True, "status": 403, "service": "Access Manager", "message": "Invalid token"}
    # an auth key that merely looks like base64 is a v2 auth key
    assert_forbidden(await api.get(publish_path("ch"), uuid="u", auth="qEF2AkF0"))


async def test_token_verdicts_are_cached_but_bounded():
    authority = TokenAuthority(None, time.time)
    token = authority.issue("s", 60, {"chan": {"a": 1}}, {}, {}, None, {})
    assert authority.read("s", token).resources
    with pytest.raises(InvalidToken):
        authority.read("t", token)
    with pytest.raises(InvalidToken):
        authority.read("t", token)
    assert authority.read("s", "plain-auth-key") is None
    for index in range(5000):
        authority.read("s", "key-%d" % index)
    assert len(authority._cache) <= 4096


async def test_grant_token_validation(api):
    async def grant_token(body, headers=JSON):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await api.signed("POST", "/v3/pam/%s/grant" % SUB, None, data, headers=headers)

    for ttl in (0, 43201, "x", None):
        reply = await grant_token({"ttl": ttl, "permissions": {"resources": {"channels": {"a": 1}}}})
        assert reply.status == 400
        assert reply.json == {"error": {"message": "Invalid ttl", "source": "grant", "details": [
            {"message": "Range should be 1 to 43200 minute(s).", "location": "ttl", "locationType": "body"}]},
            "service": "Access Manager", "status": 400}
    reply = await grant_token({"ttl": "15", "permissions": {"resources": {"channels": {"a": 1}}}})
    assert reply.status == 200  # old clients send the ttl as a string
    reply = await grant_token({"ttl": 5, "permissions": {}}, headers={"Content-Type": ["text/plain"]})
    assert reply.json == {"error": {"message": "Invalid JSON", "source": "grant", "details": [
        {"message": "Content-Type must be `application/json`.", "location": "<root>", "locationType": "body"}]},
        "service": "Access Manager", "status": 400}
    for body in (
        b"not json",
        [1, 2],
        {"ttl": 5},
        {"ttl": 5, "permissions": {"resources": {"channels": {"a": 256}}}},
        {"ttl": 5, "permissions": {"resources": {"channels": {"a": True}}}},
        {"ttl": 5, "permissions": {"resources": {"channels": ["a"]}}},
        {"ttl": 5, "permissions": {"patterns": {"channels": {"(": 1}}}},
        {"ttl": 5, "permissions": {"resources": {"channels": {"x" * 93: 1}}}},
        {"ttl": 5, "permissions": {"meta": [1]}},
        {"ttl": 5, "permissions": {"meta": {"big": 2 ** 70}}},
        {"ttl": 5, "permissions": {"uuid": 5}},
        {"ttl": 5, "permissions": {"categories": {"channels": 1}}},
        {"ttl": 5, "permissions": {"resources": {"channels": {"c%d" % i: 1 for i in range(1001)}}}},
    ):
        reply = await grant_token(body)
        assert reply.status == 400, (body, reply)
        assert reply.json["service"] == "Access Manager" and reply.json["error"]["source"] == "grant"


async def test_tokens_are_per_keyset_secret(api):
    token = await api.token(resources={"channels": {"ch": 2}})
    reply = await api.get(publish_path("ch", sub=OPEN_SUB, pub=OPEN_PUB), uuid="u", auth=token)
    assert reply.status == 200  # not checked there at all


# -- enforcement of every API area -----------------------------------------------------------------

PRESENCE = "/v2/presence/sub-key/%s" % SUB
GROUPS = "/v1/channel-registration/sub-key/%s/channel-group" % SUB
OBJECTS = "/v2/objects/%s" % SUB
FILES = "/v1/files/%s/channels/ch-a" % SUB
PUSH = "/v1/push/sub-key/%s/devices/0123456789abcdef0123456789abcdef" % SUB
TT = "15000000000000000"


def _json(value):
    return json.dumps(value).encode()


#: (id, method, path, query, body, needs); a need is (resource, name, bits) with resource one of
#: channel, group, uuid, keyset, category (name channels/uuids) or credential.
CASES = [
    ("publish", "GET", publish_path("ch-a"), {}, None, [("channel", "ch-a", W)]),
    ("publish-post", "POST", "/publish/%s/%s/0/ch-a/0" % (PUB, SUB), {}, b'"hi"', [("channel", "ch-a", W)]),
    ("fire", "GET", publish_path("ch-a"), {"store": "0", "norep": "1"}, None, [("channel", "ch-a", W)]),
    ("signal", "GET", "/signal/%s/%s/0/ch-a/0/%%22s%%22" % (PUB, SUB), {}, None, [("channel", "ch-a", W)]),
    ("signal-post", "POST", "/signal/%s/%s/0/ch-a/0" % (PUB, SUB), {}, b'"s"', [("channel", "ch-a", W)]),
    ("subscribe", "GET", "/v2/subscribe/%s/ch-a,ch-b/0" % SUB, {"tt": "0"}, None,
     [("channel", "ch-a", R), ("channel", "ch-b", R)]),
    ("subscribe-wildcard-presence", "GET", "/v2/subscribe/%s/news.*,ch-a-pnpres/0" % SUB, {"tt": "0"}, None,
     [("channel", "news.*", R), ("channel", "ch-a-pnpres", R)]),
    ("subscribe-group", "GET", "/v2/subscribe/%s/,/0" % SUB, {"tt": "0", "channel-group": "cg-a"}, None,
     [("group", "cg-a", R)]),
    ("heartbeat", "GET", PRESENCE + "/channel/ch-a/heartbeat", {"heartbeat": "60"}, None, [("channel", "ch-a", R)]),
    ("heartbeat-group", "GET", PRESENCE + "/channel/,/heartbeat", {"channel-group": "cg-a"}, None,
     [("group", "cg-a", R)]),
    ("leave", "GET", PRESENCE + "/channel/ch-a/leave", {}, None, [("channel", "ch-a", R)]),
    ("here-now", "GET", PRESENCE + "/channel/ch-a", {}, None, [("channel", "ch-a", R)]),
    ("here-now-global", "GET", PRESENCE, {}, None, [("keyset", "", R)]),
    ("here-now-global-old-path", "GET", "/v2/presence/sub_key/%s" % SUB, {}, None, [("keyset", "", R)]),
    ("get-state", "GET", PRESENCE + "/channel/ch-a/uuid/u1", {}, None, [("channel", "ch-a", R)]),
    ("set-state", "GET", PRESENCE + "/channel/ch-a/uuid/u1/data", {"state": '{"k":1}'}, None,
     [("channel", "ch-a", R)]),
    ("where-now", "GET", PRESENCE + "/uuid/u2", {}, None, [("uuid", "u2", G)]),
    ("group-add", "GET", GROUPS + "/cg-a", {"add": "ch-x"}, None, [("group", "cg-a", M)]),
    ("group-remove-channels", "GET", GROUPS + "/cg-a", {"remove": "ch-x"}, None, [("group", "cg-a", M)]),
    ("group-list-channels", "GET", GROUPS + "/cg-a", {}, None, [("group", "cg-a", R)]),
    ("group-delete", "GET", GROUPS + "/cg-a/remove", {}, None, [("group", "cg-a", M)]),
    ("group-list-all", "GET", GROUPS, {}, None, [("keyset", "", M)]),
    ("history", "GET", "/v2/history/sub-key/%s/channel/ch-a" % SUB, {}, None, [("channel", "ch-a", R)]),
    ("fetch", "GET", "/v3/history/sub-key/%s/channel/ch-a,ch-b" % SUB, {}, None,
     [("channel", "ch-a", R), ("channel", "ch-b", R)]),
    ("fetch-with-actions", "GET", "/v3/history-with-actions/sub-key/%s/channel/ch-a" % SUB, {}, None,
     [("channel", "ch-a", R)]),
    ("delete-messages", "DELETE", "/v3/history/sub-key/%s/channel/ch-a" % SUB, {}, None, [("channel", "ch-a", D)]),
    ("message-counts", "GET", "/v3/history/sub-key/%s/message-counts/ch-a" % SUB, {"timetoken": TT}, None,
     [("channel", "ch-a", R)]),
    ("actions-get", "GET", "/v1/message-actions/%s/channel/ch-a" % SUB, {}, None, [("channel", "ch-a", R)]),
    ("actions-add", "POST", "/v1/message-actions/%s/channel/ch-a/message/%s" % (SUB, TT), {},
     _json({"type": "reaction", "value": "x"}), [("channel", "ch-a", W)]),
    ("actions-remove", "DELETE", "/v1/message-actions/%s/channel/ch-a/message/%s/action/%s1" % (SUB, TT, TT[:-1]),
     {}, None, [("channel", "ch-a", D)]),
    ("uuid-get", "GET", OBJECTS + "/uuids/u2", {}, None, [("uuid", "u2", G)]),
    ("uuid-set", "PATCH", OBJECTS + "/uuids/u2", {}, _json({"name": "n"}), [("uuid", "u2", U)]),
    ("uuid-remove", "DELETE", OBJECTS + "/uuids/u2", {}, None, [("uuid", "u2", D)]),
    ("memberships-get", "GET", OBJECTS + "/uuids/u2/channels", {}, None, [("uuid", "u2", G)]),
    ("memberships-set", "PATCH", OBJECTS + "/uuids/u2/channels", {},
     _json({"set": [{"channel": {"id": "ch-a"}}], "delete": [{"channel": {"id": "ch-b"}}]}),
     [("uuid", "u2", U), ("channel", "ch-a", J), ("channel", "ch-b", J)]),
    ("uuids-list", "GET", OBJECTS + "/uuids", {}, None, [("category", "uuids", G)]),
    ("channel-get", "GET", OBJECTS + "/channels/ch-a", {}, None, [("channel", "ch-a", G)]),
    ("channel-set", "PATCH", OBJECTS + "/channels/ch-a", {}, _json({"name": "n"}), [("channel", "ch-a", U)]),
    ("channel-remove", "DELETE", OBJECTS + "/channels/ch-a", {}, None, [("channel", "ch-a", D)]),
    ("members-get", "GET", OBJECTS + "/channels/ch-a/uuids", {}, None, [("channel", "ch-a", G)]),
    ("members-set", "PATCH", OBJECTS + "/channels/ch-a/uuids", {}, _json({"set": [{"uuid": {"id": "u2"}}]}),
     [("channel", "ch-a", M)]),
    ("channels-list", "GET", OBJECTS + "/channels", {}, None, [("category", "channels", G)]),
    ("push-add", "GET", PUSH, {"type": "fcm", "add": "ch-a,ch-b"}, None,
     [("channel", "ch-a", R), ("channel", "ch-b", R)]),
    ("push-remove-channels", "GET", PUSH, {"type": "fcm", "remove": "ch-a"}, None, [("channel", "ch-a", R)]),
    ("push-list", "GET", PUSH, {"type": "fcm"}, None, [("credential", "", 0)]),
    ("push-remove-device", "GET", PUSH + "/remove", {"type": "fcm"}, None, [("credential", "", 0)]),
    ("push-apns2-add", "GET", "/v2/push/sub-key/%s/devices-apns2/0123456789abcdef" % SUB,
     {"environment": "development", "topic": "com.example", "add": "ch-a"}, None, [("channel", "ch-a", R)]),
    ("push-apns2-remove-device", "GET", "/v2/push/sub-key/%s/devices-apns2/0123456789abcdef/remove" % SUB,
     {"environment": "development", "topic": "com.example"}, None, [("credential", "", 0)]),
    ("files-upload-url", "POST", FILES + "/generate-upload-url", {}, _json({"name": "f.txt"}),
     [("channel", "ch-a", W)]),
    ("files-list", "GET", FILES + "/files", {}, None, [("channel", "ch-a", R)]),
    ("files-url", "GET", FILES + "/files/id-1/f.txt", {}, None, [("channel", "ch-a", R)]),
    ("files-delete", "DELETE", FILES + "/files/id-1/f.txt", {}, None, [("channel", "ch-a", D)]),
    ("publish-file", "GET", "/v1/files/publish-file/%s/%s/0/ch-a/0/%s" % (
        PUB, SUB, quote(json.dumps({"message": "m", "file": {"id": "id-1", "name": "f.txt"}}), safe="")),
     {}, None, [("channel", "ch-a", W)]),
]

_V2_TARGET = {"channel": "channel", "group": "channel-group", "uuid": "target-uuid", "category": "category"}
_TOKEN_SECTION = {"channel": "channels", "group": "groups", "uuid": "uuids"}
_ALL_BITS = R | W | M | D | G | U | J


def _flags(bits):
    return {flag: 1 if bits & bit else 0 for flag, bit in FLAGS}


async def _grant_needs(api, needs, auth, complement=False):
    for resource, name, bits in needs:
        if resource == "credential":
            if not complement:
                await api.grant(channel="unrelated", auth=auth, r=1)
            continue
        if resource == "category" and complement:
            continue  # categories hold get only
        params = _flags(_ALL_BITS & ~bits if complement else bits)
        params["auth"] = auth
        if resource != "keyset":
            params[_V2_TARGET[resource]] = name
        reply = await api.grant(**params)
        assert reply.status == 200, reply


def _token_permissions(needs, complement=False):
    resources, categories = {}, {}
    for resource, name, bits in needs:
        if resource == "credential":
            resources.setdefault("channels", {})["unrelated"] = 1
        elif resource == "category":
            if not complement:
                categories[name] = G
        elif resource in _TOKEN_SECTION:
            resources.setdefault(_TOKEN_SECTION[resource], {})[name] = int(_ALL_BITS & ~bits if complement else bits)
    return {"resources": resources, "categories": categories}


def _request(api, case, **query):
    _, method, path, base_query, body, _ = case
    headers = JSON if body is not None else None
    return api.request(method, path, dict(base_query, uuid="u1", **query), body, headers)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
async def test_enforcement_with_v2_grants(api, case):
    needs = case[5]
    assert_forbidden(await _request(api, case))
    assert_forbidden(await _request(api, case, auth="k-right"))
    await _grant_needs(api, needs, "k-right")
    reply = await _request(api, case, auth="k-right")
    assert reply.status != 403 and reply.status < 500, reply
    await _grant_needs(api, needs, "k-wrong", complement=True)
    assert_forbidden(await _request(api, case, auth="k-wrong"))
    reply = await api.signed(case[1], case[2], dict(case[3], uuid="u1"), case[4], headers=JSON if case[4] else None)
    assert reply.status != 403 and reply.status < 500, reply


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
async def test_enforcement_with_tokens(api, case):
    needs = case[5]
    if any(resource == "keyset" for resource, _, _ in needs):
        token = await api.token(resources={"channels": {"ch-a": int(_ALL_BITS)}}, patterns={"channels": {".*": 255}})
        assert_forbidden(await _request(api, case, auth=token))  # tokens never hold keyset-wide rights
        return
    token = await api.token(uuid="u1", **_token_permissions(needs))
    reply = await _request(api, case, auth=token)
    assert reply.status != 403 and reply.status < 500, reply
    wrong = await api.token(**_token_permissions(needs, complement=True))
    if any(resource != "credential" for resource, _, _ in needs):
        assert_forbidden(await _request(api, case, auth=wrong))
    other_uuid = await api.request(case[1], case[2], dict(case[3], uuid="someone-else", auth=token), case[4],
                                   JSON if case[4] else None)
    assert_forbidden(other_uuid, {"uuids": ["someone-else"]})


async def test_the_cases_cover_every_checked_route(server):
    """Every route that is neither exempt nor admin is exercised by a case above."""
    router = server.app.router
    covered = set()
    for _, method, path, _, _, _ in CASES:
        route, _ = router.find(method, path.split("?")[0].strip("/").encode().split(b"/"))
        covered.add((route.pattern, method))
    checked = set()
    for route in all_routes(server.app):
        for method in route.methods:
            rule = rule_for(route.pattern, method)
            if not (rule.exempt or rule.admin):
                checked.add((route.pattern, method))
    assert checked - covered == set()


async def test_partial_grants_name_every_denied_resource(api):
    await api.grant(channel="ch-a", auth="k", r=1)
    reply = await api.get("/v2/subscribe/%s/ch-a,ch-b,ch-c/0" % SUB, uuid="u", auth="k", tt="0",
                          **{"channel-group": "g1,g2"})
    assert_forbidden(reply, {"channels": ["ch-b", "ch-c"], "channel-groups": ["g1", "g2"]})


async def test_a_denied_subscribe_does_not_join_presence(server, api):
    assert_forbidden(await api.get("/v2/subscribe/%s/ch-a/0" % SUB, uuid="intruder", tt="0"))
    assert server.app.presence.occupants(SUB, "ch-a") == []


async def test_granted_long_poll_receives_messages(api):
    await api.grant(channel="room", auth="reader", r=1)
    await api.grant(channel="room", auth="writer", w=1)
    reply = await api.get("/v2/subscribe/%s/room/0" % SUB, uuid="r", auth="reader", tt="0")
    cursor = reply.json["t"]["t"]
    poll = api.get("/v2/subscribe/%s/room/0" % SUB, uuid="r", auth="reader", tt=cursor)
    assert_forbidden(await api.get(publish_path("room", {"n": 1}), uuid="r", auth="reader"))
    assert (await api.get(publish_path("room", {"n": 1}), uuid="w", auth="writer")).status == 200
    reply = await poll
    assert [item["d"] for item in reply.json["m"]] == [{"n": 1}]
