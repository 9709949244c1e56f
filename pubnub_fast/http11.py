"""A lean HTTP/1.1 keep-alive client on Twisted's ``Protocol``: the default transport.

``HTTP11Transport`` implements the transport seam (``request()``/``close()`` →
``TransportResponse``) with what PubNub's REST API needs and nothing more:

* one bounded pool of persistent connections per origin (``max_connections``; requests beyond it
  wait in order for a free connection, their timeout running);
* requests written as one pre-encoded ``bytes`` buffer (``repeating()``: a request sent again
  and again with only part of its query changing — the subscribe long-poll — is encoded once);
  responses parsed by a small parser (status line, headers, ``Content-Length``, chunked and
  read-until-close bodies, gzip);
* a deadline per request on the injected clock covering the wait for a connection, connecting,
  sending and reading the whole body; cancellation; a response size cap;
* TLS through ``optionsForClientTLS`` (certificate chain and host name verified with
  service_identity; ``trust_root`` defaults to the platform's trust store).

Failures carry the same exception types Twisted's own client raises (``ConnectError`` and
friends, ``DNSLookupError``, ``ResponseNeverReceived``/``ResponseFailed`` wrapping the
connection's reason, TLS errors inside them, ``defer.TimeoutError``, ``CancelledError``,
``ResponseTooLarge``), so the pipeline maps them to the same status categories as with
``TreqTransport``.

Multipart uploads and redirects are handed to a ``TreqTransport`` (``fallback``), where treq earns
its keep.

**When is a request resent?** A pooled connection may have been closed by the server while it
sat idle. Two rules keep a publish from being lost or duplicated:

1. Before an idle connection is reused for a request that may not be resent (publish, signal,
   fire, every write — and a request already resent once) it is checked without blocking
   (``poll``, or ``MSG_PEEK`` where there is no ``poll``): if the server closed it (EOF), reset
   it, or sent anything unsolicited, it is dropped and another (or a new) connection carries
   the request. The request has not been written yet, so nothing can be duplicated. A request
   that rule 2 may resend (``idempotent=True``, not resent yet) skips this check — a system
   call per request on the subscribe long-poll loop; the reactor notices a connection closed
   while idle anyway, and one closed in the same instant is what rule 2 is for. Connections
   idle longer than ``idle_timeout`` are never reused.
2. If, after the request was written to a *reused* connection, that connection closes before
   a single byte of the response arrived, the server may or may not have acted on it (it may
   have closed the idle connection just as the request arrived — or processed it and crashed).
   Only a request the caller marked ``idempotent=True`` (reads, subscribe long-polls,
   heartbeats, leaves — the pipeline decides per operation) is then resent, once, on a new
   connection. Anything else (publish, signal, fire, every write) fails with
   ``ResponseNeverReceived`` — reported as a network issue, never silently resent. A request
   written to a *new* connection is never resent.
"""
import select
import socket
import zlib
from collections import deque
from urllib.parse import quote, urljoin

from twisted.internet import defer, error as net_error
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.tcp import Connection as _TCPConnection
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from pubnub_fast.transport import DEFAULT_MAX_RESPONSE_SIZE, ResponseTooLarge, TransportResponse

__all__ = ["HTTP11Transport", "ResponseHeaders", "BadHTTPResponse", "DEFAULT_MAX_CONNECTIONS"]

#: connections per origin: a long-poll, heartbeats and several concurrent REST calls
DEFAULT_MAX_CONNECTIONS = 16
#: a response head (status line + headers) larger than this is refused
MAX_HEAD_SIZE = 64 * 1024

_REDIRECTS = (301, 302, 303, 307, 308)
_METHODS = {name: name.encode("ascii") for name in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")}
_NO_BODY_CODES = (204, 304)


class BadHTTPResponse(Exception):
    """The server's bytes are not a valid HTTP/1.1 response."""


class ResponseHeaders:
    """Response headers with the read side of Twisted's ``Headers``: ``getRawHeaders(name)``
    returns the values as ``bytes`` for a ``bytes`` name and as ``str`` for a ``str`` name.

    Built from the raw header lines and parsed on first use: most responses are read without
    anyone looking at their headers.
    """

    __slots__ = ("_parsed", "_head")

    def __init__(self, raw=None, head=b""):
        #: lower-cased name (bytes) -> list of values (bytes), once parsed
        self._parsed = raw
        self._head = head

    @property
    def _raw(self):
        raw = self._parsed
        if raw is None:
            raw = self._parsed = parse_header_lines(self._head)
        return raw

    def getRawHeaders(self, name, default=None):
        if isinstance(name, str):
            values = self._raw.get(name.lower().encode("latin-1"))
            if values is None:
                return default
            return [value.decode("latin-1") for value in values]
        values = self._raw.get(name.lower())
        if values is None:
            return default
        return list(values)

    def hasHeader(self, name):
        if isinstance(name, str):
            name = name.encode("latin-1")
        return name.lower() in self._raw

    def getAllRawHeaders(self):
        for name, values in self._raw.items():
            yield name, list(values)

    def removeHeader(self, name):
        if isinstance(name, str):
            name = name.encode("latin-1")
        self._raw.pop(name.lower(), None)

    def __repr__(self):
        return "ResponseHeaders(%r)" % (self._raw,)


def parse_header_lines(head):
    """``{lower-cased name: [values]}`` of ``Name: value`` lines separated by CRLF (lines without
    a colon are ignored, as browsers do)."""
    raw = {}
    for line in head.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if not colon:
            continue
        name = name.strip().lower()
        if not name:
            continue
        values = raw.get(name)
        if values is None:
            raw[name] = [value.strip()]
        else:
            values.append(value.strip())
    return raw


def _values(lower, name):
    """The values (stripped) of header ``name`` — ``b"\\r\\nname:"`` — in the lower-cased head."""
    at = lower.find(name)
    if at < 0:
        return None
    values = []
    while at >= 0:
        start = at + len(name)
        stop = lower.find(b"\r\n", start)
        if stop < 0:
            stop = len(lower)
        values.append(lower[start:stop].strip())
        at = lower.find(name, stop)
    return values


def _header_bytes(value):
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    elif not isinstance(value, str):
        value = str(value)
    # no header injection: line breaks become spaces (as Twisted's Headers does)
    if "\r" in value or "\n" in value:
        value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return value.encode("latin-1")


def encode_headers(headers):
    """``Name: value\r\n`` lines of a header dict (values: str, bytes or a list of them)."""
    parts = []
    for name, value in headers.items():
        name_b = _header_bytes(name)
        values = value if isinstance(value, (list, tuple)) else (value,)
        for one in values:
            parts.append(b"%s: %s\r\n" % (name_b, _header_bytes(one)))
    return b"".join(parts)


def _target_bytes(target):
    try:
        return target.encode("ascii")
    except UnicodeEncodeError:  # an absolute URL from a server answer with raw non-ASCII characters
        return quote(target, safe="".join(chr(c) for c in range(33, 127))).encode("ascii")


def encode_request(method, host, target, headers, body):
    """The request as one ``bytes`` buffer (request line, headers, body)."""
    return _encode(method.encode("ascii"), b"Host: %s\r\n" % host.encode("ascii"), _target_bytes(target),
                   encode_headers(headers) if headers else b"", body)


def _encode(method, host_line, target, header_block, body):
    if body is not None:
        return b"%s %s HTTP/1.1\r\n%s%sContent-Length: %d\r\nAccept-Encoding: gzip\r\n\r\n%s" % (
            method, target, host_line, header_block, len(body), body)
    if method in (b"POST", b"PUT", b"PATCH"):
        return b"%s %s HTTP/1.1\r\n%s%sContent-Length: 0\r\nAccept-Encoding: gzip\r\n\r\n" % (
            method, target, host_line, header_block)
    return b"%s %s HTTP/1.1\r\n%s%sAccept-Encoding: gzip\r\n\r\n" % (method, target, host_line, header_block)


class _Exchange:
    """One request: queued, then in flight on a connection, then finished exactly once."""

    __slots__ = ("data", "deferred", "timer", "deadline", "limit", "idempotent", "head", "url", "method", "resent",
                 "connection", "pool", "transport", "allow_redirects", "headers", "body", "timeout", "done")

    def __init__(self, transport, pool, method, url, data, headers, body, timeout, limit, idempotent,
                 allow_redirects):
        self.transport = transport
        self.pool = pool
        self.method = method
        self.head = method == "HEAD"
        self.url = url
        self.data = data
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.limit = limit
        self.idempotent = idempotent
        self.allow_redirects = allow_redirects
        self.resent = False
        self.connection = None
        self.done = False
        self.timer = None  # the DelayedCall of the deadline; it calls _time_out(self.deadline)
        self.deadline = None
        self.deferred = defer.Deferred(self._cancelled)

    def _cancelled(self, _deferred):
        self.abandon(Failure(defer.CancelledError("the request was cancelled")))

    def _finish(self):
        """Mark the exchange done and stop its timer; False if it was already done."""
        if self.done:
            return False
        self.done = True
        timer = self.timer
        if timer is not None and timer.active():
            timer.cancel()
        return True

    def fail(self, reason):
        if self._finish():
            self.deferred.errback(reason)

    def succeed(self, response):
        if self.done:
            return
        timer = self.timer
        transport = self.transport
        if timer is None or not timer.active() or transport.spare_timer is not None:
            self._finish()
            self.deferred.callback(response)
            return
        # The deadline's timer is lent to the transport while the callbacks run: a request they
        # send (the next long-poll) moves it (reset()) instead of scheduling and cancelling a
        # timer of its own. Whatever is not taken is cancelled before this returns.
        self.done = True
        self.timer = None
        self.deadline.exchange = None
        spare = transport.spare_timer = (timer, self.deadline)
        try:
            self.deferred.callback(response)
        finally:
            if transport.spare_timer is spare:
                transport.spare_timer = None
                if timer.active():  # (a callback advancing the clock past it fired it: a no-op)
                    timer.cancel()

    def abandon(self, reason):
        """Timeout or cancellation: report ``reason``, then stop whatever the exchange is doing."""
        if self.done:
            return
        self.fail(reason)
        connection = self.connection
        if connection is not None:
            self.connection = None
            connection.drop_exchange()
        else:
            self.pool.forget(self)


class HTTP11ClientProtocol(Protocol):
    """One persistent HTTP/1.1 connection: writes a request, parses its response, goes idle."""

    # parser states
    _IDLE, _HEAD, _LENGTH, _CHUNKED, _UNTIL_CLOSE = range(5)

    def __init__(self, pool):
        self.pool = pool
        self.exchange = None
        self.uses = 0
        self.idle_since = 0.0
        self.lost = False
        self._lost_waiters = []
        self._state = self._IDLE
        self._buffer = b""
        self._received = False
        self._poller = None
        self._socket = None
        self._written = True

    def connectionMade(self):
        transport = self.transport
        if isinstance(transport, _TCPConnection) and isinstance(getattr(transport, "socket", None), socket.socket) \
                and hasattr(transport, "_tempDataBuffer") and hasattr(transport, "dataBuffer"):
            self._socket = transport.socket

    # --- connection events ------------------------------------------------------------------------

    def connectionLost(self, reason=None):
        self.lost = True
        state = self._state
        self._state = self._IDLE
        self.pool.connection_lost(self)
        exchange = self.exchange
        if exchange is not None:
            self.exchange = None
            exchange.connection = None
            if state == self._UNTIL_CLOSE and reason is not None and reason.check(net_error.ConnectionDone):
                self._deliver(exchange, self._code, self._head, self._lower, b"".join(self._chunks), False)
            elif self._received:
                exchange.fail(Failure(ResponseFailed([reason])))
            elif self.uses > 1 and exchange.idempotent and not exchange.resent:
                exchange.resent = True  # a reused connection closed before any response byte: rule 2
                self.pool.dispatch(exchange, first=True)
            else:
                exchange.fail(Failure(ResponseNeverReceived([reason])))
        waiters, self._lost_waiters = self._lost_waiters, []
        for waiter in waiters:
            waiter.callback(None)

    def when_lost(self):
        if self.lost:
            return defer.succeed(None)
        d = defer.Deferred()
        self._lost_waiters.append(d)
        return d

    def is_reusable(self, now, resendable=False):
        """Whether this idle connection may carry another request (see the module's rule 1).

        ``resendable``: the request may be resent by rule 2, so the socket is not checked.
        """
        if self.lost or now - self.idle_since > self.pool.idle_timeout:
            return False
        if resendable:
            return True
        poller = self._poller
        if poller is None:
            transport = self.transport
            sock = getattr(transport, "socket", None)
            if sock is None:  # TLS: the TCP transport is under the TLS protocol
                sock = getattr(getattr(transport, "transport", None), "socket", None)
            if sock is None:
                return True  # an in-memory transport (tests): no socket to check
            if _HAS_POLL:
                poller = select.poll()
                poller.register(sock.fileno(), select.POLLIN | select.POLLPRI)
                poller = self._poller = poller.poll
            else:  # Windows: a non-blocking peek
                poller = self._poller = _Peek(sock)
        # readable while idle: the server closed it (EOF), reset it, or sent unsolicited bytes
        return not poller(0)

    # --- sending ----------------------------------------------------------------------------------

    def send(self, exchange):
        self.exchange = exchange
        exchange.connection = self
        self.uses += 1
        self._received = False
        self._state = self._HEAD
        self._head_only = exchange.head
        data = exchange.data
        sock = self._socket
        if sock is not None:
            # Plain TCP with nothing buffered: send now instead of through the reactor's write
            # buffer, which costs a reactor turn and two epoll_ctl calls per request. What the
            # kernel does not take goes to transport.write(), after it, in order.
            transport = self.transport
            if not transport._tempDataBuffer and not transport.dataBuffer and transport.connected and \
                    not transport.disconnecting:
                try:
                    sent = sock.send(data)
                except OSError:  # EAGAIN, or an error Twisted's own write will report
                    sent = 0
                if sent == len(data):
                    self._written = True
                    return
                data = data[sent:]
        self._written = False  # some of it is in a write buffer: see _unsent()
        self.transport.write(data)

    def _unsent(self):
        """Whether part of the current request may still sit in a write buffer (an answer that
        arrives before the whole request went out, e.g. a 413, must not free the connection:
        the rest of the body would be read as the next request)."""
        transport = self.transport
        tcp = transport if isinstance(transport, _TCPConnection) else getattr(transport, "transport", None)
        if isinstance(tcp, _TCPConnection):
            return bool(tcp._tempDataBuffer or tcp.dataBuffer)
        return False  # an in-memory transport (tests) delivers writes in order

    def drop_exchange(self):
        """The exchange was abandoned (timeout/cancel): close this connection without reporting."""
        self.exchange = None
        self._state = self._IDLE
        self.transport.abortConnection()

    # --- receiving ----------------------------------------------------------------------------------

    def dataReceived(self, data):
        exchange = self.exchange
        if exchange is None:
            # unsolicited bytes on an idle connection: it cannot be trusted with a request
            self.transport.abortConnection()
            return
        self._received = True
        state = self._state
        if state == self._HEAD:
            buffer = self._buffer + data if self._buffer else data
            end = buffer.find(b"\r\n\r\n")
            while True:
                if end < 0:
                    if len(buffer) > MAX_HEAD_SIZE:
                        self._protocol_error("response head larger than %d bytes" % MAX_HEAD_SIZE)
                        return
                    self._buffer = buffer
                    return
                try:
                    interim = self._parse_head(buffer, end)
                except BadHTTPResponse as exc:
                    self._protocol_error(str(exc))
                    return
                buffer = buffer[end + 4:]
                if not interim:
                    break
                end = buffer.find(b"\r\n\r\n")  # a 1xx answer: the real head follows
            self._buffer = b""
            if self.exchange is None:
                return
            if not buffer:
                if self._state == self._LENGTH and self._remaining == 0:
                    self._complete(b"")
                return
            data = buffer
            state = self._state
        if state == self._LENGTH:
            remaining = self._remaining
            size = len(data)
            if size >= remaining:
                if size > remaining:
                    self._reusable = False  # bytes beyond the body: the connection is out of step
                    data = data[:remaining]
                if not self._chunks:
                    self._complete(data)
                else:
                    self._chunks.append(data)
                    self._complete(b"".join(self._chunks))
                return
            self._remaining = remaining - size
            self._size += size
            if self._size > exchange.limit:
                self._too_large()
                return
            self._chunks.append(data)
        elif state == self._CHUNKED:
            self._chunked(data)
        elif state == self._UNTIL_CLOSE:
            self._size += len(data)
            if self._size > exchange.limit:
                self._too_large()
                return
            self._chunks.append(data)

    def _parse_head(self, buffer, end):
        """Parse the head ending at ``end``; returns True for an interim (1xx) answer.

        Only the status line and the headers that frame the body are looked at here; the other
        headers are parsed if someone asks for them (``ResponseHeaders``).
        """
        eol = buffer.find(b"\r\n", 0, end)
        if eol < 0:
            eol = end
        # "HTTP/1.x DDD[ reason]"
        if eol < 12 or buffer[:7] != b"HTTP/1." or buffer[8:9] != b" " or (eol > 12 and buffer[12:13] != b" "):
            raise BadHTTPResponse("not an HTTP/1.x status line: %r" % buffer[:min(eol, 100)])
        digits = buffer[9:12]
        if not digits.isdigit():
            raise BadHTTPResponse("bad status code in %r" % buffer[:min(eol, 100)])
        code = int(digits)
        if code < 200:
            if code < 100:
                raise BadHTTPResponse("bad status code in %r" % buffer[:min(eol, 100)])
            return True
        head = buffer[eol:end]  # the header lines, each after a CRLF
        lower = head.lower()
        self._code = code
        self._head = head
        self._lower = lower
        self._chunks = []
        self._size = 0
        keep_alive = buffer[7:8] == b"1"
        at = lower.find(b"\r\nconnection:")
        if at >= 0:
            stop = lower.find(b"\r\n", at + 13)
            if stop < 0:  # the last header line
                tokens = lower[at + 13:]
            elif lower.find(b"\r\nconnection:", stop) >= 0:  # repeated
                tokens = b",".join(_values(lower, b"\r\nconnection:"))
            else:
                tokens = lower[at + 13:stop]
            if b"close" in tokens:
                keep_alive = False
            elif b"keep-alive" in tokens:
                keep_alive = True
        self._reusable = keep_alive
        if self._head_only or code in _NO_BODY_CODES:
            self._state = self._LENGTH
            self._remaining = 0
            return False
        if b"\r\ntransfer-encoding:" in lower:
            encoding = _values(lower, b"\r\ntransfer-encoding:")
            if encoding[-1] != b"chunked":
                raise BadHTTPResponse("unsupported transfer-encoding %r" % encoding)
            self._state = self._CHUNKED
            self._chunk_left = -1  # reading a size line
            return False
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            stop = lower.find(b"\r\n", at + 17)
            if stop < 0:  # the last header line
                stop = len(lower)
            first = lower[at + 17:stop].strip()
            if lower.find(b"\r\ncontent-length:", stop) >= 0:  # repeated: all must agree
                length = _values(lower, b"\r\ncontent-length:")
                if any(other != first for other in length):
                    raise BadHTTPResponse("bad content-length %r" % length)
            if not first.isdigit():
                raise BadHTTPResponse("bad content-length %r" % [first])
            remaining = int(first)
            if remaining > self.exchange.limit:
                self._too_large()
                return False
            self._state = self._LENGTH
            self._remaining = remaining
            return False
        self._state = self._UNTIL_CLOSE
        self._reusable = False
        return False

    def _chunked(self, data):
        buffer = self._buffer + data if self._buffer else data
        position = 0
        limit = self.exchange.limit
        while True:
            left = self._chunk_left
            if left == -1:  # a size line
                eol = buffer.find(b"\r\n", position)
                if eol < 0:
                    if len(buffer) - position > 1024:
                        self._protocol_error("chunk size line too long")
                        return
                    break
                line = buffer[position:eol].split(b";", 1)[0].strip()
                try:
                    size = int(line, 16)
                except ValueError:
                    self._protocol_error("bad chunk size %r" % line[:40])
                    return
                if size < 0:
                    self._protocol_error("bad chunk size %r" % line[:40])
                    return
                position = eol + 2
                if size == 0:
                    self._chunk_left = -2  # trailers
                    continue
                self._size += size
                if self._size > limit:
                    self._too_large()
                    return
                self._chunk_left = size + 2  # data and its CRLF
            elif left == -2:  # trailers, up to an empty line
                eol = buffer.find(b"\r\n", position)
                if eol < 0:
                    if len(buffer) - position > MAX_HEAD_SIZE:
                        self._protocol_error("trailers too long")
                        return
                    break
                line_empty = eol == position
                position = eol + 2
                if line_empty:
                    if position < len(buffer):
                        self._reusable = False
                    self._buffer = b""
                    self._complete(b"".join(self._chunks))
                    return
            else:
                available = len(buffer) - position
                if available <= 0:
                    break
                if left > 2:
                    take = min(available, left - 2)
                    self._chunks.append(buffer[position:position + take])
                    position += take
                    self._chunk_left = left - take
                    continue
                # the CRLF after a chunk's data (possibly split across reads)
                take = min(available, left)
                if buffer[position:position + take] != b"\r\n"[2 - left:2 - left + take]:
                    self._protocol_error("chunk data not followed by CRLF")
                    return
                position += take
                self._chunk_left = left - take if left > take else -1
        self._buffer = buffer[position:] if position < len(buffer) else b""

    def _complete(self, body):
        exchange = self.exchange
        self.exchange = None
        exchange.connection = None
        self._state = self._IDLE
        reusable = self._reusable
        if not self._written and self._unsent():
            reusable = False
            self.transport.abortConnection()  # a graceful close would wait for the unsent rest
        self._deliver(exchange, self._code, self._head, self._lower, body, reusable)

    def _deliver(self, exchange, code, head, lower, body, reusable):
        # hand the connection back first: a callback sending the next request can reuse it at once
        if reusable:
            self.pool.release(self)
        elif not self.lost:
            self.transport.loseConnection()
        headers = ResponseHeaders(head=head)
        if body and b"\r\ncontent-encoding:" in lower and \
                _values(lower, b"\r\ncontent-encoding:")[-1] in (b"gzip", b"x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                decoded = decoder.decompress(body, exchange.limit + 1)
            except zlib.error as exc:
                exchange.fail(Failure(ResponseFailed([Failure(BadHTTPResponse("bad gzip body: %s" % exc))])))
                return
            if len(decoded) > exchange.limit:
                exchange.fail(Failure(ResponseTooLarge(
                    "response body exceeds %d bytes; the connection was closed" % exchange.limit)))
                return
            body = decoded
            headers.removeHeader(b"content-encoding")
            headers.removeHeader(b"content-length")
        response = TransportResponse(code, headers, body, exchange.url)
        if code in _REDIRECTS and exchange.allow_redirects and b"\r\nlocation:" in lower:
            exchange.transport.follow_redirect(exchange, response)
            return
        exchange.succeed(response)

    def _too_large(self):
        exchange = self.exchange
        self.exchange = None
        exchange.connection = None
        self._state = self._IDLE
        self.transport.abortConnection()
        exchange.fail(Failure(ResponseTooLarge(
            "response body exceeds %d bytes; the connection was closed" % exchange.limit)))

    def _protocol_error(self, message):
        exchange = self.exchange
        self.exchange = None
        exchange.connection = None
        self._state = self._IDLE
        self.transport.abortConnection()
        exchange.fail(Failure(ResponseFailed([Failure(BadHTTPResponse(message))])))


_HAS_POLL = hasattr(select, "poll")


class _Peek:
    """``poll(0)`` for platforms without ``select.poll``: true when the idle socket is readable."""

    def __init__(self, sock):
        self._sock = sock

    def __call__(self, _timeout):
        try:
            self._sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return False
        except OSError:
            return True
        return True


class _ConnectionFactory(Factory):
    def __init__(self, pool):
        self.pool = pool

    def buildProtocol(self, addr):
        return HTTP11ClientProtocol(self.pool)


class _OriginPool:
    """The connections to one origin (scheme, host, port) and the requests waiting for one."""

    def __init__(self, transport, endpoint, max_connections, idle_timeout, clock):
        self._transport = transport
        self._endpoint = endpoint
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self._clock = clock
        self.idle = []
        self.open = set()
        self.waiting = deque()
        self._connecting = {}

    def dispatch(self, exchange, first=False):
        """Send ``exchange`` on an idle connection, or queue it (connecting if below the limit)."""
        idle = self.idle
        if idle:
            now = self._clock.seconds()
            resendable = exchange.idempotent and not exchange.resent
            while idle:
                connection = idle.pop()
                if connection.is_reusable(now, resendable):
                    connection.send(exchange)
                    return
                connection.transport.abortConnection()
        if first:
            self.waiting.appendleft(exchange)
        else:
            self.waiting.append(exchange)
        self._connect_more()

    def _connect_more(self):
        while self.waiting and len(self._connecting) < len(self.waiting) and \
                len(self.open) + len(self._connecting) < self.max_connections:
            d = self._endpoint.connect(_ConnectionFactory(self))
            token = object()
            self._connecting[token] = d
            d.addCallbacks(self._connected, self._connect_failed, callbackArgs=(token,), errbackArgs=(token,))

    def _connected(self, connection, token):
        self._connecting.pop(token, None)
        if connection.lost:
            return None
        self.open.add(connection)
        self.release(connection)
        return None

    def _connect_failed(self, reason, token):
        self._connecting.pop(token, None)
        if reason.check(defer.CancelledError) and self._transport.closing:
            return None
        if self.waiting:
            self.waiting.popleft().fail(reason)
        self._connect_more()
        return None

    def release(self, connection):
        """``connection`` finished an exchange and may carry the next."""
        if self.waiting:
            connection.send(self.waiting.popleft())
            return
        connection.idle_since = self._clock.seconds()
        self.idle.append(connection)

    def forget(self, exchange):
        try:
            self.waiting.remove(exchange)
        except ValueError:
            pass

    def connection_lost(self, connection):
        self.open.discard(connection)
        try:
            self.idle.remove(connection)
        except ValueError:
            pass
        if self.waiting and not self._transport.closing:
            self._connect_more()

    def close(self):
        for d in list(self._connecting.values()):
            d.cancel()
        self._connecting.clear()
        waiting, self.waiting = self.waiting, deque()
        for exchange in waiting:
            exchange.fail(Failure(defer.CancelledError("the transport was closed")))
        lost = []
        for connection in list(self.open):
            lost.append(connection.when_lost())
            if connection.exchange is None:
                connection.transport.loseConnection()
            else:
                connection.exchange.abandon(Failure(defer.CancelledError("the transport was closed")))
        self.idle = []
        return lost


class HTTP11Transport:
    """The default transport: lean HTTP/1.1 with a bounded keep-alive pool per origin.

    :param reactor: connects with it (``IReactorTCP``), and times with it unless ``clock`` is given.
    :param clock: the ``IReactorTime`` deadlines are measured with.
    :param connect_timeout: seconds allowed for a TCP (and TLS) connection to be established.
    :param max_connections: connections per origin (a long-poll, heartbeats, concurrent calls);
        requests beyond it wait in order for a free connection.
    :param idle_timeout: an idle connection older than this is not reused.
    :param max_response_size: bodies larger than this fail with ``ResponseTooLarge``.
    :param trust_root: TLS trust (``IOpenSSLTrustRoot``; default: the platform's trust store).
    :param endpoint_factory: ``(scheme, host, port) -> IStreamClientEndpoint`` replacing the
        default ``HostnameEndpoint`` (+ TLS) — tests connect to in-memory servers with it.
    :param fallback: the transport for multipart uploads and redirects (default: a
        ``TreqTransport`` created when first needed).
    """

    def __init__(self, reactor, clock=None, connect_timeout=5.0, max_connections=DEFAULT_MAX_CONNECTIONS,
                 idle_timeout=310, max_response_size=DEFAULT_MAX_RESPONSE_SIZE, trust_root=None,
                 endpoint_factory=None, fallback=None):
        if not isinstance(max_connections, int) or max_connections < 1:
            raise ValueError("max_connections must be a positive int, not %r" % (max_connections,))
        self._reactor = reactor
        self._clock = clock if clock is not None else reactor
        self._connect_timeout = connect_timeout
        self.max_connections = max_connections
        self._idle_timeout = idle_timeout
        self._max_response_size = max_response_size
        self._trust_root = trust_root
        self._endpoint_factory = endpoint_factory
        self._fallback = fallback
        self._owns_fallback = fallback is None
        self._pools = {}
        self._origins = {}
        self._header_blocks = {}
        self.closing = False
        #: (DelayedCall, _Deadline) lent by a finished exchange while its callbacks run
        self.spare_timer = None

    # --- connections --------------------------------------------------------------------------------

    def _endpoint(self, scheme, host, port):
        if self._endpoint_factory is not None:
            return self._endpoint_factory(scheme, host, port)
        from twisted.internet.abstract import isIPAddress, isIPv6Address
        from twisted.internet.endpoints import HostnameEndpoint, TCP4ClientEndpoint, TCP6ClientEndpoint, wrapClientTLS

        # an address needs no name resolution (HostnameEndpoint would still ask a resolver thread)
        if isIPAddress(host):
            endpoint = TCP4ClientEndpoint(self._reactor, host, port, timeout=self._connect_timeout)
        elif isIPv6Address(host):
            endpoint = TCP6ClientEndpoint(self._reactor, host, port, timeout=self._connect_timeout)
        else:
            endpoint = HostnameEndpoint(self._reactor, host, port, timeout=self._connect_timeout)
        if scheme == "https":
            from twisted.internet.ssl import optionsForClientTLS

            options = optionsForClientTLS(host, trustRoot=self._trust_root)
            endpoint = wrapClientTLS(options, endpoint)
        return endpoint

    def _pool(self, scheme, hostport):
        key = (scheme, hostport)
        pool = self._pools.get(key)
        if pool is None:
            host, port = _split_host(hostport, 443 if scheme == "https" else 80)
            pool = _OriginPool(self, self._endpoint(scheme, host, port), self.max_connections,
                               self._idle_timeout, self._clock)
            self._pools[key] = pool
        return pool

    def _fallback_transport(self):
        if self._fallback is None:
            from pubnub_fast.transport import TreqTransport

            self._fallback = TreqTransport(self._reactor, connect_timeout=self._connect_timeout, clock=self._clock,
                                           max_response_size=self._max_response_size,
                                           idle_timeout=self._idle_timeout)
        return self._fallback

    def open_connections(self):
        """How many connections are open (busy or idle) to every origin."""
        return sum(len(pool.open) for pool in self._pools.values())

    # --- the seam -----------------------------------------------------------------------------------

    def request(self, method, url, headers=None, body=None, timeout=None, allow_redirects=True,
                max_response_size=None, idempotent=False):
        """Send one request; fire with a ``TransportResponse`` once the whole body has arrived.

        ``idempotent`` allows one resend on a new connection when a reused connection turns out
        to be closed before any response byte arrived (see the module docstring).
        """
        if isinstance(url, bytes):
            url = url.decode("ascii")
        end = url.find("/", 8)
        prefix = url if end < 0 else url[:end]
        origin = self._origins.get(prefix)
        if origin is None:
            origin = self._origin(prefix)
        if headers:
            try:
                block = self._header_blocks[tuple(headers.items())]
            except (KeyError, TypeError):
                block = self._header_block(headers)
        else:
            block = b""
        if origin is None or block is None:  # not http(s), or a multipart upload
            return self._fallback_transport().request(method, url, headers=headers, body=body, timeout=timeout,
                                                      allow_redirects=allow_redirects,
                                                      max_response_size=max_response_size)
        pool, host_line = origin
        if end < 0:
            target = b"/"
        else:
            target = url[end:]
            if "#" in target:
                target = target[:target.find("#")]
            target = _target_bytes(target)
        if body is not None and not isinstance(body, bytes):
            body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        exchange = _Exchange(self, pool, method, url, _encode(_METHODS.get(method) or method.encode("ascii"),
                                                                  host_line, target, block, body),
                             headers, body, timeout,
                             self._max_response_size if max_response_size is None else max_response_size,
                             idempotent, allow_redirects)
        return self._start(exchange, timeout, pool)

    def repeating(self, method, head, tail, headers=None, timeout=None, allow_redirects=True,
                  max_response_size=None, idempotent=False):
        """A function ``send(middle)`` sending ``request(method, head + middle + tail, ...)`` with
        everything but ``middle`` (ASCII, already percent-encoded) encoded once, here; None when
        such a request cannot be prepared (another scheme, a fragment, non-ASCII, a method that
        carries a body). The subscribe long-poll repeats itself with only ``tt``/``tr`` moved.
        """
        url = head + tail
        end = url.find("/", 8)
        if end < 0 or end >= len(head) or "#" in url or method not in ("GET", "DELETE", "HEAD"):
            return None
        prefix = url[:end]
        origin = self._origins.get(prefix)
        if origin is None:
            origin = self._origin(prefix)
        block = self._header_block(headers) if headers else b""
        if origin is None or block is None:
            return None
        try:
            before = b"%s %s" % (_METHODS[method], head[end:].encode("ascii"))
            after = b"%s HTTP/1.1\r\n%s%sAccept-Encoding: gzip\r\n\r\n" % (tail.encode("ascii"), origin[1], block)
        except UnicodeEncodeError:
            return None
        pool = origin[0]
        limit = self._max_response_size if max_response_size is None else max_response_size

        def send(middle):
            exchange = _Exchange(self, pool, method, head + middle + tail, before + middle.encode("ascii") + after,
                                 headers, None, timeout, limit, idempotent, allow_redirects)
            return self._start(exchange, timeout, pool)

        return send

    def _start(self, exchange, timeout, pool):
        """Arm the deadline of ``exchange`` and send it (or queue it for a connection)."""
        if timeout is not None:
            spare = self.spare_timer
            if spare is not None:  # lent by the exchange whose callbacks are running
                self.spare_timer = None
                timer, deadline = spare
                if not timer.active():
                    timer = None
                elif timer.time <= self._clock.seconds() + timeout:  # later: reset() is a cheap update
                    timer.reset(timeout)
                else:
                    timer.cancel()
                    timer = None
            else:
                timer = None
            if timer is None:
                deadline = _Deadline()
                timer = self._clock.callLater(timeout, _time_out, deadline)
            deadline.exchange = exchange
            exchange.timer = timer
            exchange.deadline = deadline
        pool.dispatch(exchange)
        return exchange.deferred

    def _origin(self, prefix):
        """``(pool, Host line)`` of ``scheme://host[:port]``, or None when this transport does not
        speak ``scheme``."""
        scheme, sep, hostport = prefix.partition("://")
        if not sep or scheme not in ("http", "https") or not hostport:
            return None
        try:
            host_bytes = hostport.encode("ascii")
        except UnicodeEncodeError:
            host_bytes = hostport.encode("idna")
        origin = (self._pool(scheme, hostport), b"Host: %s\r\n" % host_bytes)
        self._origins[prefix] = origin
        return origin

    def _header_block(self, headers):
        """The encoded header lines of ``headers``; None for a multipart upload (treq's job)."""
        block = None if _is_multipart(headers) else encode_headers(headers)
        try:
            key = tuple(headers.items())
            if len(self._header_blocks) >= 256:
                self._header_blocks.clear()
            self._header_blocks[key] = block
        except TypeError:  # unhashable values (lists): not cached
            pass
        return block

    def follow_redirect(self, exchange, response):
        """A 3xx with ``Location``: continue through the fallback transport (which follows further hops)."""
        location = response.header("location")
        target = urljoin(exchange.url, location)
        method, body = exchange.method, exchange.body
        if response.code == 303 or (response.code in (301, 302) and method == "POST"):
            method, body = "GET", None
        timeout = exchange.timeout
        if exchange.timer is not None and exchange.timer.active():
            timeout = max(exchange.timer.getTime() - self._clock.seconds(), 0.001)
        headers = exchange.headers
        if body is None and headers:
            headers = {k: v for k, v in headers.items() if str(k).lower() not in ("content-type", "content-encoding")}
        inner = self._fallback_transport().request(method, target, headers=headers, body=body, timeout=timeout,
                                                   allow_redirects=True, max_response_size=exchange.limit)
        timer = exchange.timer
        if timer is not None and timer.active():
            timer.cancel()  # the inner request has its own deadline
        exchange.timer = None
        # a timeout or cancel of the outer Deferred now stops the inner request
        exchange.connection = None
        exchange.pool = _Forwarded(inner)
        inner.addCallbacks(exchange.succeed, exchange.fail)

    def close(self):
        """Close every connection (busy ones are aborted); a Deferred firing when all are closed."""
        self.closing = True
        lost = []
        try:
            for pool in self._pools.values():
                lost.extend(pool.close())
        finally:
            self.closing = False
        closes = [defer.gatherResults(lost, consumeErrors=True)]
        if self._owns_fallback and self._fallback is not None:
            closes.append(self._fallback.close())
        return defer.gatherResults(closes, consumeErrors=True).addCallback(lambda _: None)


class _Forwarded:
    """Stands in for the pool of an exchange handed to the fallback transport: abandoning the
    exchange cancels the inner request."""

    def __init__(self, inner):
        self._inner = inner

    def forget(self, exchange):
        self._inner.cancel()


class _Deadline:
    """What a request's timer times out: the exchange it currently belongs to (timers are reused)."""

    __slots__ = ("exchange",)

    def __init__(self):
        self.exchange = None


def _time_out(deadline):
    exchange = deadline.exchange
    if exchange is None:  # lent, and came due while the finished request's callbacks ran
        return
    deadline.exchange = None
    exchange.timer = None
    exchange.abandon(Failure(defer.TimeoutError(
        "no complete response within %s seconds; the request was abandoned" % exchange.timeout)))


def _is_multipart(headers):
    if not headers:
        return False
    for name, value in headers.items():
        if str(name).lower() == "content-type":
            text = value[0] if isinstance(value, (list, tuple)) and value else value
            if isinstance(text, bytes):
                text = text.decode("latin-1")
            return isinstance(text, str) and text.lower().startswith("multipart/")
    return False


def _split_host(hostport, default_port):
    if hostport.startswith("["):  # [IPv6]:port
        end = hostport.find("]")
        host = hostport[1:end]
        rest = hostport[end + 1:]
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    host, sep, port = hostport.rpartition(":")
    if sep and port.isdigit():
        return host, int(port)
    return hostport, default_port

