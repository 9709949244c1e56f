"""The ``Host`` check: DNS rebinding cannot reach the server (the gap left by issue 12).

A page on ``attacker.example`` whose name later resolves to 127.0.0.1 talks to the server
same-origin — no CORS involved — but its browser sends ``Host: attacker.example:PORT``. The
connection-level cases run on :class:`~tests.server.test_http_front.Front` (a ``task.Clock``,
no sockets); the rest against a running server over real loopback (only ever bound to
127.0.0.1: "beyond loopback" is the decision function, or a server that is made to believe it).
"""
import json
import logging
import os
import socket
import subprocess
import sys

import pytest
import pytest_twisted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet import reactor, threads

from pubnub_fast import __main__ as cli
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.server import exposure_warning, start_server
from pubnub_fast.server import http as http_module
from pubnub_fast.server.http import (
    HOST_INVALID, HOST_OK, HOST_REFUSED, REFUSAL_WARNING_INTERVAL, HostPolicy, HttpSettings, parse_host,
)
from tests.server.conftest import ApiClient
from tests.server.server_process import REPO_ROOT, ServerProcess
from tests.server.test_http_front import Front, responses_in

REBINDING_HOSTS = [
    b"attacker.example", b"attacker.example:8090", b"ATTACKER.Example:8090", b"attacker.example.:1",
    b"localhost.attacker.example", b"127.0.0.1.attacker.example:80", b"x", b"localhost-x",
    b"xn--bcher-kva.example", "bücher.example".encode("utf-8"), b"0x7f.1", b"2130706433",
    b"evil.localhost.example",
]
ALLOWED_HOSTS = [
    b"127.0.0.1", b"127.0.0.1:8090", b"127.0.0.1.:8090", b"localhost", b"LOCALHOST:3000", b"localhost.",
    b"app.localhost:5173", b"A.B.LocalHost.", b"[::1]", b"[::1]:8090", b"[::FFFF:127.0.0.1]:1",
    b"[fe80::1%25eth0]:80", b"10.1.2.3:80", b"localhost:", b"",
]
INVALID_HOSTS = [
    b"a b", b"::1", b"[::1", b"[::1]x", b"[v1.x]", b"user@localhost", b":80", b".", b"..",
    b"localhost:80:80", b"localhost:http", b"localhost:123456", b"\xff\xfe", b"local\x00host",
    b"a" * 400, "bü\u200d.example".encode("utf-8") * 30,
]


def request(target=b"/fast", host=b"127.0.0.1", *headers, version=b"HTTP/1.1", method=b"GET"):
    lines = [b"%s %s %s" % (method, target, version)]
    if host is not None:
        lines.append(b"Host: " + host)
    lines.extend(headers)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def answer(front, data):
    protocol, transport = front.connect()
    protocol.dataReceived(data)
    return responses_in(transport.value()), transport


# -- the decision ---------------------------------------------------------------------------------


def test_parse_host_normalises_names_and_addresses():
    assert parse_host(b"Example.COM.:8090") == ("example.com", False)
    assert parse_host(b"127.0.0.1:80") == ("127.0.0.1", True)
    assert parse_host(b"[0:0::1]:80") == ("[::1]", True)
    assert parse_host("bücher.example".encode("utf-8")) == ("xn--bcher-kva.example", False)
    assert parse_host(b"XN--BCHER-KVA.example") == ("xn--bcher-kva.example", False)
    for value in INVALID_HOSTS:
        assert parse_host(value) is None, value


def test_loopback_binding_answers_addresses_and_localhost_only():
    policy = HostPolicy.for_binding("127.0.0.1")
    for value in ALLOWED_HOSTS:
        assert policy.verdict(value) == HOST_OK, value
    for value in REBINDING_HOSTS:
        assert policy.verdict(value) == HOST_REFUSED, value
    for value in INVALID_HOSTS:
        assert policy.verdict(value) == HOST_INVALID, value
    for host in ("::1", "localhost", "127.0.0.2"):
        assert not HostPolicy.for_binding(host).any, host


def test_binding_beyond_loopback_answers_any_name_unless_names_are_allowed():
    for host in ("0.0.0.0", "", "::", "192.168.1.5", "myhost.lan"):
        policy = HostPolicy.for_binding(host)
        assert policy.any, host
        assert policy.verdict(b"myhost.lan:8090") == HOST_OK
        assert policy.verdict(b"attacker.example") == HOST_OK
        assert policy.verdict(b"a b") == HOST_INVALID  # syntax is still checked
        restricted = HostPolicy.for_binding(host, ["myhost.lan"])
        assert not restricted.any
        assert restricted.verdict(b"MYHOST.lan.:8090") == HOST_OK
        assert restricted.verdict(b"192.168.1.5:8090") == HOST_OK
        assert restricted.verdict(b"localhost") == HOST_OK
        assert restricted.verdict(b"attacker.example") == HOST_REFUSED
    assert HostPolicy.for_binding("0.0.0.0", ["*"]).any


def test_allowed_name_forms():
    policy = HostPolicy(["MyHost.Lan.", ".example.com", "*.corp", "bücher.example", "[::2]"])
    allowed = [b"myhost.lan", b"example.com:1", b"a.example.com", b"a.b.example.com.", b"x.corp",
               b"xn--bcher-kva.example", "BÜCHER.example".encode("utf-8")]
    refused = [b"corp", b"evilexample.com", b"example.com.evil", b"myhost.lan.evil", b"sub.myhost.lan",
               b"corp.evil"]
    for value in allowed:
        assert policy.verdict(value) == HOST_OK, value
    for value in refused:
        assert policy.verdict(value) == HOST_REFUSED, value
    assert HostPolicy(["*"]).verdict(b"anything.example") == HOST_OK
    for bad in ("myhost:8090", "a b", "*x", "x.*", "x/y", "*.1.2.3.4", ".", "user@host", "\x00", "a..b"):
        with pytest.raises(ValueError):
            HostPolicy([bad])
    with pytest.raises(ValueError, match="without a port"):
        HttpSettings(allowed_hosts=["myhost.lan:8090"])
    assert HttpSettings(allowed_hosts="a.lan, b.lan,").allowed_hosts == ("a.lan", "b.lan")


def test_the_verdict_cache_stays_bounded():
    policy = HostPolicy()
    for index in range(3 * http_module._HOST_CACHE_SIZE):
        assert policy.verdict(b"h%d.example" % index) == HOST_REFUSED
    assert len(policy._cache) <= http_module._HOST_CACHE_SIZE
    assert policy.verdict(b"127.0.0.1") == HOST_OK


# -- on the connection ------------------------------------------------------------------------------


def test_rebinding_names_get_421_with_a_json_body_before_any_handler_runs():
    front = Front()
    for host in REBINDING_HOSTS:
        [(status, headers, body)], transport = answer(front, request(b"/later/x", host))
        assert status == 421, host
        message = json.loads(body)
        assert message["status"] == 421 and message["error"] is True and message["service"] == "Balancer"
        name = parse_host(host)[0]
        assert "'%s'" % name in message["message"] and "--allow-host %s" % name in message["message"]
        assert "access-control-allow-origin" not in headers  # nothing for a foreign page to read
        assert not transport.disconnecting  # an ordinary answer: the connection stays usable
    assert "x" not in front.pending and front.calls == []
    # same-origin POST from the rebound page: refused for its Host before CORS looks at it
    [(status, _, _)], _ = answer(front, request(b"/later/p", b"attacker.example:8090",
                                                b"Origin: http://attacker.example:8090", b"Content-Length: 0",
                                                method=b"POST"))
    assert status == 421 and "p" not in front.pending
    [(status, _, _)], _ = answer(front, request(b"/fast", b"attacker.example", method=b"OPTIONS"))
    assert status == 421
    [(status, _, body)], _ = answer(front, request(b"/fast", b"attacker.example", method=b"HEAD"))
    assert status == 421 and body == b""


def test_the_421_status_line_and_keep_alive():
    front = Front()
    protocol, transport = front.connect()
    protocol.dataReceived(request(b"/fast", b"attacker.example") + request(b"/fast?n=2"))
    raw = transport.value()
    assert raw.startswith(b"HTTP/1.1 421 Misdirected Request\r\n")
    (first, _, _), (second, _, body) = responses_in(raw)
    assert (first, second, json.loads(body)) == (421, 200, ["fast", "2"])


def test_allowed_hosts_are_answered():
    front = Front()
    for host in ALLOWED_HOSTS:
        [(status, _, body)], _ = answer(front, request(b"/fast", host))
        assert (status, json.loads(body)) == (200, ["fast", ""]), host


def test_missing_duplicate_and_malformed_host_headers_get_400():
    front = Front()
    [(status, _, body)], transport = answer(front, request(b"/later/m", None))
    assert status == 400 and "missing Host" in json.loads(body)["message"]
    for hosts in ([b"127.0.0.1", b"127.0.0.1"], [b"127.0.0.1", b"attacker.example"], [b"a", b""]):
        data = request(b"/later/d", hosts[0], *[b"HOST: " + host for host in hosts[1:]])
        [(status, _, body)], transport = answer(front, data)
        assert status == 400 and "more than one Host" in json.loads(body)["message"], hosts
        assert transport.disconnecting
    for host in INVALID_HOSTS:
        [(status, _, body)], _ = answer(front, request(b"/later/i", host))
        assert status == 400 and json.loads(body)["message"] == "Bad Request: invalid Host header", host
    assert front.calls == []
    # HTTP/1.0 may leave Host out (no browser does)
    [(status, _, _)], _ = answer(front, request(b"/fast", None, version=b"HTTP/1.0"))
    assert status == 200


def test_absolute_form_targets_are_checked_by_their_authority():
    front = Front()
    cases = [
        (b"http://attacker.example:8090/fast", b"127.0.0.1", 421),
        (b"HTTP://Attacker.Example/fast?n=1", b"127.0.0.1", 421),
        (b"https://attacker.example", b"127.0.0.1", 421),
        (b"http://127.0.0.1:8090/fast", b"attacker.example", 200),  # the authority replaces Host
        (b"http://[::1]:8090/fast?n=1", b"127.0.0.1", 200),
        (b"HTTP://localhost/fast#frag", b"127.0.0.1", 200),
        (b"http://user@localhost/fast", b"127.0.0.1", 400),
        (b"http:///fast", b"127.0.0.1", 200),  # no authority: nothing to misdirect
    ]
    for target, host, expected in cases:
        [(status, _, _)], _ = answer(front, request(target, host))
        assert status == expected, target
    [(status, _, _)], _ = answer(front, request(b"http://127.0.0.1/fast", None))
    assert status == 400  # HTTP/1.1 still requires Host
    [(status, _, _)], _ = answer(front, request(b"http://attacker.example/fast", None, version=b"HTTP/1.0"))
    assert status == 421


def test_allow_host_setting_and_the_beyond_loopback_default_on_the_connection():
    front = Front(allowed_hosts=["myhost.lan", ".example.com"])
    for host, expected in ((b"myhost.lan:8090", 200), (b"www.example.com", 200), (b"127.0.0.1", 200),
                           (b"attacker.example", 421)):
        [(status, _, _)], _ = answer(front, request(b"/fast", host))
        assert status == expected, host
    front = Front(bind="0.0.0.0")
    [(status, _, _)], _ = answer(front, request(b"/fast", b"myhost.lan:8090"))
    assert status == 200
    front = Front(bind="0.0.0.0", allowed_hosts=["myhost.lan"])
    [(status, _, _)], _ = answer(front, request(b"/fast", b"attacker.example"))
    assert status == 421


def test_refusals_are_logged_at_most_once_a_minute(caplog):
    front = Front()
    caplog.set_level(logging.WARNING, logger="pubnub_fast.server.http")

    def warnings():
        return [r.getMessage() for r in caplog.records if "refused a request for host" in r.getMessage()]

    protocol, _ = front.connect()
    for index in range(50):
        protocol.dataReceived(request(b"/fast", b"h%d.attacker.example" % index))
    assert len(warnings()) == 1
    assert "'h0.attacker.example'" in warnings()[0] and "--allow-host h0.attacker.example" in warnings()[0]
    front.clock.advance(REFUSAL_WARNING_INTERVAL - 1)
    protocol.dataReceived(request(b"/fast", b"again.example"))
    assert len(warnings()) == 1
    front.clock.advance(2)
    protocol.dataReceived(request(b"/fast", b"later.example"))
    assert len(warnings()) == 2
    assert "'later.example'" in warnings()[1] and "(50 more refused since the last warning)" in warnings()[1]


# hypothesis: header values as a client could send them (no line breaks: the parser splits there)
_HOST_BYTES = st.binary(max_size=80).map(lambda value: value.replace(b"\n", b""))
_HOST_TEXT = st.builds(
    lambda name, port: (name + port).encode("utf-8"),
    st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["", ":", ":80", ":65535", ":x", "::1"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(host=st.one_of(_HOST_BYTES, _HOST_TEXT), absolute=st.booleans(),
       allowed=st.sampled_from([(), ("myhost.lan",), (".example.com",), ("*",)]))
def test_no_host_value_gets_a_5xx(host, absolute, allowed):
    front = Front(allowed_hosts=allowed)
    target = b"http://" + host.replace(b" ", b"") + b"/fast" if absolute else b"/fast"
    protocol, transport = front.connect()
    protocol.dataReceived(request(target, b"127.0.0.1" if absolute else host))
    found = responses_in(transport.value())
    assert len(found) == 1
    status, _, body = found[0]
    # 404: the authority of an absolute target ends at a '/', '?' or '#' in the generated host
    assert status in ((200, 400, 404, 421) if absolute else (200, 400, 421)), (host, status)
    assert json.loads(body) is not None
    if not absolute:
        parsed = parse_host(host.strip())
        expected = 200 if not host.strip() else 400 if parsed is None else 200 if HostPolicy(allowed).allows(*parsed) else 421
        assert status == expected, host


# -- a running server -----------------------------------------------------------------------------


def _raw_exchange(port, data):
    """Send ``data`` on a new loopback connection; all the bytes the server answers (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


def _exchange(port, data):
    return threads.deferToThread(_raw_exchange, port, data)


def _status(raw):
    return int(raw.split(b" ", 2)[1])


@pytest.mark.integration
@pytest_twisted.ensureDeferred
async def test_a_rebound_page_can_neither_publish_nor_read(server, api):
    publish = (b"/publish/demo/demo/0/secret-ch/0/%22stolen%22?uuid=attacker")
    history = b"/v2/history/sub-key/demo/channel/secret-ch?uuid=attacker"
    port = server.port
    for host in (b"attacker.example:%d" % port, b"ATTACKER.EXAMPLE.:%d" % port):
        raw = await _exchange(port, request(publish, host, b"Connection: close"))
        assert _status(raw) == 421, raw
        assert b"--allow-host attacker.example" in raw
    raw = await _exchange(port, request(b"http://attacker.example:%d%s" % (port, publish), b"127.0.0.1:%d" % port,
                                        b"Connection: close"))
    assert _status(raw) == 421
    raw = await _exchange(port, request(publish, b"127.0.0.1", b"Host: attacker.example", b"Connection: close"))
    assert _status(raw) == 400
    raw = await _exchange(port, request(history, b"attacker.example:%d" % port, b"Connection: close"))
    assert _status(raw) == 421
    reply = await api.get(history.split(b"?")[0].decode())
    assert reply.status == 200 and reply.json[0] == []  # nothing was published
    # the same requests for the names the machine's own clients use are served
    for host in (b"127.0.0.1:%d" % port, b"localhost:%d" % port, b"app.localhost:%d" % port):
        raw = await _exchange(port, request(b"/time/0", host, b"Connection: close"))
        assert _status(raw) == 200, host


@pytest.mark.integration
@pytest_twisted.ensureDeferred
async def test_sdk_clients_and_file_urls_keep_working_through_localhost_and_the_address():
    running = await start_server(reactor, port=0, data=":memory:", long_poll=2.0,
                                 allowed_hosts=["myhost.lan"])
    clients = []
    try:
        for origin in ("localhost:%d" % running.port, running.origin):
            config = PNConfiguration(subscribe_key="demo", publish_key="demo", uuid="sdk")
            config.origin = origin
            config.ssl = False
            pubnub = PubNubTwisted(config, reactor=reactor)
            clients.append(pubnub)
            envelope = await pubnub.publish().channel("sdk-ch").message({"via": origin}).deferred()
            assert envelope.result.timetoken > 0
            history = await pubnub.history().channel("sdk-ch").count(10).deferred()
            assert {"via": origin} in [item.entry for item in history.result.messages]
        # the upload URL and download redirect handed out name the address the connection reached
        api = ApiClient("http://localhost:%d" % running.port)
        generated = await api.request("POST", "/v1/files/demo/channels/ch/generate-upload-url",
                                      body=b'{"name":"a.txt"}')
        assert generated.status == 200
        upload_url = generated.json["file_upload_request"]["url"]
        assert upload_url.startswith("http://127.0.0.1:%d/" % running.port)
        assert HostPolicy().verdict(upload_url.split("/")[2].encode()) == HOST_OK
        # an allowed name passes, others do not
        raw = await _exchange(running.port, request(b"/time/0", b"MyHost.lan:1", b"Connection: close"))
        assert _status(raw) == 200
        raw = await _exchange(running.port, request(b"/time/0", b"other.lan", b"Connection: close"))
        assert _status(raw) == 421
    finally:
        for pubnub in clients:
            await pubnub.stop()
        await running.stop()


@pytest.mark.integration
@pytest_twisted.ensureDeferred
async def test_a_server_bound_beyond_loopback_answers_any_name_by_default(monkeypatch, caplog):
    # Tests bind loopback only: make 127.0.0.1 count as an outside address for the decision.
    monkeypatch.setattr(http_module, "is_loopback_host", lambda host: False)
    import pubnub_fast.server as server_module

    monkeypatch.setattr(server_module, "is_loopback_host", lambda host: False)
    running = await start_server(reactor, port=0, data=":memory:")
    try:
        raw = await _exchange(running.port, request(b"/time/0", b"myhost.lan:8090", b"Connection: close"))
        assert _status(raw) == 200
    finally:
        await running.stop()
    [warning] = [r.getMessage() for r in caplog.records if "beyond loopback" in r.getMessage()]
    assert "any Host name" in warning and "--allow-host" in warning
    caplog.clear()
    running = await start_server(reactor, port=0, data=":memory:", allowed_hosts=["myhost.lan"])
    try:
        raw = await _exchange(running.port, request(b"/time/0", b"myhost.lan:8090", b"Connection: close"))
        assert _status(raw) == 200
        raw = await _exchange(running.port, request(b"/time/0", b"attacker.example", b"Connection: close"))
        assert _status(raw) == 421
    finally:
        await running.stop()
    [warning] = [r.getMessage() for r in caplog.records if "beyond loopback" in r.getMessage()]
    assert "any Host name" not in warning


def test_exposure_warning_names_the_host_option():
    assert "--allow-host" in exposure_warning("0.0.0.0", True, ["loopback"])
    assert "--allow-host" in exposure_warning("0.0.0.0", True, ["loopback"], ["*"])
    assert "any Host name" not in exposure_warning("0.0.0.0", True, ["loopback"], ["myhost.lan"])


# -- the command line -----------------------------------------------------------------------------


def test_allow_host_option_parses_and_validates():
    args = cli.build_parser().parse_args(["serve", "--allow-host", "myhost.lan", "--allow-host", ".example.com"])
    assert args.allowed_hosts == ["myhost.lan", ".example.com"]
    assert cli.build_parser().parse_args(["serve"]).allowed_hosts == []
    assert HttpSettings().allowed_hosts == ()
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    for bad in ("myhost.lan:8090", "a b"):
        result = subprocess.run(
            [sys.executable, "-m", "pubnub_fast", "serve", "--allow-host", bad], env=env, cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=30,
        )
        assert result.returncode == 2 and "--allow-host" in result.stderr, result.stderr


def test_serve_help_documents_allow_host():
    result = subprocess.run([sys.executable, "-m", "pubnub_fast", "serve", "--help"], capture_output=True,
                            text=True, timeout=60, cwd=REPO_ROOT, env=dict(os.environ, COLUMNS="200"))
    assert "--allow-host NAME" in result.stdout and "421" in result.stdout and "DNS-rebinding" in result.stdout


@pytest.mark.integration
def test_serve_allow_host_over_loopback():
    with ServerProcess("--allow-host", "myhost.lan", "--allow-host", "*.corp.example") as server:
        for host, expected in ((b"myhost.lan:%d" % server.port, 200), (b"build.corp.example", 200),
                               (b"127.0.0.1:%d" % server.port, 200), (b"corp.example", 421),
                               (b"attacker.example:%d" % server.port, 421)):
            raw = _raw_exchange(server.port, request(b"/time/0", host, b"Connection: close"))
            assert _status(raw) == expected, (host, raw)
        assert server.terminate() == 0
    refusals = [line for line in server.output if "refused a request for host" in line]
    assert len(refusals) == 1 and "'corp.example'" in refusals[0]
