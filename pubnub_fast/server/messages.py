"""The message store: per-channel in-memory tails for subscribe catch-up, SQLite for history.

Every published message (stored or not, presence events included) is appended to its channel's
:class:`ChannelTail` — the last 100 messages, from which live subscribers and catch-up polls are
served without touching disk. Messages published with ``store`` on are also written to SQLite
(history, fetch, counts, delete) through the :class:`~pubnub_fast.server.database.Database`
worker thread. After a restart the tails are empty; a subscriber resuming from an older
timetoken is served from SQLite, so no stored message is missed (decisions.md §12).
"""
from __future__ import annotations

import bisect
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from twisted.internet.defer import Deferred, succeed

from pubnub_fast.server.database import Database
from pubnub_fast.server.limits import DEFAULT_TAIL_BYTES
from pubnub_fast import _speedups
from pubnub_fast.server.wire import dump_json

#: Message kinds, the envelope's ``e`` field (protocol.md §3.3).
KIND_MESSAGE = 0
KIND_SIGNAL = 1
KIND_OBJECTS = 2
KIND_ACTION = 3
KIND_FILE = 4

#: Messages kept per channel for subscribe catch-up (decisions.md §13).
TAIL_LENGTH = 100
#: Channels (per server) whose tails are kept in memory; the least recently used go first.
MAX_TAIL_CHANNELS = 20_000
#: What one message in a tail costs besides its serialised envelope (objects, list slots).
RECORD_OVERHEAD_BYTES = 512

PRESENCE_SUFFIX = "-pnpres"


class TimetokenTaken(Exception):
    """A stored message of the channel already has this timetoken (it is never replaced)."""


@dataclass(eq=False)
class MessageRecord:
    """One published message (or presence/objects/action event) as subscribers see it."""

    sub_key: str
    channel: str
    timetoken: int
    payload: Any
    kind: int = KIND_MESSAGE
    meta: dict | None = None
    publisher: str | None = None
    seqn: int | None = None
    custom_message_type: str | None = None
    region: int = 1
    _envelope_prefix: bytes | None = field(default=None, repr=False)

    def envelope(self, subscription: str) -> bytes:
        """The ``m[]`` item for a subscriber that matched it through ``subscription`` (``b``)."""
        prefix = self._envelope_prefix
        if prefix is None:
            prefix = self._build_prefix()
        return prefix + _speedups.envelope.encode_item(subscription) + b"}"

    def size(self) -> int:
        """Bytes this message counts against the tail budget: its serialised envelope (built
        once and reused for every subscriber), the parsed message kept next to it for filters
        (counted as the same size again) and a fixed overhead."""
        prefix = self._envelope_prefix
        if prefix is None:
            prefix = self._build_prefix()
        return 2 * len(prefix) + RECORD_OVERHEAD_BYTES

    def _build_prefix(self) -> bytes:
        item: dict[str, Any] = {"a": "1", "f": 0}
        if self.kind:
            item["e"] = self.kind
        if self.publisher is not None:
            item["i"] = self.publisher
        if self.seqn is not None:
            item["s"] = self.seqn
        item["p"] = {"t": str(self.timetoken), "r": self.region}
        item["k"] = self.sub_key
        item["c"] = self.channel
        if self.meta is not None:
            item["u"] = self.meta
        item["d"] = self.payload
        if self.custom_message_type is not None:
            item["cmt"] = self.custom_message_type
        # serialised once per message with the envelope hot path, reused for every subscriber
        prefix = self._envelope_prefix = _speedups.envelope.encode_item(item)[:-1] + b',"b":'
        return prefix


class ChannelTail:
    """The newest messages of one channel, ascending by timetoken.

    ``complete_after``: the tail holds every message of the channel with a timetoken greater
    than this; older ones may have been evicted (or predate this server process).
    ``bytes``: what its messages count against the tail budget (:meth:`MessageRecord.size`).
    """

    __slots__ = ("records", "timetokens", "complete_after", "bytes")

    def __init__(self, complete_after: int) -> None:
        self.records: list[MessageRecord] = []
        self.timetokens: list[int] = []
        self.complete_after = complete_after
        self.bytes = 0

    def add(self, record: MessageRecord) -> int:
        """Add ``record``; returns the change of :attr:`bytes`."""
        if record.timetoken <= self.complete_after:
            return 0  # a ``ptto`` override older than what the tail vouches for
        before = self.bytes
        index = bisect.bisect_right(self.timetokens, record.timetoken)
        self.timetokens.insert(index, record.timetoken)
        self.records.insert(index, record)
        self.bytes += record.size()
        if len(self.records) > TAIL_LENGTH:
            self.drop_oldest()
        return self.bytes - before

    def drop_oldest(self) -> int:
        """Evict the oldest message; returns the bytes freed."""
        evicted = self.records.pop(0)
        self.timetokens.pop(0)
        self.complete_after = evicted.timetoken
        freed = evicted.size()
        self.bytes -= freed
        return freed

    def after(self, cursor: int) -> list[MessageRecord]:
        """Messages with a timetoken greater than ``cursor``."""
        return self.records[bisect.bisect_right(self.timetokens, cursor):]


@dataclass
class StoredMessage:
    """A message as read back from SQLite for history/fetch."""

    channel: str
    timetoken: int
    payload: Any
    meta: Any
    publisher: str | None
    message_type: int | None
    custom_message_type: str | None
    seqn: int | None


def wildcard_prefix(pattern: str) -> str | None:
    """``"a.b."`` for the wildcard subscription ``"a.b.*"``; ``None`` if not a wildcard."""
    if pattern.endswith(".*") and pattern.count("*") == 1 and len(pattern) > 2:
        return pattern[:-1]
    return None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class MessageStore:
    """Tails in memory, stored messages in SQLite. All methods run on the reactor thread."""

    def __init__(
        self, database: Database, memory_since: int, tail_bytes: int = DEFAULT_TAIL_BYTES
    ) -> None:
        self._database = database
        #: The budget of all tails together (bytes, :meth:`MessageRecord.size`), and their use.
        self.tail_bytes = tail_bytes
        self.bytes = 0
        #: Tails only vouch for messages after this timetoken (this process's start, raised
        #: when a whole channel tail is dropped to bound memory).
        self.memory_since = memory_since
        self._tails: dict[tuple[str, str], ChannelTail] = {}
        #: (sub_key, first name segment) -> channels with a tail, for wildcard catch-up.
        self._by_first_segment: dict[tuple[str, str], set[str]] = {}

    # -- startup ----------------------------------------------------------------------------------

    def load_newest_timetoken(self) -> Deferred:
        """The highest stored timetoken (0 when empty), after purging expired messages."""

        def query(connection: sqlite3.Connection) -> int:
            row = connection.execute("SELECT MAX(timetoken) FROM messages").fetchone()
            return row[0] or 0

        return self._database.run(query)

    def purge_expired(self, now: int) -> Deferred:
        return self._database.run(
            lambda connection: connection.execute(
                "DELETE FROM messages WHERE expires IS NOT NULL AND expires <= ?", (now,)
            ).rowcount
        )

    # -- publishing -------------------------------------------------------------------------------

    def remember(self, record: MessageRecord) -> None:
        """Add ``record`` to its channel tail (what subscribers and catch-up polls read)."""
        key = (record.sub_key, record.channel)
        tail = self._tails.pop(key, None)
        if tail is None:
            tail = ChannelTail(self.memory_since)
            first = record.channel.split(".", 1)[0]
            self._by_first_segment.setdefault((record.sub_key, first), set()).add(record.channel)
            if len(self._tails) >= MAX_TAIL_CHANNELS:
                self._drop_oldest_tail()
        self._tails[key] = tail  # re-inserted: dict order is least recently published first
        self.bytes += tail.add(record)
        while self.bytes > self.tail_bytes:
            if len(self._tails) > 1:
                self._drop_oldest_tail()  # never this one: it is the most recent
            elif tail.records:
                self.bytes -= tail.drop_oldest()  # its complete_after moves up: catch-up reads SQLite
            else:
                break

    def persist(self, record: MessageRecord, expires: int | None = None) -> Deferred:
        """Write ``record`` to SQLite; fires once it is committed.

        Fails with :class:`TimetokenTaken` when the channel already holds a stored message with
        this timetoken (a ``ptto`` collision): stored messages are never overwritten.
        """
        row = (
            record.sub_key,
            record.channel,
            record.timetoken,
            dump_json(record.payload).decode("utf-8"),
            None if record.meta is None else dump_json(record.meta).decode("utf-8"),
            record.publisher,
            KIND_FILE if record.kind == KIND_FILE else None,
            record.custom_message_type,
            record.seqn,
            expires,
        )
        def insert(connection: sqlite3.Connection) -> int:
            try:
                return connection.execute(
                    "INSERT INTO messages (sub_key, channel, timetoken, payload, meta,"
                    " publisher, message_type, custom_message_type, seqn, expires)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                ).rowcount
            except sqlite3.IntegrityError:
                raise TimetokenTaken(record.timetoken) from None

        return self._database.run(insert)

    def _drop_oldest_tail(self) -> None:
        (sub_key, channel), tail = next(iter(self._tails.items()))
        del self._tails[(sub_key, channel)]
        self.bytes -= tail.bytes
        first = channel.split(".", 1)[0]
        names = self._by_first_segment.get((sub_key, first))
        if names is not None:
            names.discard(channel)
            if not names:
                del self._by_first_segment[(sub_key, first)]
        if tail.timetokens:
            self.memory_since = max(self.memory_since, tail.timetokens[-1])

    # -- subscribe catch-up -----------------------------------------------------------------------

    def tail(self, sub_key: str, channel: str) -> ChannelTail | None:
        return self._tails.get((sub_key, channel))

    def memory_covers(self, sub_key: str, channel: str, cursor: int) -> bool:
        """Whether the tails hold every message of ``channel`` newer than ``cursor``."""
        tail = self._tails.get((sub_key, channel))
        if tail is None:
            return cursor >= self.memory_since
        return cursor >= tail.complete_after

    def channels_matching(self, sub_key: str, prefix: str) -> list[str]:
        """Channels with a tail whose name starts with the wildcard ``prefix`` (``"a."``)."""
        first = prefix.split(".", 1)[0]
        names = self._by_first_segment.get((sub_key, first), ())
        return [name for name in names if name.startswith(prefix)]

    def stored_after(
        self,
        sub_key: str,
        channels: Sequence[str],
        prefixes: Sequence[str],
        cursor: int,
        limit: int,
        now: int,
    ) -> Deferred:
        """Stored messages newer than ``cursor`` on ``channels`` or under wildcard ``prefixes``.

        Fires with at most ``limit`` :class:`MessageRecord` in ascending timetoken order.
        """
        clauses = []
        params: list[Any] = [sub_key, cursor, now]
        if channels:
            clauses.append("channel IN (%s)" % ",".join("?" * len(channels)))
            params.extend(channels)
        for prefix in prefixes:
            clauses.append("channel LIKE ? ESCAPE '\\'")
            params.append(_like_escape(prefix) + "%")
        if not clauses:
            return succeed([])
        params.append(limit)
        sql = (
            "SELECT channel, timetoken, payload, meta, publisher, message_type,"
            " custom_message_type, seqn FROM messages"
            " WHERE sub_key = ? AND timetoken > ? AND (expires IS NULL OR expires > ?)"
            " AND (%s) ORDER BY timetoken LIMIT ?" % " OR ".join(clauses)
        )

        def query(connection: sqlite3.Connection) -> list[MessageRecord]:
            return [
                MessageRecord(
                    sub_key=sub_key,
                    channel=row[0],
                    timetoken=row[1],
                    payload=json.loads(row[2]),
                    kind=KIND_FILE if row[5] == KIND_FILE else KIND_MESSAGE,
                    meta=None if row[3] is None else json.loads(row[3]),
                    publisher=row[4],
                    seqn=row[7],
                    custom_message_type=row[6],
                )
                for row in connection.execute(sql, params)
            ]

        return self._database.run(query)

    # -- history ----------------------------------------------------------------------------------

    def page(
        self,
        sub_key: str,
        channel: str,
        lower: int | None,
        lower_inclusive: bool,
        upper: int | None,
        upper_inclusive: bool,
        limit: int,
        oldest_first: bool,
        now: int,
        budget: "ByteBudget | None" = None,
    ) -> Deferred:
        """Up to ``limit`` stored messages of ``channel`` in a timetoken range, ascending.

        ``oldest_first`` takes the page from the old end of the range, else from the new end.
        ``budget`` (shared by the pages of one response) ends the page early once the messages'
        JSON would pass it; the first message of a response always fits.
        """
        sql = [
            "SELECT channel, timetoken, payload, meta, publisher, message_type,"
            " custom_message_type, seqn FROM messages"
            " WHERE sub_key = ? AND channel = ? AND (expires IS NULL OR expires > ?)"
        ]
        params: list[Any] = [sub_key, channel, now]
        if lower is not None:
            sql.append(" AND timetoken >= ?" if lower_inclusive else " AND timetoken > ?")
            params.append(lower)
        if upper is not None:
            sql.append(" AND timetoken <= ?" if upper_inclusive else " AND timetoken < ?")
            params.append(upper)
        sql.append(" ORDER BY timetoken %s LIMIT ?" % ("ASC" if oldest_first else "DESC"))
        params.append(limit)
        text = "".join(sql)

        def query(connection: sqlite3.Connection) -> list[StoredMessage]:
            rows = []
            for row in connection.execute(text, params):
                if budget is not None and not budget.take(len(row[2]) + len(row[3] or "")):
                    break
                rows.append(_stored(row))
            if not oldest_first:
                rows.reverse()
            return rows

        return self._database.run(query)

    def delete(self, sub_key: str, channel: str, after: int | None, until: int | None) -> Deferred:
        """Delete stored messages with ``after < timetoken <= until`` (open bounds when None)."""
        sql = "DELETE FROM messages WHERE sub_key = ? AND channel = ?"
        action_sql = "DELETE FROM message_actions WHERE sub_key = ? AND channel = ?"
        params: list[Any] = [sub_key, channel]
        if after is not None:
            sql += " AND timetoken > ?"
            action_sql += " AND message_timetoken > ?"
            params.append(after)
        if until is not None:
            sql += " AND timetoken <= ?"
            action_sql += " AND message_timetoken <= ?"
            params.append(until)

        def query(connection: sqlite3.Connection) -> int:
            connection.execute(action_sql, params)
            return connection.execute(sql, params).rowcount

        return self._database.run(query)

    def count_after(self, sub_key: str, channel_cursors: Iterable[tuple[str, int]], now: int) -> Deferred:
        """``{channel: number of stored messages with timetoken > cursor}``."""
        pairs = list(channel_cursors)

        def query(connection: sqlite3.Connection) -> dict[str, int]:
            counts: dict[str, int] = {}
            for channel, cursor in pairs:
                counts[channel] = connection.execute(
                    "SELECT COUNT(*) FROM messages WHERE sub_key = ? AND channel = ?"
                    " AND timetoken > ? AND (expires IS NULL OR expires > ?)",
                    (sub_key, channel, cursor, now),
                ).fetchone()[0]
            return counts

        return self._database.run(query)

    def actions_for(self, sub_key: str, channel: str, message_timetokens: Sequence[int]) -> Deferred:
        """Stored message actions of the given messages: ``{message_tt: [row, …]}``."""
        timetokens = list(message_timetokens)
        if not timetokens:
            return succeed({})

        def query(connection: sqlite3.Connection) -> dict[int, list[tuple]]:
            found: dict[int, list[tuple]] = {}
            for start in range(0, len(timetokens), 500):
                chunk = timetokens[start:start + 500]
                rows = connection.execute(
                    "SELECT message_timetoken, type, value, uuid, action_timetoken"
                    " FROM message_actions WHERE sub_key = ? AND channel = ?"
                    " AND message_timetoken IN (%s) ORDER BY action_timetoken"
                    % ",".join("?" * len(chunk)),
                    [sub_key, channel, *chunk],
                )
                for row in rows:
                    found.setdefault(row[0], []).append(row[1:])
            return found

        return self._database.run(query)


class ByteBudget:
    """Bytes one response may still hold; used on the database thread only (pages of one response
    run there one after the other)."""

    __slots__ = ("remaining", "used", "exhausted")

    def __init__(self, limit: int) -> None:
        self.remaining = limit
        self.used = 0
        self.exhausted = False

    def take(self, size: int) -> bool:
        """Count ``size`` bytes; False (and nothing counted) when they do not fit any more."""
        if self.exhausted or (size > self.remaining and self.used):
            self.exhausted = True
            return False
        self.remaining -= size
        self.used += size
        return True


def _stored(row: tuple) -> StoredMessage:
    return StoredMessage(
        channel=row[0],
        timetoken=row[1],
        payload=json.loads(row[2]),
        meta=None if row[3] is None else json.loads(row[3]),
        publisher=row[4],
        message_type=row[5],
        custom_message_type=row[6],
        seqn=row[7],
    )
