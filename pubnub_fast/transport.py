"""The HTTP transport: the one seam between pubnub_fast and the network.

Everything above this module speaks ``TransportResponse``; everything below is Twisted's HTTP
client. ``TreqTransport`` sends requests through a treq-shaped client (``treq.HTTPClient`` over one
persistent ``HTTPConnectionPool`` by default — tests pass ``treq.testing.StubTreq``), reads whole
bodies (gzip-decoded), and enforces the request timeout through the injected reactor so that a
stalled request ends, and its connection is closed, after exactly ``timeout`` seconds of
``IReactorTime``. The default transport is the leaner ``pubnub_fast.http11.HTTP11Transport``; this
one stays selectable (``PubNubTwisted(transport=TreqTransport(reactor))``) and carries multipart
uploads and redirects for it.
"""
import io

from twisted.internet import defer
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure
from twisted.web.client import FileBodyProducer, PartialDownloadError, ResponseDone
from twisted.web.http import PotentialDataLoss
from twisted.web.iweb import IBodyProducer

__all__ = ["TransportResponse", "TreqTransport", "ResponseTooLarge", "DEFAULT_MAX_RESPONSE_SIZE"]

#: Responses larger than this are refused (bounded memory); files are capped far below it.
DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024


class ResponseTooLarge(Exception):
    """The server sent more than the transport's ``max_response_size`` bytes."""


class TransportResponse:
    """A complete HTTP response: status ``code``, ``headers`` (Twisted ``Headers``) and ``body`` bytes."""

    __slots__ = ("code", "headers", "body", "url")

    def __init__(self, code, headers, body, url=None):
        self.code = code
        self.headers = headers
        self.body = body
        self.url = url

    def header(self, name):
        """The first value of header ``name`` as str, or None."""
        if self.headers is None:
            return None
        values = self.headers.getRawHeaders(name)
        if not values:
            return None
        value = values[0]
        return value.decode("latin-1") if isinstance(value, bytes) else value

    def __repr__(self):
        return "TransportResponse(code=%r, %d bytes)" % (self.code, len(self.body))


class _BodyReader(Protocol):
    """Collects a response body; stops the connection when cancelled or when the body is too big."""

    def __init__(self, finished, limit):
        self._finished = finished
        self._limit = limit
        self._chunks = []
        self._size = 0

    def dataReceived(self, data):
        if self._finished.called:
            return
        self._size += len(data)
        if self._size > self._limit:
            self.transport.stopProducing()
            self._finished.errback(ResponseTooLarge(
                "response body exceeds %d bytes; the connection was closed" % self._limit))
            return
        self._chunks.append(data)

    def connectionLost(self, reason):
        if self._finished.called:
            return
        if reason.check(ResponseDone, PotentialDataLoss):
            self._finished.callback(b"".join(self._chunks))
        elif reason.check(PartialDownloadError):
            self._finished.errback(reason)
        else:
            self._finished.errback(reason)

    def abort(self):
        if self.transport is not None:
            self.transport.stopProducing()


def read_body(response, limit=DEFAULT_MAX_RESPONSE_SIZE):
    """A cancellable Deferred firing with the whole body of ``response`` (bytes).

    Cancelling it (e.g. on timeout) stops the connection, so nothing keeps reading in the
    background.
    """
    if response.length == 0:
        return defer.succeed(b"")
    reader = None

    def cancel(_deferred):
        if reader is not None:
            reader.abort()

    finished = defer.Deferred(cancel)
    reader = _BodyReader(finished, limit)
    response.deliverBody(reader)
    return finished


class TreqTransport:
    """Sends requests with a treq-shaped HTTP client; one persistent connection pool per client.

    :param reactor: the reactor (``IReactorTime`` is used for timeouts).
    :param pool: an ``HTTPConnectionPool`` to use instead of creating one.
    :param http_client: a treq-shaped object (``request(method, url, headers=, data=, ...)``),
        e.g. ``treq.testing.StubTreq`` in tests; when given, ``pool`` is not used.
    :param connect_timeout: seconds allowed for establishing a TCP/TLS connection.
    :param clock: the ``IReactorTime`` timeouts are measured with (default: ``reactor``).
    :param trust_root: TLS trust (``IOpenSSLTrustRoot``; default: the platform's trust store).
    """

    def __init__(self, reactor, pool=None, http_client=None, connect_timeout=5.0, clock=None,
                 max_response_size=DEFAULT_MAX_RESPONSE_SIZE, idle_timeout=310, trust_root=None):
        self._reactor = reactor
        self._clock = clock if clock is not None else reactor
        self._max_response_size = max_response_size
        self._owns_pool = False
        self._pool = pool
        if http_client is None:
            from treq.client import HTTPClient
            from twisted.web.client import (Agent, BrowserLikePolicyForHTTPS, ContentDecoderAgent, GzipDecoder,
                                            HTTPConnectionPool)

            if pool is None:
                pool = HTTPConnectionPool(reactor, persistent=True)
                # one long-poll, one heartbeat and one REST call can be in flight at once
                pool.maxPersistentPerHost = 3
                pool.cachedConnectionTimeout = idle_timeout
                # never resend a request on a stale connection: publish is not idempotent
                pool.retryAutomatically = False
                self._owns_pool = True
                self._pool = pool
            agent = Agent(reactor, contextFactory=BrowserLikePolicyForHTTPS(trustRoot=trust_root),
                          connectTimeout=connect_timeout, pool=pool)
            http_client = HTTPClient(ContentDecoderAgent(agent, [(b"gzip", GzipDecoder)]),
                                     data_to_body_producer=self._body_producer)
        self._client = http_client
        self._cooperator = None

    @property
    def pool(self):
        return self._pool

    def request(self, method, url, headers=None, body=None, timeout=None, allow_redirects=True,
                max_response_size=None, idempotent=False):
        """Send one request; fire with a ``TransportResponse`` once the whole body has arrived.

        Errbacks with the transport's failure (connection refused, TLS error…),
        ``defer.TimeoutError`` when ``timeout`` seconds pass first, ``CancelledError`` when
        cancelled, ``ResponseTooLarge`` when the body exceeds ``max_response_size`` (default: the
        transport's limit). ``idempotent`` is accepted for the seam and ignored: this transport
        never resends a request (its pool has ``retryAutomatically`` off).
        """
        inner = self._client.request(method, url, headers=headers, data=body,
                                     allow_redirects=allow_redirects, unbuffered=True)
        limit = self._max_response_size if max_response_size is None else max_response_size

        def got_response(response):
            body_d = read_body(response, limit)
            body_d.addCallback(lambda data: TransportResponse(response.code, response.headers, data, url))
            return body_d

        inner.addCallback(got_response)
        # Why the request was abandoned, if it was: cancelling an HTTP request surfaces as various
        # connection errors (ResponseNeverReceived…), so the reason is recorded here and the
        # outcome reported as TimeoutError or CancelledError accordingly.
        abandoned = []
        timers = []

        def stop_timer():
            for timer in timers:
                if timer.active():
                    timer.cancel()

        def cancel(_outer):
            abandoned.append("cancelled")
            stop_timer()  # even if the HTTP client never reports the cancellation
            inner.cancel()

        outer = defer.Deferred(cancel)
        if timeout is not None:
            def time_out():
                abandoned.append("timeout")
                inner.cancel()

            timers.append(self._clock.callLater(timeout, time_out))

        def finish(result):
            stop_timer()
            if outer.called:  # already reported (cancelled before the transport noticed)
                return None
            if isinstance(result, Failure):
                if abandoned and abandoned[0] == "timeout":
                    result = Failure(defer.TimeoutError(
                        "no complete response within %s seconds; the request was abandoned" % timeout))
                elif abandoned:
                    result = Failure(defer.CancelledError("the request was cancelled"))
                outer.errback(result)
            else:
                outer.callback(result)
            return None

        inner.addBoth(finish)
        return outer

    def open_connections(self):
        """How many idle connections the pool keeps (busy ones are not counted by Twisted's pool)."""
        pool = self._pool
        return sum(len(v) for v in pool._connections.values()) if pool is not None else 0

    def _body_producer(self, data):
        """Request bodies are produced on this transport's reactor (treq's default producer
        schedules on the global reactor, which a private reactor — the sync and asyncio clients —
        never runs)."""
        if isinstance(data, (bytes, bytearray)):
            if self._cooperator is None:
                from twisted.internet import task

                self._cooperator = task.Cooperator(scheduler=lambda work: self._reactor.callLater(0, work))
            return FileBodyProducer(io.BytesIO(bytes(data)), cooperator=self._cooperator)
        return IBodyProducer(data)

    def close(self):
        """Close the pooled connections this transport created (a Deferred)."""
        if self._cooperator is not None:
            self._cooperator.stop()
        if self._owns_pool and self._pool is not None:
            return self._pool.closeCachedConnections()
        return defer.succeed(None)
