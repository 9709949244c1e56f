"""Presence REST API (protocol.md §2.6–§2.10): heartbeat, leave, here_now, where_now, state.

Channel lists may be ``,`` (none) when ``channel-group`` is given; groups are expanded to their
current channels. here_now answers the flat single-channel shape only for exactly one channel
and no group — the JS SDK tells the shapes apart by the top-level ``occupancy`` key.
"""
from __future__ import annotations

from typing import Any

from pubnub_fast.server import responses
from pubnub_fast.server.api import params
from pubnub_fast.server.fanout import is_presence
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.limits import BudgetExceeded
from pubnub_fast.server.presence import presence_timeout
from pubnub_fast.server.responses import ApiResponse, HeaderFamily
from pubnub_fast.server.wire import load_json_query

#: here_now ``limit`` maximum and default (protocol.md §8).
MAX_HERE_NOW_LIMIT = 1000

FAMILY = HeaderFamily.PRESENCE


def _ok(**fields: Any) -> ApiResponse:
    body = {"status": 200, "message": "OK"}
    body.update(fields)
    body["service"] = "Presence"
    return ApiResponse(200, body, FAMILY)


def routes(app: Any) -> list[Route]:
    base = "/v2/presence/sub-key/{sub}"
    channel = base + "/channel/{channels}"

    def route(pattern: str, handler: Any) -> Route:
        return Route(["GET"], pattern, lambda call: handler(app, call), FAMILY, responses.presence_error)

    return [
        route(base, _here_now_global),
        route("/v2/presence/sub_key/{sub}", _here_now_global),  # older SDKs spell it so
        route(channel, _here_now),
        route(channel + "/heartbeat", _heartbeat),
        route(channel + "/leave", _leave),
        route(channel + "/uuid/{uuid}", _get_state),
        route(channel + "/uuid/{uuid}/data", _set_state),
        route(base + "/uuid/{uuid}", _where_now),
    ]


def _targets(app: Any, call: ApiCall, allow_empty: bool = False) -> tuple[list[str], list[str], list[str]]:
    """``(channels, groups, channels with the groups expanded)``; ``-pnpres`` names dropped."""
    channels = params.name_list(call, call.path.get("channels"), "channel")
    groups = params.name_list(call, call.query.get("channel-group"), "channel group")
    if not channels and not groups and not allow_empty:
        raise call.bad_request("Invalid Arguments: no channels or channel groups")
    expanded = [name for name in channels if not is_presence(name)]
    for group in groups:
        if not is_presence(group):
            expanded.extend(app.registry.channels(call.path["sub"], group))
    return channels, groups, list(dict.fromkeys(expanded))


def _uuid(call: ApiCall) -> str:
    uuid = params.check_uuid(call, call.uuid)
    if not uuid:
        raise call.bad_request("Invalid Arguments: missing uuid")
    return uuid


def _heartbeat(app: Any, call: ApiCall) -> ApiResponse:
    _, _, expanded = _targets(app, call)
    uuid = _uuid(call)
    try:
        timeout = presence_timeout(call.query.get("heartbeat"))
    except ValueError:
        raise call.bad_request("Invalid Arguments: heartbeat") from None
    states = params.channel_states(call)
    app.presence.touch(call.path["sub"], uuid, expanded, timeout, states)
    return _ok()


def _leave(app: Any, call: ApiCall) -> ApiResponse:
    _, _, expanded = _targets(app, call)
    app.presence.leave(call.path["sub"], _uuid(call), expanded)
    return _ok(action="leave")


def _single_channel(call: ApiCall, channels: list[str], groups: list[str]) -> bool:
    """The flat shape is for one channel named once (``ch,ch`` gets the payload shape)."""
    return len(channels) == 1 and not groups and "," not in call.path["channels"]


def _here_now(app: Any, call: ApiCall) -> ApiResponse:
    channels, groups, expanded = _targets(app, call)
    if _single_channel(call, channels, groups):
        entry = _channel_entry(app, call, channels[0])
        return _ok(**entry)
    return _here_now_payload(app, call, expanded)


def _here_now_global(app: Any, call: ApiCall) -> ApiResponse:
    return _here_now_payload(app, call, app.presence.occupied_channels(call.path["sub"]))


def _here_now_payload(app: Any, call: ApiCall, channels: list[str]) -> ApiResponse:
    entries = {}
    for channel in channels:
        entry = _channel_entry(app, call, channel)
        if entry["occupancy"]:
            entries[channel] = entry
    payload = {
        "channels": entries,
        "total_channels": len(entries),
        "total_occupancy": sum(entry["occupancy"] for entry in entries.values()),
    }
    return _ok(payload=payload)


def _channel_entry(app: Any, call: ApiCall, channel: str) -> dict[str, Any]:
    sub_key = call.path["sub"]
    include_state = params.flag(call, "state")
    limit = params.integer(call, "limit", MAX_HERE_NOW_LIMIT, 0, MAX_HERE_NOW_LIMIT)
    offset = params.integer(call, "offset", 0, 0) or 0
    occupants = app.presence.occupants(sub_key, channel)
    entry: dict[str, Any] = {}
    if not params.flag(call, "disable_uuids") and limit != 0:
        page = occupants[offset : None if limit is None else offset + limit]
        if include_state:
            uuids: list[Any] = []
            for uuid in page:
                item: dict[str, Any] = {"uuid": uuid}
                state = app.presence.state(sub_key, uuid, channel)
                if state:
                    item["state"] = state
                uuids.append(item)
            entry["uuids"] = uuids
        else:
            entry["uuids"] = page
    entry["occupancy"] = len(occupants)
    return entry


def _where_now(app: Any, call: ApiCall) -> ApiResponse:
    uuid = params.check_uuid(call, call.path["uuid"])
    return _ok(payload={"channels": app.presence.channels_of(call.path["sub"], uuid)})


def _get_state(app: Any, call: ApiCall) -> ApiResponse:
    channels, groups, expanded = _targets(app, call)
    uuid = params.check_uuid(call, call.path["uuid"])
    sub_key = call.path["sub"]
    if _single_channel(call, channels, groups):
        state = app.presence.state(sub_key, uuid, channels[0])
        return _ok(uuid=uuid, payload=state, channel=channels[0])
    states = {channel: app.presence.state(sub_key, uuid, channel) for channel in expanded}
    return _ok(payload={"channels": states}, uuid=uuid)


def _set_state(app: Any, call: ApiCall) -> ApiResponse:
    _, _, expanded = _targets(app, call)
    uuid = params.check_uuid(call, call.path["uuid"])
    try:
        state = load_json_query(call.query.get("state"), call.raw_query.get("state"))
    except ValueError:  # JsonInputError, or bytes that are not UTF-8
        raise call.bad_request("Invalid JSON") from None
    if not isinstance(state, dict):
        raise call.bad_request("Invalid Arguments: state must be a JSON object")
    try:
        app.presence.set_state(call.path["sub"], uuid, expanded, state)
    except BudgetExceeded as exc:
        raise call.bad_request("Invalid Arguments: %s" % exc) from None
    return _ok(payload=state)
