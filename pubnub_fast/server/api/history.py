"""Storage API (protocol.md §2.12–§2.16): history v2, fetch v3 (with actions), delete, counts.

Time ranges: ``start`` is exclusive, ``end`` inclusive. When both are given the range lies
between them whichever is larger; a page holds the newest messages of the range unless the
walk goes oldest-first (history ``reverse=true``, or fetch with only ``end``). Delete removes
``start < timetoken <= end`` (its ``start`` is the older bound, as the docs' recipe
``start=T-1&end=T`` shows).

Every response holds at most ``limits.fetch_bytes`` of stored message JSON (all channels
together, :class:`~pubnub_fast.server.limits.Limits`): a page that would pass it ends early, as
a short page — clients page on with ``start`` (``more`` says so for fetch with actions).

Fetch with actions (one channel, ``max`` ≤ 25) attaches each message's stored actions as
``actions: {type: {value: [{uuid, actionTimetoken}]}}`` and, when the range holds more
messages than the page, a ``more`` object (``url``/``start``/``max``) for the next page.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twisted.internet.defer import Deferred, gatherResults, succeed

from pubnub_fast.server import responses
from pubnub_fast.server.api import params
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.messages import ByteBudget, StoredMessage
from pubnub_fast.server.responses import ApiResponse, HeaderFamily
from pubnub_fast.server.timetokens import parse_timetoken

FAMILY = HeaderFamily.STORAGE
MAX_HISTORY_COUNT = 100
MAX_FETCH_SINGLE = 100
MAX_FETCH_MULTI = 25
MAX_FETCH_WITH_ACTIONS = 25


def routes(app: Any) -> list[Route]:
    def route(methods: list[str], pattern: str, handler: Any) -> Route:
        return Route(methods, pattern, lambda call: handler(app, call), FAMILY, responses.storage_error)

    return [
        route(["GET"], "/v2/history/sub-key/{sub}/channel/{channel}", _history),
        route(["GET"], "/v3/history/sub-key/{sub}/channel/{channels}", _fetch),
        route(["DELETE"], "/v3/history/sub-key/{sub}/channel/{channels}", _delete),
        route(["GET"], "/v3/history-with-actions/sub-key/{sub}/channel/{channels}", _fetch_with_actions),
        route(["GET"], "/v3/history/sub-key/{sub}/message-counts/{channels}", _counts),
    ]


def _range(call: ApiCall) -> tuple[dict[str, Any], bool]:
    """Keyword bounds for :meth:`MessageStore.page`, and whether only ``end`` was given."""
    start = params.timetoken(call, "start")
    end = params.timetoken(call, "end")
    bounds: dict[str, Any] = {
        "lower": None, "lower_inclusive": False, "upper": None, "upper_inclusive": False,
    }
    if start is not None:
        if end is None or start >= end:
            bounds["upper"] = start  # exclusive: older than start
        else:
            bounds["lower"] = start
    if end is not None:
        if start is None or start >= end:
            bounds["lower"], bounds["lower_inclusive"] = end, True
        else:
            bounds["upper"], bounds["upper_inclusive"] = end, True
    return bounds, start is None and end is not None


def _channels(call: ApiCall) -> list[str]:
    channels = params.name_list(call, call.path.get("channels"), "channel", wildcard_ok=True)
    if not channels:
        raise call.bad_request("Invalid Arguments: channel")
    return channels


# -- history v2 -----------------------------------------------------------------------------------


def _history(app: Any, call: ApiCall) -> Deferred:
    channel = params.check_name(call, call.path["channel"], "channel", wildcard_ok=True)
    count = params.integer(call, "count", MAX_HISTORY_COUNT, 0, MAX_HISTORY_COUNT) or MAX_HISTORY_COUNT
    reverse = params.flag(call, "reverse")
    include_token = params.flag(call, "include_token")
    include_meta = params.flag(call, "include_meta")
    bounds, _ = _range(call)

    def answer(messages: list[StoredMessage]) -> ApiResponse:
        if not messages:
            return ApiResponse(200, [[], 0, 0], FAMILY)
        items: list[Any] = []
        for message in messages:
            if include_token or include_meta:
                item: dict[str, Any] = {"message": message.payload}
                if include_token:
                    item["timetoken"] = message.timetoken
                if include_meta and message.meta is not None:
                    item["meta"] = message.meta
                items.append(item)
            else:
                items.append(message.payload)
        return ApiResponse(200, [items, messages[0].timetoken, messages[-1].timetoken], FAMILY)

    page = app.store.page(
        call.path["sub"], channel, limit=count, oldest_first=reverse, now=app.timetokens.wall(),
        budget=ByteBudget(app.limits.fetch_bytes), **bounds
    )
    return page.addCallback(answer)


# -- fetch v3 -------------------------------------------------------------------------------------


def _fetch(app: Any, call: ApiCall) -> Deferred:
    channels = _channels(call)
    most = MAX_FETCH_SINGLE if len(channels) == 1 else MAX_FETCH_MULTI
    return _fetch_pages(app, call, channels, most, with_actions=False)


def _fetch_with_actions(app: Any, call: ApiCall) -> Deferred:
    channels = _channels(call)
    if len(channels) != 1:
        raise call.bad_request("Invalid Arguments: only one channel with actions")
    return _fetch_pages(app, call, channels, MAX_FETCH_WITH_ACTIONS, with_actions=True)


def _fetch_pages(
    app: Any, call: ApiCall, channels: list[str], most: int, with_actions: bool
) -> Deferred:
    sub_key = call.path["sub"]
    limit = params.integer(call, "max", most, 0, most) or most
    include_meta = params.flag(call, "include_meta")
    include_uuid = params.flag(call, "include_uuid", True)
    include_message_type = params.flag(call, "include_message_type", True)
    include_custom_type = params.flag(call, "include_custom_message_type")
    bounds, oldest_first = _range(call)
    now = app.timetokens.wall()
    budget = ByteBudget(app.limits.fetch_bytes)  # all channels of the response together

    def item(message: StoredMessage, actions: dict[int, list[tuple]]) -> dict[str, Any]:
        entry: dict[str, Any] = {"message": message.payload, "timetoken": str(message.timetoken)}
        if include_uuid and message.publisher is not None:
            entry["uuid"] = message.publisher
        if include_message_type:
            entry["message_type"] = message.message_type
        if include_custom_type and message.custom_message_type is not None:
            entry["custom_message_type"] = message.custom_message_type
        if include_meta and message.meta is not None:
            entry["meta"] = message.meta
        if with_actions:
            grouped: dict[str, dict[str, list[dict[str, str]]]] = {}
            for action_type, value, uuid, action_timetoken in actions.get(message.timetoken, ()):
                grouped.setdefault(action_type, {}).setdefault(value, []).append(
                    {"uuid": uuid, "actionTimetoken": str(action_timetoken)}
                )
            if grouped:
                entry["actions"] = grouped
        return entry

    def with_actions_of(channel: str, messages: list[StoredMessage]) -> Deferred:
        if not with_actions:
            return succeed((channel, messages, {}))
        found = app.store.actions_for(sub_key, channel, [m.timetoken for m in messages])
        return found.addCallback(lambda actions: (channel, messages, actions))

    truncated: list[str] = []

    def trimmed(channel: str, messages: list[StoredMessage]) -> list[StoredMessage]:
        # With actions one message more than the page is read: its presence means "more" (as
        # does a page the byte budget ended early).
        if with_actions and messages and (len(messages) > limit or budget.exhausted):
            truncated.append(channel)
            return messages[:limit] if oldest_first else messages[-limit:]
        return messages

    def channel_page(channel: str) -> Deferred:
        size = limit + 1 if with_actions else limit
        page = app.store.page(
            sub_key, channel, limit=size, oldest_first=oldest_first, now=now, budget=budget, **bounds
        )
        return page.addCallback(lambda messages: with_actions_of(channel, trimmed(channel, messages)))

    def answer(pages: list[tuple[str, list[StoredMessage], dict]]) -> ApiResponse:
        found = {
            channel: [item(message, actions) for message in messages]
            for channel, messages, actions in pages
            if messages
        }
        body: dict[str, Any] = {"status": 200, "error": False, "error_message": "", "channels": found}
        if truncated and found:
            body["more"] = _more(sub_key, truncated[0], found[truncated[0]], bounds, oldest_first, limit)
        return ApiResponse(200, body, FAMILY)

    pages = gatherResults([channel_page(channel) for channel in channels], consumeErrors=True)
    return pages.addCallback(answer).addErrback(_first_error)


def _more(
    sub_key: str,
    channel: str,
    items: list[dict[str, Any]],
    bounds: dict[str, Any],
    oldest_first: bool,
    limit: int,
) -> dict[str, Any]:
    """The paging object of a truncated fetch with actions (protocol.md §2.14):
    ``{"url", "start", "max"}`` where ``url`` asks for the rest of the range.

    Newest-first pages continue below the oldest returned message (``start`` = its timetoken;
    the range's lower bound is kept as ``end``). An oldest-first walk (only ``end`` given)
    continues above the newest returned message: ``end`` = its timetoken + 1, no ``start``.
    """
    start: str | None = None
    end: str | None = None
    if oldest_first:
        end = str(int(items[-1]["timetoken"]) + 1)
    else:
        start = items[0]["timetoken"]
        lower = bounds["lower"]
        if lower is not None:
            # ``end`` is inclusive: an exclusive lower bound L (a start below end) is L + 1
            end = str(lower if bounds["lower_inclusive"] else lower + 1)
    query = [("start", start), ("end", end), ("max", str(limit))]
    url = "/v3/history-with-actions/sub-key/%s/channel/%s?%s" % (
        quote(sub_key, safe=""),
        quote(channel, safe=""),
        "&".join("%s=%s" % (name, value) for name, value in query if value is not None),
    )
    more: dict[str, Any] = {"url": url}
    if start is not None:
        more["start"] = start
    if end is not None:
        more["end"] = end
    more["max"] = limit
    return more


def _first_error(failure: Any) -> Any:
    """``gatherResults`` wraps failures; re-raise the first underlying one."""
    inner = getattr(failure.value, "subFailure", None)
    return inner if inner is not None else failure


# -- delete ---------------------------------------------------------------------------------------


def _delete(app: Any, call: ApiCall) -> Deferred:
    channels = _channels(call)
    start = params.timetoken(call, "start")
    end = params.timetoken(call, "end")
    if start is not None and end is not None and start > end:
        start, end = end, start
    deleted = gatherResults(
        [app.store.delete(call.path["sub"], channel, start, end) for channel in channels],
        consumeErrors=True,
    )
    body = {"status": 200, "error": False, "error_message": ""}
    return deleted.addCallback(lambda _: ApiResponse(200, body, FAMILY)).addErrback(_first_error)


# -- message counts -------------------------------------------------------------------------------


def _counts(app: Any, call: ApiCall) -> Deferred:
    channels = _channels(call)
    single = params.timetoken(call, "timetoken")
    several = call.query.get("channelsTimetoken")
    if several:
        values = several.split(",")
        if len(values) == 1:
            values = values * len(channels)
        if len(values) != len(channels):
            raise call.bad_request(
                "Invalid Arguments: channelsTimetoken must have one timetoken per channel"
            )
        try:
            cursors = [parse_timetoken(value) for value in values]
        except ValueError:
            raise call.bad_request("Invalid Arguments: channelsTimetoken") from None
    elif single is not None:
        cursors = [single] * len(channels)
    else:
        raise call.bad_request("Invalid Arguments: timetoken or channelsTimetoken is required")
    counted = app.store.count_after(call.path["sub"], zip(channels, cursors), app.timetokens.wall())
    return counted.addCallback(
        lambda counts: ApiResponse(
            200, {"status": 200, "error": False, "error_message": "", "channels": counts}, FAMILY
        )
    )
