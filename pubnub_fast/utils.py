"""Helpers of PubNub's SDK that user code calls (``pubnub.utils`` compatible).

Encoding (client-api.md §6.2), signing (§8.1), list helpers, Access Manager permission bits and
a few small utilities, with PubNub SDK 10.8's names and parameters. The request path of
pubnub_fast does not go through this module: it uses the compiled/pure signing twins directly
(``pubnub_fast._speedups``), which these functions also call.
"""
import datetime
import functools
import threading
import uuid as _uuid
import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Union
from urllib.parse import urlunsplit

from pubnub_fast import _speedups
from pubnub_fast.enums import PAMPermissions, PNOperationType, PNPushType, PNStatusCategory

__all__ = [
    "get_data_for_user", "write_value_as_string", "url_encode", "url_write", "uuid", "split_items", "join_items",
    "join_items_and_encode", "join_channels", "extend_list", "update_set", "build_url", "synchronized",
    "is_subscribed_event", "is_unsubscribed_event", "prepare_pam_arguments", "pam_encode", "sign_sha256",
    "push_type_to_string", "strip_right", "datetime_now", "sign_request", "parse_resources", "calculate_bitmask",
    "decode_utf8_dict", "has_permission", "has_read_permission", "has_write_permission", "has_delete_permission",
    "has_manage_permission", "has_get_permission", "has_update_permission", "has_join_permission",
    "parse_pam_permissions", "deprecated",
]


def get_data_for_user(data: Any) -> Any:
    """The part of an error response worth showing: ``message`` and ``payload`` when both exist."""
    if isinstance(data, dict) and "message" in data and "payload" in data:
        return {"message": data["message"], "payload": data["payload"]}
    return data


def write_value_as_string(data: Any) -> str:
    """``data`` as PubNub serialises it (``json.dumps`` defaults, ASCII-escaped).

    Raises ``PubNubException(PNERR_JSON_NOT_SERIALIZABLE)`` for values JSON cannot represent.
    """
    from pubnub_fast.endpoints.base import to_json

    return to_json(data, "value")


def url_encode(data: str) -> str:
    """Percent-encode everything but ``A-Z a-z 0-9 _ . - ~`` (UTF-8)."""
    return _speedups.signing.url_encode(str(data))


def url_write(data: Any) -> str:
    """``url_encode(write_value_as_string(data))``."""
    return url_encode(write_value_as_string(data))


def uuid() -> str:
    """A random uuid4 as a str."""
    return str(_uuid.uuid4())


def split_items(items_string: str) -> List[str]:
    """``"a,b"`` → ``["a", "b"]``; ``""`` → ``[]``."""
    return items_string.split(",") if items_string else []


def join_items(items_list: Iterable[str], sort_items: bool = False) -> str:
    items = sorted(items_list) if sort_items else list(items_list)
    return ",".join(items)


def join_items_and_encode(items_list: Iterable[str], sort_items: bool = False) -> str:
    items = sorted(items_list) if sort_items else list(items_list)
    return ",".join(url_encode(item) for item in items)


def join_channels(items_list: Iterable[str], sort_items: bool = False) -> str:
    """Channel names as one path segment: encoded and comma-joined, ``","`` when there are none."""
    items = list(items_list)
    return join_items_and_encode(items, sort_items) if items else ","


def extend_list(existing_items: List[str], new_items: Union[str, List[str]]) -> None:
    """Append ``new_items`` (a list or a comma-separated str) to ``existing_items``."""
    existing_items.extend(split_items(new_items) if isinstance(new_items, str) else new_items)


def update_set(existing_items: Set[str], new_items: Union[str, List[str]]) -> None:
    """Add ``new_items`` (a list or a comma-separated str) to ``existing_items``."""
    existing_items.update(split_items(new_items) if isinstance(new_items, str) else new_items)


def build_url(scheme: str, origin: str, path: str, params: Any = {}) -> str:  # noqa: B006 - 10.8's default
    """``scheme://origin/path?params`` (``params`` is a ready query string; empty: no ``?``)."""
    return urlunsplit((scheme, origin, path, params or "", ""))


def synchronized(func: Callable) -> Callable:
    """Decorator: calls of ``func`` never run at the same time (one lock per decorated function)."""
    lock = threading.Lock()

    @functools.wraps(func)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return func(*args, **kwargs)

    return locked


def is_subscribed_event(status: Any) -> bool:
    """The status announces that a subscribe connected."""
    return status.category == PNStatusCategory.PNConnectedCategory


def is_unsubscribed_event(status: Any) -> bool:
    """The status acknowledges an unsubscribe (leave)."""
    return (status.category == PNStatusCategory.PNAcknowledgmentCategory
            and status.operation == PNOperationType.PNUnsubscribeOperation)


def pam_encode(s_url: str) -> str:
    """``url_encode`` with ``~`` escaped too: the form values take in a string to sign."""
    return _speedups.signing.pam_encode(str(s_url))


def prepare_pam_arguments(unsorted_params: Dict[str, Any]) -> str:
    """``k=pam_encode(str(v))`` pairs sorted by name, joined with ``&`` (the signed query)."""
    return "&".join("%s=%s" % (key, pam_encode(str(unsorted_params[key]))) for key in sorted(unsorted_params))


def sign_sha256(secret: str, sign_input: str) -> str:
    """URL-safe base64 of HMAC-SHA256(secret, sign_input), with ``=`` padding."""
    return _speedups.signing.sign_sha256(secret, sign_input)


_PUSH_TYPE_NAMES = {PNPushType.APNS: "apns", PNPushType.GCM: "gcm", PNPushType.FCM: "fcm", PNPushType.MPNS: "mpns"}


def push_type_to_string(push_type: Any) -> str:
    """The ``type=`` value of a push type (``""`` for APNS2, which uses its own path, or unknown types)."""
    try:
        return _PUSH_TYPE_NAMES.get(PNPushType(push_type), "")
    except ValueError:
        return ""


def strip_right(text: str, suffix: str) -> str:
    """``text`` without ``suffix`` at its end (unchanged when it does not end with it)."""
    return text[:-len(suffix)] if suffix and text.endswith(suffix) else text


def datetime_now() -> str:
    """The local time as PubNub's SDK prints it in logs: ``07:48PM on December 06, 2026``."""
    return datetime.datetime.now().strftime("%I:%M%p on %B %d, %Y")


def sign_request(endpoint: Any, pn: Any, custom_params: Dict[str, Any], method: Any, body: Optional[str]) -> None:
    """Add ``timestamp`` and ``signature`` to ``custom_params`` for ``endpoint`` (client-api.md §8.1).

    ``custom_params`` holds the decoded query values; the signature covers them in the
    canonical form (decisions.md §17), as pubnub_fast's own requests do.
    """
    config = pn.config
    custom_params["timestamp"] = str(pn.timestamp())
    method_name = method.name if hasattr(method, "name") else str(method)
    custom_params["signature"] = _speedups.signing.sign_request(
        config.secret_key, config.subscribe_key or "", config.publish_key or "", method_name,
        endpoint.build_path(), {k: v for k, v in custom_params.items() if k != "signature"}, body)


def calculate_bitmask(pn_resource: Any) -> int:
    """The permission bits (``PAMPermissions``) a ``Channel``/``Group``/``UUID``… resource asks for."""
    bits = 0
    for flag, name in ((PAMPermissions.READ, "is_read"), (PAMPermissions.WRITE, "is_write"),
                       (PAMPermissions.MANAGE, "is_manage"), (PAMPermissions.DELETE, "is_delete"),
                       (PAMPermissions.GET, "is_get"), (PAMPermissions.UPDATE, "is_update"),
                       (PAMPermissions.JOIN, "is_join")):
        check = getattr(pn_resource, name, None)
        if callable(check) and check():
            bits |= int(flag)
    return bits


def parse_resources(resource_list: Optional[Iterable[Any]], resource_set_name: str, resources: Dict[str, Any],
                    patterns: Dict[str, Any]) -> None:
    """Sort ``resource_list`` into ``resources[set]`` / ``patterns[set]`` as ``{id: bitmask}``."""
    if resource_list is None:
        return
    for resource in resource_list:
        target = patterns if resource.is_pattern_resource() else resources
        target.setdefault(resource_set_name, {})[resource.get_id()] = calculate_bitmask(resource)


def decode_utf8_dict(dic: Any) -> Any:
    """``dic`` with every ``bytes`` key and value (recursively) decoded as UTF-8."""
    if isinstance(dic, bytes):
        return dic.decode("utf-8")
    if isinstance(dic, dict):
        return {decode_utf8_dict(key): decode_utf8_dict(value) for key, value in dic.items()}
    if isinstance(dic, list):
        return [decode_utf8_dict(item) for item in dic]
    return dic


def has_permission(perms: int, perm: int) -> bool:
    return (int(perms) & int(perm)) > 0


def has_read_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.READ)


def has_write_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.WRITE)


def has_delete_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.DELETE)


def has_manage_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.MANAGE)


def has_get_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.GET)


def has_update_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.UPDATE)


def has_join_permission(perms: int) -> bool:
    return has_permission(perms, PAMPermissions.JOIN)


def parse_pam_permissions(resource: Dict[str, int]) -> Dict[str, Dict[str, bool]]:
    """``{name: bitmask}`` → ``{name: {"read": …, "write": …, "manage", "delete", "get", "update", "join"}}``."""
    return {
        name: {"read": has_read_permission(bits), "write": has_write_permission(bits),
               "manage": has_manage_permission(bits), "delete": has_delete_permission(bits),
               "get": has_get_permission(bits), "update": has_update_permission(bits),
               "join": has_join_permission(bits)}
        for name, bits in resource.items()
    }


def deprecated(alternative: Optional[str] = None, warning_message: Optional[str] = None) -> Callable:
    """Decorator: calling the function emits a ``DeprecationWarning`` (naming ``alternative``)."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def warned(*args: Any, **kwargs: Any) -> Any:
            message = warning_message or "%s is deprecated%s" % (
                func.__qualname__, "; use %s instead" % alternative if alternative else "")
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            return func(*args, **kwargs)

        return warned

    return decorate
