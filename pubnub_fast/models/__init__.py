"""Result and envelope models (``pubnub.models`` compatible).

``pubnub_fast.models.consumer`` holds what the client hands to users (operation results and
subscribe events); ``pubnub_fast.models.server`` holds the parsed subscribe response envelope.
"""
from typing import Any, Iterable, List

__all__: List[str] = []  # field_repr is an internal helper of the model modules


def field_repr(obj: Any, names: Iterable[str]) -> str:
    """``ClassName(a=1, b='x')`` for the attributes *names* of *obj* (shared ``__repr__`` body)."""
    parts = ", ".join("%s=%r" % (name, getattr(obj, name, None)) for name in names)
    return "%s(%s)" % (type(obj).__name__, parts)
