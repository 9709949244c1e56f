"""App Context (objects v2) API (protocol.md §2.21, client-api.md §4.8).

Routes under ``/v2/objects/{sub}``:

* ``uuids`` (GET list), ``uuids/{uuid}`` (GET, PATCH upsert, DELETE) — uuid metadata;
* ``channels`` (GET list), ``channels/{channel}`` (GET, PATCH, DELETE) — channel metadata;
* ``channels/{channel}/uuids`` (GET, PATCH ``{"set":[…],"delete":[…]}``) — a channel's members;
* ``uuids/{uuid}/channels`` (GET, PATCH) — a uuid's memberships.

Query: ``include`` (``custom``, ``status``, ``type``, ``totalCount``, ``uuid``/``channel`` and
their ``.custom``/``.status``/``.type``), ``limit`` (default and max 100), ``start``/``end``
(cursors from ``next``/``prev``), ``count`` (→ ``totalCount``), ``filter``
(:mod:`~pubnub_fast.server.objects_query`), ``sort``. ``If-Match: <eTag>`` on a metadata PATCH or
DELETE answers 412 when the object changed (or is gone). A PATCH of members/memberships answers
with the resulting page, like the real service.

Every change publishes an App Context event (envelope ``e: 2``, ``d = {"source":"objects",
"version":"2.0","event":"set"|"delete","type":"uuid"|"channel"|"membership","data":{…}}``):
uuid events on the channel named after the uuid, channel events on the channel, membership
events on both the channel and the uuid's channel. Bodies are ``application/json``; errors
have the nested shape ``{"status":…,"error":{"message":…,"source":"objects","details":[…]}}``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from twisted.internet.defer import Deferred

from pubnub_fast.server import objects_query
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.messages import KIND_OBJECTS, PRESENCE_SUFFIX, MessageRecord
from pubnub_fast.server.objects_query import MISSING, QueryError
from pubnub_fast.server.objects_store import (
    CHANNEL,
    MAIN_FIELDS,
    UUID,
    Membership,
    Metadata,
    StoreFull,
)
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily
from pubnub_fast.server.wire import JsonInputError, dump_json, load_json, parse_bool

#: Headers of the objects and files services (protocol.md §0.2); the PUBSUB family supplies
#: the CORS basics and these replace its content type and methods.
JSON_HEADERS = [
    (b"Content-Type", b"application/json"),
    (b"Access-Control-Allow-Methods", b"GET, POST, PATCH, DELETE, OPTIONS"),
    (b"Access-Control-Allow-Credentials", b"true"),
    (b"Access-Control-Expose-Headers", b"*"),
]
FAMILY = HeaderFamily.PUBSUB

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
#: Longest uuid or channel id (protocol.md §8).
MAX_ID_LENGTH = 92
#: Largest metadata object (all fields and custom, as compact JSON).
MAX_OBJECT_BYTES = 32 * 1024
#: Longest ``status`` / ``type`` value.
MAX_STATUS_LENGTH = 50
#: Most ``set`` + ``delete`` items in one membership PATCH.
MAX_MEMBERSHIP_CHANGES = 1000

INVALID_INPUT = "Request payload contained invalid input."
NOT_FOUND = "Requested object was not found."
_NOUN = {UUID: "User", CHANNEL: "Channel"}
_OTHER = {UUID: CHANNEL, CHANNEL: UUID}  # the side a membership list shows


# -- responses ------------------------------------------------------------------------------------


def json_response(status: int, body: Any, extra: Iterable[tuple[bytes, bytes]] = ()) -> ApiResponse:
    """An ``application/json`` response (objects and files services)."""
    return ApiResponse(status, body, FAMILY, extra_headers=JSON_HEADERS + list(extra))


def nested_error(
    status: int,
    message: str,
    source: str = "objects",
    details: list[dict[str, str]] | None = None,
) -> ApiError:
    """``{"status":…,"error":{"message":…,"source":…[,"details":[…]]}}``."""
    error: dict[str, Any] = {"message": message, "source": source}
    if details:
        error["details"] = details
    return ApiError(json_response(status, {"status": status, "error": error}))


def invalid(message: str, location: str, location_type: str = "body") -> ApiError:
    """A 400 naming what was wrong and where (``details``)."""
    return nested_error(
        400,
        INVALID_INPUT,
        details=[{"message": message, "location": location, "locationType": location_type}],
    )


def _route_error(status: int, message: str) -> ApiError:
    return nested_error(status, message)


# -- routes ---------------------------------------------------------------------------------------


def routes(app: Any) -> list[Route]:
    def route(methods: list[str], pattern: str, handler: Callable[..., Any], *args: Any) -> Route:
        return Route(methods, pattern, lambda call: handler(app, call, *args), FAMILY, _route_error)

    base = "/v2/objects/{sub}"
    return [
        route(["GET"], base + "/uuids", _list_metadata, UUID),
        route(["GET"], base + "/uuids/{id}", _get_metadata, UUID),
        route(["PATCH"], base + "/uuids/{id}", _set_metadata, UUID),
        route(["DELETE"], base + "/uuids/{id}", _remove_metadata, UUID),
        route(["GET"], base + "/uuids/{id}/channels", _get_memberships, UUID),
        route(["PATCH"], base + "/uuids/{id}/channels", _change_memberships, UUID),
        route(["GET"], base + "/channels", _list_metadata, CHANNEL),
        route(["GET"], base + "/channels/{id}", _get_metadata, CHANNEL),
        route(["PATCH"], base + "/channels/{id}", _set_metadata, CHANNEL),
        route(["DELETE"], base + "/channels/{id}", _remove_metadata, CHANNEL),
        route(["GET"], base + "/channels/{id}/uuids", _get_memberships, CHANNEL),
        route(["PATCH"], base + "/channels/{id}/uuids", _change_memberships, CHANNEL),
    ]


# -- request parsing ------------------------------------------------------------------------------


def _check_id(value: Any, location: str, location_type: str = "path") -> str:
    if (
        not isinstance(value, str)
        or not value
        or len(value) > MAX_ID_LENGTH
        or any(ord(ch) < 32 for ch in value)
    ):
        raise invalid("must be 1 to %d characters without control characters" % MAX_ID_LENGTH, location, location_type)
    return value


def _includes(call: ApiCall) -> frozenset[str]:
    value = call.query.get("include", "")
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _limit(call: ApiCall) -> int:
    value = call.query.get("limit")
    if value is None or value == "":
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise invalid("must be an integer", "limit", "query") from None
    if limit < 0:
        raise invalid("must be greater than or equal to 0", "limit", "query")
    if limit > MAX_LIMIT:
        raise invalid("must be less than or equal to %d" % MAX_LIMIT, "limit", "query")
    return limit


def _wants_count(call: ApiCall, includes: frozenset[str]) -> bool:
    if "totalCount" in includes:
        return True
    try:
        return parse_bool(call.query.get("count"), False)
    except ValueError:
        raise invalid("must be true or false", "count", "query") from None


def _json_body(call: ApiCall) -> dict[str, Any]:
    raw = call.body()
    try:
        body = load_json(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, JsonInputError):
        raise invalid("the body is not valid JSON", "<root>") from None
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object", "<root>")
    return body


def _if_match(call: ApiCall) -> str | None:
    value = call.request.getHeader(b"if-match")
    if value is None:
        return None
    text = value.decode("latin-1").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text


def _check_if_match(call: ApiCall, kind: str, current: Metadata | None, verb: str) -> None:
    expected = _if_match(call)
    if expected is None:
        return
    if current is None or (expected != "*" and expected != current.etag):
        raise nested_error(
            412, "%s to %s has been modified after it was read." % (_NOUN[kind], verb)
        )


def _custom(value: Any, location: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid("custom must be a JSON object", location)
    for name, item in value.items():
        if item is not None and not isinstance(item, (str, int, float, bool)):
            raise invalid(
                "custom values must be strings, numbers or booleans (%r is not)" % name[:50], location
            )
    return value


def _short_string(value: Any, location: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_STATUS_LENGTH:
        raise invalid("must be a string of at most %d characters" % MAX_STATUS_LENGTH, location)
    return value


def _metadata_changes(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in MAIN_FIELDS[kind]:
        if name in body:
            value = body[name]
            if value is not None and not isinstance(value, str):
                raise invalid("%s must be a string or null" % name, name)
            changes[name] = value
    if "custom" in body:
        changes["custom"] = _custom(body["custom"], "custom")
    for name in ("status", "type"):
        if name in body:
            changes[name] = _short_string(body[name], name)
    return changes


# -- rendering ------------------------------------------------------------------------------------


def render_metadata(
    metadata: Metadata, custom: bool, status: bool, type_: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": metadata.id}
    for name in MAIN_FIELDS[metadata.kind]:
        out[name] = metadata.fields.get(name)
    if type_:
        out["type"] = metadata.fields.get("type")
    if status:
        out["status"] = metadata.fields.get("status")
    if custom:
        out["custom"] = metadata.fields.get("custom")
    out["updated"] = metadata.updated
    out["eTag"] = metadata.etag
    return out


def _event_metadata(metadata: Metadata) -> dict[str, Any]:
    """An event's ``data``: the object's non-null fields."""
    out: dict[str, Any] = {"id": metadata.id}
    for name, value in metadata.fields.items():
        if value is not None:
            out[name] = value
    out["updated"] = metadata.updated
    out["eTag"] = metadata.etag
    return out


def _event_membership(membership: Membership, deleted: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"channel": {"id": membership.channel}, "uuid": {"id": membership.uuid}}
    if deleted:
        return out
    for name, value in membership.content().items():
        if value is not None:
            out[name] = value
    out["updated"] = membership.updated
    out["eTag"] = membership.etag
    return out


# -- lookups for filter and sort ------------------------------------------------------------------


def _metadata_fields(kind: str) -> frozenset[str]:
    return frozenset(("id", "updated", "status", "type") + MAIN_FIELDS[kind])


def _metadata_lookup(metadata: Metadata | None, path: tuple[str, ...]) -> Any:
    if metadata is None:
        return MISSING
    head = path[0]
    if len(path) == 1:
        if head == "id":
            return metadata.id
        if head == "updated":
            return metadata.updated
        return metadata.fields.get(head, MISSING)
    if head == "custom" and len(path) == 2:
        custom = metadata.fields.get("custom")
        return custom.get(path[1], MISSING) if isinstance(custom, dict) else MISSING
    return MISSING


def _metadata_path_ok(kind: str, path: tuple[str, ...]) -> bool:
    if len(path) == 1:
        return path[0] in _metadata_fields(kind)
    return len(path) == 2 and path[0] == "custom"


# -- metadata handlers ----------------------------------------------------------------------------


def _get_metadata(app: Any, call: ApiCall, kind: str) -> ApiResponse:
    object_id = _check_id(call.path["id"], kind)
    includes = _includes(call)
    metadata = app.objects.get(kind, call.path["sub"], object_id)
    if metadata is None:
        raise nested_error(404, NOT_FOUND)
    data = render_metadata(metadata, "custom" in includes, "status" in includes, "type" in includes)
    return json_response(200, {"status": 200, "data": data})


def _set_metadata(app: Any, call: ApiCall, kind: str) -> Deferred:
    sub_key = call.path["sub"]
    object_id = _check_id(call.path["id"], kind)
    includes = _includes(call)
    changes = _metadata_changes(kind, _json_body(call))
    _check_if_match(call, kind, app.objects.get(kind, sub_key, object_id), "update")
    current = app.objects.get(kind, sub_key, object_id)
    merged = dict(current.fields) if current is not None else {}
    merged.update(changes)
    if len(dump_json(merged)) > MAX_OBJECT_BYTES:
        raise invalid("the object is larger than %d bytes" % MAX_OBJECT_BYTES, "<root>")
    try:
        metadata, written = app.objects.set(kind, sub_key, object_id, changes)
    except StoreFull as exc:
        raise nested_error(400, str(exc)) from None
    _publish_event(app, sub_key, object_id, "set", kind, _event_metadata(metadata))
    data = render_metadata(metadata, "custom" in includes, "status" in includes, "type" in includes)
    return written.addCallback(lambda _: json_response(200, {"status": 200, "data": data}))


def _remove_metadata(app: Any, call: ApiCall, kind: str) -> Deferred:
    sub_key = call.path["sub"]
    object_id = _check_id(call.path["id"], kind)
    _check_if_match(call, kind, app.objects.get(kind, sub_key, object_id), "delete")
    removed, written = app.objects.remove(kind, sub_key, object_id)
    if removed is not None:
        _publish_event(app, sub_key, object_id, "delete", kind, {"id": object_id})
    return written.addCallback(lambda _: json_response(200, {"status": 200, "data": None}))


def _list_metadata(app: Any, call: ApiCall, kind: str) -> ApiResponse:
    sub_key = call.path["sub"]
    includes = _includes(call)
    items = app.objects.all(kind, sub_key)
    sort_keys = ("id", "name", "updated", "status", "type")
    selected = _query(
        call, items, lambda path: _metadata_path_ok(kind, path), sort_keys, ("id",), _metadata_lookup
    )
    page, with_count = _page(call, selected, includes)
    data = [
        render_metadata(m, "custom" in includes, "status" in includes, "type" in includes)
        for m in page.items
    ]
    return json_response(200, _list_body(data, page, with_count))


def _query(
    call: ApiCall,
    items: list[Any],
    path_ok: Callable[[tuple[str, ...]], bool],
    sort_keys: tuple[str, ...],
    natural: tuple[str, ...],
    lookup: Callable[[Any, tuple[str, ...]], Any],
) -> list[Any]:
    """``items`` filtered and sorted as the request asks."""
    try:
        compiled = objects_query.compile_filter(call.query.get("filter"), path_ok)
        order = objects_query.parse_sort(call.query.get("sort"), sort_keys)
    except QueryError as exc:
        raise invalid(str(exc), exc.location, "query") from None
    if compiled is not None:
        items = [item for item in items if compiled.matches(item, lookup)]
    return objects_query.sort_items(items, order, natural, lookup)


def _page(call: ApiCall, items: list[Any], includes: frozenset[str]) -> tuple[objects_query.Page, bool]:
    limit = _limit(call)
    with_count = _wants_count(call, includes)
    try:
        page = objects_query.page(items, limit, call.query.get("start"), call.query.get("end"))
    except QueryError as exc:
        raise invalid(str(exc), exc.location, "query") from None
    return page, with_count


def _list_body(data: list[Any], page: objects_query.Page, with_count: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"status": 200, "data": data}
    if with_count:
        body["totalCount"] = page.total
    if page.next is not None:
        body["next"] = page.next
    if page.prev is not None:
        body["prev"] = page.prev
    return body


# -- memberships ----------------------------------------------------------------------------------


def _membership_view(app: Any, sub_key: str, side: str) -> tuple[Callable, Callable, tuple[str, ...]]:
    """Lookup, field check and sort keys for a list showing memberships' ``side`` objects."""

    def other_id(membership: Membership) -> str:
        return membership.uuid if side == UUID else membership.channel

    def lookup(membership: Membership, path: tuple[str, ...]) -> Any:
        head = path[0]
        if head == side:
            if path[1:] == ("id",):
                return other_id(membership)
            if len(path) < 2:
                return MISSING
            return _metadata_lookup(app.objects.get(side, sub_key, other_id(membership)), path[1:])
        if len(path) == 1:
            if head in ("status", "type", "updated"):
                return getattr(membership, head)
            return MISSING
        if head == "custom" and len(path) == 2:
            custom = membership.custom
            return custom.get(path[1], MISSING) if isinstance(custom, dict) else MISSING
        return MISSING

    def path_ok(path: tuple[str, ...]) -> bool:
        if path[0] == side:
            return len(path) > 1 and _metadata_path_ok(side, path[1:])
        if len(path) == 1:
            return path[0] in ("status", "type", "updated")
        return len(path) == 2 and path[0] == "custom"

    sort_keys = ("updated", "status", "type") + tuple(
        "%s.%s" % (side, name) for name in ("id", "name", "updated", "status", "type")
    )
    return lookup, path_ok, sort_keys


def _render_membership(
    app: Any, sub_key: str, membership: Membership, side: str, includes: frozenset[str]
) -> dict[str, Any]:
    other = membership.uuid if side == UUID else membership.channel
    expand = includes & {side, side + ".custom", side + ".status", side + ".type"}
    reference: dict[str, Any] = {"id": other}
    if expand:
        metadata = app.objects.get(side, sub_key, other)
        if metadata is not None:
            reference = render_metadata(
                metadata,
                side + ".custom" in includes,
                side + ".status" in includes,
                side + ".type" in includes,
            )
    item: dict[str, Any] = {side: reference}
    if "custom" in includes:
        item["custom"] = membership.custom
    item["updated"] = membership.updated
    item["eTag"] = membership.etag
    if "status" in includes:
        item["status"] = membership.status
    if "type" in includes:
        item["type"] = membership.type
    return item


def _membership_page(app: Any, call: ApiCall, kind: str, object_id: str) -> ApiResponse:
    """The page of ``object_id``'s memberships (``kind`` is what the path names)."""
    sub_key = call.path["sub"]
    side = _OTHER[kind]
    includes = _includes(call)
    if kind == CHANNEL:
        items = app.objects.members(sub_key, object_id)
    else:
        items = app.objects.memberships(sub_key, object_id)
    lookup, path_ok, sort_keys = _membership_view(app, sub_key, side)
    selected = _query(call, items, path_ok, sort_keys, (side, "id"), lookup)
    page, with_count = _page(call, selected, includes)
    data = [_render_membership(app, sub_key, m, side, includes) for m in page.items]
    return json_response(200, _list_body(data, page, with_count))


def _get_memberships(app: Any, call: ApiCall, kind: str) -> ApiResponse:
    object_id = _check_id(call.path["id"], kind)
    return _membership_page(app, call, kind, object_id)


def _membership_items(body: dict[str, Any], key: str, side: str) -> list[tuple[str, dict[str, Any]]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid("%s must be a list" % key, key)
    items: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(value):
        location = "%s[%d]" % (key, index)
        if not isinstance(item, dict) or not isinstance(item.get(side), dict):
            raise invalid('each item needs {"%s": {"id": …}}' % side, location)
        other = _check_id(item[side].get("id"), location + "." + side + ".id", "body")
        changes: dict[str, Any] = {}
        if key == "set":
            if "custom" in item:
                changes["custom"] = _custom(item["custom"], location + ".custom")
            for name in ("status", "type"):
                if name in item:
                    changes[name] = _short_string(item[name], location + "." + name)
            if len(dump_json(changes)) > MAX_OBJECT_BYTES:
                raise invalid("larger than %d bytes" % MAX_OBJECT_BYTES, location)
        items.append((other, changes))
    return items


def _change_memberships(app: Any, call: ApiCall, kind: str) -> Deferred:
    sub_key = call.path["sub"]
    object_id = _check_id(call.path["id"], kind)
    side = _OTHER[kind]
    body = _json_body(call)
    to_set = _membership_items(body, "set", side)
    to_delete = _membership_items(body, "delete", side)
    if len(to_set) + len(to_delete) > MAX_MEMBERSHIP_CHANGES:
        raise invalid("at most %d set and delete items" % MAX_MEMBERSHIP_CHANGES, "<root>")

    def pair(other: str) -> tuple[str, str]:  # (channel, uuid)
        return (object_id, other) if kind == CHANNEL else (other, object_id)

    try:
        written, removed, done = app.objects.change_memberships(
            sub_key,
            [(*pair(other), changes) for other, changes in to_set],
            [pair(other) for other, _ in to_delete],
        )
    except StoreFull as exc:
        raise nested_error(400, str(exc)) from None
    for membership in removed:
        _publish_membership(app, sub_key, membership, "delete")
    for membership in written:
        _publish_membership(app, sub_key, membership, "set")
    response = _membership_page(app, call, kind, object_id)
    return done.addCallback(lambda _: response)


# -- events ---------------------------------------------------------------------------------------


def _deliverable(channel: str) -> bool:
    """Whether an event can go to a channel of this name (a uuid need not be a channel name)."""
    return (
        0 < len(channel) <= MAX_ID_LENGTH
        and "," not in channel
        and "*" not in channel
        and not channel.endswith(PRESENCE_SUFFIX)
        and not any(ord(ch) < 32 for ch in channel)
    )


def _publish_event(app: Any, sub_key: str, channel: str, event: str, kind: str, data: dict) -> None:
    if not _deliverable(channel):
        return
    payload = {"source": "objects", "version": "2.0", "event": event, "type": kind, "data": data}
    record = MessageRecord(
        sub_key=sub_key,
        channel=channel,
        timetoken=app.timetokens.issue(),
        payload=payload,
        kind=KIND_OBJECTS,
        region=app.region,
    )
    app.publish(record, store=False)


def _publish_membership(app: Any, sub_key: str, membership: Membership, event: str) -> None:
    data = _event_membership(membership, deleted=event == "delete")
    _publish_event(app, sub_key, membership.channel, event, "membership", data)
    if membership.uuid != membership.channel:
        _publish_event(app, sub_key, membership.uuid, event, "membership", data)
