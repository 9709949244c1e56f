"""Sorting of App Context list results (``pubnub.models.consumer.objects_v2.sort``)."""
from enum import Enum

__all__ = ["PNSortKey", "PNSortKeyValue", "PNSortDirection"]


class PNSortKeyValue(Enum):
    """The field a list is sorted by; the value is the wire name."""

    ID = "id"
    NAME = "name"
    UPDATED = "updated"


class PNSortDirection(Enum):
    """Sort direction; the value is the wire name."""

    ASC = "asc"
    DESC = "desc"


class PNSortKey:
    """One ``sort=`` term, e.g. ``PNSortKey.desc(PNSortKeyValue.UPDATED)`` → ``updated:desc``."""

    def __init__(self, sort_key_value: PNSortKeyValue, direction: PNSortDirection = PNSortDirection.ASC) -> None:
        self._sort_key = sort_key_value
        self._direction = direction

    @classmethod
    def asc(cls, sort_key_value: PNSortKeyValue) -> "PNSortKey":
        """Ascending by *sort_key_value*."""
        return cls(sort_key_value, PNSortDirection.ASC)

    @classmethod
    def desc(cls, sort_key_value: PNSortKeyValue) -> "PNSortKey":
        """Descending by *sort_key_value*."""
        return cls(sort_key_value, PNSortDirection.DESC)

    def key_str(self) -> str:
        """The field's wire name (``id``, ``name`` or ``updated``)."""
        return self._sort_key.value

    def dir_str(self) -> str:
        """The direction's wire name (``asc`` or ``desc``)."""
        return self._direction.value

    def __str__(self) -> str:
        return "%s:%s" % (self.key_str(), self.dir_str())

    def __repr__(self) -> str:
        return "PNSortKey(%s, %s)" % (self._sort_key, self._direction)
