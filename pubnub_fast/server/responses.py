"""HTTP responses in the shapes the real service uses (protocol.md §0.2, §0.4, §7).

Each API area answers with the content type and CORS headers the real service sends for it
(:class:`HeaderFamily`); every error body has one constructor here, so a shape is written once.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from pubnub_fast.server.wire import dump_json

_TEXT_JS_QUOTED = b'text/javascript; charset="UTF-8"'
_TEXT_JS = b"text/javascript; charset=UTF-8"


class HeaderFamily(enum.Enum):
    """Which service family a response imitates; decides content type and CORS headers."""

    PUBSUB = "pubsub"  # time, publish, signal, subscribe, fire
    PRESENCE = "presence"
    REGISTRY = "registry"  # channel groups
    STORAGE = "storage"  # history
    ACCESS = "access"  # Access Manager errors
    BALANCER = "balancer"  # routing errors (404, 414, 481)

    def headers(self, method: bytes) -> list[tuple[bytes, bytes]]:
        """The response headers for a request with HTTP ``method``."""
        common = [(b"Access-Control-Allow-Origin", b"*"), (b"Cache-Control", b"no-cache")]
        if self is HeaderFamily.PUBSUB:
            allow = b"POST" if method == b"POST" else b"GET"
            return [
                (b"Content-Type", _TEXT_JS_QUOTED),
                (b"Access-Control-Allow-Methods", allow),
                (b"Access-Control-Allow-Credentials", b"true"),
                (b"Access-Control-Expose-Headers", b"*"),
            ] + common
        if self is HeaderFamily.PRESENCE:
            return [
                (b"Content-Type", _TEXT_JS_QUOTED),
                (b"Access-Control-Allow-Methods", b"OPTIONS, GET, POST"),
                (b"Server", b"Pubnub Presence"),
            ] + common
        if self in (HeaderFamily.REGISTRY, HeaderFamily.STORAGE):
            server = b"Pubnub Storage" if self is HeaderFamily.STORAGE else b"Pubnub"
            return [
                (b"Content-Type", _TEXT_JS_QUOTED),
                (b"Access-Control-Allow-Methods", b"GET, POST, DELETE, OPTIONS"),
                (b"Server", server),
            ] + common
        if self is HeaderFamily.ACCESS:
            return [
                (b"Content-Type", _TEXT_JS),
                (b"Access-Control-Allow-Origin", b"*"),
                (b"Access-Control-Allow-Methods", b"GET"),
                (b"Access-Control-Allow-Headers", b"Origin, X-Requested-With, Content-Type, Accept"),
                (b"Cache-Control", b"no-cache, no-store, must-revalidate"),
            ]
        return [(b"Content-Type", _TEXT_JS_QUOTED)] + common


class RawJson(bytes):
    """A body that is already serialised JSON (subscribe responses splice cached envelopes)."""


@dataclass
class ApiResponse:
    """A complete response: status, JSON-serialisable body, header family, optional reason."""

    status: int
    body: Any
    family: HeaderFamily
    reason: bytes | None = None
    extra_headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def encoded_body(self) -> bytes:
        if isinstance(self.body, RawJson):
            return bytes(self.body)
        return dump_json(self.body)


class ApiError(Exception):
    """Raised anywhere while handling a request; the dispatcher sends ``response`` as is."""

    def __init__(self, response: ApiResponse) -> None:
        super().__init__("%d %r" % (response.status, response.body))
        self.response = response


def ok(body: Any, family: HeaderFamily) -> ApiResponse:
    """A 200 response."""
    return ApiResponse(200, body, family)


# -- error shapes (protocol.md §0.4 / §7) ----------------------------------------------------------


def publish_error(status: int, message: str, timetoken: int | None) -> ApiError:
    """Legacy array family: ``[0,"Invalid Key","<tt>"]`` (publish, signal, fire)."""
    body: list[Any] = [0, message] if timetoken is None else [0, message, str(timetoken)]
    reason = b"INVALID" if message == "Invalid Key" else None
    return ApiError(ApiResponse(status, body, HeaderFamily.PUBSUB, reason))


def invalid_subscribe_key() -> ApiError:
    """``400 {"message":"Invalid Subscribe Key",…,"service":"Access Manager"}``."""
    return ApiError(
        ApiResponse(
            400,
            {
                "message": "Invalid Subscribe Key",
                "error": True,
                "service": "Access Manager",
                "status": 400,
            },
            HeaderFamily.ACCESS,
        )
    )


def flat_error(status: int, message: str, service: str, family: HeaderFamily) -> ApiError:
    """Flat family: ``{"status":…,"error":true,"service":…,"message":…}``."""
    body = {"status": status, "error": True, "service": service, "message": message}
    return ApiError(ApiResponse(status, body, family))


def presence_error(status: int, message: str) -> ApiError:
    return flat_error(status, message, "Presence", HeaderFamily.PRESENCE)


def registry_error(status: int, message: str) -> ApiError:
    return flat_error(status, message, "channel-registry", HeaderFamily.REGISTRY)


def balancer_error(status: int, message: str) -> ApiError:
    return flat_error(status, message, "Balancer", HeaderFamily.BALANCER)


def storage_error(status: int, message: str) -> ApiError:
    """Storage family: ``{"status":400,"error":true,"error_message":"…","channels":{}}``."""
    body = {"status": status, "error": True, "error_message": message, "channels": {}}
    return ApiError(ApiResponse(status, body, HeaderFamily.STORAGE))


def invalid_filter_expression() -> ApiError:
    """decisions.md §14: ``481`` for a ``filter-expr`` that does not compile."""
    return ApiError(
        ApiResponse(
            481,
            {
                "status": 481,
                "error": True,
                "service": "Balancer",
                "message": "Invalid filter expression",
            },
            HeaderFamily.BALANCER,
            reason=b"Malformed Filter Expression",
        )
    )
