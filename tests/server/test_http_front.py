"""The HTTP front (issue 12 item 6 and the HTTP parts of item 10, issue 10's lean protocol).

Connection-level behaviour is driven through :class:`HttpConnection` on a ``StringTransport``
with a ``task.Clock`` (deadlines, caps, pipelining, CORS); a few bounded loopback tests check the
same against a running server (slow-loris, durability of acknowledged publishes across a kill).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
import pytest_twisted
from twisted.internet import address, defer, reactor, task, threads
from twisted.internet.testing import StringTransport

from pubnub_fast.server import exposure_warning, start_server
from pubnub_fast.server.http import (
    ApiSite, CorsPolicy, Dispatcher, HostPolicy, HttpSettings, Route, Router, is_loopback_host,
)
from pubnub_fast.server.responses import HeaderFamily, ok
from tests.server.server_process import REPO_ROOT

# -- a small site on a task.Clock -----------------------------------------------------------------


class Front:
    """An :class:`ApiSite` with three routes on a ``task.Clock``, and helpers to connect to it.

    ``/fast`` answers at once; ``/later/{name}`` (eager) and ``/slow/{name}`` (not eager) answer
    when the test fires ``pending[name]``.
    """

    def __init__(self, bind="127.0.0.1", **settings):
        self.clock = task.Clock()
        self.pending = {}
        self.calls = []

        def fast(call):
            self.calls.append(call.route.pattern)
            return ok(["fast", call.query.get("n", "")], HeaderFamily.PUBSUB)

        def later(call):
            self.calls.append(call.path["name"])
            d = defer.Deferred()
            self.pending[call.path["name"]] = d
            return d.addCallback(lambda value: ok([value], HeaderFamily.PUBSUB))

        router = Router([
            Route(["GET"], "/fast", fast, HeaderFamily.PUBSUB, eager=True),
            Route(["GET", "POST"], "/later/{name}", later, HeaderFamily.PUBSUB, eager=True),
            Route(["GET"], "/slow/{name}", later, HeaderFamily.PUBSUB),
        ])
        app = SimpleNamespace(access=SimpleNamespace(authorize=lambda call: None))
        http = HttpSettings(**settings)
        hosts = HostPolicy.for_binding(bind, http.allowed_hosts)
        self.site = ApiSite(Dispatcher(router, app, CorsPolicy(http.cors_origins), hosts, self.clock), self.clock, http)

    def connect(self, host="127.0.0.1", port=50000):
        protocol = self.site.buildProtocol(None)
        transport = StringTransport(peerAddress=address.IPv4Address("TCP", host, port))
        protocol.makeConnection(transport)
        return protocol, transport


def responses_in(data):
    """Split raw response bytes into ``[(status, headers dict, body)]``."""
    found = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, data
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode()] = value.strip().decode()
        length = int(headers.get("content-length", "0"))
        found.append((status, headers, rest[:length]))
        data = rest[length:]
    return found


def get(path, *headers):
    return b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (path, b"".join(h + b"\r\n" for h in headers))


# -- deadlines ------------------------------------------------------------------------------------


def test_a_trickled_head_gets_408_at_the_header_deadline():
    front = Front(header_timeout=10.0)
    protocol, transport = front.connect()
    for byte in b"GET /fast HTTP/1.1\r\nHost":  # one byte every 2 s: never a complete head
        protocol.dataReceived(bytes([byte]))
        front.clock.advance(2.0)
        if transport.disconnecting:
            break
    assert transport.disconnecting
    assert front.clock.seconds() == 10.0  # the trickle did not extend the deadline
    [(status, headers, body)] = responses_in(transport.value())
    assert status == 408 and json.loads(body)["message"] == "Request Timeout"
    assert front.calls == []


def test_a_silent_connection_is_closed_at_the_header_deadline():
    front = Front(header_timeout=5.0)
    protocol, transport = front.connect()
    front.clock.advance(4.9)
    assert not transport.disconnecting
    front.clock.advance(0.2)
    assert transport.disconnecting and transport.value() == b""


def test_a_trickled_body_gets_408_at_the_body_deadline():
    front = Front(header_timeout=5.0, body_timeout=20.0)
    protocol, transport = front.connect()
    protocol.dataReceived(b"POST /later/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n")
    for _ in range(30):
        protocol.dataReceived(b"x")
        front.clock.advance(1.0)
        if transport.disconnecting:
            break
    assert transport.disconnecting and front.clock.seconds() == 20.0
    assert responses_in(transport.value())[0][0] == 408
    assert front.calls == []


def test_idle_keep_alive_connections_close_after_idle_timeout_and_requests_rearm_it():
    front = Front(idle_timeout=30.0, header_timeout=5.0)
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast"))
    front.clock.advance(29.0)
    protocol.dataReceived(get(b"/fast"))  # a request starts a fresh idle period
    front.clock.advance(29.0)
    assert not transport.disconnecting
    assert [status for status, _, _ in responses_in(transport.value())] == [200, 200]
    front.clock.advance(1.5)
    assert transport.disconnecting


def test_a_parked_request_is_not_idle():
    front = Front(idle_timeout=30.0)
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/slow/poll"))
    front.clock.advance(300.0)
    assert not transport.disconnecting
    front.pending["poll"].callback("done")
    assert responses_in(transport.value())[0][2] == b'["done"]'


# -- size limits, malformed targets ---------------------------------------------------------------


def test_oversized_headers_get_431():
    front = Front(max_header_bytes=1024)
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast", b"X-Big: " + b"a" * 2000))
    [(status, _, body)] = responses_in(transport.value())
    assert status == 431 and json.loads(body)["message"] == "Request Header Fields Too Large"
    assert transport.disconnecting
    # the same when the head is still incomplete (never waits for the end of a huge head)
    protocol, transport = front.connect()
    protocol.dataReceived(b"GET /fast HTTP/1.1\r\n" + b"X-Big: " + b"a" * 2000)
    assert responses_in(transport.value())[0][0] == 431


def test_a_target_that_is_not_utf8_gets_a_json_400_and_the_connection_stays_usable():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast?n=\xff\xfe") + get(b"/fast?n=ok"))
    (status, headers, body), (status2, _, body2) = responses_in(transport.value())
    assert status == 400 and headers["content-type"].startswith("text/javascript")
    assert json.loads(body) == {"status": 400, "error": True, "service": "Balancer",
                                "message": "Invalid Arguments: request target is not UTF-8"}
    assert status2 == 200 and json.loads(body2) == ["fast", "ok"]
    # raw UTF-8 is accepted (some SDKs send names unencoded)
    protocol.dataReceived(get("/fast?n=ü".encode("utf-8")))
    assert json.loads(responses_in(transport.value())[2][2]) == ["fast", "ü"]


def test_malformed_request_lines_and_framing_get_json_400():
    for raw in (b"GARBAGE\r\n\r\n", b"GET /fast HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                b"POST /later/a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                b"GET /fast HTTP/1.1\r\n bad header\r\n\r\n"):
        front = Front()
        protocol, transport = front.connect()
        protocol.dataReceived(raw)
        [(status, _, body)] = responses_in(transport.value())
        assert status == 400 and json.loads(body)["error"] is True, raw
        assert transport.disconnecting


def test_chunked_bodies_head_requests_and_http_1_0():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(b"POST /later/c HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
    protocol.dataReceived(b"2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n")
    front.pending["c"].callback("got")
    assert responses_in(transport.value())[0][0] == 200
    transport.clear()
    protocol.dataReceived(b"GET /fast HTTP/1.0\r\n\r\n")
    [(status, headers, body)] = responses_in(transport.value())
    assert status == 200 and "connection" in headers and transport.disconnecting


# -- pipelining -----------------------------------------------------------------------------------


def test_pipelined_answers_keep_request_order_and_eager_routes_start_together():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/later/a") + get(b"/later/b") + get(b"/fast?n=3"))
    assert front.calls == ["a", "b", "/fast"]  # all started: eager routes
    assert transport.value() == b""
    front.pending["b"].callback("B")
    assert transport.value() == b""  # b waits for a
    front.pending["a"].callback("A")
    bodies = [body for _, _, body in responses_in(transport.value())]
    assert bodies == [b'["A"]', b'["B"]', b'["fast","3"]']


def test_a_request_behind_a_parked_one_waits_for_it():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/slow/poll") + get(b"/fast?n=after"))
    assert front.calls == ["poll"]  # not eager: the next one is not started
    front.pending["poll"].callback("P")
    assert front.calls == ["poll", "/fast"]
    assert [body for _, _, body in responses_in(transport.value())] == [b'["P"]', b'["fast","after"]']


def test_an_error_behind_a_pending_request_waits_its_turn():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/later/a") + b"GARBAGE\r\n\r\n" + get(b"/fast"))
    assert transport.value() == b"" and not transport.disconnecting  # a is owed its answer first
    front.pending["a"].callback("A")
    (status, _, body), (status2, _, _) = responses_in(transport.value())
    assert (status, body, status2) == (200, b'["A"]', 400)
    assert transport.disconnecting and front.calls == ["a"]  # nothing after the error was read


def test_a_client_going_away_cancels_its_pending_requests():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/slow/poll"))
    pending = front.pending["poll"]
    protocol.connectionLost(None)
    assert pending.called  # cancelled
    assert front.site.connection_count == 0


# -- connection caps ------------------------------------------------------------------------------


def test_at_the_cap_the_longest_stalled_head_makes_room():
    front = Front(max_connections=3, max_connections_per_client=100)
    dribblers = []
    for index in range(3):
        protocol, transport = front.connect(port=40000 + index)
        protocol.dataReceived(b"G")
        dribblers.append(transport)
        front.clock.advance(1.0)
    protocol, transport = front.connect(port=41000)
    assert dribblers[0].disconnecting and not dribblers[1].disconnecting  # the oldest went
    protocol.dataReceived(get(b"/fast"))
    assert responses_in(transport.value())[0][0] == 200
    assert front.site.evicted == 1


def test_when_every_connection_is_busy_a_new_one_gets_503():
    front = Front(max_connections=2, max_connections_per_client=100)
    for index in range(2):
        protocol, _ = front.connect(port=40000 + index)
        protocol.dataReceived(get(b"/slow/p%d" % index))
    protocol, transport = front.connect(port=41000)
    [(status, headers, body)] = responses_in(transport.value())
    assert status == 503 and headers["retry-after"] == "1" and transport.disconnecting
    assert front.site.refused == 1 and front.site.connection_count == 2


def test_the_per_client_cap_only_counts_that_client():
    front = Front(max_connections=100, max_connections_per_client=2)
    for index in range(2):
        protocol, _ = front.connect(host="10.0.0.1", port=40000 + index)
        protocol.dataReceived(get(b"/slow/a%d" % index))
    _, refused = front.connect(host="10.0.0.1", port=41000)
    assert responses_in(refused.value())[0][0] == 503
    protocol, other = front.connect(host="10.0.0.2", port=41000)
    protocol.dataReceived(get(b"/fast"))
    assert responses_in(other.value())[0][0] == 200


def test_the_cap_stays_below_the_file_descriptor_limit():
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    settings = HttpSettings(max_connections=10 ** 9)
    assert settings.connection_cap() <= max(1, soft - 64)
    with pytest.raises(ValueError):
        HttpSettings(header_timeout=0)
    with pytest.raises(ValueError):
        HttpSettings(max_connections=0)


# -- CORS -----------------------------------------------------------------------------------------


def test_cors_default_allows_loopback_pages_only():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast", b"Origin: http://localhost:3000"))
    [(status, headers, _)] = responses_in(transport.value())
    assert status == 200
    assert headers["access-control-allow-origin"] == "http://localhost:3000"
    assert headers["vary"] == "Origin"
    for origin in (b"https://evil.example", b"null", b"http://127.0.0.1.evil.example",
                   b"http://localhost@evil.example"):
        protocol, transport = front.connect()
        protocol.dataReceived(get(b"/later/x", b"Origin: " + origin))
        [(status, headers, body)] = responses_in(transport.value())
        assert status == 403, origin
        assert "access-control-allow-origin" not in headers
        assert json.loads(body)["service"] == "Balancer"
    assert "x" not in front.pending  # the handler never ran
    # an <img>/form pointed at the server: no Origin, but the browser says cross-site
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/later/y", b"Sec-Fetch-Site: cross-site"))
    assert responses_in(transport.value())[0][0] == 403 and "y" not in front.pending
    # preflight from a foreign page is refused too; SDKs (no Origin) see the real service's '*'
    protocol, transport = front.connect()
    protocol.dataReceived(b"OPTIONS /fast HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n\r\n")
    assert responses_in(transport.value())[0][0] == 403
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast"))
    assert responses_in(transport.value())[0][1]["access-control-allow-origin"] == "*"


def test_cors_origins_setting():
    front = Front(cors_origins=["https://app.example"])
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast", b"Origin: https://app.example") + get(b"/fast", b"Origin: http://localhost"))
    (status, headers, _), (status2, _, _) = responses_in(transport.value())
    assert status == 200 and headers["access-control-allow-origin"] == "https://app.example"
    assert status2 == 403  # loopback is no longer allowed when not listed
    front = Front(cors_origins="*")
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/fast", b"Origin: https://anything.example"))
    [(status, headers, _)] = responses_in(transport.value())
    assert status == 200 and headers["access-control-allow-origin"] == "*" and "vary" not in headers


def test_binding_beyond_loopback_is_warned_about():
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1") and is_loopback_host("localhost")
    assert not is_loopback_host("0.0.0.0") and not is_loopback_host("") and not is_loopback_host("10.1.2.3")
    text = exposure_warning("0.0.0.0", False, ["*"])
    assert text.startswith("WARNING") and "ANY keys" in text and "any web page" in text
    assert "ANY keys" not in exposure_warning("10.1.2.3", True, ["loopback"])


# -- against a running server ---------------------------------------------------------------------


def _dribble_and_probe(port, dribblers):
    socks = []
    try:
        for _ in range(dribblers):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"G")
            socks.append(sock)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
            probe.sendall(b"GET /time/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while True:
                chunk = probe.recv(65536)
                if not chunk:
                    break
                answer += chunk
        closed = 0
        deadline = time.monotonic() + 5
        for sock in socks:  # every dribbler is closed by the header deadline (or evicted)
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                while sock.recv(65536):
                    pass
                closed += 1
            except (ConnectionResetError, BrokenPipeError):
                closed += 1
            except socket.timeout:
                pass
        return answer, closed
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.integration
@pytest_twisted.ensureDeferred
async def test_slow_loris_neither_exhausts_connections_nor_locks_out_clients():
    running = await start_server(reactor, port=0, data=":memory:", long_poll=1.0,
                                 header_timeout=1.0, max_connections=40)
    try:
        answer, closed = await threads.deferToThread(_dribble_and_probe, running.port, 60)
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
        assert closed == 60
        assert running.app.site.connection_count <= 1
    finally:
        await running.stop()


def _publish_pipelined(port, count):
    """Publish ``count`` stored messages, 16 pipelined at a time; returns the acknowledged ones."""
    acknowledged = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        buffer = b""
        for start in range(0, count, 16):
            batch = range(start, min(count, start + 16))
            sock.sendall(b"".join(
                b"GET /publish/demo/demo/0/durable/0/%d?uuid=p HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % seq for seq in batch))
            for seq in batch:
                while b"\r\n\r\n" not in buffer:
                    buffer += sock.recv(65536)
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                while len(buffer) < length:
                    buffer += sock.recv(65536)
                body, buffer = buffer[:length], buffer[length:]
                assert head.startswith(b"HTTP/1.1 200 "), head
                acknowledged.append((seq, int(json.loads(body)[2])))
    return acknowledged


@pytest.mark.integration
def test_every_acknowledged_stored_publish_survives_a_kill(tmp_path):
    """A stored publish is committed to SQLite before its 200: SIGKILL right after the 200s,
    restart on the same file, and every acknowledged message is there."""
    from tests.server.server_process import ServerProcess

    data = str(tmp_path / "durable.sqlite3")
    with ServerProcess("--data", data) as first:
        acknowledged = _publish_pipelined(first.port, 200)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)
    assert len(acknowledged) == 200
    with ServerProcess("--data", data) as second:
        with socket.create_connection(("127.0.0.1", second.port), timeout=10) as sock:
            sock.sendall(b"GET /v3/history/sub-key/demo/channel/durable?max=100&uuid=r HTTP/1.1\r\n"
                         b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        body = json.loads(answer.partition(b"\r\n\r\n")[2])
        stored = {(item["message"], int(item["timetoken"])) for item in body["channels"]["durable"]}
        assert stored == set(acknowledged[-100:])
        counts = _message_count(second.port, acknowledged[0][1] - 1)
        assert counts == 200
        second.terminate()


def _message_count(port, since):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /v3/history/sub-key/demo/message-counts/durable?timetoken=%d&uuid=r HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n" % since)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return json.loads(answer.partition(b"\r\n\r\n")[2])["channels"]["durable"]


def test_serve_help_documents_the_http_limits():
    result = subprocess.run([sys.executable, "-m", "pubnub_fast", "serve", "--help"], capture_output=True,
                            text=True, timeout=60, cwd=REPO_ROOT, env=dict(os.environ, COLUMNS="200"))
    text = result.stdout
    for option in ("--header-timeout", "--body-timeout", "--idle-timeout", "--max-connections",
                   "--max-connections-per-client", "--max-header-bytes", "--cors-origin", "durab"):
        assert option in text, option


def test_cli_defaults_match_the_settings():
    from pubnub_fast import __main__ as cli

    defaults = HttpSettings()
    assert (cli.DEFAULT_HEADER_TIMEOUT, cli.DEFAULT_BODY_TIMEOUT, cli.DEFAULT_IDLE_TIMEOUT,
            cli.DEFAULT_MAX_CONNECTIONS, cli.DEFAULT_MAX_PER_CLIENT, cli.DEFAULT_MAX_HEADER_BYTES) == (
        defaults.header_timeout, defaults.body_timeout, defaults.idle_timeout, defaults.max_connections,
        defaults.max_connections_per_client, defaults.max_header_bytes)


@pytest_twisted.ensureDeferred
async def test_start_server_warns_when_the_host_is_not_loopback(monkeypatch, caplog):
    import pubnub_fast.server as server_module

    running = await start_server(reactor, port=0, data=":memory:")
    await running.stop()
    assert not [record for record in caplog.records if "beyond loopback" in record.getMessage()]
    # Tests bind loopback only: make this host count as an outside one.
    monkeypatch.setattr(server_module, "is_loopback_host", lambda host: False)
    running = await start_server(reactor, port=0, data=":memory:", cors_origins=["*"])
    await running.stop()
    [record] = [record for record in caplog.records if "beyond loopback" in record.getMessage()]
    assert record.levelname == "WARNING" and "ANY keys" in record.getMessage()


def test_nothing_is_written_after_the_answer_to_connection_close():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(get(b"/later/a") + get(b"/later/b", b"Connection: close"))
    protocol.dataReceived(get(b"/later/c"))  # the client should not have, but it did
    front.pending["a"].callback("A")
    front.pending["b"].callback("B")
    assert "c" not in front.pending  # never started: nothing after the last request is read
    assert [body for _, _, body in responses_in(transport.value())] == [b'["A"]', b'["B"]']
    assert transport.disconnecting
