"""Access Manager v2 results: grant, audit, revoke (``pubnub.models.consumer.access_manager``).

The server's ``payload`` differs by grant level (subkey, channel, channel-group, user,
channel-group+auth, uuid); :meth:`PNAccessManagerResult.from_json` accepts all of them and
normalises them into ``channels`` / ``groups`` / ``uuids`` / ``categories`` dicts of entity data,
each with its per-auth-key data in ``auth_keys``. A permission flag is ``True``/``False``
when the server sent it (``1``/``0``) and ``None`` when it did not.
"""
from typing import Any, Dict, Optional

from pubnub_fast.models import field_repr

__all__ = [
    "PNAccessManagerResult",
    "PNAccessManagerAuditResult",
    "PNAccessManagerGrantResult",
    "PNAccessManagerChannelData",
    "PNAccessManagerChannelGroupData",
    "PNAccessManagerUuidsData",
    "PNAccessManagerCategoryData",
    "PNAccessManagerKeyData",
]

_FLAG_FIELDS = (
    "read_enabled",
    "write_enabled",
    "manage_enabled",
    "delete_enabled",
    "get",
    "update",
    "join",
    "ttl",
)


def _flag(json_input: Dict[str, Any], key: str) -> Optional[bool]:
    """``json[key] == 1`` when present, else ``None``."""
    if key in json_input:
        return json_input[key] == 1
    return None


def fetch_permissions(json_input: Dict[str, Any]):
    """``(read, write, manage, delete, get, update, join, ttl)`` of a grant/audit entry; each
    ``True``/``False`` when the entry has the flag, ``None`` when it has not."""
    flags = tuple(_flag(json_input, key) for key in ("r", "w", "m", "d", "g", "u", "j"))
    ttl = json_input.get("ttl")
    return flags + (ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None,)


class PNAccessManagerKeyData:
    """Permissions granted to one auth key on one entity."""

    def __init__(
        self,
        r: Optional[bool] = None,
        w: Optional[bool] = None,
        m: Optional[bool] = None,
        d: Optional[bool] = None,
        g: Optional[bool] = None,
        u: Optional[bool] = None,
        j: Optional[bool] = None,
        ttl: Optional[int] = None,
    ) -> None:
        self.read_enabled = r
        self.write_enabled = w
        self.manage_enabled = m
        self.delete_enabled = d
        self.get = g
        self.update = u
        self.join = j
        self.ttl = ttl

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNAccessManagerKeyData":
        """Build from ``{"r": 1, "w": 0, "m": 0, "d": 0, "g": .., "u": .., "j": .., "ttl": ..}``."""
        return cls(
            _flag(json_input, "r"),
            _flag(json_input, "w"),
            _flag(json_input, "m"),
            _flag(json_input, "d"),
            _flag(json_input, "g"),
            _flag(json_input, "u"),
            _flag(json_input, "j"),
            json_input.get("ttl"),
        )

    def __str__(self) -> str:
        return "read: %s, write: %s, manage: %s, delete: %s, get: %s, update: %s, join: %s, ttl: %s" % tuple(
            getattr(self, name) for name in _FLAG_FIELDS
        )

    def __repr__(self) -> str:
        return field_repr(self, _FLAG_FIELDS)


class _PAMEntityData:
    """Permissions on one named entity (channel, group, uuid, category) and its auth keys."""

    def __init__(
        self,
        name: str,
        auth_keys: Optional[Dict[str, PNAccessManagerKeyData]] = None,
        r: Optional[bool] = None,
        w: Optional[bool] = None,
        m: Optional[bool] = None,
        d: Optional[bool] = None,
        g: Optional[bool] = None,
        u: Optional[bool] = None,
        j: Optional[bool] = None,
        ttl: Optional[int] = None,
    ) -> None:
        self.name = name
        self.auth_keys = auth_keys
        self.read_enabled = r
        self.write_enabled = w
        self.manage_enabled = m
        self.delete_enabled = d
        self.get = g
        self.update = u
        self.join = j
        self.ttl = ttl

    @classmethod
    def from_json(cls, name: str, json_input: Dict[str, Any]):
        """Build from ``{"r": .., "w": .., .., "ttl": .., "auths": {key: {flags}}}``."""
        auth_keys = {
            key: PNAccessManagerKeyData.from_json(value) for key, value in (json_input.get("auths") or {}).items()
        }
        return cls(
            name,
            auth_keys,
            _flag(json_input, "r"),
            _flag(json_input, "w"),
            _flag(json_input, "m"),
            _flag(json_input, "d"),
            _flag(json_input, "g"),
            _flag(json_input, "u"),
            _flag(json_input, "j"),
            json_input.get("ttl"),
        )

    def __str__(self) -> str:
        return "%s %s: read: %s, write: %s, manage: %s, delete: %s, auth keys: %s" % (
            type(self).__name__,
            self.name,
            self.read_enabled,
            self.write_enabled,
            self.manage_enabled,
            self.delete_enabled,
            sorted(self.auth_keys) if self.auth_keys else [],
        )

    def __repr__(self) -> str:
        return field_repr(self, ("name", "auth_keys") + _FLAG_FIELDS)


class PNAccessManagerChannelData(_PAMEntityData):
    """Permissions on one channel."""


class PNAccessManagerChannelGroupData(_PAMEntityData):
    """Permissions on one channel group."""


class PNAccessManagerUuidsData(_PAMEntityData):
    """Permissions on one uuid (target-uuid grants)."""


class PNAccessManagerCategoryData(_PAMEntityData):
    """Permissions on one category (PubNub SDK 10.8 ``categories`` grants)."""


def _entities(source: Any, data_class: Any, payload: Dict[str, Any]) -> Dict[str, Any]:
    """Normalise one payload source: a dict of entities, or one name whose ``auths`` and ``ttl``
    are the payload's top-level ones."""
    if isinstance(source, dict):
        return {name: data_class.from_json(name, value or {}) for name, value in source.items()}
    if isinstance(source, str):
        return {source: data_class.from_json(source, {"auths": payload.get("auths"), "ttl": payload.get("ttl")})}
    return {}


class PNAccessManagerResult:
    """Common shape of the Access Manager v2 results (grant, audit, v4 revoke)."""

    def __init__(
        self,
        level: Optional[str],
        subscribe_key: Optional[str],
        channels: Dict[str, PNAccessManagerChannelData],
        groups: Dict[str, PNAccessManagerChannelGroupData],
        uuids: Dict[str, PNAccessManagerUuidsData],
        ttl: Optional[int] = None,
        r: Optional[bool] = None,
        w: Optional[bool] = None,
        m: Optional[bool] = None,
        d: Optional[bool] = None,
        categories: Optional[Dict[str, PNAccessManagerCategoryData]] = None,
    ) -> None:
        self.level = level
        self.subscribe_key = subscribe_key
        self.channels = channels
        self.groups = groups
        self.uuids = uuids
        self.categories = categories if categories is not None else {}
        self.ttl = ttl
        self.read_enabled = r
        self.write_enabled = w
        self.manage_enabled = m
        self.delete_enabled = d

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]):
        """Build from the response ``payload`` (the whole response is unwrapped too).

        Sources, as the server sends them: ``channel`` (one name, with top-level ``auths``),
        ``channels`` (dict), ``channel-group`` (one name + ``auths``), ``channel-groups`` (one
        name + ``auths``, or a dict), ``uuids`` (dict), ``categories`` (dict). A single-name
        entity takes the payload's ``ttl``; ``auth_keys`` is ``{}`` when there are none.
        """
        if "payload" in json_input and "level" not in json_input:
            json_input = json_input["payload"] or {}
        channels = _entities(json_input.get("channels"), PNAccessManagerChannelData, json_input)
        channels.update(_entities(json_input.get("channel"), PNAccessManagerChannelData, json_input))

        groups = _entities(json_input.get("channel-groups"), PNAccessManagerChannelGroupData, json_input)
        groups.update(_entities(json_input.get("channel-group"), PNAccessManagerChannelGroupData, json_input))

        uuids = _entities(json_input.get("uuids"), PNAccessManagerUuidsData, json_input)
        categories = _entities(json_input.get("categories"), PNAccessManagerCategoryData, json_input)

        return cls(
            json_input.get("level"),
            json_input.get("subscribe_key"),
            channels,
            groups,
            uuids,
            json_input.get("ttl"),
            _flag(json_input, "r"),
            _flag(json_input, "w"),
            _flag(json_input, "m"),
            _flag(json_input, "d"),
            categories,
        )

    def __str__(self) -> str:
        return (
            "%s level: %s, subscribe key: %s, ttl: %s, read: %s, write: %s, manage: %s, delete: %s, "
            "channels: %s, groups: %s, uuids: %s"
            % (
                type(self).__name__,
                self.level,
                self.subscribe_key,
                self.ttl,
                self.read_enabled,
                self.write_enabled,
                self.manage_enabled,
                self.delete_enabled,
                sorted(self.channels),
                sorted(self.groups),
                sorted(self.uuids),
            )
        )

    def __repr__(self) -> str:
        return field_repr(
            self,
            (
                "level",
                "subscribe_key",
                "ttl",
                "read_enabled",
                "write_enabled",
                "manage_enabled",
                "delete_enabled",
                "channels",
                "groups",
                "uuids",
                "categories",
            ),
        )


class PNAccessManagerAuditResult(PNAccessManagerResult):
    """Result of ``audit()``."""


class PNAccessManagerGrantResult(PNAccessManagerResult):
    """Result of ``grant()`` (and of v4 ``revoke()``, which is a grant of no permissions)."""
