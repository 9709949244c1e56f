"""The client over real loopback HTTP (pytest-twisted): gzip, large bodies, refused connections,
stalled servers, TLS verification, and stop() closing the pool."""
import datetime
import json

import pytest
import pytest_twisted
from twisted.internet import reactor
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, GzipEncoderFactory, Site
from twisted.web.resource import EncodingResourceWrapper

from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import PubNubTwistedException
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted

pytestmark = [
    pytest.mark.integration,
    # Twisted's listenSSL still hands pyOpenSSL objects to pyOpenSSL (server side of the test only)
    pytest.mark.filterwarnings("ignore:Passing pyOpenSSL:DeprecationWarning"),
]


class Answer(Resource):
    isLeaf = True

    def __init__(self, body=None, stall=False):
        super().__init__()
        self.body = body
        self.stall = stall
        self.pending = []
        self.requests = []

    def render(self, request):
        self.requests.append(request.uri.decode())
        if self.stall:
            self.pending.append(request)
            return NOT_DONE_YET
        request.setHeader("Content-Type", "application/json")
        return self.body


def listen(resource, **kwargs):
    return reactor.listenTCP(0, Site(resource), interface="127.0.0.1", **kwargs)


def client_for(port, **settings):
    config = PNConfiguration(subscribe_key="sub", publish_key="pub", uuid="it-uuid")
    config.origin = "127.0.0.1:%d" % port
    config.ssl = False
    for name, value in settings.items():
        setattr(config, name, value)
    return PubNubTwisted(config, reactor=reactor)


@pytest_twisted.inlineCallbacks
def test_publish_over_loopback_with_gzip():
    resource = Answer(json.dumps([1, "Sent", "17000000000000000"]).encode())
    port = listen(EncodingResourceWrapper(resource, [GzipEncoderFactory()]))
    pubnub = client_for(port.getHost().port)
    try:
        envelope = yield pubnub.publish().channel("ch 1").message({"a": 1}).deferred()
        assert envelope.result.timetoken == 17000000000000000
        assert resource.requests[0].startswith("/publish/pub/sub/0/ch%201/0/%7B%22a%22%3A%201%7D?")
    finally:
        yield pubnub.stop()
        yield port.stopListening()


@pytest_twisted.inlineCallbacks
def test_large_body_is_read_whole():
    big = [17000000000000000] + ["x" * 1000] * 2000  # ~2 MB, many chunks
    port = listen(Answer(json.dumps(big).encode()))
    pubnub = client_for(port.getHost().port)
    try:
        envelope = yield pubnub.time().deferred()
        assert envelope.raw_result == big
    finally:
        yield pubnub.stop()
        yield port.stopListening()


@pytest_twisted.inlineCallbacks
def test_connection_refused_is_a_network_issue():
    port = listen(Answer(b"[]"))
    number = port.getHost().port
    yield port.stopListening()
    pubnub = client_for(number)
    try:
        with pytest.raises(PubNubTwistedException) as info:
            yield pubnub.publish().channel("c").message(1).deferred()
        assert info.value.status.category == PNStatusCategory.PNNetworkIssuesCategory
    finally:
        yield pubnub.stop()


@pytest_twisted.inlineCallbacks
def test_stalled_server_times_out_and_connection_is_closed():
    resource = Answer(stall=True)
    port = listen(resource)
    pubnub = client_for(port.getHost().port, non_subscribe_request_timeout=0.3)
    try:
        with pytest.raises(PubNubTwistedException) as info:
            yield pubnub.publish().channel("c").message(1).deferred()
        assert info.value.status.category == PNStatusCategory.PNTimeoutCategory
        # the server sees the client go away
        lost = resource.pending[0].notifyFinish()
        with pytest.raises(Exception):
            yield lost
    finally:
        yield pubnub.stop()
        yield port.stopListening()


@pytest_twisted.inlineCallbacks
def test_stop_closes_pooled_connections():
    port = listen(Answer(json.dumps([17000000000000000]).encode()))
    pubnub = client_for(port.getHost().port)
    yield pubnub.time().deferred()
    assert pubnub._transport.open_connections() == 1  # kept alive
    yield pubnub.stop()
    assert pubnub._transport.open_connections() == 0
    yield port.stopListening()


def _self_signed():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()))


@pytest_twisted.inlineCallbacks
def test_untrusted_certificate_is_reported():
    from twisted.internet import ssl

    certificate = ssl.PrivateCertificate.loadPEM(_self_signed())
    port = reactor.listenSSL(0, Site(Answer(b"[1]")), certificate.options(), interface="127.0.0.1")
    pubnub = client_for(port.getHost().port, ssl=True)
    try:
        with pytest.raises(PubNubTwistedException) as info:
            yield pubnub.time().deferred()
        assert info.value.status.category == PNStatusCategory.PNTLSUntrustedCertificateCategory
        assert info.value.status.tls_enabled is True
    finally:
        yield pubnub.stop()
        yield port.stopListening()


class Dribble(Resource):
    """Answers 200 and then one byte every ``interval`` seconds (a slow-loris response)."""

    isLeaf = True

    def __init__(self, interval=0.05):
        super().__init__()
        self.interval = interval
        self.calls = []

    def render(self, request):
        request.setHeader("Content-Type", "application/json")
        request.setHeader("Content-Length", b"1000")
        body = iter(b"[" + b" " * 998 + b"]")

        def more():
            if request.finished or getattr(request, "_disconnected", False):
                return
            byte = next(body, None)
            if byte is None:
                request.finish()
                return
            request.write(bytes([byte]))
            self.calls.append(reactor.callLater(self.interval, more))

        more()
        return NOT_DONE_YET


class Truncated(Resource):
    """Declares a 1000-byte body, sends 10 bytes and closes the connection."""

    isLeaf = True

    def render(self, request):
        request.setHeader("Content-Length", b"1000")
        request.write(b'[1,"Sent",')
        request.transport.loseConnection()
        return NOT_DONE_YET


@pytest_twisted.inlineCallbacks
def test_slow_loris_response_hits_the_total_deadline():
    resource = Dribble()
    port = listen(resource)
    pubnub = client_for(port.getHost().port, non_subscribe_request_timeout=0.5)
    try:
        started = reactor.seconds()
        with pytest.raises(PubNubTwistedException) as info:
            yield pubnub.publish().channel("c").message(1).deferred()
        assert info.value.status.category == PNStatusCategory.PNTimeoutCategory
        assert reactor.seconds() - started < 2.0  # a deadline for the whole request, not per read
    finally:
        for call in resource.calls:
            if call.active():
                call.cancel()
        yield pubnub.stop()
        yield port.stopListening()


@pytest_twisted.inlineCallbacks
def test_truncated_body_is_a_network_failure_not_a_result():
    port = listen(Truncated())
    pubnub = client_for(port.getHost().port)
    try:
        with pytest.raises(PubNubTwistedException) as info:
            yield pubnub.publish().channel("c").message(1).deferred()
        assert info.value.status.category == PNStatusCategory.PNNetworkIssuesCategory
        assert info.value.result is None
    finally:
        yield pubnub.stop()
        yield port.stopListening()
