"""Memory budgets and other server-wide limits (issue 12): one :class:`Limits` per server.

Every budget is in bytes and global (all keysets together), so a server in demo mode — which
accepts any subscribe key — cannot be grown without bound by inventing keys:

``tail_bytes``
    The in-memory message tails (the newest messages of each channel, from which subscribers and
    catch-up polls are served). Each message counts the size of its serialised envelope plus a
    fixed overhead; over the budget, the least recently published channels lose their tail
    (catch-up for them then reads SQLite: nothing stored is lost), and a single channel over it
    loses its oldest messages.
``fetch_bytes``
    Stored messages (their JSON) in one history / fetch / fetch-with-actions response. A page
    that would pass it ends early with the newest messages of the range (oldest first walks: the
    oldest); clients page on with ``start`` as they do for a full page.
``presence_bytes``
    Presence entries (each occupant of each channel, and every stored state object). Over the
    budget new occupants are not recorded (a warning is logged) and setting state answers 400.
    State set for a uuid that is not present on the channel is forgotten after
    :data:`~.presence.ORPHAN_STATE_SECONDS` unless the uuid joins.
``objects_bytes``
    App Context metadata and memberships (their JSON plus ids). Over the budget, writes that add
    data answer 400; removals always work.
``signature_window``
    Seconds a signed request's ``timestamp`` may be off the server clock (±; the real service's
    60 s).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

MIB = 1024 * 1024

DEFAULT_TAIL_BYTES = 64 * MIB
DEFAULT_FETCH_BYTES = 8 * MIB
DEFAULT_PRESENCE_BYTES = 64 * MIB
DEFAULT_OBJECTS_BYTES = 64 * MIB
DEFAULT_SIGNATURE_WINDOW = 60.0

#: The smallest accepted byte budget (one maximal message must fit).
MIN_BUDGET_BYTES = 64 * 1024


class BudgetExceeded(ValueError):
    """A write would take a memory budget past its limit (the message says which setting)."""


@dataclass(frozen=True)
class Limits:
    tail_bytes: int = DEFAULT_TAIL_BYTES
    fetch_bytes: int = DEFAULT_FETCH_BYTES
    presence_bytes: int = DEFAULT_PRESENCE_BYTES
    objects_bytes: int = DEFAULT_OBJECTS_BYTES
    signature_window: float = DEFAULT_SIGNATURE_WINDOW

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "signature_window":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 86_400:
                    raise ValueError("signature_window must be 0 < seconds <= 86400, not %r" % (value,))
            elif isinstance(value, bool) or not isinstance(value, int) or value < MIN_BUDGET_BYTES:
                raise ValueError(
                    "%s must be an int of at least %d bytes, not %r" % (item.name, MIN_BUDGET_BYTES, value)
                )


def parse_bytes(text: str) -> int:
    """``"65536"``, ``"64K"``, ``"64M"``, ``"1G"`` (binary units, case-insensitive) -> bytes."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = 1
    if value[-1:] in ("K", "M", "G"):
        scale = 1024 ** (" KMG".index(value[-1]))
        value = value[:-1]
    if not value.isdigit() or not value.isascii():
        raise ValueError("%r is not a number of bytes (e.g. 65536, 512K, 64M, 1G)" % (text,))
    return int(value) * scale
