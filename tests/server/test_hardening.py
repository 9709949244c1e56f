"""Regression tests of the server hardening (issue 12): each reproduces one reported failure.

ReDoS in App Context ``like``, unchecked ``ptto``, history overwrite, timetokens ≥ 2^63 in
queries, memory budgets, Access Manager gaps, files, start-up failures, secrets and logs.
"""
import json
import time

import pytest
import pytest_twisted
from twisted.internet import reactor

from pubnub_fast.server import objects_query, start_server
from pubnub_fast.server.timetokens import TICKS_PER_SECOND, TimetokenClock
from tests.server.conftest import ApiClient

pytestmark = pytest.mark.integration

TOO_BIG = str(2**63)  # 9223372036854775808: 19 digits, one past SQLite's INTEGER
HUGE = "9999999999999999999"


# -- 1. App Context ``like`` runs in linear time ------------------------------------------------


def test_like_matcher_is_linear_on_hostile_patterns():
    value = "a" * 92
    started = time.process_time()
    for stars in (6, 8, 12, 40):
        pattern = objects_query._like_pattern("*" * stars + "b")
        assert not pattern.matches(value)
        pattern = objects_query._like_pattern("a*" * stars + "b")
        assert not pattern.matches(value)
    # the backtracking regex took 6 s for six stars; the matcher takes microseconds
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    "pattern, value, expected",
    [
        ("a*", "ABC", True),
        ("*o*", "bob", True),
        ("*b*b*", "ab", False),
        ("*b*b*", "babb", True),
        ("ab*ba", "aba", False),
        ("ab*ba", "abba", True),
        (r"Carol\*", "carol*", True),
        (r"Carol\*", "carolx", False),
        ("c*l", "carol", True),
        ("", "", True),
        ("*", "", True),
        ("x", "xx", False),
    ],
)
def test_like_matcher_semantics(pattern, value, expected):
    assert objects_query._like_pattern(pattern).matches(value) is expected


@pytest_twisted.ensureDeferred
async def test_like_filter_on_a_long_id_answers_at_once(api):
    uuid = "a" * 92
    reply = await api.request(
        "PATCH", "/v2/objects/demo/uuids/" + uuid, body=json.dumps({"name": "n"}).encode(),
        headers={"Content-Type": ["application/json"]},
    )
    assert reply.status == 200, reply
    started = time.monotonic()
    reply = await api.get("/v2/objects/demo/uuids", filter="id like '" + "*" * 10 + "b'")
    assert reply.status == 200 and reply.json["data"] == []
    reply = await api.get("/v2/objects/demo/uuids", filter="id like '*a*a'")
    assert [item["id"] for item in reply.json["data"]] == [uuid]
    assert time.monotonic() - started < 3.0


# -- 2. ``ptto`` is checked ------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_ptto_out_of_range_or_in_the_future_is_400(api, server):
    for value in (HUGE, TOO_BIG, str(2**63 - 1), "0"):
        reply = await api.publish("ch", "x", ptto=value)
        assert reply.status == 400, (value, reply)
        assert reply.json[0] == 0 and "ptto" in reply.json[1]
    future = server.app.timetokens.wall() + 3600 * TICKS_PER_SECOND
    reply = await api.publish("ch", "x", ptto=str(future))
    assert reply.status == 400
    # the clock was not moved by any of it
    reply = await api.get("/time/0")
    assert reply.json[0] < future
    # a past timetoken and one within the allowed skew are fine
    near = server.app.timetokens.wall() + 30 * TICKS_PER_SECOND
    for value in (near, 15000000000000000):
        reply = await api.publish("ch", "x", ptto=str(value))
        assert reply.status == 200 and reply.json == [1, "Sent", str(value)]


def test_the_clock_ignores_an_absurd_stored_timetoken():
    class Fixed:
        def seconds(self):
            return 1_700_000_000.0

    clock = TimetokenClock(Fixed())
    clock.observe(2**63 - 1)  # what an unchecked ptto left in an old data file
    assert clock.issue() == 17_000_000_000_000_000
    clock.observe(17_000_000_000_000_500)  # a little ahead: followed
    assert clock.issue() == 17_000_000_000_000_501


# -- 3. a stored message is never overwritten ------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_ptto_on_a_stored_timetoken_is_rejected_and_the_message_kept(api):
    reply = await api.publish("ch", {"owner": "alice"})
    timetoken = reply.json[2]
    cursor = int(timetoken) - 1
    reply = await api.publish("ch", {"owner": "mallory"}, ptto=timetoken)
    assert reply.status == 409, reply
    assert reply.json == [0, "Timetoken Already Used", timetoken]
    reply = await api.get("/v3/history/sub-key/demo/channel/ch")
    assert [m["message"] for m in reply.json["channels"]["ch"]] == [{"owner": "alice"}]
    # and subscribers never saw the rejected one
    reply = await api.subscribe(["ch"], tt=cursor)
    assert [m["d"] for m in reply.json["m"]] == [{"owner": "alice"}]
    # the same timetoken on another channel, or unstored, is fine
    assert (await api.publish("other", 1, ptto=timetoken)).status == 200
    assert (await api.publish("ch", 2, ptto=timetoken, store="0")).status == 200


# -- 4. timetokens ≥ 2^63 in queries are a clear 400 -----------------------------------------------


@pytest_twisted.ensureDeferred
async def test_timetokens_beyond_64_bits_in_queries_are_400(api):
    await api.publish("ch", 1)
    history = "/v2/history/sub-key/demo/channel/ch"
    fetch = "/v3/history/sub-key/demo/channel/ch"
    actions = "/v1/message-actions/demo/channel/ch"
    for value in (TOO_BIG, HUGE):
        cases = [
            ("GET", history, {"start": value}),
            ("GET", history, {"end": value}),
            ("GET", fetch, {"start": value}),
            ("GET", "/v3/history-with-actions/sub-key/demo/channel/ch", {"end": value}),
            ("DELETE", fetch, {"end": value}),
            ("GET", "/v3/history/sub-key/demo/message-counts/ch", {"timetoken": value}),
            ("GET", "/v3/history/sub-key/demo/message-counts/ch", {"channelsTimetoken": value}),
            ("GET", actions, {"start": value}),
            ("DELETE", actions + "/message/%s/action/1" % value, {"uuid": "u"}),
            ("POST", actions + "/message/%s" % value, {"uuid": "u"}),
            ("GET", "/v2/subscribe/demo/ch/0", {"tt": value}),
        ]
        for method, path, query in cases:
            body = json.dumps({"type": "r", "value": "v"}).encode() if method == "POST" else None
            reply = await api.request(method, path, query, body=body)
            assert reply.status == 400, (method, path, query, reply)


# -- 9. a failed start leaves nothing running ----------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_a_failed_start_names_the_path_and_stops_the_sqlite_thread(tmp_path):
    import threading

    from pubnub_fast.server.database import DataFileError

    for data in (str(tmp_path), str(tmp_path / "missing" / "x.sqlite3"), "/proc/x.sqlite3"):
        with pytest.raises(DataFileError) as caught:
            await start_server(reactor, port=0, data=data)
        assert data in str(caught.value)
        assert not [t for t in threading.enumerate() if "pubnub-fast-sqlite" in t.name]


# -- 7. Access Manager gaps ------------------------------------------------------------------------


@pytest_twisted.async_yield_fixture
async def pam_api():
    from tests.server.test_access_manager import KEYSETS, PamClient

    running = await start_server(reactor, port=0, data=":memory:", keysets=KEYSETS, long_poll=2.0)
    yield PamClient(running.url)
    await running.stop()


@pytest_twisted.ensureDeferred
async def test_push_add_and_remove_in_one_request_are_both_checked(pam_api):
    from tests.server.test_access_manager import PUSH, assert_forbidden

    await pam_api.grant(channel="mine", auth="k", r=1)
    await pam_api.signed("GET", PUSH, {"type": "fcm", "add": "theirs"})  # the victim's registration
    reply = await pam_api.get(PUSH, type="fcm", add="mine", remove="theirs", auth="k", uuid="u")
    assert_forbidden(reply, {"channels": ["theirs"]})
    listed = await pam_api.signed("GET", PUSH, {"type": "fcm"})
    assert listed.json == ["theirs"]  # untouched
    token = await pam_api.token(resources={"channels": {"mine": 1}})
    reply = await pam_api.get(PUSH, type="fcm", add="mine", remove="theirs", auth=token, uuid="u")
    assert_forbidden(reply, {"channels": ["theirs"]})
    reply = await pam_api.get(PUSH, type="fcm", add="mine", remove="mine", auth="k", uuid="u")
    assert reply.status == 200


@pytest_twisted.ensureDeferred
async def test_a_token_bound_to_alice_cannot_set_bobs_presence_state(pam_api):
    from tests.server.test_access_manager import SUB, assert_forbidden

    token = await pam_api.token(uuid="alice", resources={"channels": {"ch": 1}})
    base = "/v2/presence/sub-key/%s/channel/ch/uuid/%s/data"
    reply = await pam_api.get(base % (SUB, "bob"), uuid="alice", auth=token, state='{"evil":1}')
    assert_forbidden(reply, {"uuids": ["bob"]})
    reply = await pam_api.get(base % (SUB, "alice"), uuid="alice", auth=token, state='{"ok":1}')
    assert reply.status == 200, reply
    # reading someone's state stays a plain read on the channel
    reply = await pam_api.get("/v2/presence/sub-key/%s/channel/ch/uuid/bob" % SUB, uuid="alice", auth=token)
    assert reply.status == 200 and reply.json["payload"] == {}


# -- 8. files --------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_an_upload_form_is_single_use(api):
    from tests.server.test_files import download, file_url, generate, upload

    reply = await generate(api, "ch", "doc.txt")
    assert (await upload(api, reply, b"original")).status == 204
    replay = await upload(api, reply, b"replaced by a replay")
    assert replay.status == 403 and b"already used" in replay.raw
    redirect = await file_url(api, "ch", reply.json["data"]["id"], "doc.txt")
    assert (await download(api, redirect.header("Location"))).raw == b"original"


@pytest_twisted.ensureDeferred
async def test_downloads_are_attachments_with_nosniff_and_redirects_ignore_host(api, server):
    from urllib.parse import urlsplit

    from tests.server.test_files import BOUNDARY, download, generate, multipart

    reply = await generate(api, "ch", "page.html")
    form = [(k, "text/html" if k == "Content-Type" else v) for k, v in
            [(f["key"], f["value"]) for f in reply.json["file_upload_request"]["form_fields"]]]
    body = multipart(form, b"<script>alert(document.cookie)</script>")
    uploaded = await api.request(
        "POST", "/_files/upload", body=body,
        headers={"Content-Type": ["multipart/form-data; boundary=%s" % BOUNDARY], "Host": ["other.localhost"]},
    )
    assert uploaded.status == 204
    file_id = reply.json["data"]["id"]
    path = "/v1/files/demo/channels/ch/files/%s/page.html" % file_id
    from treq.client import HTTPClient
    from twisted.web.client import Agent, HTTPConnectionPool

    client = HTTPClient(Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=False)))
    response = await client.request(
        "GET", api.url(path).encode("ascii"), allow_redirects=False, headers={"Host": ["other.localhost:80"]}
    )
    location = response.headers.getRawHeaders("Location")[0]
    assert urlsplit(location).netloc == "127.0.0.1:%d" % server.port
    assert response.headers.getRawHeaders("Cache-Control") == ["no-store"]
    generated = await api.request(
        "POST", "/v1/files/demo/channels/ch/generate-upload-url", body=b'{"name":"a"}',
        headers={"Host": ["other.localhost"]},
    )
    assert urlsplit(generated.json["file_upload_request"]["url"]).netloc == "127.0.0.1:%d" % server.port
    fetched = await download(api, location)
    assert fetched.status == 200
    assert fetched.header("X-Content-Type-Options") == "nosniff"
    assert fetched.header("Content-Disposition") == "attachment; filename=\"page.html\"; filename*=UTF-8''page.html"


# -- 5. memory budgets ----------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_message_tails_stay_within_their_byte_budget_and_nothing_stored_is_lost():
    import sys

    budget = 64 * 1024
    running = await start_server(reactor, port=0, data=":memory:", long_poll=2.0, max_tail_bytes=budget)
    try:
        api = ApiClient(running.url)
        first = await api.get("/time/0")
        start = first.json[0]
        for index in range(120):  # 120 × 2 KiB into 10 channels: 240 KB, 4× the budget
            reply = await api.publish("big-%d" % (index % 10), "x" * 2048 + str(index))
            assert reply.status == 200
        store = running.app.store
        # what the tails really hold: every parsed message and its serialised envelope
        held = sum(
            sys.getsizeof(record.payload) + len(record._envelope_prefix or b"")
            for tail in store._tails.values() for record in tail.records
        )
        assert running.app.store.bytes <= budget
        # without a byte budget the tails kept every message (parsed; + envelope once delivered)
        assert held < 2 * budget, held
        # every message of an evicted channel still reaches a subscriber resuming before them
        reply = await api.subscribe(["big-0"], tt=start)
        assert [m["d"][-3:].lstrip("x") for m in reply.json["m"]] == [str(i) for i in range(0, 120, 10)]
    finally:
        await running.stop()


@pytest_twisted.ensureDeferred
async def test_a_fetch_response_is_bounded_in_bytes_and_pages_on():
    budget = 64 * 1024
    running = await start_server(reactor, port=0, data=":memory:", long_poll=2.0, max_fetch_bytes=budget)
    try:
        api = ApiClient(running.url)
        for index in range(40):
            for channel in ("a", "b"):
                assert (await api.publish(channel, "%03d" % index + "y" * 5000)).status == 200
        reply = await api.get("/v3/history/sub-key/demo/channel/a,b", max="25")
        pages = reply.json["channels"]
        assert len(reply.raw) <= budget + 6 * 1024
        got = {channel: [m["message"][:3] for m in items] for channel, items in pages.items()}
        assert got["a"] == ["%03d" % i for i in range(40 - len(got["a"]), 40)]  # the newest
        assert len(got["a"]) + len(got.get("b", [])) < 50
        # paging on with start reaches every message of a
        seen = list(got["a"])
        start = pages["a"][0]["timetoken"]
        while True:
            reply = await api.get("/v3/history/sub-key/demo/channel/a", max="100", start=start)
            items = reply.json["channels"].get("a", [])
            if not items:
                break
            assert len(reply.raw) <= budget + 6 * 1024
            seen = [m["message"][:3] for m in items] + seen
            start = items[0]["timetoken"]
        assert seen == ["%03d" % i for i in range(40)]
    finally:
        await running.stop()


def _presence(max_bytes=64 * 1024 * 1024):
    from twisted.internet import task

    from pubnub_fast.server.presence import PresenceStore

    clock = task.Clock()
    clock.advance(1000)
    events = []
    store = PresenceStore(clock, lambda *event: events.append(event), max_bytes=max_bytes)
    return clock, store, events


def test_presence_state_of_uuids_that_never_joined_is_forgotten():
    from pubnub_fast.server.presence import ORPHAN_STATE_SECONDS

    clock, store, _ = _presence()
    for index in range(1000):
        store.set_state("demo", "ghost-%d" % index, ["ch"], {"blob": "z" * 100})
    store.set_state("demo", "joiner", ["ch"], {"k": 1})
    assert store.bytes > 100_000
    clock.advance(10)
    store.touch("demo", "joiner", ["ch"], 3600)  # joins in time: its state stays
    clock.advance(ORPHAN_STATE_SECONDS + 1)
    store.sweep()
    assert store.state("demo", "ghost-1", "ch") == {}
    assert store.state("demo", "joiner", "ch") == {"k": 1}
    store.leave("demo", "joiner", ["ch"])
    assert store.bytes == 0 and store._states == {}


def test_presence_budget_refuses_state_and_occupants_beyond_it():
    from pubnub_fast.server.limits import BudgetExceeded

    clock, store, _ = _presence(max_bytes=64 * 1024)
    with pytest.raises(BudgetExceeded):
        for index in range(1000):
            store.set_state("demo", "u-%d" % index, ["ch"], {"blob": "z" * 1000})
    assert store.bytes <= 64 * 1024
    for index in range(1000):
        store.touch("demo", "o-%d" % index, ["room"], 300)
    assert store.bytes <= 64 * 1024 and 0 < store.occupancy("demo", "room") < 1000


def test_the_presence_sweep_is_incremental():
    clock, store, events = _presence()

    class CountingDict(dict):
        walks = 0

        def items(self):
            CountingDict.walks += 1
            return super().items()

        def values(self):
            CountingDict.walks += 1
            return super().values()

    for index in range(2000):
        store.touch("demo", "u-%d" % index, ["c-%d" % (index % 50)], 86_400 if index else 5)
    store._occupants = CountingDict(store._occupants)
    for _ in range(100):  # 100 idle sweeps look at nothing
        clock.advance(1)
        store.sweep()
    assert CountingDict.walks == 0
    assert store.occupancy("demo", "c-0") == 39  # u-0 (5 s heartbeat) timed out
    assert "u-0" not in store.occupants("demo", "c-0")
    assert len(store._due) <= 2 * 2000 + 1024


@pytest_twisted.ensureDeferred
async def test_app_context_has_a_global_byte_budget():
    budget = 128 * 1024
    running = await start_server(reactor, port=0, data=":memory:", long_poll=2.0, max_objects_bytes=budget)
    try:
        api = ApiClient(running.url)
        headers = {"Content-Type": ["application/json"]}
        body = json.dumps({"name": "n", "custom": {"blob": "c" * 30000}}).encode()
        statuses = []
        for index in range(8):  # across invented sub keys too (demo mode accepts any)
            reply = await api.request("PATCH", "/v2/objects/sub-%d/uuids/u" % index, body=body, headers=headers)
            statuses.append(reply.status)
        assert statuses[:3] == [200] * 3 and statuses[-1] == 400
        assert "objects_bytes" in reply.json["error"]["message"]
        assert running.app.objects.bytes <= budget
        assert (await api.request("DELETE", "/v2/objects/sub-0/uuids/u")).status == 200
        reply = await api.request("PATCH", "/v2/objects/sub-7/uuids/u", body=body, headers=headers)
        assert reply.status == 200
    finally:
        await running.stop()


# -- 10. signature window, keysets from a file or the environment, redacted logs ----------------


@pytest_twisted.ensureDeferred
async def test_the_signature_window_is_60_s_by_default_and_a_setting():
    from tests.server.test_access_manager import KEYSETS, PamClient, publish_path

    for window, off, allowed in ((None, 300, False), (None, 50, True), (600, 300, True)):
        extra = {} if window is None else {"signature_window": window}
        running = await start_server(reactor, port=0, data=":memory:", keysets=KEYSETS, **extra)
        try:
            api = PamClient(running.url)
            reply = await api.signed("GET", publish_path("ch"), timestamp=int(time.time()) - off)
            assert (reply.status == 200) is allowed, (window, off, reply)
        finally:
            await running.stop()


def test_keysets_from_a_file_and_the_environment(tmp_path):
    from pubnub_fast.__main__ import build_parser, gather_keysets

    keyfile = tmp_path / "keys"
    keyfile.write_text("# local keys\nsub-a:pub-a:sec-a\n\nsub-b:pub-b  # no secret\n")
    args = build_parser().parse_args(["serve", "--keyset", "sub-c:pub-c", "--keyset-file", str(keyfile)])
    found = gather_keysets(args, {"PUBNUB_FAST_KEYSETS": "sub-d:pub-d:sec-d, sub-e:pub-e"})
    assert [(k.subscribe_key, k.secret_key) for k in found] == [
        ("sub-c", None), ("sub-a", "sec-a"), ("sub-b", None), ("sub-d", "sec-d"), ("sub-e", None)]
    keyfile.write_text("sub-a:pub-a:sec-a\nbroken\n")
    with pytest.raises(ValueError, match="line 2"):
        gather_keysets(args, {})
    with pytest.raises(ValueError) as caught:
        gather_keysets(build_parser().parse_args(["serve"]), {"PUBNUB_FAST_KEYSETS": "a:b:c:d"})
    assert "a:b:c:d" not in str(caught.value)  # the message never echoes a secret


def test_secret_keysets_from_a_file_reach_a_real_server(tmp_path):
    import urllib.error
    import urllib.request

    from tests.server.server_process import ServerProcess

    keyfile = tmp_path / "keys"
    keyfile.write_text("sub-f:pub-f:very-secret\n")
    with ServerProcess("--keyset-file", str(keyfile), "--log-level", "debug") as server:
        url = "http://%s/publish/pub-f/sub-f/0/ch/0/1?uuid=u&auth=tok-SECRET-123&signature=v2.SIGSECRET" % server.origin
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=10)
        assert caught.value.code == 403  # Access Manager is on: the secret came from the file
        assert server.terminate() == 0
    log = "".join(server.output)
    assert "GET /publish/pub-f/sub-f/0/ch/0/1?uuid=u&auth=[redacted]&signature=[redacted]" in log
    assert "tok-SECRET-123" not in log and "SIGSECRET" not in log and "very-secret" not in log


def test_redact_target():
    from pubnub_fast.server.wire import redact_target

    assert redact_target(b"/v2/subscribe/s/c/0?tt=0&auth=abc&uuid=u&signature=v2.x") == (
        "/v2/subscribe/s/c/0?tt=0&auth=[redacted]&uuid=u&signature=[redacted]")
    assert redact_target(b"/v3/pam/sub/grant/qEF2AkF0Gm?timestamp=1&signature=v2.s") == (
        "/v3/pam/sub/grant/[redacted]?timestamp=1&signature=[redacted]")
    assert redact_target(b"/_files/s/c/i/n?X-Amz-Signature=abc&X-Amz-Date=1") == (
        "/_files/s/c/i/n?X-Amz-Signature=[redacted]&X-Amz-Date=1")
