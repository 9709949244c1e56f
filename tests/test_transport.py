"""The transport seam: one suite that every transport passes (lean ``HTTP11Transport`` and
``TreqTransport``) over real loopback connections — bodies of every framing, gzip, keep-alive,
refused connections, timeouts, cancellation, size cap, malformed and truncated responses, TLS
verification with a CA the test trusts — then the lean transport's own rules, deterministically
(parser fed byte by byte, the resend rule for connections the server closed, the idle check).
"""
import datetime
import gzip
import ipaddress
import socket

import pytest
import pytest_twisted
from twisted.internet import defer, task
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from twisted.web.resource import Resource

from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.http11 import HTTP11Transport
from pubnub_fast.pipeline import category_for_failure
from pubnub_fast.transport import ResponseTooLarge, TransportResponse, TreqTransport

pytestmark = [
    # Twisted's listenSSL still hands pyOpenSSL objects to pyOpenSSL (server side of the test only)
    pytest.mark.filterwarnings("ignore:Passing pyOpenSSL:DeprecationWarning"),
]

PUBLISH = PNOperationType.PNPublishOperation
OK = b'[1,"Sent","17000000000000000"]'


def response(body, code=200, headers=()):
    head = [b"HTTP/1.1 %d X" % code, b"Content-Length: %d" % len(body)] + list(headers)
    return b"\r\n".join(head) + b"\r\n\r\n" + body


# --- a scripted loopback server -------------------------------------------------------------------------

class ScriptedServer(Protocol):
    """Reads requests (head + Content-Length body) and answers each with the factory's next answer:
    bytes to write, ``None`` to stay silent, or a callable ``(protocol) -> None``."""

    def connectionMade(self):
        self.factory.connections.append(self)
        self.buffer = b""

    def dataReceived(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            request = self.buffer[:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            self.factory.requests.append(request)
            answer = self.factory.answers.pop(0) if self.factory.answers else self.factory.default
            if callable(answer):
                answer(self)
            elif answer is not None:
                self.transport.write(answer)

    def connectionLost(self, reason):
        self.factory.lost.append(self)


class ScriptedFactory(Factory):
    protocol = ScriptedServer

    def __init__(self, *answers, default=None):
        self.answers = list(answers)
        self.default = response(OK) if default is None else default
        self.requests = []
        self.connections = []
        self.lost = []


def listen(factory, tls=None):
    from twisted.internet import reactor

    if tls is not None:
        return reactor.listenSSL(0, factory, tls, interface="127.0.0.1")
    return reactor.listenTCP(0, factory, interface="127.0.0.1")


TRANSPORTS = ["http11", "treq"]


def make_transport(kind, **kwargs):
    from twisted.internet import reactor

    if kind == "http11":
        return HTTP11Transport(reactor, **kwargs)
    return TreqTransport(reactor, **kwargs)


class Loopback:
    """A transport of ``kind`` and the servers it talks to; everything is closed at the end."""

    def __init__(self, kind, **kwargs):
        self.kind = kind
        self.transport = make_transport(kind, **kwargs)
        self.ports = []

    def serve(self, factory, tls=None):
        port = listen(factory, tls)
        self.ports.append(port)
        return port.getHost().port

    @defer.inlineCallbacks
    def close(self):
        yield self.transport.close()
        for port in self.ports:
            yield port.stopListening()


@pytest.fixture(params=TRANSPORTS)
def loopback(request):
    return request.param


def category(failure):
    return category_for_failure(failure, PUBLISH)[0]


@pytest_twisted.inlineCallbacks
def outcome(d):
    """``(response, None)`` or ``(None, failure)``."""
    try:
        result = yield d
    except Exception:
        return None, Failure()
    return result, None


# --- the shared suite ------------------------------------------------------------------------------------

@pytest_twisted.inlineCallbacks
def test_bodies_of_every_framing_and_keep_alive(loopback):
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Tag: a\r\n\r\n"
               b"4;ext=1\r\n[1,2\r\n3\r\n,3]\r\n0\r\nTrailer: x\r\n\r\n")
    zipped = gzip.compress(b'{"zipped": true}')
    factory = ScriptedFactory(response(OK, headers=[b"Content-Type: application/json"]), chunked,
                              response(zipped, headers=[b"Content-Encoding: gzip"]), response(b"", code=204))
    net = Loopback(loopback)
    port = net.serve(factory)
    url = "http://127.0.0.1:%d/publish/a/b/0/c/0/1?uuid=u%%20v" % port
    try:
        first = yield net.transport.request("GET", url, headers={"User-Agent": "t"}, timeout=5)
        assert isinstance(first, TransportResponse)
        assert (first.code, first.body) == (200, OK)
        assert first.header("content-type") == "application/json"
        assert first.headers.getRawHeaders(b"content-type") == [b"application/json"]
        second = yield net.transport.request("GET", url, timeout=5)
        assert second.body == b"[1,2,3]"
        assert second.header("X-Tag") == "a"
        third = yield net.transport.request("POST", url, body=b'"m"', headers={"Content-Type": "application/json"},
                                            timeout=5)
        assert third.body == b'{"zipped": true}'
        fourth = yield net.transport.request("DELETE", url, timeout=5)
        assert (fourth.code, fourth.body) == (204, b"")
        assert len(factory.connections) == 1  # one persistent connection carried all four
        assert factory.requests[0].startswith(b"GET /publish/a/b/0/c/0/1?uuid=u%20v HTTP/1.1\r\n")
        assert b"\r\ncontent-length: 3\r\n" in factory.requests[2].lower()
        assert factory.requests[2].endswith(b'\r\n\r\n"m"')
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_a_body_larger_than_the_socket_buffers_arrives_whole_and_in_order(loopback):
    body = bytes(range(256)) * (16 * 1024)  # 4 MiB: the kernel takes it in several writes

    def check(server):
        request = server.factory.requests[-1]
        received = request[request.find(b"\r\n\r\n") + 4:]
        server.transport.write(response(b"%d %d" % (len(received), received == body)))

    factory = ScriptedFactory(check)
    net = Loopback(loopback)
    port = net.serve(factory)
    try:
        answer = yield net.transport.request("POST", "http://127.0.0.1:%d/x" % port, body=body, timeout=20)
        assert answer.body == b"%d 1" % len(body)
        again = yield net.transport.request("GET", "http://127.0.0.1:%d/y" % port, timeout=5)
        assert again.body == OK  # the connection stayed in step
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_an_answer_before_the_whole_request_went_out_does_not_free_the_connection():
    """A server answering (say 413) while the client is still sending a large body: the rest of
    the body must not be taken for the next request on a reused connection."""
    class EarlyAnswer(Protocol):
        def connectionMade(self):
            self.factory.connections.append(self)
            self.answered = False

        def dataReceived(self, data):
            self.factory.requests.append(data)
            if not self.answered:
                self.answered = True
                self.transport.write(response(b'{"status": 413}', code=413))
                self.transport.pauseProducing()  # stop reading: the client's body stays unsent

    factory = ScriptedFactory()
    factory.protocol = EarlyAnswer
    net = Loopback("http11")
    port = net.serve(factory)
    try:
        answer = yield net.transport.request("POST", "http://127.0.0.1:%d/x" % port, body=b"x" * (64 << 20),
                                             timeout=20, max_response_size=1 << 20)
        assert answer.code == 413
        yield wait_until(lambda: factory.lost or not net.transport.open_connections(), tries=50)
        assert net.transport.open_connections() == 0
    finally:
        for server in factory.connections:
            server.transport.abortConnection()
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_refused_connection_is_a_network_issue(loopback):
    net = Loopback(loopback)
    port = net.serve(ScriptedFactory())
    yield net.ports.pop().stopListening()
    try:
        _, failure = yield outcome(net.transport.request("GET", "http://127.0.0.1:%d/time/0" % port, timeout=5))
        assert category(failure) == PNStatusCategory.PNNetworkIssuesCategory
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_unknown_host_is_a_network_issue(loopback):
    net = Loopback(loopback)
    try:
        _, failure = yield outcome(net.transport.request("GET", "http://no-such-host.invalid/time/0", timeout=5))
        assert category(failure) == PNStatusCategory.PNNetworkIssuesCategory
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_silent_server_times_out_and_the_connection_is_closed(loopback):
    factory = ScriptedFactory(None)
    net = Loopback(loopback)
    port = net.serve(factory)
    try:
        _, failure = yield outcome(net.transport.request("GET", "http://127.0.0.1:%d/x" % port, timeout=0.2))
        assert failure.check(defer.TimeoutError)
        assert category(failure) == PNStatusCategory.PNTimeoutCategory
        yield wait_until(lambda: factory.lost, tries=50)
        assert len(factory.lost) == 1
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_cancel_is_cancelled_and_closes_the_connection(loopback):
    factory = ScriptedFactory(None)
    net = Loopback(loopback)
    port = net.serve(factory)
    try:
        d = net.transport.request("GET", "http://127.0.0.1:%d/x" % port, timeout=5)
        yield wait_until(lambda: factory.requests, tries=100)
        d.cancel()
        _, failure = yield outcome(d)
        assert category(failure) == PNStatusCategory.PNCancelledCategory
        yield wait_until(lambda: factory.lost, tries=50)
        assert len(factory.lost) == 1
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_response_size_cap(loopback):
    factory = ScriptedFactory(response(b"x" * 5000), response(b"y" * 100))
    net = Loopback(loopback)
    port = net.serve(factory)
    url = "http://127.0.0.1:%d/x" % port
    try:
        _, failure = yield outcome(net.transport.request("GET", url, timeout=5, max_response_size=1000))
        assert failure.check(ResponseTooLarge)
        assert category(failure) == PNStatusCategory.PNMalformedResponseCategory
        fine = yield net.transport.request("GET", url, timeout=5, max_response_size=1000)
        assert fine.body == b"y" * 100
    finally:
        yield net.close()


@pytest.mark.parametrize("answer", [
    b"this is not HTTP\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[1,",  # then the server closes: truncated
], ids=["garbage", "truncated"])
@pytest_twisted.inlineCallbacks
def test_malformed_or_truncated_response_is_a_network_issue(loopback, answer):
    def answer_and_close(server):
        server.transport.write(answer)
        server.transport.loseConnection()

    net = Loopback(loopback)
    port = net.serve(ScriptedFactory(answer_and_close))
    try:
        result, failure = yield outcome(net.transport.request("GET", "http://127.0.0.1:%d/x" % port, timeout=5))
        assert result is None
        assert category(failure) == PNStatusCategory.PNNetworkIssuesCategory
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_connection_closed_by_the_server_while_idle_is_not_reused(loopback):
    """The server closes its keep-alive connection after answering; the next publish goes out
    once, on a new connection, and succeeds."""
    def answer_then_close(server):
        server.transport.write(response(OK))
        server.transport.loseConnection()

    if loopback == "treq":
        pytest.xfail("Twisted's HTTPConnectionPool hands out a connection the server closed right after "
                     "answering (retryAutomatically is off, so the publish fails): one reason the lean "
                     "transport is the default")
    factory = ScriptedFactory(answer_then_close)
    net = Loopback(loopback)
    port = net.serve(factory)
    url = "http://127.0.0.1:%d/publish/p/s/0/c/0/1" % port
    try:
        yield net.transport.request("GET", url, timeout=5)
        yield wait_until(lambda: factory.lost, tries=50)
        second = yield net.transport.request("GET", url, timeout=5)
        assert second.body == OK
        assert len(factory.requests) == 2
        assert len(factory.connections) == 2
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_close_closes_idle_connections(loopback):
    factory = ScriptedFactory()
    net = Loopback(loopback)
    port = net.serve(factory)
    try:
        yield net.transport.request("GET", "http://127.0.0.1:%d/time/0" % port, timeout=5)
        assert net.transport.open_connections() == 1
        yield net.transport.close()
        assert net.transport.open_connections() == 0
        yield wait_until(lambda: factory.lost, tries=50)
        assert len(factory.lost) == 1
    finally:
        yield net.close()


# --- TLS with a CA the test trusts ------------------------------------------------------------------------

def _tls_material():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pubnub_fast test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    server_pem = cert.public_bytes(pem) + key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL,
                                                             serialization.NoEncryption())
    return ca.public_bytes(pem), server_pem


@pytest.fixture(scope="module")
def tls_material():
    return _tls_material()


@pytest.mark.parametrize("trusted, host, expected", [
    (True, "127.0.0.1", None),
    (False, "127.0.0.1", PNStatusCategory.PNTLSUntrustedCertificateCategory),
    (True, "localhost", PNStatusCategory.PNTLSUntrustedCertificateCategory),  # certificate names 127.0.0.1 only
], ids=["trusted", "untrusted", "wrong-hostname"])
@pytest_twisted.inlineCallbacks
def test_tls_verifies_certificate_and_hostname(loopback, tls_material, trusted, host, expected):
    from twisted.internet import ssl

    ca_pem, server_pem = tls_material
    trust = ssl.trustRootFromCertificates([ssl.Certificate.loadPEM(ca_pem)]) if trusted else None
    net = Loopback(loopback, trust_root=trust)
    port = net.serve(ScriptedFactory(), tls=ssl.PrivateCertificate.loadPEM(server_pem).options())
    try:
        result, failure = yield outcome(net.transport.request("GET", "https://%s:%d/time/0" % (host, port),
                                                              timeout=5))
        if expected is None:
            assert failure is None, failure
            assert result.body == OK
        else:
            assert result is None
            assert category(failure) == expected
    finally:
        yield net.close()


@pytest_twisted.inlineCallbacks
def test_tls_handshake_with_a_plain_server_is_a_tls_failure(loopback):
    class PlainAnswer(Protocol):
        def dataReceived(self, data):  # the ClientHello: answer in plain HTTP
            self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            self.transport.loseConnection()

    factory = Factory.forProtocol(PlainAnswer)
    net = Loopback(loopback)
    port = net.serve(factory)
    try:
        result, failure = yield outcome(net.transport.request("GET", "https://127.0.0.1:%d/time/0" % port, timeout=5))
        assert result is None
        assert category(failure) in (PNStatusCategory.PNTLSConnectionFailedCategory,
                                     PNStatusCategory.PNTLSUntrustedCertificateCategory)
    finally:
        yield net.close()


def _reactor():
    from twisted.internet import reactor

    return reactor


@defer.inlineCallbacks
def wait_until(condition, tries):
    """Check ``condition()`` up to ``tries`` times, 10 ms apart on the reactor (a bounded wait)."""
    for _ in range(tries):
        if condition():
            return
        yield task.deferLater(_reactor(), 0.01, lambda: None)


# --- the lean transport's own rules, deterministically ------------------------------------------------------

class StringConnections:
    """An ``endpoint_factory`` handing out connections over ``StringTransport``s."""

    def __init__(self):
        self.connections = []

    def __call__(self, scheme, host, port):
        return self

    def connect(self, factory):
        protocol = factory.buildProtocol(None)
        protocol.makeConnection(StringTransport())
        self.connections.append(protocol)
        return defer.succeed(protocol)


def lean(**kwargs):
    clock = task.Clock()
    connections = StringConnections()
    transport = HTTP11Transport(clock, clock=clock, endpoint_factory=connections, **kwargs)
    return transport, connections, clock


def settle(d):
    results = []
    d.addBoth(results.append)
    return results


@pytest.mark.parametrize("answer, body", [
    (response(b'{"a": 1}'), b'{"a": 1}'),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n" + b"0123456789abcdef"
     + b"\r\n0\r\n\r\n", b"abc0123456789abcdef"),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok"),
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
     % (len(gzip.compress(b"[1]")), gzip.compress(b"[1]")), b"[1]"),
], ids=["length", "chunked", "interim-1xx", "gzip"])
@pytest.mark.parametrize("step", [1, 2, 7, 1000])
def test_parser_accepts_any_split_of_the_bytes(answer, body, step):
    transport, connections, _ = lean()
    results = settle(transport.request("GET", "http://h/x", timeout=5))
    (connection,) = connections.connections
    for start in range(0, len(answer), step):
        connection.dataReceived(answer[start:start + step])
    assert len(results) == 1 and isinstance(results[0], TransportResponse), results
    assert results[0].body == body
    # the connection is idle again and carries the next request
    settle(transport.request("GET", "http://h/y", timeout=5))
    assert len(connections.connections) == 1
    assert connection.transport.value().count(b"GET ") == 2


def test_request_bytes():
    transport, connections, _ = lean()
    transport.request("POST", "http://h:81/p/a%20b?x=1#frag", headers={"User-Agent": "u", "X-Evil": "a\r\nB: c"},
                      body=b"12345", timeout=5)
    written = connections.connections[0].transport.value()
    assert written == (b"POST /p/a%20b?x=1 HTTP/1.1\r\nHost: h:81\r\nUser-Agent: u\r\nX-Evil: a B: c\r\n"
                       b"Content-Length: 5\r\nAccept-Encoding: gzip\r\n\r\n12345")


def test_a_repeating_request_writes_the_bytes_of_request():
    """``repeating(method, head, tail)`` prepares what ``request(method, head + middle + tail)``
    would send; only ``middle`` is encoded per request."""
    transport, connections, clock = lean()
    head, tail = "http://h:81/v2/subscribe/k/a%2Cb/0?", "&uuid=u%20v&pnsdk=x"
    headers = {"User-Agent": "agent/1"}
    send = transport.repeating("GET", head, tail, headers=headers, timeout=310, idempotent=True)
    results = []
    for middle in ("tt=0", "tt=17000000000000001&tr=4"):
        results.append(settle(send(middle)))
        connections.connections[0].dataReceived(response(b"[1]"))
        transport.request("GET", head + middle + tail, headers=headers, timeout=310, idempotent=True)
        connections.connections[0].dataReceived(response(b"[2]"))
    written = connections.connections[0].transport.value().split(b"GET ")[1:]
    assert len(written) == 4 and written[0] == written[1] and written[2] == written[3] and written[0] != written[2]
    assert written[2].startswith(b"/v2/subscribe/k/a%2Cb/0?tt=17000000000000001&tr=4&uuid=u%20v&pnsdk=x HTTP/1.1\r\n"
                                 b"Host: h:81\r\nUser-Agent: agent/1\r\n")
    assert [r[0].body for r in results] == [b"[1]", b"[1]"]
    assert results[1][0].url == head + "tt=17000000000000001&tr=4" + tail
    # its deadline and the resend rule are those of request()
    late = settle(send("tt=5"))
    clock.advance(310)
    assert late[0].check(defer.TimeoutError) and clock.getDelayedCalls() == []


@pytest.mark.parametrize("method, head, tail, headers", [
    ("POST", "http://h/publish?", "", None),
    ("GET", "ftp://h/x?", "", None),
    ("GET", "http://h/x?", "#frag", None),
    ("GET", "http://h/caf\u00e9?", "", None),
    ("GET", "http://h", "/x", None),
    ("GET", "http://h/x?", "", {"Content-Type": "multipart/form-data; boundary=b"}),
], ids=["post", "scheme", "fragment", "non-ascii", "path-in-tail", "multipart"])
def test_requests_that_are_not_prepared_for_repeating(method, head, tail, headers):
    transport, _, _ = lean()
    assert transport.repeating(method, head, tail, headers=headers, timeout=5) is None


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 abc OK\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
    b"HTTP/2 200 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
])
def test_malformed_responses_fail_as_network_issues(answer):
    transport, connections, _ = lean()
    results = settle(transport.request("GET", "http://h/x", timeout=5))
    connections.connections[0].dataReceived(answer)
    assert len(results) == 1 and isinstance(results[0], Failure), results
    assert category(results[0]) == PNStatusCategory.PNNetworkIssuesCategory


def test_response_size_cap_counts_chunks_and_declared_length():
    transport, connections, _ = lean(max_response_size=10)
    declared = settle(transport.request("GET", "http://h/x", timeout=5))
    connections.connections[0].dataReceived(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")
    assert declared[0].check(ResponseTooLarge)
    chunked = settle(transport.request("GET", "http://h/x", timeout=5))
    connections.connections[1].dataReceived(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n")
    assert chunked == []
    connections.connections[1].dataReceived(b"8\r\n12345678\r\n")
    assert chunked[0].check(ResponseTooLarge)
    transport, connections, _ = lean(max_response_size=200)
    bomb = settle(transport.request("GET", "http://h/x", timeout=5))
    zipped = gzip.compress(b"0" * 100000)
    assert len(zipped) < 200
    connections.connections[0].dataReceived(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
                                            % (len(zipped), zipped))
    assert bomb[0].check(ResponseTooLarge)  # the decoded size counts


def test_timeout_covers_the_wait_for_a_connection_and_leaves_no_timer():
    transport, connections, clock = lean(max_connections=1)
    first = settle(transport.request("GET", "http://h/1", timeout=5))
    second = settle(transport.request("GET", "http://h/2", timeout=2))
    assert len(connections.connections) == 1  # the pool is full: the second waits
    clock.advance(2)
    assert second[0].check(defer.TimeoutError) and first == []
    clock.advance(3)
    assert first[0].check(defer.TimeoutError)
    assert connections.connections[0].transport.disconnecting
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("next_timeout, times_out_at", [(10, 18), (1, 9)], ids=["later", "sooner"])
def test_a_request_sent_from_the_callbacks_of_the_previous_one_keeps_its_own_deadline(next_timeout, times_out_at):
    """The long-poll pattern: the next request is sent while the previous one's callbacks run. Its
    deadline runs from its own start, whether the previous timer is moved to it (a later
    deadline) or a new one is scheduled; nothing is left behind either way."""
    transport, connections, clock = lean()
    sent = []

    def send_next(response):
        sent.append(settle(transport.request("GET", "http://h/next", timeout=next_timeout)))
        assert len(clock.getDelayedCalls()) == 1  # the previous request's timer is gone or moved
        return response

    first = transport.request("GET", "http://h/first", timeout=10)
    timer = clock.getDelayedCalls()[0]
    first.addCallback(send_next)
    clock.advance(8)
    connections.connections[0].dataReceived(response(b"[1]"))
    (second,) = sent
    assert (clock.getDelayedCalls()[0] is timer) == (next_timeout == 10)
    clock.advance(times_out_at - 8 - 0.5)
    assert second == []
    clock.advance(0.5)
    assert second[0].check(defer.TimeoutError)
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("send_after", [False, True])
def test_a_callback_advancing_the_clock_past_the_finished_requests_deadline(send_after):
    """The finished request's timer, lent while its callbacks run, firing then is harmless."""
    transport, connections, clock = lean()
    later = []

    def advance(response):
        clock.advance(20)
        if send_after:
            later.append(settle(transport.request("GET", "http://h/next", timeout=10)))
        return response

    first = transport.request("GET", "http://h/first", timeout=10)
    first.addCallback(advance)
    results = settle(first)
    connections.connections[0].dataReceived(response(b"[1]"))
    assert results[0].body == b"[1]"
    if send_after:
        clock.advance(9.9)
        assert later[0] == []
        clock.advance(0.1)
        assert later[0][0].check(defer.TimeoutError)
    assert clock.getDelayedCalls() == []


def test_a_finished_request_leaves_no_timer_for_later_ones():
    transport, connections, clock = lean()
    first = settle(transport.request("GET", "http://h/1", timeout=10))
    connections.connections[0].dataReceived(response(b"[1]"))
    assert first[0].body == b"[1]" and clock.getDelayedCalls() == []
    clock.advance(5)
    second = settle(transport.request("GET", "http://h/2", timeout=10))
    clock.advance(9.9)
    assert second == []
    clock.advance(0.1)
    assert second[0].check(defer.TimeoutError) and clock.getDelayedCalls() == []


def test_waiting_requests_take_freed_connections_in_order():
    transport, connections, clock = lean(max_connections=2)
    results = [settle(transport.request("GET", "http://h/%d" % i, timeout=5)) for i in range(5)]
    assert len(connections.connections) == 2
    a, b = connections.connections
    for _ in range(2):
        a.dataReceived(response(b"[1]"))
        b.dataReceived(response(b"[2]"))
    a.dataReceived(response(b"[3]"))
    assert [r[0].body for r in results] == [b"[1]", b"[2]", b"[1]", b"[2]", b"[3]"]
    assert [line.split(b" ")[1] for line in a.transport.value().split(b"\r\n") if line.startswith(b"GET")] == \
        [b"/0", b"/2", b"/4"]
    assert clock.getDelayedCalls() == []


@pytest.mark.parametrize("head, reusable", [
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2", False),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close", False),
    (b"HTTP/1.1 200 OK\r\nConnection: x\r\nContent-Length: 2\r\nCONNECTION:  Close ", False),
    (b"HTTP/1.1 200 OK\r\nContent-Length:  2 \r\nX-A: b\r\ncontent-length: 2\r\nX-B: c", True),
    (b"HTTP/1.1 200 OK\r\nconnection: keep-alive\r\nContent-Length: 2", True),
    (b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2", True),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nX-A: b", False),
], ids=["close-first", "close-last", "close-repeated", "length-repeated", "keep-alive", "http10-keep-alive",
        "http10"])
def test_framing_headers_are_found_anywhere_in_the_head(head, reusable):
    transport, connections, _ = lean()
    results = settle(transport.request("GET", "http://h/1", timeout=5))
    connections.connections[0].dataReceived(head + b"\r\n\r\n[]")
    assert results[0].body == b"[]"
    settle(transport.request("GET", "http://h/2", timeout=5))
    assert len(connections.connections) == (1 if reusable else 2)


def test_connection_close_header_and_http10_are_not_reused():
    transport, connections, _ = lean()
    settle(transport.request("GET", "http://h/1", timeout=5))
    connections.connections[0].dataReceived(response(b"[]", headers=[b"Connection: close"]))
    settle(transport.request("GET", "http://h/2", timeout=5))
    connections.connections[1].dataReceived(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n[]")
    results = settle(transport.request("GET", "http://h/3", timeout=5))
    assert len(connections.connections) == 3
    connections.connections[2].dataReceived(b"HTTP/1.1 200 OK\r\n\r\nuntil")  # no length: read until close
    connections.connections[2].dataReceived(b" close")
    assert results == []
    connections.connections[2].connectionLost(Failure(__import__("twisted.internet.error").internet.error.ConnectionDone()))
    assert results[0].body == b"until close"


# --- the resend rule --------------------------------------------------------------------------------------

class CloseOnRequest(Resource):
    """Answers ``[1,"Sent","1"]`` except for the request numbers in ``close_on``: for those the
    server closes the connection without a response byte (it may or may not have acted on it)."""

    isLeaf = True

    def __init__(self, close_on):
        super().__init__()
        self.close_on = set(close_on)
        self.seen = []

    def render(self, request):
        self.seen.append(request.uri)
        if len(self.seen) in self.close_on:
            request.transport.loseConnection()
            from twisted.web.server import NOT_DONE_YET
            return NOT_DONE_YET
        return OK


def memory_client(resource):
    from tests.client_stub import make_config
    from tests.memory_http import MemoryHTTP
    from pubnub_fast.pubnub_twisted import PubNubTwisted

    clock = task.Clock()
    memory = MemoryHTTP(resource)
    transport = HTTP11Transport(clock, clock=clock, endpoint_factory=memory)
    return PubNubTwisted(make_config(ssl=False), reactor=clock, transport=transport), memory


def test_publish_on_a_reused_connection_closed_before_any_response_byte_is_never_resent():
    resource = CloseOnRequest(close_on=[2])
    pubnub, memory = memory_client(resource)
    first = settle(pubnub.publish().channel("c").message(1).deferred())
    memory.flush()
    assert first[0].result.timetoken == 17000000000000000
    second = settle(pubnub.publish().channel("c").message(2).deferred())
    memory.flush()
    assert isinstance(second[0], Failure)
    assert second[0].value.status.category == PNStatusCategory.PNNetworkIssuesCategory
    assert len(resource.seen) == 2  # sent once: the server may have stored it, so no resend
    assert memory.connections == 1


def test_read_on_a_reused_connection_closed_before_any_response_byte_is_resent_once():
    resource = CloseOnRequest(close_on=[2])
    pubnub, memory = memory_client(resource)
    settle(pubnub.time().deferred())
    memory.flush()
    second = settle(pubnub.time().deferred())
    memory.flush()
    assert not isinstance(second[0], Failure), second
    assert len(resource.seen) == 3 and memory.connections == 2
    # ... but only once
    resource.close_on = {4, 5}
    third = settle(pubnub.time().deferred())
    memory.flush()
    assert third[0].value.status.category == PNStatusCategory.PNNetworkIssuesCategory
    assert len(resource.seen) == 5


def test_read_on_a_new_connection_closed_before_any_response_byte_is_not_resent():
    resource = CloseOnRequest(close_on=[1])
    pubnub, memory = memory_client(resource)
    first = settle(pubnub.time().deferred())
    memory.flush()
    assert first[0].value.status.category == PNStatusCategory.PNNetworkIssuesCategory
    assert len(resource.seen) == 1


@pytest.mark.parametrize("idempotent", [False, True], ids=["publish", "read"])
@pytest_twisted.inlineCallbacks
def test_connection_closed_while_idle_before_the_reactor_noticed(idempotent):
    """Rules 1 and 2 over real loopback: the server closed the idle keep-alive connection and the
    client's reactor has not read the EOF yet when the next request goes out. A publish (never
    resent) is checked first: the close is seen, the request goes out on a new connection. A read
    (``idempotent``) skips the check, is written to the dead connection and resent once on a new
    one. Either way the server receives it exactly once and the caller gets the answer."""
    import select

    factory = ScriptedFactory()
    net = Loopback("http11")
    port = net.serve(factory)
    url = "http://127.0.0.1:%d/publish/p/s/0/c/0/1" % port
    try:
        yield net.transport.request("GET", url, timeout=5, idempotent=idempotent)
        pool, = net.transport._pools.values()
        connection, = pool.idle
        connection.transport.stopReading()  # the reactor does not look at this socket for now
        factory.connections[0].transport.loseConnection()
        yield wait_until(lambda: factory.lost, tries=100)
        sock = connection.transport.socket
        yield wait_until(lambda: select.select([sock], [], [], 0)[0], tries=100)  # the FIN arrived
        assert select.select([sock], [], [], 0)[0] and not connection.lost
        d = net.transport.request("GET", url, timeout=5, idempotent=idempotent)
        if idempotent:
            assert connection.exchange is not None and connection.uses == 2  # written without a check
            connection.transport.startReading()
        else:
            assert connection.exchange is None and connection.uses == 1  # the check dropped it
        second = yield d
        assert second.body == OK
        assert len(factory.requests) == 2  # the second request reached the server once
        assert len(factory.connections) == 2
    finally:
        yield net.close()


def test_only_requests_that_may_not_be_resent_check_the_idle_socket():
    """A publish, and a read already resent once, check the idle connection (rule 1); a read that
    rule 2 may still resend does not spend the system call."""
    transport = HTTP11Transport(task.Clock(), clock=task.Clock())
    pool = transport._pool("http", "127.0.0.1:1")
    checked = []

    class Idle:
        def is_reusable(self, now, resendable=False):
            checked.append(resendable)
            return True

        def send(self, exchange):
            pass

    for idempotent, resent, expected in [(False, False, False), (True, False, True), (True, True, False)]:
        exchange = type("E", (), {"idempotent": idempotent, "resent": resent})()
        pool.idle.append(Idle())
        pool.dispatch(exchange)
        assert checked.pop() is expected


@pytest.mark.parametrize("without_poll", [False, True], ids=["poll", "peek"])
@pytest.mark.parametrize("peer_does, reusable", [
    ("nothing", True),
    ("close", False),
    ("send", False),
])
def test_idle_connection_check_before_reuse(peer_does, reusable, without_poll, monkeypatch):
    """Rule 1: an idle connection whose peer closed it (or sent unsolicited bytes) is dropped
    before a request is written to it — seen by a non-blocking MSG_PEEK on its socket."""
    from pubnub_fast import http11
    from pubnub_fast.http11 import HTTP11ClientProtocol

    if without_poll:  # as on Windows
        monkeypatch.setattr(http11, "_HAS_POLL", False)
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    try:
        if peer_does == "close":
            theirs.close()
        elif peer_does == "send":
            theirs.send(b"HTTP/1.1 408 Request Timeout\r\n\r\n")

        class Pool:
            idle_timeout = 100

        connection = HTTP11ClientProtocol(Pool())
        fake = StringTransport()
        fake.socket = ours
        connection.makeConnection(fake)
        connection.idle_since = 0.0
        assert connection.is_reusable(1.0) is reusable
        assert connection.is_reusable(101.0) is False  # idle too long
        # a request rule 2 may resend does not look at the socket, but respects the idle limit
        assert connection.is_reusable(1.0, resendable=True) is True
        assert connection.is_reusable(101.0, resendable=True) is False
    finally:
        ours.close()
        if peer_does != "close":
            theirs.close()


def test_pool_size_is_a_setting():
    from pubnub_fast.pnconfiguration import PNConfiguration
    from pubnub_fast.pubnub_twisted import PubNubTwisted

    config = PNConfiguration(subscribe_key="s", publish_key="p", uuid="u")
    assert config.connection_pool_size == 16
    with pytest.raises(ValueError):
        config.connection_pool_size = 0
    with pytest.raises(TypeError):
        config.connection_pool_size = "4"
    config.connection_pool_size = 3
    clock = task.Clock()
    pubnub = PubNubTwisted(config, reactor=clock)
    transport = pubnub._transport
    if isinstance(transport, HTTP11Transport):  # the default, unless the run chose --transport treq
        assert transport.max_connections == 3
