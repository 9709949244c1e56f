"""Base class of the ``grant_token()`` resource builders (``pubnub.models.consumer.v3.pn_resource``)."""
from typing import Optional

from pubnub_fast.enums import PAMPermissions
from pubnub_fast.models import field_repr

__all__ = ["PNResource"]

_PERMISSIONS = ("read", "write", "manage", "delete", "create", "get", "update", "join")


class PNResource:
    """A named resource (or a regex pattern of names) and the permissions granted on it.

    Subclasses expose the permission setters that make sense for their kind of resource; each
    setter returns the resource so calls chain. :attr:`bitmask` is the PAM permission bitmask
    (READ 1, WRITE 2, MANAGE 4, DELETE 8, CREATE 16, GET 32, UPDATE 64, JOIN 128).
    """

    def __init__(self, resource_name: Optional[str] = None, resource_pattern: Optional[str] = None) -> None:
        self._id = resource_name
        self._pattern = resource_pattern
        self._read = False
        self._write = False
        self._manage = False
        self._delete = False
        self._create = False
        self._get = False
        self._update = False
        self._join = False

    def is_pattern_resource(self) -> bool:
        """True when this resource is a regex pattern (goes under ``patterns`` in the grant)."""
        return self._pattern is not None

    def get_id(self) -> Optional[str]:
        """The resource name, or the pattern for a pattern resource."""
        return self._pattern if self._pattern is not None else self._id

    def is_read(self) -> bool:
        return self._read

    def is_write(self) -> bool:
        return self._write

    def is_manage(self) -> bool:
        return self._manage

    def is_delete(self) -> bool:
        return self._delete

    def is_create(self) -> bool:
        return self._create

    def is_get(self) -> bool:
        return self._get

    def is_update(self) -> bool:
        return self._update

    def is_join(self) -> bool:
        return self._join

    @property
    def bitmask(self) -> int:
        """The permission bitmask sent in the ``grant_token()`` body."""
        mask = 0
        if self._read:
            mask |= PAMPermissions.READ
        if self._write:
            mask |= PAMPermissions.WRITE
        if self._manage:
            mask |= PAMPermissions.MANAGE
        if self._delete:
            mask |= PAMPermissions.DELETE
        if self._create:
            mask |= PAMPermissions.CREATE
        if self._get:
            mask |= PAMPermissions.GET
        if self._update:
            mask |= PAMPermissions.UPDATE
        if self._join:
            mask |= PAMPermissions.JOIN
        return int(mask)

    def __str__(self) -> str:
        granted = [name for name in _PERMISSIONS if getattr(self, "_" + name)]
        kind = "pattern" if self.is_pattern_resource() else "id"
        return "%s %s %r: %s" % (type(self).__name__, kind, self.get_id(), ", ".join(granted) or "no permissions")

    def __repr__(self) -> str:
        return field_repr(self, ("_id", "_pattern", "bitmask"))

