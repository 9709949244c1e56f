"""Stream filters (``filter-expr``) compiled once per distinct expression.

The language and its compiler live in :mod:`pubnub_fast.filters` (shared with the client); the
server only caches compiled filters — every subscriber re-sends its expression on every poll —
and turns a compile error into the 481 answer (decisions.md §14).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from pubnub_fast.server import responses

#: Distinct expressions kept compiled.
CACHE_SIZE = 512


class FilterCache:
    """``compile(expression)`` -> a compiled filter, or ``None`` for an empty expression."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._compiled: OrderedDict[str, Any] = OrderedDict()

    def compile(self, expression: str | None) -> Any:
        """The compiled filter; raises the 481 :class:`~.responses.ApiError` when invalid."""
        if expression is None or not expression.strip():
            return None
        cached = self._compiled.get(expression)
        if cached is not None:
            self._compiled.move_to_end(expression)
            return cached
        # Imported here so the server starts (and serves unfiltered subscribes) even in a tree
        # where the filter compiler is being rebuilt.
        from pubnub_fast.filters import compile_filter

        try:
            compiled = compile_filter(expression)
        except ValueError:  # FilterSyntaxError, including the length and nesting limits
            raise responses.invalid_filter_expression() from None
        self._compiled[expression] = compiled
        if len(self._compiled) > self._size:
            self._compiled.popitem(last=False)
        return compiled
