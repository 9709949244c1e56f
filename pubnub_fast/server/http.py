"""The HTTP face of the server: a lean HTTP/1.1 protocol, routing, limits, response writing.

Connections are served by :class:`HttpConnection`, a small HTTP/1.1 server protocol of our own on
Twisted's ``Protocol`` (not twisted.web): keep-alive, pipelining with responses in request order,
``Content-Length`` and chunked request bodies, ``Expect: 100-continue``, ``HEAD``. Every route
goes through it.

Routes are declared by the API modules as path patterns (``/v2/subscribe/{sub}/{channels}/0``)
matched against the raw, still percent-encoded path split on ``/`` — so a channel name holding
``%2F`` stays one segment. Path placeholders ``{sub}`` and ``{pub}`` are checked against the
keysets here, once for every route. Handlers get an :class:`ApiCall` and return an
:class:`~.responses.ApiResponse` or a Deferred of one; raising :class:`~.responses.ApiError`
anywhere sends that error. A Deferred still pending when the client disconnects is cancelled
(that is how a dropped subscribe long-poll is cleaned up).

Pipelining: requests on one connection are answered in order. The next pipelined request is
started while earlier ones are pending only when every pending one is on an *eager* route
(publish, signal, fire, time: everything they change happens when they start), so pipelined
publishes share one SQLite transaction; behind anything else (a long-poll) it waits.

Limits (decisions.md §15; all :class:`HttpSettings`): URL 32 KiB (414), body 1 MiB (413,
answered as soon as the declared or received length passes it, without reading the rest),
request line 64 KiB (raw 414), request headers ``max_header_bytes`` (431); a request head must
arrive within ``header_timeout`` of its first byte (or of the connection opening) and a body
within ``body_timeout`` — trickling bytes does not extend either (408, then close); a keep-alive
connection idle for ``idle_timeout`` is closed. At most ``max_connections`` open connections
(clamped below the process's file-descriptor limit) and ``max_connections_per_client`` per client
address: at a cap, the connection that has been waiting longest for a request head (then the one
idle longest) is closed to make room, and only when every connection is busy with a request is
the new one refused (503). CORS: see :class:`CorsPolicy`. ``Host`` (DNS rebinding): see
:class:`HostPolicy`.
"""
from __future__ import annotations

import io
import ipaddress
import logging
import re
import resource
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any, Callable, Iterable, Sequence

from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IPushProducer
from twisted.internet.protocol import Factory, Protocol
from twisted.python.failure import Failure
from twisted.web.http import RESPONSES
from zope.interface import implementer

from pubnub_fast.server import responses
from pubnub_fast.server.keysets import Keyset
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily
from pubnub_fast.server.wire import decode_component, parse_query, redact_target

log = logging.getLogger("pubnub_fast.server.http")

MAX_URL_BYTES = 32 * 1024
MAX_BODY_BYTES = 1024 * 1024
MAX_REQUEST_LINE_BYTES = 64 * 1024
MAX_HEADER_COUNT = 200
#: Pipelined requests started ahead of their responses, per connection.
MAX_PIPELINED = 32
#: Buffered, not yet parsed bytes per connection before reading from it pauses.
MAX_BUFFERED_BYTES = 256 * 1024
#: File descriptors kept free of connections (SQLite, files, the listening socket, logs).
FD_RESERVE = 64

#: Seconds between two warnings about requests refused for their ``Host``.
REFUSAL_WARNING_INTERVAL = 60.0

#: The origins allowed by default: web pages served from this machine.
LOOPBACK_ORIGINS = "loopback"

_CORS_PREFLIGHT = [
    (b"Access-Control-Allow-Methods", b"GET, POST, PATCH, DELETE, OPTIONS"),
    (
        b"Access-Control-Allow-Headers",
        b"Origin, X-Requested-With, Content-Type, Accept, Content-Encoding, If-Match",
    ),
    (b"Access-Control-Max-Age", b"86400"),
    (b"Cache-Control", b"no-cache"),
]


# -- settings -------------------------------------------------------------------------------------


@dataclass
class HttpSettings:
    """Limits of the HTTP front (``start_server(...)`` and ``pubnub-fast serve`` options)."""

    #: seconds from a request's first byte (or the connection opening) to its complete head
    header_timeout: float = 10.0
    #: seconds from a complete head to the complete body
    body_timeout: float = 60.0
    #: seconds a keep-alive connection may stay open without a request
    idle_timeout: float = 75.0
    #: open connections at most (also clamped below the file-descriptor limit)
    max_connections: int = 1024
    #: open connections per client address at most
    max_connections_per_client: int = 256
    #: bytes of request headers at most (the request line has its own 64 KiB cap)
    max_header_bytes: int = 32 * 1024
    #: browser origins allowed (``Origin`` header): ``"loopback"`` (pages served from this
    #: machine, any port), ``"*"`` (any) and/or exact origins such as ``"https://app.example"``
    cors_origins: Sequence[str] = (LOOPBACK_ORIGINS,)
    #: ``Host`` names accepted besides IP literals and ``localhost``/``*.localhost`` (see
    #: :class:`HostPolicy`): exact names, ``.example.com`` (it and its subdomains),
    #: ``*.example.com`` (its subdomains) or ``"*"`` (any)
    allowed_hosts: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("header_timeout", "body_timeout", "idle_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError("%s must be positive, not %r" % (name, getattr(self, name)))
        for name in ("max_connections", "max_connections_per_client", "max_header_bytes"):
            if not int(getattr(self, name)) >= 1:
                raise ValueError("%s must be at least 1, not %r" % (name, getattr(self, name)))
        if isinstance(self.cors_origins, str):
            self.cors_origins = [item for item in self.cors_origins.split(",") if item.strip()]
        self.cors_origins = tuple(item.strip() for item in self.cors_origins)
        if isinstance(self.allowed_hosts, str):
            self.allowed_hosts = self.allowed_hosts.split(",")
        self.allowed_hosts = tuple(item.strip() for item in self.allowed_hosts if item.strip())
        HostPolicy(self.allowed_hosts)  # ValueError naming a malformed entry

    def connection_cap(self) -> int:
        """``max_connections``, lowered to fit the file descriptors this process may open."""
        try:
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        except (OSError, ValueError):  # pragma: no cover - platform without the limit
            return self.max_connections
        if soft == resource.RLIM_INFINITY:
            return self.max_connections
        return max(1, min(self.max_connections, soft - FD_RESERVE))


class CorsPolicy:
    """Which browser origins may use the server (issue 12).

    A request carrying an ``Origin`` header (every cross-origin ``fetch``/XHR does) is refused with
    a JSON 403 when the origin is not allowed — before any handler runs, so a web page cannot
    drive the server (demo mode accepts any key). So is a request a browser marks
    ``Sec-Fetch-Site: cross-site`` without an allowed origin (an ``<img>`` or form pointed at the
    server). Allowed origins are echoed in ``Access-Control-Allow-Origin`` with ``Vary: Origin``;
    with ``"*"`` every origin is allowed and the header is ``*``. Requests without an ``Origin``
    (SDKs, curl) get ``Access-Control-Allow-Origin: *`` as from the real service: no browser
    reads them cross-origin.
    """

    def __init__(self, origins: Iterable[str]) -> None:
        self.any = False
        self.loopback = False
        self.exact: set[bytes] = set()
        for origin in origins:
            if origin == "*":
                self.any = True
            elif origin == LOOPBACK_ORIGINS:
                self.loopback = True
            else:
                self.exact.add(origin.rstrip("/").lower().encode("ascii"))

    def allows(self, origin: bytes) -> bool:
        if self.any:
            return True
        origin = origin.strip().lower()
        if origin in self.exact:
            return True
        return self.loopback and _is_loopback_origin(origin)

    def header_value(self, origin: bytes | None) -> bytes:
        if origin is None or self.any:
            return b"*"
        return origin.strip()


def _is_loopback_origin(origin: bytes) -> bool:
    scheme, sep, rest = origin.partition(b"://")
    if not sep or scheme not in (b"http", b"https") or b"/" in rest or b"@" in rest:
        return False
    if rest.startswith(b"["):
        host, _, port = rest[1:].partition(b"]")
        port = port[1:] if port.startswith(b":") else port
    else:
        host, _, port = rest.partition(b":")
    if port and not port.isdigit():
        return False
    return is_loopback_host(host.decode("ascii", "replace"))


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


#: ``reg-name`` characters of RFC 3986 (lowercased), the syntax of a ``Host`` name.
_REG_NAME = re.compile(rb"[a-z0-9\-._~%!$&'()*+,;=]+\Z")
#: Longest ``host[:port]`` looked at (a DNS name is at most 253 bytes).
_MAX_HOST_BYTES = 300
#: Verdicts kept per distinct ``Host`` value (then forgotten all at once).
_HOST_CACHE_SIZE = 512
HOST_OK, HOST_INVALID, HOST_REFUSED = 0, 400, 421


def parse_host(value: bytes) -> tuple[str, bool] | None:
    """``host[:port]`` (a ``Host`` header or the authority of a target) -> ``(name, is_ip)``.

    ``name`` is normalised: lowercased, one trailing dot dropped, IDNs as punycode, IPv6 as
    ``[compressed]``; ``None`` when the value is not a valid ``host[:port]`` (RFC 3986 §3.2.2).
    """
    if len(value) > _MAX_HOST_BYTES or b"@" in value:
        return None
    if value.startswith(b"["):
        inside, bracket, port = value[1:].partition(b"]")
        if not bracket or not _valid_port(port):
            return None
        try:
            text = inside.decode("ascii").replace("%25", "%")  # RFC 6874 zone id
            address = ipaddress.IPv6Address(text)
        except (UnicodeDecodeError, ValueError):
            return None
        return "[%s]" % address.compressed, True
    name, colon, port = value.partition(b":")
    if colon and not _valid_port(colon + port):
        return None
    if name.endswith(b"."):
        name = name[:-1]
    if not name:
        return None
    if not name.isascii():
        try:
            name = name.decode("utf-8").encode("idna")
        except UnicodeError:
            return None
    name = name.lower()
    if len(name) > 253 or _REG_NAME.match(name) is None or name[:1] == b"." or b".." in name:
        return None  # (no empty labels)
    text = name.decode("ascii")
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return text, False
    return text, True


def _valid_port(port: bytes) -> bool:
    """``""`` or ``":"`` followed by at most 5 digits (RFC 3986 allows an empty port)."""
    return not port or (port[:1] == b":" and len(port) <= 6 and (port[1:].isdigit() or port == b":"))


class HostPolicy:
    """Which ``Host`` names the server answers: the defence against DNS rebinding.

    A page on ``attacker.example`` whose name later resolves to 127.0.0.1 talks to the server
    *same-origin* (CORS never applies) but its browser still sends ``Host: attacker.example``.
    So, checked on every request before routing: IP literals (``127.0.0.1``, ``[::1]``, any
    address: a browser only sends one when the page's own URL holds it), ``localhost`` and
    ``*.localhost`` (browsers resolve those to loopback themselves), with any port, are accepted,
    plus the ``allowed`` names: exact (``myhost.lan``), ``.example.com`` (it and its
    subdomains), ``*.example.com`` (subdomains only) or ``*`` (any). Names compare
    case-insensitively, with or without a trailing dot, IDNs as punycode.

    ``loopback=False`` (bound beyond loopback) with no ``allowed`` names accepts any name:
    clients on the network legitimately use the machine's names, unknown here (the exposure
    warning says so; allowing names turns the check on).

    :meth:`verdict` gives ``HOST_OK``, ``HOST_INVALID`` (not a ``host[:port]``: 400) or
    ``HOST_REFUSED`` (421); verdicts are cached per raw value.
    """

    def __init__(self, allowed: Iterable[str] = (), loopback: bool = True) -> None:
        self.any = False
        self.exact: set[str] = set()
        self.suffixes: list[str] = []
        for item in allowed:
            self._allow(item.strip())
        if not loopback and not self.exact and not self.suffixes:
            self.any = True
        self._cache: dict[bytes, int] = {}

    def _allow(self, item: str) -> None:
        if item == "*":
            self.any = True
            return
        subdomains_only = item.startswith("*.")
        with_apex = item.startswith(".")
        name = item[2:] if subdomains_only else item[1:] if with_apex else item
        if ":" in name and not name.startswith("["):
            raise ValueError("allowed host %r: give the name without a port (any port is accepted)" % item)
        try:
            parsed = parse_host(name.encode("utf-8"))
        except UnicodeError:
            parsed = None
        if parsed is None or "*" in parsed[0] or ((subdomains_only or with_apex) and parsed[1]):
            raise ValueError(
                "allowed host %r is not a host name (NAME, .NAME for it and its subdomains, "
                "*.NAME for its subdomains, or *)" % item
            )
        if not subdomains_only:
            self.exact.add(parsed[0])
        if subdomains_only or with_apex:
            self.suffixes.append("." + parsed[0])

    def verdict(self, value: bytes) -> int:
        """The verdict for a raw ``host[:port]`` value (an empty value is accepted: RFC 9112
        §3.2 has it for targets without an authority, and no browser sends one)."""
        verdict = self._cache.get(value)
        if verdict is None:
            verdict = self._judge(value)
            if len(self._cache) >= _HOST_CACHE_SIZE:
                self._cache.clear()
            self._cache[value] = verdict
        return verdict

    def _judge(self, value: bytes) -> int:
        if not value:
            return HOST_OK
        parsed = parse_host(value)
        if parsed is None:
            return HOST_INVALID
        return HOST_OK if self.allows(*parsed) else HOST_REFUSED

    def allows(self, name: str, is_ip: bool = False) -> bool:
        """Is the normalised ``name`` (from :func:`parse_host`) accepted?"""
        if self.any or is_ip or name == "localhost" or name.endswith(".localhost") or name in self.exact:
            return True
        return any(name.endswith(suffix) for suffix in self.suffixes)

    @classmethod
    def for_binding(cls, host: str, allowed: Iterable[str] = ()) -> "HostPolicy":
        """The policy of a server bound to ``host`` (see the class docstring)."""
        return cls(allowed, loopback=is_loopback_host(host))


# -- requests -------------------------------------------------------------------------------------


class Request:
    """One HTTP request as received (the part of twisted.web's ``Request`` the API uses)."""

    __slots__ = (
        "connection", "method", "uri", "path", "clientproto", "headers", "content",
        "client_gone", "finished", "eager", "keep_alive", "head_only", "origin", "cors_denied",
        "bad_target",
    )

    def __init__(self, connection: Any, method: bytes, uri: bytes, version: bytes,
                 headers: dict[bytes, bytes]) -> None:
        self.connection = connection
        self.method = method
        self.uri = uri
        self.path = uri.split(b"?", 1)[0]
        self.clientproto = version
        self.headers = headers
        self.content: io.BytesIO | None = None
        self.client_gone = False
        self.finished = False
        self.eager = False
        self.head_only = method == b"HEAD"
        connection_tokens = headers.get(b"connection", b"").lower()
        if version == b"HTTP/1.1":
            self.keep_alive = b"close" not in connection_tokens
        else:
            self.keep_alive = b"keep-alive" in connection_tokens
        self.origin: bytes | None = headers.get(b"origin")
        self.cors_denied = False
        self.bad_target = False  # raw bytes in the target that are not UTF-8 (answered 400)

    def getHeader(self, name: bytes) -> bytes | None:  # noqa: N802 - twisted.web's name
        return self.headers.get(name.lower())

    def getHost(self) -> Any:  # noqa: N802
        return self.connection.transport.getHost()

    def getClientAddress(self) -> Any:  # noqa: N802
        return self.connection.transport.getPeer()

    def isSecure(self) -> bool:  # noqa: N802
        return bool(getattr(self.connection.transport, "TLS", False))


@dataclass
class ApiCall:
    """One routed request, decoded: what a handler works with."""

    request: Any  # Request
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
    """``methods`` + a path pattern -> ``handler``; ``family`` shapes its generic errors.

    ``eager``: everything the handler changes happens before it returns (a pipelined request
    after it may start before its response is written).
    """

    def __init__(
        self,
        methods: Sequence[str],
        pattern: str,
        handler: Handler,
        family: HeaderFamily,
        error: Callable[[int, str], ApiError] | None = None,
        eager: bool = False,
    ) -> None:
        self.methods = frozenset(methods)
        self.pattern = pattern
        self.segments = tuple(pattern.strip("/").split("/"))
        self._literals = tuple(
            (index, segment.encode("ascii"))
            for index, segment in enumerate(self.segments)
            if not segment.startswith("{")
        )
        self._names = tuple(
            (index, segment[1:-1]) for index, segment in enumerate(self.segments) if segment.startswith("{")
        )
        self.handler = handler
        self.family = family
        self.eager = eager
        self._error = error

    def match(self, segments: Sequence[bytes]) -> dict[str, bytes] | None:
        if len(segments) != len(self.segments):
            return None
        for index, literal in self._literals:
            if segments[index] != literal:
                return None
        return {name: segments[index] for index, name in self._names}

    def family_error(self, status: int, message: str) -> ApiError:
        if self._error is not None:
            return self._error(status, message)
        return responses.flat_error(status, message, "Balancer", self.family)


class Router:
    """Finds the route of a path; tells 404 (no such path) from 405 (wrong method).

    Routes are indexed by segment count and first segment; within a bucket the first route
    added that matches wins, as in a plain ordered scan.
    """

    def __init__(self, routes: Sequence[Route] = ()) -> None:
        self._routes: list[Route] = []
        self._index: dict[tuple[int, bytes | None], list[Route]] = {}
        self.add(routes)

    def add(self, routes: Sequence[Route]) -> None:
        self._routes.extend(routes)
        index: dict[tuple[int, bytes | None], list[Route]] = {}
        literals = {
            (len(route.segments), route.segments[0].encode("ascii"))
            for route in self._routes
            if not route.segments[0].startswith("{")
        }
        for route in self._routes:
            size, first = len(route.segments), route.segments[0]
            if first.startswith("{"):
                keys = [(size, None)] + [key for key in literals if key[0] == size]
            else:
                keys = [(size, first.encode("ascii"))]
            for key in keys:
                index.setdefault(key, []).append(route)
        self._index = index

    def find(self, method: str, segments: Sequence[bytes]) -> tuple[Route, dict[str, bytes]]:
        size = len(segments)
        bucket: Sequence[Route] | None = self._index.get((size, segments[0]))
        if bucket is None:
            bucket = self._index.get((size, None)) or ()
        path_matched = False
        for route in bucket:
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


class Dispatcher:
    """Decode, route, check keys and origin, run: ``handle(request)`` gives an
    :class:`ApiResponse`, or a Deferred firing with one (or ``None``: the client went away)."""

    def __init__(self, router: Router, app: Any, cors: CorsPolicy | None = None,
                 hosts: HostPolicy | None = None, clock: Any = None) -> None:
        self._router = router
        self._app = app
        self.cors = cors or CorsPolicy([LOOPBACK_ORIGINS])
        self.hosts = hosts or HostPolicy()
        self._clock = clock  # for the rate of refusal warnings (reactor.seconds)
        self._warned_at: float | None = None
        self._unreported = 0  # refusals since the last warning

    def handle(self, request: Request) -> "ApiResponse | Deferred":
        try:
            host = request.headers.get(b"host")
            if host is None or request.uri[:1] != b"/" or self.hosts.verdict(host):
                self._check_host(request, host)
            self._check_origin(request)
            if request.method == b"OPTIONS":
                return ApiResponse(200, responses.RawJson(b""), HeaderFamily.BALANCER,
                                   extra_headers=_CORS_PREFLIGHT)
            method = request.method.decode("ascii", "replace").upper()
            outcome = self._start(method, request)
        except ApiError as error:
            return error.response
        if isinstance(outcome, ApiResponse):
            return outcome
        outcome.addErrback(self._failure_response, request)
        return outcome

    def _check_host(self, request: Request, host: bytes | None) -> None:
        """The ``Host`` check (:class:`HostPolicy`); an absolute-form target's authority
        replaces the ``Host`` header (RFC 9112 §3.2.2), which HTTP/1.1 still requires."""
        if host is None and request.clientproto == b"HTTP/1.1":
            raise responses.balancer_error(400, "Bad Request: missing Host header")
        target = request.uri
        scheme = target[:8].lower()
        if scheme.startswith(b"http://") or scheme == b"https://":
            host = target[len(b"http://") if scheme.startswith(b"http://") else len(b"https://"):]
            host = re.split(rb"[/?#]", host, maxsplit=1)[0]
        if host is None:  # HTTP/1.0 without Host: not a browser
            return
        verdict = self.hosts.verdict(host)
        if verdict == HOST_INVALID:
            raise responses.balancer_error(400, "Bad Request: invalid Host header")
        if verdict == HOST_REFUSED:
            request.cors_denied = True  # nothing in it for a foreign page to read
            name = parse_host(host)[0]  # type: ignore[index]  # refused, so it parsed
            self._warn_refused(name)
            message = (
                "Misdirected Request: this server does not answer for host '%s' (DNS-rebinding "
                "protection); to allow it, start the server with --allow-host %s (allowed_hosts "
                "of start_server)" % (name, name)
            )
            error = responses.balancer_error(421, message)
            error.response.reason = b"Misdirected Request"
            raise error

    def _warn_refused(self, name: str) -> None:
        """Log a refusal: at most one warning a minute, counting those left unreported."""
        now = self._clock.seconds() if self._clock is not None else time.monotonic()
        if self._warned_at is not None and now - self._warned_at < REFUSAL_WARNING_INTERVAL:
            self._unreported += 1
            return
        more = ""
        if self._unreported:
            more = " (%d more refused since the last warning)" % self._unreported
        self._warned_at = now
        self._unreported = 0
        log.warning(
            "refused a request for host %r: not an allowed Host (DNS-rebinding protection); "
            "--allow-host %s accepts it%s", name, name, more,
        )

    def _check_origin(self, request: Request) -> None:
        origin = request.origin
        if origin is not None:
            allowed = self.cors.allows(origin)
        else:
            allowed = (request.headers.get(b"sec-fetch-site") or b"").lower() != b"cross-site"
        if not allowed:
            request.cors_denied = True  # no Access-Control-Allow-Origin for it
            raise responses.balancer_error(403, "Forbidden: origin not allowed")

    def _start(self, method: str, request: Request) -> "ApiResponse | Deferred":
        uri: bytes = request.uri
        if len(uri) > MAX_URL_BYTES:
            raise responses.balancer_error(414, "Request URI Too Long")
        if uri[:8].lower().startswith((b"http://", b"https://")):  # absolute-form request target
            uri = b"/" + uri.split(b"/", 3)[-1] if uri.count(b"/") >= 3 else b"/"
        raw_path, _, raw_query = uri.partition(b"?")
        raw_path = raw_path.split(b"#", 1)[0]
        segments = raw_path.strip(b"/").split(b"/")
        route, raw_params = self._router.find(method, segments)
        request.eager = route.eager
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
            log.exception("%s %s failed", method, redact_target(raw_path))
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

    @staticmethod
    def _failure_response(failure: Failure, request: Request) -> ApiResponse | None:
        if failure.check(ApiError):
            return failure.value.response
        if failure.check(CancelledError) or request.client_gone:
            return None
        log.error(
            "%s %s failed: %s",
            request.method.decode("ascii", "replace"),
            redact_target(request.path),
            failure.getTraceback(),
        )
        return _internal_error().response


def _internal_error() -> ApiError:
    # The real service's wording, typo included (protocol.md §7).
    return responses.balancer_error(500, "An unexpected error ocurred while processing the request.")


# -- response bytes -------------------------------------------------------------------------------

_ACAO = b"access-control-allow-origin"
_header_blocks: dict[tuple[HeaderFamily, bytes], bytes] = {}


def _family_block(family: HeaderFamily, method: bytes) -> bytes:
    """The family's headers for ``method`` as wire bytes, without the CORS origin line."""
    key = (family, method)
    block = _header_blocks.get(key)
    if block is None:
        block = b"".join(
            b"%s: %s\r\n" % (name, value)
            for name, value in family.headers(method)
            if name.lower() != _ACAO
        )
        _header_blocks[key] = block
    return block


class _DateHeader:
    """``Date: …`` recomputed at most once a second of the injected clock."""

    def __init__(self, clock: Any) -> None:
        self._clock = clock
        self._second = -1
        self._line = b""

    def line(self) -> bytes:
        now = int(self._clock.seconds())
        if now != self._second:
            self._second = now
            self._line = b"Date: %s\r\n" % formatdate(now, usegmt=True).encode("ascii")
        return self._line


def _status_line(status: int, reason: bytes | None) -> bytes:
    return b"HTTP/1.1 %d %s\r\n" % (status, reason or RESPONSES.get(status, b"Unknown"))


def _raw_error(status: int, reason: bytes, message: str, extra: bytes = b"") -> bytes:
    body = {"status": status, "error": True, "service": "Balancer", "message": message}
    payload = responses.ApiResponse(status, body, HeaderFamily.BALANCER).encoded_body()
    return (
        _status_line(status, reason)
        + b"Content-Type: text/javascript; charset=\"UTF-8\"\r\n"
        b"Access-Control-Allow-Origin: *\r\nCache-Control: no-cache\r\n"
        + extra
        + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(payload)
    ) + payload


# -- the connection -------------------------------------------------------------------------------

_HEAD, _BODY = 0, 1
_UNUSUAL_TARGET_BYTE = re.compile(rb"[\x00-\x20\x7f-\xff]")
_CONTROL_CHARACTER = re.compile("[\x00-\x20\x7f]")
_IDLE, _HEAD_TIMER, _BODY_TIMER = "idle", "head", "body"


class _Slot:
    """A started request waiting for its turn to be answered, in pipeline order."""

    __slots__ = ("request", "data", "outcome")

    def __init__(self, request: "Request | _Failed") -> None:
        self.request = request
        self.data: bytes | None = None  # the response bytes once known
        self.outcome: Deferred | None = None


class _Failed:
    """Stands for the request an error answers once the requests before it are answered."""

    eager = False
    keep_alive = False
    finished = False
    client_gone = False


_FAILED = _Failed()


class _BadRequest(Exception):
    def __init__(self, status: int, reason: bytes, message: str) -> None:
        super().__init__(message)
        self.raw = _raw_error(status, reason, message)


@implementer(IPushProducer)
class HttpConnection(Protocol):
    """One client connection (see the module docstring)."""

    transport: Any  # the reactor's TCP transport (ITCPTransport, IProducer), set on connection

    def __init__(self, site: "ApiSite") -> None:
        self.site = site
        self.settings = site.settings
        self._clock = site.reactor
        self._buffer = b""
        self._state = _HEAD
        self._request: Request | None = None
        self._body_parts: list[bytes] = []
        self._body_left = 0  # bytes of the Content-Length body still to come
        self._chunked = False
        self._body_size = 0
        self._body_limit = MAX_BODY_BYTES
        self._refusal: bytes | None = None
        self._slots: deque[_Slot] = deque()
        self._closing = False
        self._done_reading = False  # the last request (Connection: close) or an unservable one
        self._gone = False
        self._processing = False
        self._read_paused = False
        self._write_paused = False
        self._timer: Any = None
        self._socket: Any = None
        self._deadline: float | None = None
        self.timer_kind: str | None = None
        self.client_host = ""
        self.since = 0.0  # when the connection entered its current timer state

    # -- Twisted ----------------------------------------------------------------------------------

    def connectionMade(self) -> None:  # noqa: N802
        peer = self.transport.getPeer()
        self.client_host = getattr(peer, "host", "") or ""
        if not self.site.admit(self):
            return
        self.transport.registerProducer(self, True)
        try:  # no Nagle: pipelined answers written in several turns must not wait for an ACK
            self.transport.setTcpNoDelay(True)
        except (AttributeError, OSError):  # not TCP
            pass
        transport = self.transport
        if (not getattr(transport, "TLS", False) and hasattr(transport, "socket")
                and isinstance(getattr(transport, "dataBuffer", None), bytes)
                and isinstance(getattr(transport, "_tempDataBuffer", None), list)):
            self._socket = transport.socket  # a plain TCP transport: see _send
        self._arm(_HEAD_TIMER, self.settings.header_timeout)

    def dataReceived(self, data: bytes) -> None:  # noqa: N802
        if self._closing or self._done_reading:
            return
        self._buffer = self._buffer + data if self._buffer else data
        self._process()

    def connectionLost(self, reason: Failure | None = None) -> None:  # noqa: N802
        self._gone = True
        self._closing = True
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        slots, self._slots = self._slots, deque()
        for slot in slots:
            slot.request.client_gone = True
            if slot.outcome is not None and not slot.outcome.called:
                slot.outcome.cancel()
        self.site.release(self)

    # IPushProducer: the transport's write buffer is full / drained.
    def pauseProducing(self) -> None:  # noqa: N802
        self._write_paused = True

    def resumeProducing(self) -> None:  # noqa: N802
        if self._write_paused:
            self._write_paused = False
            self._process()

    def stopProducing(self) -> None:  # noqa: N802
        self._closing = True

    # -- timers -----------------------------------------------------------------------------------

    def _arm(self, kind: str, seconds: float) -> None:
        """Set the connection's one deadline; re-arming the same kind keeps the old deadline."""
        if self.timer_kind == kind:
            return
        now = self._clock.seconds()
        self.timer_kind = kind
        self.since = now
        self._deadline = now + seconds
        timer = self._timer
        if timer is not None and timer.active():
            if timer.getTime() <= self._deadline:
                return  # fires early and re-arms for the rest
            timer.cancel()
        self._timer = self._clock.callLater(seconds, self._timer_fired)

    def _disarm(self) -> None:
        self.timer_kind = None
        self._deadline = None

    def _timer_fired(self) -> None:
        self._timer = None
        if self._deadline is None or self._closing:
            return
        left = self._deadline - self._clock.seconds()
        if left > 0:
            self._timer = self._clock.callLater(left, self._timer_fired)
            return
        kind = self.timer_kind
        if kind == _IDLE:
            self._close()
        elif kind == _HEAD_TIMER and not self._buffer and not self._slots:
            self._close()  # nothing was ever sent: just close
        else:
            self._fail(_raw_error(408, b"Request Timeout", "Request Timeout"))

    # -- parsing ----------------------------------------------------------------------------------

    def _process(self) -> None:
        if self._processing:
            return
        self._processing = True
        try:
            self._process_loop()
        except _BadRequest as bad:
            self._flush()  # what earlier requests are owed, then the error
            self._fail(bad.raw)
        finally:
            self._processing = False
        if not self._closing:
            self._flush()  # every answer ready after this read, in one write

    def _process_loop(self) -> None:
        while not self._closing and not self._done_reading:
            if self._state == _BODY:
                if not self._read_body():
                    self._arm(_BODY_TIMER, self.settings.body_timeout)
                    return
                self._start_request()
                continue
            if self._write_paused:
                break
            if self._slots and self._blocked():
                self._flush()  # answered ones leave the queue; is the rest still in the way?
                if self._slots and self._blocked():
                    break
            if not self._buffer:
                if not self._slots:
                    self._arm(_IDLE, self.settings.idle_timeout)
                return
            if not self._read_head():
                self._arm(_HEAD_TIMER, self.settings.header_timeout)
                return
            if self._state == _HEAD:
                self._start_request()
        if self._buffer and len(self._buffer) > MAX_BUFFERED_BYTES and not self._read_paused:
            self._read_paused = True
            self.transport.pauseProducing()

    def _blocked(self) -> bool:
        """May the next pipelined request not start yet (see the module docstring)?"""
        return len(self._slots) >= MAX_PIPELINED or not all(slot.request.eager for slot in self._slots)

    def _read_head(self) -> bool:
        """Parse a complete request head from the buffer; False when it is not all there."""
        buffer = self._buffer
        if buffer[:1] in (b"\r", b"\n"):  # stray line ends between requests (RFC 9112 §2.2)
            buffer = self._buffer = buffer.lstrip(b"\r\n")
            if not buffer:
                return False
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            bare = buffer.find(b"\n\n")
            if bare < 0:
                self._check_partial_head(buffer)
                return False
            end, skip = bare, 2
        else:
            bare = buffer.find(b"\n\n", 0, end)
            if bare >= 0:
                end, skip = bare, 2
            else:
                skip = 4
        head = buffer[:end]
        self._buffer = buffer[end + skip:]
        lines = head.split(b"\n")
        request_line = lines[0].rstrip(b"\r")
        if len(request_line) > MAX_REQUEST_LINE_BYTES:
            raise _BadRequest(414, b"Request-URI Too Long", "Request URI Too Long")
        if end - len(lines[0]) > self.settings.max_header_bytes or len(lines) > MAX_HEADER_COUNT + 1:
            raise _BadRequest(431, b"Request Header Fields Too Large", "Request Header Fields Too Large")
        parts = request_line.split(b" ")
        if len(parts) != 3 or not parts[0].isalpha() or not parts[1]:
            raise _BadRequest(400, b"Bad Request", "Bad Request: malformed request line")
        method, target, version = parts
        if version not in (b"HTTP/1.1", b"HTTP/1.0"):
            raise _BadRequest(505, b"HTTP Version Not Supported", "HTTP Version Not Supported")
        headers: dict[bytes, bytes] = {}
        lengths: list[bytes] = []
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip() or name[:1] in (b" ", b"\t"):
                raise _BadRequest(400, b"Bad Request", "Bad Request: malformed header")
            name = name.lower()
            value = value.strip()
            if name == b"content-length":
                lengths.append(value)
            elif name == b"host" and name in headers:  # RFC 9112 §3.2
                raise _BadRequest(400, b"Bad Request", "Bad Request: more than one Host header")
            headers[name] = value
        request = Request(self, method, target, version, headers)
        self._request = request
        if _UNUSUAL_TARGET_BYTE.search(target) is not None:
            self._check_target(request, target)
        self._frame_body(request, lengths)
        return True

    def _check_partial_head(self, buffer: bytes) -> None:
        line_end = buffer.find(b"\n")
        if line_end < 0:
            if len(buffer) > MAX_REQUEST_LINE_BYTES:
                raise _BadRequest(414, b"Request-URI Too Long", "Request URI Too Long")
        elif len(buffer) - line_end > self.settings.max_header_bytes:
            raise _BadRequest(431, b"Request Header Fields Too Large", "Request Header Fields Too Large")

    @staticmethod
    def _check_target(request: Request, target: bytes) -> None:
        """A target with raw bytes outside printable ASCII: raw UTF-8 is accepted (some SDKs send
        names unencoded); anything else gets a JSON 400 (answered in order, connection kept)."""
        try:
            text = target.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or _CONTROL_CHARACTER.search(text) is not None:
            request.bad_target = True

    def _frame_body(self, request: Request, lengths: list[bytes]) -> None:
        headers = request.headers
        path = request.path
        limit_of = self.site.body_limits.get(path)
        if limit_of is not None:
            self._body_limit, self._refusal = limit_of()
        else:
            self._body_limit, self._refusal = MAX_BODY_BYTES, None
        encoding = headers.get(b"transfer-encoding")
        self._body_parts = []
        self._body_size = 0
        if encoding is not None:
            if lengths or encoding.lower() != b"chunked":
                raise _BadRequest(400, b"Bad Request", "Bad Request: unsupported Transfer-Encoding")
            self._chunked = True
            self._body_left = -1
        elif lengths:
            if len(set(lengths)) != 1 or not lengths[0].isdigit() or len(lengths[0]) > 18:
                raise _BadRequest(400, b"Bad Request", "Bad Request: invalid Content-Length")
            length = int(lengths[0])
            if length > self._body_limit:
                self._refuse()
            self._chunked = False
            self._body_left = length
            if length == 0:
                self._state = _HEAD
                return
        else:
            self._state = _HEAD
            return
        self._state = _BODY
        if (headers.get(b"expect", b"").lower() == b"100-continue" and request.clientproto == b"HTTP/1.1"
                and not self._slots):
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _refuse(self) -> None:
        """A body over the limit: answer 413 (or the route's own refusal) without reading it."""
        error = _BadRequest(413, b"Request Entity Too Large", "Request Entity Too Large")
        if self._refusal is not None:
            error.raw = self._refusal
        raise error

    def _read_body(self) -> bool:
        """Move body bytes from the buffer; True once the body is complete."""
        if not self._chunked:
            take = self._buffer[:self._body_left]
            self._buffer = self._buffer[len(take):]
            self._body_parts.append(take)
            self._body_left -= len(take)
            return self._body_left == 0
        while True:
            if self._body_left > 0:  # inside a chunk's data
                take = self._buffer[:self._body_left]
                self._buffer = self._buffer[len(take):]
                self._body_parts.append(take)
                self._body_left -= len(take)
                if self._body_left:
                    return False
                self._body_left = -2  # expect the CRLF after the data
            line_end = self._buffer.find(b"\n")
            if line_end < 0:
                if len(self._buffer) > 4096:
                    raise _BadRequest(400, b"Bad Request", "Bad Request: malformed chunk")
                return False
            line = self._buffer[:line_end].rstrip(b"\r")
            self._buffer = self._buffer[line_end + 1:]
            if self._body_left == -2:  # the line end after chunk data
                if line:
                    raise _BadRequest(400, b"Bad Request", "Bad Request: malformed chunk")
                self._body_left = -1
            elif self._body_left == -3:  # trailers until an empty line
                if not line:
                    return True
            else:  # a chunk-size line
                size_text = line.split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise _BadRequest(400, b"Bad Request", "Bad Request: malformed chunk") from None
                if size < 0 or len(size_text) > 16:
                    raise _BadRequest(400, b"Bad Request", "Bad Request: malformed chunk")
                if size == 0:
                    self._body_left = -3
                    continue
                self._body_size += size
                if self._body_size > self._body_limit:
                    self._refuse()
                self._body_left = size

    # -- requests and responses -------------------------------------------------------------------

    def _start_request(self) -> None:
        request = self._request
        assert request is not None
        self._request = None
        self._state = _HEAD
        if self._body_parts:
            request.content = io.BytesIO(b"".join(self._body_parts))
            self._body_parts = []
        elif request.method in (b"POST", b"PUT", b"PATCH"):
            request.content = io.BytesIO()
        self._disarm()
        if not request.keep_alive:  # its answer is the last one: nothing after it is read
            self._done_reading = True
            self._buffer = b""
        slot = _Slot(request)
        self._slots.append(slot)
        if request.bad_target:
            error = responses.balancer_error(400, "Invalid Arguments: request target is not UTF-8")
            slot.data = self._render(request, error.response)
        else:
            outcome = self.site.dispatcher.handle(request)
            if isinstance(outcome, ApiResponse):
                slot.data = self._render(request, outcome)
            else:
                slot.outcome = outcome
                outcome.addCallback(self._answered, slot)
                outcome.addErrback(self._unexpected, slot)

    def _answered(self, response: ApiResponse | None, slot: _Slot) -> None:
        slot.outcome = None
        if self._gone or self._closing:  # nothing more may be written on this connection
            return
        if response is None:  # cancelled: the client is going away
            self._close()
            return
        # only a started Request gets an outcome to wait for, never the _FAILED stand-in
        slot.data = self._render(slot.request, response)  # type: ignore[arg-type]
        if not self._processing:
            self._flush()
            self._process()

    def _unexpected(self, failure: Failure, slot: _Slot) -> None:
        log.error("writing a response failed: %s", failure.getTraceback())
        if not self._gone:
            self._close()

    def _flush(self) -> None:
        """Write the answers that are ready at the head of the pipeline, in one write."""
        slots = self._slots
        ready: list[bytes] = []
        while slots and slots[0].data is not None:
            slot = slots.popleft()
            slot.request.finished = True
            ready.append(slot.data)  # type: ignore[arg-type]  # not None: checked on slots[0] above
            if not slot.request.keep_alive:
                self._send(b"".join(ready))
                self._close()
                return
        if ready:
            self._send(ready[0] if len(ready) == 1 else b"".join(ready))
        if not slots and not self._buffer and self._state == _HEAD and not self._closing:
            self._arm(_IDLE, self.settings.idle_timeout)
        if self._read_paused and len(self._buffer) <= MAX_BUFFERED_BYTES and not self._closing:
            self._read_paused = False
            self.transport.resumeProducing()

    def _send(self, data: bytes) -> None:
        """Write ``data``: straight to the socket when nothing is queued before it (saves the
        reactor's register-for-writing round trip, two epoll calls per response), else, or for
        whatever the socket does not take at once, through the transport as usual."""
        sock = self._socket
        transport = self.transport
        if sock is not None and not transport.dataBuffer and not transport._tempDataBuffer:
            try:
                sent = sock.send(data)
            except OSError:  # full, or broken: the transport's own write sees to it
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
        transport.write(data)

    def _render(self, request: Request, response: ApiResponse) -> bytes:
        body = response.encoded_body()
        if response.extra_headers is _CORS_PREFLIGHT:
            head = [_status_line(response.status, response.reason), self.site.date.line()]
        elif response.extra_headers:  # they replace family headers of the same name
            replaced = {name.lower() for name, _ in response.extra_headers} | {_ACAO}
            head = [_status_line(response.status, response.reason), self.site.date.line()]
            head.extend(
                b"%s: %s\r\n" % (name, value)
                for name, value in response.family.headers(request.method)
                if name.lower() not in replaced
            )
        else:
            head = [
                _status_line(response.status, response.reason),
                self.site.date.line(),
                _family_block(response.family, request.method),
            ]
        if not request.cors_denied:
            cors = self.site.dispatcher.cors
            head.append(b"Access-Control-Allow-Origin: %s\r\n" % cors.header_value(request.origin))
            if request.origin is not None and not cors.any:
                head.append(b"Vary: Origin\r\n")
        for name, value in response.extra_headers:
            head.append(b"%s: %s\r\n" % (name, value))
        if request.keep_alive:
            if request.clientproto == b"HTTP/1.0":
                head.append(b"Connection: keep-alive\r\n")
        else:
            head.append(b"Connection: close\r\n")
        head.append(b"Content-Length: %d\r\n\r\n" % len(body))
        if log.isEnabledFor(logging.DEBUG):
            self.site.log_request(request, response.status, len(body))
        if not request.head_only:
            head.append(body)
        return b"".join(head)

    def _fail(self, raw: bytes) -> None:
        """Answer a request that cannot be served (malformed, too large, too slow) and close.

        Nothing more is read. Earlier pipelined requests still pending are answered first (the
        error is queued behind them, so every answer goes to its own request)."""
        if self._closing or self._done_reading:
            return
        self._done_reading = True
        self._buffer = b""
        self._disarm()
        if any(slot.data is None for slot in self._slots):
            slot = _Slot(_FAILED)
            slot.data = raw
            self._slots.append(slot)
            return
        self._flush()
        self._send(raw)
        self._close()

    def _close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._disarm()
        self._buffer = b""
        self.transport.unregisterProducer()  # else a paused producer keeps the socket open
        self.transport.loseConnection()

    def abort(self) -> None:
        """Drop the connection at once (connection caps; server stop)."""
        self._closing = True
        self.transport.abortConnection()


class ApiSite(Factory):
    """The listening factory: builds :class:`HttpConnection` s, enforces the connection caps,
    and tracks open connections so ``stop()`` can close them."""

    def __init__(self, dispatcher: Dispatcher, reactor: Any, settings: HttpSettings | None = None) -> None:
        self.dispatcher = dispatcher
        self.reactor = reactor
        self.settings = settings or HttpSettings()
        self.cap = self.settings.connection_cap()
        self.date = _DateHeader(reactor)
        self._connections: set[HttpConnection] = set()
        self._by_client: dict[str, set[HttpConnection]] = {}
        self._all_closed: list[Deferred] = []
        #: counters for tests and logs
        self.evicted = 0
        self.refused = 0
        #: raw request path -> ``() -> (body limit, raw refusal response)`` for routes that take
        #: bodies over MAX_BODY_BYTES (the files upload target registers itself here).
        self.body_limits: dict[bytes, Callable[[], tuple[int, bytes | None]]] = {}

    def log_request(self, request: Request, status: int, length: int) -> None:
        log.debug(
            "%s %s -> %d (%d bytes)",
            request.method.decode("ascii", "replace"),
            redact_target(request.uri),  # auth tokens and signatures never reach the log
            status,
            length,
        )

    def buildProtocol(self, addr: Any) -> HttpConnection:  # noqa: N802
        return HttpConnection(self)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def admit(self, connection: HttpConnection) -> bool:
        """Register a new connection, making room at a cap; False when it was refused."""
        same_client = self._by_client.get(connection.client_host)
        if same_client is not None and len(same_client) >= self.settings.max_connections_per_client:
            if not self._evict(same_client):
                return self._refuse(connection, "per-client")
        if len(self._connections) >= self.cap:
            if not self._evict(self._connections):
                return self._refuse(connection, "global")
        self._connections.add(connection)
        self._by_client.setdefault(connection.client_host, set()).add(connection)
        return True

    def _evict(self, pool: set[HttpConnection]) -> bool:
        """Close the connection waiting longest for a request head, else the longest idle one."""
        victim = None
        for kind in (_HEAD_TIMER, _IDLE):
            candidates = [conn for conn in pool if conn.timer_kind == kind and not conn._closing]
            if candidates:
                victim = min(candidates, key=lambda conn: conn.since)
                break
        if victim is None:
            return False
        self.evicted += 1
        victim.abort()
        self.release(victim)  # its fd is being freed now; connectionLost follows
        return True

    def _refuse(self, connection: HttpConnection, which: str) -> bool:
        self.refused += 1
        log.warning("connection from %s refused: %s connection cap reached", connection.client_host, which)
        connection._closing = True
        connection.transport.write(_raw_error(503, b"Service Unavailable", "Too Many Connections",
                                              b"Retry-After: 1\r\n"))
        connection.transport.loseConnection()
        return False

    def release(self, connection: HttpConnection) -> None:
        if connection not in self._connections:
            return
        self._connections.discard(connection)
        same_client = self._by_client.get(connection.client_host)
        if same_client is not None:
            same_client.discard(connection)
            if not same_client:
                del self._by_client[connection.client_host]
        if not self._connections:
            waiters, self._all_closed = self._all_closed, []
            for waiter in waiters:
                waiter.callback(None)

    def close_connections(self) -> Deferred:
        """Close every open connection; fires when they are all gone."""
        waiter: Deferred = Deferred()
        if not self._connections:
            waiter.callback(None)
            return waiter
        self._all_closed.append(waiter)
        for connection in list(self._connections):
            connection._closing = True
            connection.transport.unregisterProducer()  # else a paused producer keeps it open
            connection.transport.loseConnection()
        return waiter


__all__ = [
    "ApiCall",
    "ApiSite",
    "CorsPolicy",
    "Dispatcher",
    "HttpConnection",
    "HostPolicy",
    "HttpSettings",
    "MAX_BODY_BYTES",
    "MAX_URL_BYTES",
    "Request",
    "Route",
    "Router",
    "is_loopback_host",
    "parse_host",
]
