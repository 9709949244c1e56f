"""Channel-group registry API (protocol.md §2.11): add, remove, list, delete, list groups.

Changes are answered once they are committed to SQLite, so a group survives a restart as soon
as the client has its 200.
"""
from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred

from pubnub_fast.server import responses
from pubnub_fast.server.api import params
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.registry import GroupFull
from pubnub_fast.server.responses import ApiResponse, HeaderFamily

FAMILY = HeaderFamily.REGISTRY
_OK = {"status": 200, "message": "OK", "service": "channel-registry", "error": False}


def routes(app: Any) -> list[Route]:
    base = "/v1/channel-registration/sub-key/{sub}/channel-group"

    def route(pattern: str, handler: Any) -> Route:
        return Route(["GET"], pattern, lambda call: handler(app, call), FAMILY, responses.registry_error)

    return [
        route(base, _list_groups),
        route(base + "/{group}", _group),
        route(base + "/{group}/remove", _delete_group),
    ]


def _ok_when_done(done: Deferred) -> Deferred:
    return done.addCallback(lambda _: ApiResponse(200, dict(_OK), FAMILY))


def _group_name(call: ApiCall) -> str:
    return params.check_name(call, call.path["group"], "channel group")


def _list_groups(app: Any, call: ApiCall) -> ApiResponse:
    sub_key = call.path["sub"]
    payload = {"groups": app.registry.groups(sub_key), "sub_key": sub_key}
    return ApiResponse(
        200, {"status": 200, "payload": payload, "service": "channel-registry", "error": False}, FAMILY
    )


def _group(app: Any, call: ApiCall) -> ApiResponse | Deferred:
    sub_key = call.path["sub"]
    group = _group_name(call)
    if "add" in call.query:
        channels = params.name_list(call, call.query["add"], "channel")
        if not channels:
            raise call.bad_request("Invalid Arguments: no channels to add")
        try:
            return _ok_when_done(app.registry.add(sub_key, group, channels))
        except GroupFull as exc:
            raise call.bad_request(str(exc)) from None
    if "remove" in call.query:
        channels = params.name_list(call, call.query["remove"], "channel")
        if not channels:
            raise call.bad_request("Invalid Arguments: no channels to remove")
        return _ok_when_done(app.registry.remove(sub_key, group, channels))
    payload = {"channels": app.registry.channels(sub_key, group), "group": group}
    return ApiResponse(
        200, {"status": 200, "payload": payload, "service": "channel-registry", "error": False}, FAMILY
    )


def _delete_group(app: Any, call: ApiCall) -> Deferred:
    return _ok_when_done(app.registry.delete(call.path["sub"], _group_name(call)))
