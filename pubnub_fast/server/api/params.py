"""Validation of names and query values shared by the API modules (protocol.md §8 limits)."""
from __future__ import annotations

import re

from pubnub_fast.server.http import ApiCall
from pubnub_fast.server.timetokens import parse_timetoken
from pubnub_fast.server.wire import load_json_query, parse_bool, split_names

#: Longest channel, group or uuid name, in characters (protocol.md §8).
MAX_NAME_LENGTH = 92
#: Most names in one channel or group list.
MAX_NAMES_PER_REQUEST = 500

_FORBIDDEN_IN_NAMES = re.compile("[,\x00-\x1f]")
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f]")


def check_name(call: ApiCall, name: str, what: str, wildcard_ok: bool = False) -> str:
    """A channel/group name: non-empty, ≤ 92 characters, no ``,`` or control characters.

    The docs also rule out ``:`` ``/`` ``\\`` and spaces, but SDKs send them and the real
    service tolerates them (protocol.md §8), so only what would break parsing is refused.
    ``*`` is for wildcard subscriptions only.
    """
    if not name or len(name) > MAX_NAME_LENGTH or _FORBIDDEN_IN_NAMES.search(name) is not None:
        raise call.bad_request("Invalid Arguments: %s name %r" % (what, name[:100]))
    if "*" in name and not wildcard_ok:
        raise call.bad_request("Invalid Arguments: %s name %r" % (what, name[:100]))
    return name


def name_list(call: ApiCall, value: str | None, what: str, wildcard_ok: bool = False) -> list[str]:
    """A comma-joined list of names (``,`` alone = none), validated and de-duplicated."""
    names = split_names(value)
    if len(names) > MAX_NAMES_PER_REQUEST:
        raise call.bad_request("Invalid Arguments: too many %ss" % what)
    return [check_name(call, name, what, wildcard_ok) for name in names]


def check_uuid(call: ApiCall, uuid: str) -> str:
    if len(uuid) > MAX_NAME_LENGTH or _CONTROL_CHARACTERS.search(uuid) is not None:
        raise call.bad_request("Invalid Arguments: uuid")
    return uuid


def flag(call: ApiCall, name: str, default: bool = False) -> bool:
    try:
        return parse_bool(call.query.get(name), default)
    except ValueError:
        raise call.bad_request("Invalid Arguments: %s" % name) from None


def integer(
    call: ApiCall, name: str, default: int | None, minimum: int, maximum: int | None = None
) -> int | None:
    """An integer query value in ``[minimum, maximum]`` (clamped to maximum, error below)."""
    value = call.query.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise call.bad_request("Invalid Arguments: %s" % name) from None
    if number < minimum:
        raise call.bad_request("Invalid Arguments: %s" % name)
    return number if maximum is None else min(number, maximum)


def timetoken(call: ApiCall, name: str) -> int | None:
    """A timetoken query value, ``None`` when absent."""
    value = call.query.get(name)
    if value is None or value == "":
        return None
    try:
        return parse_timetoken(value)
    except ValueError:
        raise call.bad_request("Invalid Arguments: %s" % name) from None


def channel_states(call: ApiCall) -> dict[str, dict] | None:
    """The subscribe/heartbeat ``state`` parameter: ``{"channel": {…state…}, …}``."""
    try:
        states = load_json_query(call.query.get("state"), call.raw_query.get("state"))
    except ValueError:  # JsonInputError, or bytes that are not UTF-8
        raise call.bad_request("Invalid JSON") from None
    if states is None:
        return None
    if not isinstance(states, dict) or not all(isinstance(v, dict) for v in states.values()):
        raise call.bad_request("Invalid Arguments: state must map channels to objects")
    return states
