"""Paging of App Context list results (``pubnub.models.consumer.objects_v2.page``)."""
from typing import Any, Dict, Optional

__all__ = ["PNPage", "Next", "Previous", "PNPageable"]


class PNPage:
    """An opaque page cursor from a list response; pass it to ``.page(...)`` of a list call."""

    def __init__(self, hash: str) -> None:
        self._hash = str(hash)

    @property
    def hash(self) -> str:
        """The cursor string as the server sent it."""
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PNPage):
            return NotImplemented
        return type(self) is type(other) and self._hash == other._hash

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._hash))

    def __str__(self) -> str:
        return self._hash

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self._hash)


class Next(PNPage):
    """Cursor to the following page (sent as ``start=``)."""


class Previous(PNPage):
    """Cursor to the preceding page (sent as ``end=``)."""


class PNPageable:
    """Mixin of list results: ``total_count`` (with ``include_total_count``), ``next``, ``prev``."""

    def __init__(self, result: Dict[str, Any]) -> None:
        self.total_count: Optional[int] = result.get("totalCount")
        next_hash = result.get("next")
        prev_hash = result.get("prev")
        self.next: Optional[Next] = Next(next_hash) if next_hash else None
        self.prev: Optional[Previous] = Previous(prev_hash) if prev_hash else None
