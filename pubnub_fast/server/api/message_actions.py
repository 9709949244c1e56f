"""Message actions API (protocol.md §2.17): add, get (paged), remove.

* Add — ``POST /v1/message-actions/{sub}/channel/{ch}/message/{messageTT}`` with the JSON body
  ``{"type": …, "value": …}`` and the acting ``uuid`` in the query. The action timetoken comes
  from the server's timetoken clock. The same uuid adding the same type and value to the same
  message again gets ``409`` (``Action Already Added``).
* Get — ``GET /v1/message-actions/{sub}/channel/{ch}?start=&end=&limit=``: ``start`` is an
  exclusive upper bound and ``end`` an inclusive lower bound on the *action* timetoken; a page
  holds the newest ``limit`` (1..100, default 100) actions of the range in ascending order.
  When older actions of the range were left out the body carries
  ``"more": {"url", "start", "end", "limit"}`` — ``start`` is the oldest returned action
  timetoken, ``end`` the request's (``"0"``, i.e. unbounded, when none was given), ``url`` the
  request for the next page.
* Remove — ``DELETE …/message/{messageTT}/action/{actionTT}`` → ``{"status":200,"data":{}}``;
  removing an action that does not exist is not an error (nothing happens, no event).

Actions are stored in SQLite (they survive a restart). Each add and each effective remove is
published on the channel to subscribers as an ``e=3`` envelope item whose ``d`` is
``{"source":"actions","version":"1.0","event":"added"|"removed","data":{"type","value",
"messageTimetoken","actionTimetoken"}}`` with ``i`` = the acting uuid — exactly the shape the
real service sends (protocol.md §3.3) — and never written to the message history.

Errors use the nested family with ``"source": "actions"``
(``{"status":400,"error":{"message":…,"source":"actions","details":[…]}}``), which is what
the docs show for 409 and what SDKs read (``error.message``).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twisted.internet.defer import Deferred

from pubnub_fast.server.actions import DuplicateAction, StoredAction
from pubnub_fast.server.api import params
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.messages import KIND_ACTION, MessageRecord
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily
from pubnub_fast.server.timetokens import parse_timetoken
from pubnub_fast.server.wire import JsonInputError, load_json

FAMILY = HeaderFamily.STORAGE
#: Page size maximum and default of get (protocol.md §8).
MAX_LIMIT = 100
#: Longest action ``type`` (the service's limit; JS SDK: "exceed maximum length of 15").
MAX_TYPE_LENGTH = 15
#: Longest action ``value`` (not documented by PubNub; a bound of our own, decisions.md §15).
MAX_VALUE_LENGTH = 1000
DUPLICATE_MESSAGE = "Action Already Added"


def actions_error(status: int, message: str, location: str | None = None) -> ApiError:
    """The nested error family with ``source: actions`` (protocol.md §0.4, §7)."""
    error: dict[str, Any] = {"message": message, "source": "actions"}
    if location is not None:
        location_type = "path" if location in ("channel", "messageTimetoken", "actionTimetoken") else (
            "query" if location in ("uuid", "start", "end", "limit") else "body"
        )
        error["details"] = [{"message": message, "location": location, "locationType": location_type}]
    return ApiError(ApiResponse(status, {"status": status, "error": error}, FAMILY))


def routes(app: Any) -> list[Route]:
    base = "/v1/message-actions/{sub}/channel/{channel}"

    def route(methods: list[str], pattern: str, handler: Any) -> Route:
        return Route(methods, pattern, lambda call: handler(app, call), FAMILY, actions_error)

    return [
        route(["GET"], base, _get),
        route(["POST"], base + "/message/{message}", _add),
        route(["DELETE"], base + "/message/{message}/action/{action}", _remove),
    ]


# -- shared ---------------------------------------------------------------------------------------


def _channel(call: ApiCall) -> str:
    channel = call.path["channel"]
    if not channel or len(channel) > params.MAX_NAME_LENGTH or "*" in channel or any(
        ch == "," or ord(ch) < 32 for ch in channel
    ):
        raise actions_error(400, "Invalid channel name", "channel")
    return channel


def _path_timetoken(call: ApiCall, name: str, label: str) -> int:
    try:
        return parse_timetoken(call.path[name])
    except ValueError:
        raise actions_error(400, "Invalid %s" % label, label) from None


def _query_timetoken(call: ApiCall, name: str) -> int | None:
    value = call.query.get(name)
    if value is None or value == "":
        return None
    try:
        return parse_timetoken(value)
    except ValueError:
        raise actions_error(400, "Invalid %s timetoken" % name, name) from None


def _publish_event(app: Any, sub_key: str, event: str, action: StoredAction, actor: str | None) -> None:
    """Tell the channel's subscribers (``e=3``); never stored as a message."""
    payload = {
        "source": "actions",
        "version": "1.0",
        "event": event,
        "data": {
            "type": action.type,
            "value": action.value,
            "messageTimetoken": str(action.message_timetoken),
            "actionTimetoken": str(action.action_timetoken),
        },
    }
    record = MessageRecord(
        sub_key=sub_key,
        channel=action.channel,
        timetoken=app.timetokens.issue(),
        payload=payload,
        kind=KIND_ACTION,
        publisher=actor,
        region=app.region,
    )
    app.publish(record, store=False)


# -- add ------------------------------------------------------------------------------------------


def _text_field(body: dict, name: str, most: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise actions_error(400, "Missing or invalid field: %s must be a non-empty string" % name, name)
    if len(value) > most:
        raise actions_error(400, "Invalid field: %s is longer than %d characters" % (name, most), name)
    if any(ord(ch) < 32 for ch in value):
        raise actions_error(400, "Invalid field: %s holds control characters" % name, name)
    return value


def _add(app: Any, call: ApiCall) -> Deferred:
    sub_key = call.path["sub"]
    channel = _channel(call)
    message_timetoken = _path_timetoken(call, "message", "messageTimetoken")
    uuid = call.uuid
    if not uuid or len(uuid) > params.MAX_NAME_LENGTH or any(ord(ch) < 32 for ch in uuid):
        raise actions_error(400, "Missing or invalid uuid", "uuid")
    try:
        body = load_json(call.body().decode("utf-8"))
    except (UnicodeDecodeError, JsonInputError):
        raise actions_error(400, "Invalid JSON") from None
    if not isinstance(body, dict):
        raise actions_error(400, "Invalid JSON: the body must be an object with type and value")
    action_type = _text_field(body, "type", MAX_TYPE_LENGTH)
    value = _text_field(body, "value", MAX_VALUE_LENGTH)
    action = StoredAction(
        channel=channel,
        message_timetoken=message_timetoken,
        action_timetoken=app.timetokens.issue(),
        type=action_type,
        value=value,
        uuid=uuid,
    )

    def added(stored: StoredAction) -> ApiResponse:
        _publish_event(app, sub_key, "added", stored, uuid)
        return ApiResponse(200, {"status": 200, "data": stored.as_json()}, FAMILY)

    def duplicate(failure: Any) -> Any:
        failure.trap(DuplicateAction)
        raise actions_error(409, DUPLICATE_MESSAGE)

    return app.actions.add(sub_key, action).addCallbacks(added, duplicate)


# -- get ------------------------------------------------------------------------------------------


def _get(app: Any, call: ApiCall) -> Deferred:
    sub_key = call.path["sub"]
    channel = _channel(call)
    start = _query_timetoken(call, "start")
    end = _query_timetoken(call, "end")
    value = call.query.get("limit")
    if value is None or value == "":
        limit = MAX_LIMIT
    else:
        try:
            limit = int(value)
        except ValueError:
            raise actions_error(400, "Invalid limit", "limit") from None
        if limit < 1:
            raise actions_error(400, "Invalid limit: must be at least 1", "limit")
        limit = min(limit, MAX_LIMIT)

    def answer(found: tuple[list[StoredAction], bool]) -> ApiResponse:
        actions, truncated = found
        body: dict[str, Any] = {"status": 200, "data": [action.as_json() for action in actions]}
        if truncated and actions:
            next_start = str(actions[0].action_timetoken)
            query = "start=%s" % next_start
            if end is not None:
                query += "&end=%d" % end
            query += "&limit=%d" % limit
            body["more"] = {
                "url": "/v1/message-actions/%s/channel/%s?%s"
                % (quote(sub_key, safe=""), quote(channel, safe=""), query),
                "start": next_start,
                "end": str(end if end is not None else 0),
                "limit": limit,
            }
        return ApiResponse(200, body, FAMILY)

    return app.actions.page(sub_key, channel, start, end, limit).addCallback(answer)


# -- remove ---------------------------------------------------------------------------------------


def _remove(app: Any, call: ApiCall) -> Deferred:
    sub_key = call.path["sub"]
    channel = _channel(call)
    message_timetoken = _path_timetoken(call, "message", "messageTimetoken")
    action_timetoken = _path_timetoken(call, "action", "actionTimetoken")
    actor = call.uuid or None
    if actor is not None and (len(actor) > params.MAX_NAME_LENGTH or any(ord(ch) < 32 for ch in actor)):
        raise actions_error(400, "Invalid uuid", "uuid")

    def removed(action: StoredAction | None) -> ApiResponse:
        if action is not None:
            _publish_event(app, sub_key, "removed", action, actor)
        return ApiResponse(200, {"status": 200, "data": {}}, FAMILY)

    done = app.actions.remove(sub_key, channel, message_timetoken, action_timetoken)
    return done.addCallback(removed)
