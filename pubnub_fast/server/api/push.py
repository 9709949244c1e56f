"""Mobile push provisioning API (protocol.md §2.20).

* ``GET /v1/push/sub-key/{sub}/devices/{device}?type=apns|gcm|fcm|mpns`` with ``add=c1,c2``
  (→ ``[1,"Modified Channels"]``), ``remove=…`` (same answer) or neither (→ the device's
  channels, sorted, as a JSON array); ``…/devices/{device}/remove`` → ``[1,"Removed Device"]``.
* ``GET /v2/push/sub-key/{sub}/devices-apns2/{device}[/remove]?environment=…&topic=…`` — the
  same operations for APNs2 (``environment`` ``development`` (default) or ``production``;
  ``topic`` required); lists come back in registration order.

Errors are the push family's bare ``{"error": "…"}`` with status 400: ``Invalid type argument``
(missing or unknown ``type``), ``Invalid device token`` (adding an APNs device whose token is not
16–200 hex digits; removal accepts any token, as the real service does), and for APNs2
``Missing topic`` / ``Invalid environment argument`` (wording not confirmed by a recording).
Changes are answered once committed to SQLite.
"""
from __future__ import annotations

import re
from typing import Any

from twisted.internet.defer import Deferred

from pubnub_fast.server.api import params
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.push_registry import DeviceFull
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily

FAMILY = HeaderFamily.REGISTRY
#: ``type`` values of the v1 API (``mpns`` is retired by PubNub but v4 SDKs still send it).
V1_TYPES = frozenset(("apns", "gcm", "fcm", "mpns"))
ENVIRONMENTS = frozenset(("development", "production"))
#: Longest device token accepted (FCM tokens are ~160 characters; APNs 64 or 200 hex digits).
MAX_DEVICE_LENGTH = 512
MAX_TOPIC_LENGTH = 255
_APNS_TOKEN = re.compile(r"[0-9A-Fa-f]{16,200}\Z")


def push_error(message: str, status: int = 400) -> ApiError:
    """The push family's error body: ``{"error": "<message>"}``."""
    return ApiError(ApiResponse(status, {"error": message}, FAMILY))


def routes(app: Any) -> list[Route]:
    def route(pattern: str, handler: Any, apns2: bool) -> Route:
        return Route(
            ["GET"], pattern, lambda call: handler(app, call, apns2), FAMILY,
            lambda status, message: push_error(message, status),
        )

    v1 = "/v1/push/sub-key/{sub}/devices/{device}"
    v2 = "/v2/push/sub-key/{sub}/devices-apns2/{device}"
    return [
        route(v1, _device, False),
        route(v1 + "/remove", _remove_device, False),
        route(v2, _device, True),
        route(v2 + "/remove", _remove_device, True),
    ]


def _target(call: ApiCall, apns2: bool) -> dict[str, str]:
    """The registration key from the path and query: push type, device, environment, topic."""
    device = call.path["device"]
    if not device or len(device) > MAX_DEVICE_LENGTH or any(ord(ch) < 32 for ch in device):
        raise push_error("Invalid device token")
    if not apns2:
        push_type = call.query.get("type", "").strip().lower()
        if push_type not in V1_TYPES:
            raise push_error("Invalid type argument")
        return {"push_type": push_type, "device": device, "environment": "", "topic": ""}
    environment = call.query.get("environment") or "development"
    if environment not in ENVIRONMENTS:
        raise push_error("Invalid environment argument")
    topic = call.query.get("topic", "")
    if not topic:
        raise push_error("Missing topic")
    if len(topic) > MAX_TOPIC_LENGTH or any(ord(ch) < 32 for ch in topic):
        raise push_error("Invalid topic argument")
    return {"push_type": "apns2", "device": device, "environment": environment, "topic": topic}


def _channels(call: ApiCall, name: str) -> list[str]:
    channels = params.name_list(call, call.query[name], "channel")
    if not channels:
        raise push_error("Invalid channel argument: no channels to %s" % name)
    return channels


def _device(app: Any, call: ApiCall, apns2: bool) -> Deferred:
    sub_key = call.path["sub"]
    target = _target(call, apns2)
    adding = "add" in call.query
    removing = "remove" in call.query
    if not adding and not removing:
        listed = app.push.channels(sub_key, sort=not apns2, **target)
        return listed.addCallback(lambda channels: ApiResponse(200, channels, FAMILY))

    if adding and target["push_type"] in ("apns", "apns2") and not _APNS_TOKEN.match(target["device"]):
        raise push_error("Invalid device token")
    to_add = _channels(call, "add") if adding else []
    to_remove = _channels(call, "remove") if removing else []

    def failed(failure: Any) -> Any:
        if failure.check(DeviceFull):
            raise push_error(str(failure.value))
        return failure

    def remove(_: Any) -> Any:
        if to_remove:
            return app.push.remove(sub_key, channels=to_remove, **target)
        return None

    if to_add:
        done = app.push.add(sub_key, channels=to_add, **target).addCallback(remove)
    else:
        done = app.push.remove(sub_key, channels=to_remove, **target)
    return done.addCallbacks(
        lambda _: ApiResponse(200, [1, "Modified Channels"], FAMILY), failed
    )


def _remove_device(app: Any, call: ApiCall, apns2: bool) -> Deferred:
    target = _target(call, apns2)
    removed = app.push.remove_device(call.path["sub"], **target)
    return removed.addCallback(lambda _: ApiResponse(200, [1, "Removed Device"], FAMILY))
