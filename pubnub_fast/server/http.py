"""The HTTP face of the server: routing, request parsing, limits, response writing.

Routes are declared by the API modules as path patterns (``/v2/subscribe/{sub}/{channels}/0``)
matched against the raw, still percent-encoded path split on ``/`` — so a channel name holding
``%2F`` stays one segment. Path placeholders ``{sub}`` and ``{pub}`` are checked against the
keysets here, once for every route. Handlers get an :class:`ApiCall` and return an
:class:`~.responses.ApiResponse` or a Deferred of one; raising :class:`~.responses.ApiError`
anywhere sends that error. A Deferred still pending when the client disconnects is cancelled
(that is how a dropped subscribe long-poll is cleaned up).

Limits (decisions.md §15): URL 32 KiB (414), body 1 MiB (413, answered as soon as the
declared or received length passes it, without reading the rest), request line 64 KiB and
headers 96 KiB hard caps at the connection level.
"""
from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from twisted.internet.defer import CancelledError, Deferred
from twisted.python.failure import Failure
from twisted.web import http, server
from twisted.web.resource import Resource

from pubnub_fast.server import responses
from pubnub_fast.server.keysets import Keyset
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily
from pubnub_fast.server.wire import decode_component, parse_query

log = logging.getLogger("pubnub_fast.server.http")

MAX_URL_BYTES = 32 * 1024
MAX_BODY_BYTES = 1024 * 1024
MAX_REQUEST_LINE_BYTES = 64 * 1024
MAX_HEADER_BYTES = 96 * 1024

_CORS_PREFLIGHT = [
    (b"Access-Control-Allow-Origin", b"*"),
    (b"Access-Control-Allow-Methods", b"GET, POST, PATCH, DELETE, OPTIONS"),
    (
        b"Access-Control-Allow-Headers",
        b"Origin, X-Requested-With, Content-Type, Accept, Content-Encoding, If-Match",
    ),
    (b"Access-Control-Max-Age", b"86400"),
    (b"Cache-Control", b"no-cache"),
]


# -- requests -------------------------------------------------------------------------------------


@dataclass
class ApiCall:
    """One routed request, decoded: what a handler works with."""

    request: Any  # twisted.web.http.Request
    method: str
    route: "Route"
    path: dict[str, str]
    query: dict[str, str]
    raw_query: dict[str, bytes]
    raw_path: dict[str, bytes]
    keyset: Keyset | None = None
    _body: bytes | None = field(default=None, repr=False)
    #: the path exactly as sent, still percent-encoded: what a request signature covers
    target_path: bytes = b""

    @property
    def uuid(self) -> str:
        return self.query.get("uuid", "")

    def body(self) -> bytes:
        """The request body (gunzipped when sent with ``Content-Encoding: gzip``)."""
        if self._body is None:
            self._body = read_body(self.request)
        return self._body

    def bad_request(self, message: str) -> ApiError:
        """A 400 in the error family of this route (protocol.md §0.4)."""
        return self.route.family_error(400, message)


def read_body(request: Any) -> bytes:
    content = request.content
    if content is None:
        return b""
    content.seek(0)
    data = content.read(MAX_BODY_BYTES + 1)
    encoding = (request.getHeader(b"content-encoding") or b"").strip().lower()
    if encoding in (b"gzip", b"deflate"):
        inflater = zlib.decompressobj(47)  # auto-detect zlib or gzip header
        try:
            data = inflater.decompress(data, MAX_BODY_BYTES + 1)
        except zlib.error:
            raise responses.balancer_error(400, "Could Not Parse Request") from None
        if inflater.unconsumed_tail:
            data += b"x"  # still more: over the limit
    elif encoding not in (b"", b"identity"):
        raise responses.balancer_error(415, "Unsupported Content-Encoding")
    if len(data) > MAX_BODY_BYTES:
        raise responses.balancer_error(413, "Request Entity Too Large")
    return data


# -- routes ---------------------------------------------------------------------------------------

Handler = Callable[[ApiCall], "ApiResponse | Deferred"]


class Route:
    """``methods`` + a path pattern -> ``handler``; ``family`` shapes its generic errors."""

    def __init__(
        self,
        methods: Sequence[str],
        pattern: str,
        handler: Handler,
        family: HeaderFamily,
        error: Callable[[int, str], ApiError] | None = None,
    ) -> None:
        self.methods = frozenset(methods)
        self.pattern = pattern
        self.segments = tuple(pattern.strip("/").split("/"))
        self.handler = handler
        self.family = family
        self._error = error

    def match(self, segments: Sequence[bytes]) -> dict[str, bytes] | None:
        if len(segments) != len(self.segments):
            return None
        found: dict[str, bytes] = {}
        for expected, actual in zip(self.segments, segments):
            if expected.startswith("{"):
                found[expected[1:-1]] = actual
            elif expected.encode("ascii") != actual:
                return None
        return found

    def family_error(self, status: int, message: str) -> ApiError:
        if self._error is not None:
            return self._error(status, message)
        return responses.flat_error(status, message, "Balancer", self.family)


class Router:
    """Finds the route of a path; tells 404 (no such path) from 405 (wrong method)."""

    def __init__(self, routes: Sequence[Route] = ()) -> None:
        self._routes: list[Route] = list(routes)

    def add(self, routes: Sequence[Route]) -> None:
        self._routes.extend(routes)

    def find(self, method: str, segments: Sequence[bytes]) -> tuple[Route, dict[str, bytes]]:
        path_matched = False
        for route in self._routes:
            found = route.match(segments)
            if found is None:
                continue
            if method in route.methods:
                return route, found
            path_matched = True
        if path_matched:
            raise responses.balancer_error(405, "Method Not Allowed")
        raise responses.balancer_error(404, "Not Found")


# -- dispatch -------------------------------------------------------------------------------------


class ApiResource(Resource):
    """The single resource behind every path: decode, route, check keys, run, respond."""

    isLeaf = True

    def __init__(self, router: Router, app: Any) -> None:
        super().__init__()
        self._router = router
        self._app = app

    def render(self, request: Any) -> Any:
        method = request.method.decode("ascii", "replace").upper()
        if method == "OPTIONS":
            request.setResponseCode(200)
            for name, value in _CORS_PREFLIGHT:
                request.setHeader(name, value)
            request.setHeader(b"Content-Length", b"0")
            return b""
        try:
            outcome = self._start(method, request)
        except ApiError as error:
            return self._write(request, error.response)
        if isinstance(outcome, ApiResponse):
            return self._write(request, outcome)
        finished = request.notifyFinish()
        finished.addErrback(lambda _: outcome.cancel())
        outcome.addErrback(self._failure_response, request)
        outcome.addCallback(self._write_later, request)
        return server.NOT_DONE_YET

    def _start(self, method: str, request: Any) -> "ApiResponse | Deferred":
        uri: bytes = request.uri
        if len(uri) > MAX_URL_BYTES:
            raise responses.balancer_error(414, "Request URI Too Long")
        if uri.startswith((b"http://", b"https://")):  # absolute-form request target
            uri = b"/" + uri.split(b"/", 3)[-1] if uri.count(b"/") >= 3 else b"/"
        raw_path, _, raw_query = uri.partition(b"?")
        raw_path = raw_path.split(b"#", 1)[0]
        segments = raw_path.strip(b"/").split(b"/")
        route, raw_params = self._router.find(method, segments)
        try:
            params = {name: decode_component(value) for name, value in raw_params.items()}
            query, raw_values = parse_query(raw_query)
        except ValueError:
            raise route.family_error(400, "Invalid Arguments: not UTF-8") from None
        call = ApiCall(request, method, route, params, query, raw_values, raw_params, target_path=raw_path)
        call.keyset = self._check_keys(call)
        self._app.access.authorize(call)
        try:
            return route.handler(call)
        except ApiError:
            raise
        except Exception:
            log.exception("%s %s failed", method, raw_path.decode("ascii", "replace"))
            raise _internal_error() from None

    def _check_keys(self, call: ApiCall) -> Keyset | None:
        sub_key = call.path.get("sub")
        if sub_key is None:
            return None
        pub_key = call.path.get("pub")
        if pub_key is not None:
            return self._app.keysets.require_publish_key(
                pub_key, sub_key, self._app.timetokens.cursor()
            )
        return self._app.keysets.require_subscribe_key(sub_key)

    def _failure_response(self, failure: Failure, request: Any) -> ApiResponse | None:
        if failure.check(ApiError):
            return failure.value.response
        if failure.check(CancelledError) or request.client_gone:
            return None
        log.error(
            "%s %s failed: %s",
            request.method.decode("ascii", "replace"),
            request.path.decode("ascii", "replace"),
            failure.getTraceback(),
        )
        return _internal_error().response

    def _write_later(self, response: ApiResponse | None, request: Any) -> None:
        if response is None or request.client_gone or request.finished:
            return
        body = self._write(request, response)
        request.write(body)
        request.finish()

    @staticmethod
    def _write(request: Any, response: ApiResponse) -> bytes:
        body = response.encoded_body()
        request.setResponseCode(response.status, response.reason)
        for name, value in response.family.headers(request.method):
            request.setHeader(name, value)
        for name, value in response.extra_headers:
            request.setHeader(name, value)
        request.setHeader(b"Content-Length", b"%d" % len(body))
        return body


def _internal_error() -> ApiError:
    # The real service's wording, typo included (protocol.md §7).
    return responses.balancer_error(500, "An unexpected error ocurred while processing the request.")


# -- connection-level limits ----------------------------------------------------------------------


def _raw_error(status: int, reason: bytes, body: dict) -> bytes:
    payload = responses.ApiResponse(status, body, HeaderFamily.BALANCER).encoded_body()
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: text/javascript; charset=\"UTF-8\"\r\n"
        b"Access-Control-Allow-Origin: *\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % (status, reason, len(payload))
    ) + payload


class LimitedRequest(server.Request):
    """A request that refuses a body over the limit without reading it, and knows whether its
    client went away (``client_gone``)."""

    body_too_large = False
    client_gone = False
    _received = 0
    _body_limit = MAX_BODY_BYTES
    _refusal: bytes | None = None  # the raw response for a body over the limit (None: 413)

    def connectionLost(self, reason: Failure) -> None:
        self.client_gone = True
        super().connectionLost(reason)

    def gotLength(self, length: int | None) -> None:
        # Paths registered in ``ApiSite.body_limits`` (file uploads) take bigger bodies.
        path = (getattr(self.channel, "_path", None) or b"").split(b"?", 1)[0]
        limit_of = getattr(getattr(self.channel, "factory", None), "body_limits", {}).get(path)
        if limit_of is not None:
            self._body_limit, self._refusal = limit_of()
        if length is not None and length > self._body_limit:
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self.body_too_large:
            return
        self._received += len(data)
        if self._received > self._body_limit:
            self._refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if not self.body_too_large:  # else the 413 is already sent and the connection closing
            super().requestReceived(command, path, version)

    def _refuse(self) -> None:
        self.body_too_large = True
        body = {"status": 413, "error": True, "service": "Balancer", "message": "Request Entity Too Large"}
        self.channel.transport.write(
            self._refusal or _raw_error(413, b"Request Entity Too Large", body)
        )
        self.channel.transport.loseConnection()


class LimitedHTTPChannel(http.HTTPChannel):
    """HTTP/1.1 channel with room for 32 KiB URLs and a 414 for longer request lines."""

    MAX_LENGTH = MAX_REQUEST_LINE_BYTES
    totalHeadersSize = MAX_HEADER_BYTES

    def lineLengthExceeded(self, line: bytes) -> None:
        body = {"status": 414, "error": True, "service": "Balancer", "message": "Request URI Too Long"}
        self.transport.write(_raw_error(414, b"Request-URI Too Long", body))
        self.transport.loseConnection()

    def connectionMade(self) -> None:
        super().connectionMade()
        self.factory.channel_opened(self)

    def connectionLost(self, reason: Failure) -> None:
        super().connectionLost(reason)
        self.factory.channel_closed(self)


class ApiSite(server.Site):
    """The Twisted site: tracks open connections so ``stop()`` can close them."""

    requestFactory = LimitedRequest

    def __init__(self, resource: Resource, reactor: Any) -> None:
        # Twisted would parse form bodies into ``request.args`` on the reactor (and answer a
        # bare 400 to a malformed multipart upload); the API reads the raw URI and body itself.
        try:
            super().__init__(resource, reactor=reactor, parsePOSTFormSubmission=False)
        except TypeError:  # Twisted older than 24.7 has no switch
            super().__init__(resource, reactor=reactor)
        self._channels: set[LimitedHTTPChannel] = set()
        self._all_closed: list[Deferred] = []
        #: raw request path -> ``() -> (body limit, raw refusal response)`` for routes that take
        #: bodies over MAX_BODY_BYTES (the files upload target registers itself here).
        self.body_limits: dict[bytes, Callable[[], tuple[int, bytes | None]]] = {}

    def protocol(self) -> LimitedHTTPChannel:  # type: ignore[override]
        return LimitedHTTPChannel()

    def log(self, request: Any) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %d (%s bytes)",
                request.method.decode("ascii", "replace"),
                request.uri.decode("ascii", "replace")[:300],
                request.code,
                request.sentLength,
            )

    def channel_opened(self, channel: LimitedHTTPChannel) -> None:
        self._channels.add(channel)

    def channel_closed(self, channel: LimitedHTTPChannel) -> None:
        self._channels.discard(channel)
        if not self._channels:
            waiters, self._all_closed = self._all_closed, []
            for waiter in waiters:
                waiter.callback(None)

    def close_connections(self) -> Deferred:
        """Close every open connection; fires when they are all gone."""
        waiter: Deferred = Deferred()
        if not self._channels:
            waiter.callback(None)
            return waiter
        self._all_closed.append(waiter)
        for channel in list(self._channels):
            channel.transport.loseConnection()
        return waiter


__all__ = [
    "ApiCall",
    "ApiResource",
    "ApiSite",
    "MAX_BODY_BYTES",
    "MAX_URL_BYTES",
    "Route",
    "Router",
]
