"""Access Manager admin API (protocol.md §2.18, §2.19): v2 grant/revoke/audit, v3 grant-token
and revoke-token.

Only signed requests reach these handlers on a keyset with a secret key (the check is in
:mod:`pubnub_fast.server.access`); on a keyset without one they answer 400 (nothing can be
granted there, and nothing is enforced).

v2 grant: flags ``r w m d g u j`` (absent = 0, so a grant replaces what the target held and
revoke is a grant of zeros), ``ttl`` minutes (default 1440, 0 = forever, at most 525600),
targets ``channel``, ``channel-group``, ``target-uuid`` (needs ``auth``), ``category``
(``channels``/``uuids``, ``get`` only, needs ``auth``), none of them = the whole keyset; ``auth``
= the auth keys granted (none = every request). The answer's ``payload`` has the real shapes of
each level (subkey, channel, user, channel-group, channel-group+auth, uuid). Audit reports the
live grants in the same shapes, with each entry's ``ttl``.

v3 grant-token: a JSON body ``{"ttl", "permissions": {"resources", "patterns", "meta", "uuid",
"categories"}}`` (client-api.md §4.7) → ``{"data":{"message":"Success","token":…}}``. A request
whose ``Content-Type`` is not JSON gets the real 400 ``Invalid JSON`` (none at all is accepted:
v4 Twisted clients send none). Revoke-token (``DELETE``) refuses the token from then on.
"""
from __future__ import annotations

import re
from typing import Any

from twisted.internet.defer import Deferred

from pubnub_fast.server.access import (
    CATEGORY_CHANNELS,
    CATEGORY_UUIDS,
    GRANT_TOKEN_CATEGORIES,
    GRANT_TOKEN_TYPES,
    KIND_CATEGORY,
    KIND_CHANNEL,
    KIND_GROUP,
    KIND_KEYSET,
    KIND_UUID,
    MAX_AUTH_KEY_LENGTH,
    MAX_TOKEN_LENGTH,
    V2_DEFAULT_TTL,
    V2_MAX_TTL,
    V3_MAX_TTL,
    V3_MIN_TTL,
    Grant,
    flags_of,
    flat_error,
    nested_error,
    not_enabled,
)
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.permissions import V2_FLAGS, Permission
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily
from pubnub_fast.server.wire import JsonInputError, dump_json, load_json, split_names

FAMILY = HeaderFamily.ACCESS
_SERVICE = "Access Manager"
#: Longest channel, group or uuid name a grant may name (protocol.md §8).
MAX_NAME_LENGTH = 92
#: Most names in one grant's list, and most entries in one token.
MAX_NAMES_PER_GRANT = 200
MAX_TOKEN_ENTRIES = 1000
#: Longest token pattern (a regular expression).
MAX_PATTERN_LENGTH = 256
#: Most meta bytes a token carries (as JSON).
MAX_META_BYTES = 4096


def routes(app: Any) -> list[Route]:
    manager = app.access.manager

    def route(methods: list[str], pattern: str, handler: Any) -> Route:
        return Route(methods, pattern, lambda call: handler(manager, call), FAMILY, flat_error)

    return [
        route(["GET"], "/v2/auth/grant/sub-key/{sub}", _grant),
        route(["GET"], "/v1/auth/grant/sub-key/{sub}", _grant),
        route(["GET"], "/v2/auth/audit/sub-key/{sub}", _audit),
        route(["GET"], "/v1/auth/audit/sub-key/{sub}", _audit),
        route(["POST"], "/v3/pam/{sub}/grant", _grant_token),
        route(["DELETE"], "/v3/pam/{sub}/grant/{token}", _revoke_token),
    ]


def _success(body: dict, method: str = "GET") -> ApiResponse:
    return ApiResponse(200, body, FAMILY, extra_headers=[(b"Access-Control-Allow-Methods", method.encode("ascii"))])


def _pam_keyset(call: ApiCall) -> Any:
    if call.keyset is None or not call.keyset.secret_key:
        raise not_enabled()
    return call.keyset


# -- v2 grant -------------------------------------------------------------------------------------


def _names(call: ApiCall, parameter: str, maximum_length: int = MAX_NAME_LENGTH) -> list[str]:
    names = split_names(call.query.get(parameter))
    if len(names) > MAX_NAMES_PER_GRANT:
        raise flat_error(400, "Invalid %s: at most %d names" % (parameter, MAX_NAMES_PER_GRANT))
    for name in names:
        if len(name) > maximum_length or any(ord(ch) < 32 for ch in name):
            raise flat_error(400, "Invalid %s: %r" % (parameter, name[:100]))
    return names


def _grant_ttl(call: ApiCall) -> int:
    value = call.query.get("ttl")
    if value is None or value == "":
        return V2_DEFAULT_TTL
    if not (value.isascii() and value.isdigit()) or int(value) > V2_MAX_TTL:
        raise flat_error(400, "Invalid ttl: %s minutes are allowed (0 = no expiry)" % "0 to %d" % V2_MAX_TTL)
    return int(value)


def _grant(manager: Any, call: ApiCall) -> Deferred:
    keyset = _pam_keyset(call)
    bits = 0
    for flag, bit in V2_FLAGS:
        value = call.query.get(flag)
        if value not in (None, "", "0", "1"):
            raise flat_error(400, "Invalid %s: use 0 or 1" % flag)
        if value == "1":
            bits |= bit
    ttl = _grant_ttl(call)
    auth_keys = _names(call, "auth", MAX_AUTH_KEY_LENGTH)
    channels = _names(call, "channel")
    groups = _names(call, "channel-group")
    uuids = _names(call, "target-uuid")
    categories = _names(call, "category")
    if uuids and not auth_keys:
        raise flat_error(400, "Invalid target-uuid: uuid grants need auth keys")
    if categories:
        if not auth_keys:
            raise flat_error(400, "Invalid category: category grants need auth keys")
        if any(name not in (CATEGORY_CHANNELS, CATEGORY_UUIDS) for name in categories):
            raise flat_error(400, "Invalid category: only channels and uuids")
        if bits & ~Permission.GET:
            raise flat_error(400, "Invalid category: category grants allow only get")

    targets = (
        [(KIND_CHANNEL, name) for name in channels]
        + [(KIND_GROUP, name) for name in groups]
        + [(KIND_UUID, name) for name in uuids]
        + [(KIND_CATEGORY, name) for name in categories]
    )
    if not targets:
        targets = [(KIND_KEYSET, "")]
    sub_key = keyset.subscribe_key
    stored = manager.grants.set(sub_key, targets, auth_keys or [""], bits, ttl)
    payload = _grant_payload(sub_key, ttl, bits, channels, groups, uuids, categories, auth_keys)
    body = {"message": "Success", "payload": payload, "service": _SERVICE, "status": 200}
    return stored.addCallback(lambda _: _success(body))


def _grant_payload(
    sub_key: str,
    ttl: int,
    bits: int,
    channels: list[str],
    groups: list[str],
    uuids: list[str],
    categories: list[str],
    auth_keys: list[str],
) -> dict[str, Any]:
    """The grant answer in the real service's shape for its level (protocol.md §2.18)."""
    flags = flags_of(bits)
    payload: dict[str, Any] = {"level": "subkey", "subscribe_key": sub_key, "ttl": ttl}
    single = len(channels) + len(groups) + len(uuids) + len(categories) == 1

    def per_auth() -> dict[str, Any]:
        return {key: dict(flags) for key in auth_keys}

    if channels:
        if auth_keys:
            payload["level"] = "user"
            if single:
                payload["channel"] = channels[0]
                payload["auths"] = per_auth()
            else:
                payload["channels"] = {name: {"auths": per_auth()} for name in channels}
        else:
            payload["level"] = "channel"
            payload["channels"] = {name: dict(flags) for name in channels}
    if groups:
        if auth_keys:
            payload["level"] = payload["level"] if channels else "channel-group+auth"
            if single:
                payload["channel-groups"] = groups[0]
                payload["auths"] = per_auth()
            else:
                payload["channel-groups"] = {name: {"auths": per_auth()} for name in groups}
        else:
            payload["level"] = payload["level"] if channels else "channel-group"
            payload["channel-groups"] = {name: dict(flags) for name in groups}
    if uuids:
        if payload["level"] == "subkey":
            payload["level"] = "uuid"
        payload["uuids"] = {name: {"auths": per_auth()} for name in uuids}
    if categories:
        if payload["level"] == "subkey":
            payload["level"] = "category"
        payload["categories"] = {name: {"auths": per_auth()} for name in categories}
    if not (channels or groups or uuids or categories):
        payload.update(flags)
        if auth_keys:
            payload["auths"] = per_auth()
    return payload


# -- v2 audit -------------------------------------------------------------------------------------


def _entry(grant: Grant) -> dict[str, Any]:
    entry: dict[str, Any] = flags_of(grant.bits)
    entry["ttl"] = grant.ttl
    return entry


def _audit(manager: Any, call: ApiCall) -> ApiResponse:
    keyset = _pam_keyset(call)
    sub_key = keyset.subscribe_key
    auth_keys = _names(call, "auth", MAX_AUTH_KEY_LENGTH)
    channels = _names(call, "channel")
    groups = _names(call, "channel-group")
    wanted_auth = set(auth_keys)

    #: (kind, name) -> {"": everyone's grant entry?, "auths": {key: entry}}
    levels: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, name, auth_key, grant in manager.grants.entries(sub_key):
        if wanted_auth and auth_key not in wanted_auth:
            continue
        level = levels.setdefault((kind, name), {"everyone": None, "auths": {}})
        if auth_key:
            level["auths"][auth_key] = _entry(grant)
        else:
            level["everyone"] = _entry(grant)

    def described(kind: str, name: str) -> dict[str, Any]:
        level = levels.get((kind, name), {"everyone": None, "auths": {}})
        entry: dict[str, Any] = dict(level["everyone"] or {})
        if level["auths"]:
            entry["auths"] = level["auths"]
        return entry

    payload: dict[str, Any] = {"subscribe_key": sub_key}
    if channels and auth_keys and len(channels) == 1 and not groups:
        payload["level"] = "user"
        payload["channel"] = channels[0]
        payload["auths"] = described(KIND_CHANNEL, channels[0]).get("auths", {})
    elif groups and auth_keys and len(groups) == 1 and not channels:
        payload["level"] = "channel-group+auth"
        payload["channel-group"] = groups[0]
        payload["auths"] = described(KIND_GROUP, groups[0]).get("auths", {})
    elif channels or groups:
        payload["level"] = "channel" if channels else "channel-group"
        if channels:
            payload["channels"] = {name: described(KIND_CHANNEL, name) for name in channels}
        if groups:
            payload["channel-groups"] = {name: described(KIND_GROUP, name) for name in groups}
    else:
        payload["level"] = "subkey"
        top = described(KIND_KEYSET, "")
        payload.update(top)
        for kind, key in ((KIND_CHANNEL, "channels"), (KIND_GROUP, "channel-groups"), (KIND_UUID, "uuids"),
                          (KIND_CATEGORY, "categories")):
            found = {name: described(kind, name) for level_kind, name in levels if level_kind == kind}
            if found:
                payload[key] = found
    body = {"message": "Success", "payload": payload, "service": _SERVICE, "status": 200}
    return _success(body)


# -- v3 tokens ------------------------------------------------------------------------------------


def _grant_error(message: str, detail: str, location: str) -> ApiError:
    return nested_error(400, message, "grant", detail, location, "body")


def _permission_map(value: Any, location: str, patterns: bool) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _grant_error("Invalid permissions", "Must be an object.", location)
    found: dict[str, int] = {}
    for name, bits in value.items():
        where = "%s.%s" % (location, name[:100])
        limit = MAX_PATTERN_LENGTH if patterns else MAX_NAME_LENGTH
        if not name or len(name) > limit or any(ord(ch) < 32 for ch in name):
            raise _grant_error("Invalid permissions", "Names must be 1 to %d characters." % limit, where)
        if patterns:
            try:
                re.compile(name)
            except (re.error, RecursionError, OverflowError):
                raise _grant_error("Invalid permissions", "Not a valid regular expression.", where) from None
        if isinstance(bits, bool) or not isinstance(bits, int) or not 0 <= bits <= 255:
            raise _grant_error("Invalid permissions", "Permissions must be an integer from 0 to 255.", where)
        found[name] = bits
    return found


def _token_ttl(body: dict) -> int:
    value = body.get("ttl")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        value = int(value)  # old clients send it as a string
    if isinstance(value, bool) or not isinstance(value, int) or not V3_MIN_TTL <= value <= V3_MAX_TTL:
        raise _grant_error("Invalid ttl", "Range should be %d to %d minute(s)." % (V3_MIN_TTL, V3_MAX_TTL), "ttl")
    return value


def _grant_token(manager: Any, call: ApiCall) -> ApiResponse:
    keyset = _pam_keyset(call)
    content_type = (call.request.getHeader(b"content-type") or b"").split(b";")[0].strip().lower()
    if content_type and content_type != b"application/json":
        raise _grant_error("Invalid JSON", "Content-Type must be `application/json`.", "<root>")
    try:
        body = load_json(call.body().decode("utf-8"))
    except (UnicodeDecodeError, JsonInputError):
        raise _grant_error("Invalid JSON", "Request payload must be a JSON object.", "<root>") from None
    if not isinstance(body, dict):
        raise _grant_error("Invalid JSON", "Request payload must be a JSON object.", "<root>")
    ttl = _token_ttl(body)
    permissions = body.get("permissions")
    if not isinstance(permissions, dict):
        raise _grant_error("Invalid permissions", "Must be an object.", "permissions")

    sections: dict[str, dict[str, dict[str, int]]] = {}
    entries = 0
    for section, patterns in (("resources", False), ("patterns", True)):
        given = permissions.get(section) or {}
        if not isinstance(given, dict):
            raise _grant_error("Invalid permissions", "Must be an object.", "permissions.%s" % section)
        sections[section] = {}
        for public, wire in GRANT_TOKEN_TYPES:
            found = _permission_map(given.get(public), "permissions.%s.%s" % (section, public), patterns)
            sections[section][wire] = found
            entries += len(found)
    if entries > MAX_TOKEN_ENTRIES:
        detail = "At most %d resources and patterns." % MAX_TOKEN_ENTRIES
        raise _grant_error("Invalid permissions", detail, "permissions")

    categories: dict[str, int] = {}
    given_categories = permissions.get("categories") or {}
    if not isinstance(given_categories, dict):
        raise _grant_error("Invalid permissions", "Must be an object.", "permissions.categories")
    wire_category = dict(GRANT_TOKEN_CATEGORIES)
    for name, bits in given_categories.items():
        where = "permissions.categories.%s" % name[:100]
        if name not in wire_category:
            raise _grant_error("Invalid permissions", "Only channels and uuids categories exist.", where)
        if isinstance(bits, bool) or not isinstance(bits, int) or bits & ~Permission.GET or bits < 0:
            raise _grant_error("Invalid permissions", "Categories allow only the get permission (32).", where)
        categories[wire_category[name]] = bits

    meta = permissions.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _grant_error("Invalid meta", "Must be an object.", "permissions.meta")
    if len(dump_json(meta)) > MAX_META_BYTES:
        raise _grant_error("Invalid meta", "At most %d bytes." % MAX_META_BYTES, "permissions.meta")
    uuid = permissions.get("uuid")
    if uuid is not None and (
        not isinstance(uuid, str) or not uuid or len(uuid) > MAX_NAME_LENGTH or any(ord(ch) < 32 for ch in uuid)
    ):
        raise _grant_error("Invalid uuid", "Must be 1 to %d characters." % MAX_NAME_LENGTH, "permissions.uuid")

    try:
        token = manager.tokens.issue(
            keyset.secret_key, ttl, sections["resources"], sections["patterns"], meta, uuid, categories
        )
    except ValueError:  # a meta value CBOR cannot hold (an integer over 64 bits)
        detail = "Values must be JSON with integers of at most 64 bits."
        raise _grant_error("Invalid meta", detail, "permissions.meta") from None
    if len(token) > MAX_TOKEN_LENGTH:
        raise _grant_error("Invalid permissions", "The token would be longer than %d characters." % MAX_TOKEN_LENGTH,
                           "permissions")
    body_out = {"data": {"message": "Success", "token": token}, "service": _SERVICE, "status": 200}
    return _success(body_out, "POST")


def _revoke_token(manager: Any, call: ApiCall) -> Deferred:
    keyset = _pam_keyset(call)
    token = manager.token_for_revoke(keyset, call.path["token"])
    done = manager.tokens.revoke(keyset.subscribe_key, token)
    body = {"data": {"message": "Success"}, "service": _SERVICE, "status": 200}
    return done.addCallback(lambda _: _success(body, "DELETE"))
