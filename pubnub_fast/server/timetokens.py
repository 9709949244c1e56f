"""PubNub timetokens: 17-digit integers counting 100 ns units since the Unix epoch.

One :class:`TimetokenClock` serves the whole server, so timetokens are strictly increasing across
every channel and keyset (decisions.md §13, protocol.md §3.1). It reads wall time from the
reactor's ``seconds()`` so tests can drive it with ``twisted.internet.task.Clock``.
"""
from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("pubnub_fast.server")

#: Timetokens per second (the unit is 100 ns).
TICKS_PER_SECOND = 10_000_000
#: Timetokens are SQLite INTEGERs (signed 64-bit): every one sent to the server must be below 2^63.
MAX_TIMETOKEN = 2**63 - 1
#: A stored timetoken further than this ahead of the wall clock is not followed by ``observe``
#: (a data file written before ``ptto`` was checked may hold one as large as 2^63 - 1).
OBSERVE_MAX_AHEAD = 24 * 3600 * TICKS_PER_SECOND


class SecondsSource(Protocol):
    """Anything with ``seconds() -> float`` (``IReactorTime``)."""

    def seconds(self) -> float: ...


class TimetokenClock:
    """Issues strictly increasing timetokens.

    ``issue()`` gives a new message timetoken: ``max(now, last + 1)``. ``cursor()`` gives a
    subscribe cursor: a timetoken that is ``>=`` every timetoken issued so far and ``<`` every
    timetoken issued later — so a client that resumes from it can neither miss nor repeat a
    message, even when two calls fall into the same 100 ns tick.
    """

    def __init__(self, time_source: SecondsSource, last_issued: int = 0) -> None:
        self._time_source = time_source
        self._last = last_issued

    def wall(self) -> int:
        """The wall-clock time as a timetoken (may be below an already issued one)."""
        return int(self._time_source.seconds() * TICKS_PER_SECOND)

    @property
    def last(self) -> int:
        """The highest timetoken handed out so far (by ``issue`` or ``cursor``)."""
        return self._last

    def issue(self) -> int:
        """Allocate the timetoken of a new message."""
        self._last = max(self.wall(), self._last + 1)
        return self._last

    def cursor(self) -> int:
        """The current time as a cursor; every later ``issue()`` is strictly greater."""
        self._last = max(self.wall(), self._last)
        return self._last

    def observe(self, timetoken: int) -> None:
        """Make sure later timetokens exceed ``timetoken`` (a stored one, after a restart).

        One more than a day ahead of the wall clock is ignored (with a warning): following it
        would stall every subscriber's cursor and, at 2^63 - 1, overflow the next timetoken.
        """
        if timetoken > self.wall() + OBSERVE_MAX_AHEAD:
            log.warning("ignoring stored timetoken %d: more than a day in the future", timetoken)
            return
        if timetoken > self._last:
            self._last = timetoken


def parse_timetoken(value: str) -> int:
    """Parse a timetoken query value (``0``, 17 digits …, below 2^63); raise ``ValueError``
    otherwise."""
    text = value.strip()
    if not text or len(text) > 19 or not text.isdigit() or not text.isascii():
        raise ValueError("not a timetoken: %r" % (value,))
    number = int(text)
    if number > MAX_TIMETOKEN:
        raise ValueError("timetoken out of range: %r" % (value,))
    return number
