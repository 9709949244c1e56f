"""Property-based fuzzing of every route of a running server (issue 12).

A real ``pubnub-fast serve`` process (two keysets: an open one and one with Access Manager on)
gets random and mutated requests for every route of the route table — so a new route is fuzzed
without touching this file — with random path values, query parameters and bodies. Whatever
comes in, the server must:

* never answer 5xx, and never log a traceback or an error;
* keep answering (``/time/0`` after every batch, and at the end);
* never change a stored message the request had no right to change: the messages seeded on the
  Access Manager keyset (the fuzzer holds no grant) and those on the open keyset stay exactly as
  they were, except that a ``DELETE`` of history on the open keyset may remove (never alter) its
  channel's messages.

Bounded: a fixed number of examples per pass, shared out over the routes
(``PUBNUB_FAST_FUZZ_EXAMPLES``, default 800), no hypothesis database (nothing is written next to
the repository); one pass takes ~20-40 s.
"""
import http.client
import json
import os
import re
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet import reactor

from pubnub_fast._speedups import signing
from pubnub_fast.server.api import all_routes
from pubnub_fast.server.app import ServerApp
from tests.server.server_process import ServerProcess

pytestmark = pytest.mark.integration

OPEN_SUB, OPEN_PUB = "sub-open", "pub-open"
PAM_SUB, PAM_PUB, PAM_SECRET = "sub-pam", "pub-pam", "sec-pam-fuzz"
CHANNELS = ["fz-a", "fz-b", "fz.c"]
EXAMPLES = int(os.environ.get("PUBNUB_FAST_FUZZ_EXAMPLES", "800"))


def _route_table():
    """``[(method, pattern), …]`` of every route the server serves (read from the app itself)."""
    app = ServerApp(reactor, ":memory:")
    return sorted((method, route.pattern) for route in all_routes(app) for method in route.methods)


ROUTES = _route_table()
PARAMETERS = [
    "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature", "add", "auth", "channel-group",
    "channelsTimetoken", "count", "custom_message_type", "disable_uuids", "end", "environment",
    "filter", "filter-expr", "heartbeat", "include", "include_custom_message_type",
    "include_message_type", "include_meta", "include_token", "include_uuid", "limit", "max", "meta",
    "next", "norep", "offset", "ptto", "remove", "reverse", "seqn", "signature", "sort", "start",
    "state", "store", "timestamp", "timetoken", "topic", "tt", "ttl", "type", "uuid",
]

# -- strategies -----------------------------------------------------------------------------------

_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "1", "-1", "17000000000000000", str(2**63 - 1), str(2**63), "9" * 19,
                     "9" * 40, "1e309", "NaN", "0x10", " 5", "５", ""]),
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
).map(lambda value: json.dumps(value))
_texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="*%\\'\"()&|=!<>,.:/ #?-_abc01", max_size=60),
    st.sampled_from(["", ",", "*", "a.*", "fz-a", "fz-a-pnpres", "fz.c", "%2F", "%", "%zz", "%ff%fe",
                     "a" * 93, "a" * 3000, "id like '" + "*" * 30 + "b'", "name == null",
                     "custom.x > 1 && !(id like 'a*')", "uuids:asc", "..", "../../etc/passwd"]),
)
_values = st.one_of(_numbers, _json_values, _texts, st.sampled_from(CHANNELS + ["true", "false"]))
_timetokens = st.one_of(
    st.sampled_from([str(2**63), "9" * 19, str(2**63 - 1), "0", "15000000000000000", "-1", "1" * 18]),
    st.integers(min_value=0, max_value=2**66).map(str),
)
#: What kind of value each parameter mostly gets (anything else sometimes).
_BY_KIND = {
    "timetoken": ({"start", "end", "tt", "timetoken", "ptto", "channelsTimetoken", "seqn", "ttl",
                   "timestamp"}, _timetokens),
    "json": ({"meta", "state"}, _json_values),
    "flag": ({"store", "norep", "reverse", "include_meta", "include_token", "include_uuid",
              "include_message_type", "include_custom_message_type", "disable_uuids"},
             st.sampled_from(["true", "false", "1", "0", "yes", "maybe", ""])),
}


#: Parameters a route family reads (by a word of its pattern); others are drawn too, less often.
_RELEVANT = [
    ("/publish/", ["ptto", "store", "meta", "ttl", "norep", "seqn", "custom_message_type"]),
    ("/signal/", ["ptto", "store", "norep", "seqn", "custom_message_type"]),
    ("/subscribe/", ["tt", "state", "heartbeat", "filter-expr", "channel-group"]),
    ("/presence/", ["heartbeat", "state", "channel-group", "disable_uuids", "limit", "offset"]),
    ("history", ["start", "end", "count", "max", "reverse", "include_token", "include_meta",
                 "timetoken", "channelsTimetoken"]),
    ("message-actions", ["start", "end", "limit"]),
    ("/objects/", ["filter", "sort", "include", "limit", "start", "end", "count"]),
    ("/push/", ["add", "remove", "type", "environment", "topic"]),
    ("/files/", ["limit", "next", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"]),
    ("auth", ["signature", "timestamp", "ttl", "auth"]),
]


def _relevant(pattern):
    found = [name for word, names in _RELEVANT if word in pattern for name in names]
    return found or PARAMETERS


def _value_for(draw, name):
    for names, strategy in _BY_KIND.values():
        if name in names and draw(st.integers(0, 3)):
            return draw(strategy)
    return draw(_values)
_keys = st.sampled_from([OPEN_SUB, PAM_SUB, OPEN_PUB, PAM_PUB, "demo", "", "sub-c-x"])
_bodies = st.one_of(
    st.none(),
    _json_values.map(str.encode),
    st.binary(max_size=200),
    st.sampled_from([
        b'{"name":"f.txt"}', b'{"type":"reaction","value":"smile"}',
        b'{"set":[{"channel":{"id":"fz-a"}}],"delete":[{"uuid":{"id":"u"}}]}',
        b'{"ttl":15,"permissions":{"resources":{"channels":{"fz-a":255}},"patterns":{},"meta":{}}}',
        b'{"name":"n","custom":{"a":1}}', b"\xff\xfe\x00",
    ]),
)


def _segment(draw, name, plausible):
    """A path value: mostly valid-looking when ``plausible`` (so requests get past the key and
    name checks to the code behind them), anything otherwise."""
    if name == "sub":
        return OPEN_SUB if plausible else draw(_keys)
    if name == "pub":
        return OPEN_PUB if plausible else draw(_keys)
    if name in ("channel", "channels"):
        if plausible:
            return draw(st.sampled_from(CHANNELS + [",".join(CHANNELS)]))
        return draw(st.one_of(st.sampled_from(CHANNELS + [",".join(CHANNELS)]), _texts))
    if name == "callback":
        return "0" if plausible else draw(_texts)
    if name in ("message", "action", "token"):
        return draw(st.one_of(_json_values, _timetokens, _texts))
    return draw(st.one_of(st.sampled_from(["0", "u", "fz-a", "0123456789abcdef0123456789abcdef"]), _texts))


@st.composite
def fuzz_requests(draw, route=None):
    method, pattern = draw(st.sampled_from(ROUTES)) if route is None else route
    if draw(st.integers(0, 9)) == 0:  # now and then the wrong method
        method = draw(st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"]))
    segments = []
    plausible = draw(st.integers(0, 9)) < 7
    for part in pattern.strip("/").split("/"):
        if part.startswith("{"):
            value = _segment(draw, part[1:-1], plausible)
            segments.append(quote(value.encode("utf-8", "surrogatepass"), safe=",*:" if draw(st.booleans()) else ""))
        else:
            segments.append(part)
    names = draw(st.lists(st.sampled_from(_relevant(pattern)), min_size=1, max_size=4, unique=True))
    names += draw(st.lists(st.sampled_from(PARAMETERS), max_size=2, unique=True))
    query = {name: _value_for(draw, name) for name in names}
    if draw(st.booleans()):
        query.setdefault("uuid", "fuzzer")
    target = "/" + "/".join(segments)
    if query:
        target += "?" + "&".join(
            "%s=%s" % (quote(name, safe=""), quote(value.encode("utf-8", "surrogatepass"), safe=""))
            for name, value in query.items()
        )
    if draw(st.integers(0, 7)) == 0:  # mutate a byte of the encoded target
        position = draw(st.integers(0, len(target) - 1))
        target = target[:position] + draw(st.sampled_from(["%", "%00", "?", "&", "/", "#", "%C0"])) + target[position + 1:]
    body = draw(_bodies) if method in ("POST", "PATCH", "PUT", "DELETE") else None
    headers = {}
    if body is not None:
        headers["Content-Type"] = draw(st.sampled_from(
            ["application/json", "multipart/form-data; boundary=xyz", "text/plain"]))
        if draw(st.integers(0, 5)) == 0:
            headers["Content-Encoding"] = draw(st.sampled_from(["gzip", "br", "identity"]))
    return method, target, body, headers


# -- the server -----------------------------------------------------------------------------------


class Target:
    """The running server and what was stored on it before fuzzing."""

    def __init__(self, process):
        self.process = process
        self.host, port = process.origin.rsplit(":", 1)
        self.port = int(port)
        self.seeded = {}  # (sub, channel) -> {timetoken: message}

    def request(self, method, target, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def signed_get(self, path, query):
        query = dict(query, uuid="checker", timestamp=str(int(time.time())))
        query["signature"] = signing.sign_request(PAM_SECRET, PAM_SUB, PAM_PUB, "GET", path, query, "")
        text = "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe="")) for k, v in sorted(query.items()))
        return self.request("GET", path + "?" + text)

    def stored(self, sub, channel):
        path = "/v3/history/sub-key/%s/channel/%s" % (sub, quote(channel, safe=""))
        query = {"max": "100", "include_meta": "true"}
        if sub == PAM_SUB:
            status, raw = self.signed_get(path, query)
        else:
            status, raw = self.request("GET", path + "?max=100&include_meta=true")
        assert status == 200, (status, raw[:300])
        items = json.loads(raw)["channels"].get(channel, [])
        return {int(item["timetoken"]): (item["message"], item.get("meta")) for item in items}


@pytest.fixture(scope="module")
def target():
    with ServerProcess(
        "--keyset", "%s:%s" % (OPEN_SUB, OPEN_PUB),
        "--keyset", "%s:%s:%s" % (PAM_SUB, PAM_PUB, PAM_SECRET),
        "--long-poll", "1", "--log-level", "info",
    ) as process:
        running = Target(process)
        for sub, pub in ((OPEN_SUB, OPEN_PUB), (PAM_SUB, PAM_PUB)):
            for channel in CHANNELS:
                for index in range(3):
                    path = "/publish/%s/%s/0/%s/0/%s" % (
                        pub, sub, quote(channel, safe=""), quote(json.dumps({"seed": index}), safe=""))
                    if sub == PAM_SUB:
                        status, raw = running.signed_get(path, {"meta": '{"m":1}'})
                    else:
                        status, raw = running.request("GET", path + "?meta=%7B%22m%22%3A1%7D&uuid=seed")
                    assert status == 200, raw
        for sub in (OPEN_SUB, PAM_SUB):
            for channel in CHANNELS:
                running.seeded[(sub, channel)] = running.stored(sub, channel)
                assert len(running.seeded[(sub, channel)]) == 3
        yield running
        assert process.terminate() == 0
    log = "".join(process.output)
    assert "Traceback" not in log, log[-5000:]
    assert not re.search(r" (ERROR|CRITICAL) ", log), log[-5000:]


def test_the_route_table_is_what_gets_fuzzed():
    assert len(ROUTES) >= 50 and ("POST", "/_files/upload") in ROUTES


@pytest.mark.parametrize("route", ROUTES, ids=["%s %s" % route for route in ROUTES])
@settings(max_examples=max(4, EXAMPLES // len(ROUTES)), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_random_requests_never_break_the_server(target, route, data):
    """Every route gets its share of the examples (a new route is fuzzed automatically)."""
    method, path, body, headers = data.draw(fuzz_requests(route))
    try:
        status, raw = target.request(method, path, body, headers)
    except (http.client.HTTPException, ConnectionError, OSError) as exc:
        # the server may close a connection on a malformed request; it must still be up
        status, raw = 0, repr(exc).encode()
    assert status < 500, (method, path, body, status, raw[:500])
    if status == 0:
        assert target.request("GET", "/time/0")[0] == 200
    if method == "DELETE" and "/v3/history/" in path and OPEN_SUB in path:
        target.deleted_open = True
    check_stored(target, may_delete=getattr(target, "deleted_open", False))


def check_stored(target, may_delete):
    """Every seeded message is still there, unchanged (open keyset: or deleted by a DELETE)."""
    if not hasattr(target, "_checks"):
        target._checks = 0
    target._checks += 1
    if target._checks % 40:  # reading all channels back costs 6 requests: every 40th example
        return
    for (sub, channel), before in target.seeded.items():
        now = target.stored(sub, channel)
        for timetoken, message in before.items():
            if timetoken in now:
                assert now[timetoken] == message, (sub, channel, timetoken)
            else:
                assert sub == OPEN_SUB and may_delete, ("lost", sub, channel, timetoken)


def test_after_fuzzing_everything_stored_is_intact_and_the_server_answers(target):
    assert target.request("GET", "/time/0")[0] == 200
    target._checks = -1  # force the full check
    check_stored(target, may_delete=getattr(target, "deleted_open", False))
    for channel in CHANNELS:  # nothing anyone could do without a grant touched the PAM keyset
        assert target.stored(PAM_SUB, channel) == target.seeded[(PAM_SUB, channel)]
