"""The SQLite file behind the server (decisions.md §12), used from one dedicated worker thread.

The reactor thread never touches a file's connection. Operations are queued in order and run by
a one-thread :class:`~twisted.python.threadpool.ThreadPool`; everything queued in one reactor
turn (and then everything queued while a batch ran) runs inside one transaction that is committed
before any of its Deferreds fire (group commit), so a response that says "stored" is durable
and many concurrent publishes cost one commit. An in-memory database (``":memory:"``) runs its
batches on the reactor thread, with the same order and transactions: there is no I/O to wait for.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any, Callable, TypeVar

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

log = logging.getLogger("pubnub_fast.server.database")

T = TypeVar("T")

#: Bumped when the schema changes; ``PRAGMA user_version`` records what a file holds.
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    sub_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    timetoken INTEGER NOT NULL,
    payload TEXT NOT NULL,            -- the message as compact JSON
    meta TEXT,                        -- publish meta as JSON, NULL when absent
    publisher TEXT,                   -- the publisher's uuid
    message_type INTEGER,             -- NULL for a plain message, 4 for a file message
    custom_message_type TEXT,
    seqn INTEGER,
    expires INTEGER,                  -- timetoken after which the message is gone (per-message ttl)
    PRIMARY KEY (sub_key, channel, timetoken)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS channel_groups (
    sub_key TEXT NOT NULL,
    channel_group TEXT NOT NULL,
    channel TEXT NOT NULL,
    added INTEGER NOT NULL,           -- insertion order inside the group
    PRIMARY KEY (sub_key, channel_group, channel)
) WITHOUT ROWID;

-- Message actions (issue 6): the fetch-with-actions route already reads this table.
CREATE TABLE IF NOT EXISTS message_actions (
    sub_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    message_timetoken INTEGER NOT NULL,
    action_timetoken INTEGER NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    uuid TEXT NOT NULL,
    PRIMARY KEY (sub_key, channel, action_timetoken)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_actions_by_message
    ON message_actions (sub_key, channel, message_timetoken);

-- Mobile push registrations (push_registry.py); v1 types store environment and topic as ''.
CREATE TABLE IF NOT EXISTS push_registrations (
    sub_key TEXT NOT NULL,
    push_type TEXT NOT NULL,          -- apns, gcm, fcm, mpns, apns2
    device TEXT NOT NULL,
    environment TEXT NOT NULL,
    topic TEXT NOT NULL,
    channel TEXT NOT NULL,
    added INTEGER NOT NULL,           -- registration order per device
    PRIMARY KEY (sub_key, push_type, device, environment, topic, channel)
) WITHOUT ROWID;

-- App Context (objects_store.py): fields and custom as JSON in ``data``.
CREATE TABLE IF NOT EXISTS objects_uuids (
    sub_key TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    updated TEXT NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (sub_key, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects_channels (
    sub_key TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    updated TEXT NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (sub_key, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects_memberships (
    sub_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    uuid TEXT NOT NULL,
    data TEXT NOT NULL,               -- {"custom", "status", "type"}
    updated TEXT NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (sub_key, channel, uuid)
) WITHOUT ROWID;

-- Shared files (files_store.py): the bytes are in the directory <data file>.files/.
CREATE TABLE IF NOT EXISTS files (
    sub_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created INTEGER NOT NULL,         -- microseconds since the epoch
    PRIMARY KEY (sub_key, channel, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_by_created ON files (sub_key, channel, created, id);

-- Access Manager (access.py): v2 grants, and revoked v3 tokens until they would expire anyway.
CREATE TABLE IF NOT EXISTS pam_grants (
    sub_key TEXT NOT NULL,
    kind TEXT NOT NULL,               -- subkey | channel | channel-group | uuid | category
    name TEXT NOT NULL,               -- '' at subkey level
    auth_key TEXT NOT NULL,           -- '' = every request (any auth key or none)
    bits INTEGER NOT NULL,            -- permission bits (protocol.md §5.4)
    ttl INTEGER NOT NULL,             -- minutes as granted, 0 = forever
    expires REAL,                     -- Unix seconds, NULL = never
    PRIMARY KEY (sub_key, kind, name, auth_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pam_revoked_tokens (
    sub_key TEXT NOT NULL,
    signature BLOB NOT NULL,          -- the token's sig: identifies it
    expires REAL NOT NULL,            -- when the token expires anyway (the row goes then)
    PRIMARY KEY (sub_key, signature)
) WITHOUT ROWID;
"""


class DatabaseClosed(RuntimeError):
    """An operation was queued after :meth:`Database.close`."""


class DataFileError(RuntimeError):
    """The data file cannot be used; the message is one line naming the path and why."""


def _data_file_problem(path: str) -> str | None:
    """Why ``path`` cannot be a data file before SQLite even tries (None: let SQLite try)."""
    if os.path.isdir(path):
        return "it is a directory"
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        return "its directory %s does not exist" % parent
    return None


class Database:
    """An SQLite connection owned by one worker thread.

    ``run(fn)`` queues ``fn(connection)`` and returns a Deferred firing on the reactor thread
    with its result once the batch it ran in has been committed. Operations run strictly in the
    order they were queued, so a read queued after a write sees it.
    """

    def __init__(self, reactor: Any, path: str) -> None:
        self._reactor = reactor
        self.path = path
        #: ``:memory:``: batches run on the reactor thread (no file, so no I/O to wait for; a
        #: thread hop would cost more than the work), opened and closed by the worker as usual.
        self._inline = path == ":memory:"
        self._pool = ThreadPool(minthreads=1, maxthreads=1, name="pubnub-fast-sqlite")
        self._connection: sqlite3.Connection | None = None
        self._pending: list[tuple[Callable[[sqlite3.Connection], Any], Deferred]] = []
        self._running = False  # a batch is scheduled or running
        self._scheduled = False  # ... and it is scheduled, not yet running
        self._closing = False
        self._closed = False
        self._close_waiters: list[Deferred] = []

    def open(self) -> Deferred:
        """Start the worker thread, open the file and create the schema.

        Fails with :class:`DataFileError` (one line naming the path) when the file cannot be
        used; the worker thread is stopped then, so nothing is left running.
        """
        self._pool.start()
        opened = deferToThreadPool(self._reactor, self._pool, self._open_in_thread)
        return opened.addErrback(self._open_failed)

    def _open_failed(self, failure: Failure) -> Failure:
        self._closing = self._closed = True
        if self._pool.started:
            self._pool.stop()  # the thread is idle again: this join returns at once
        return failure

    def _open_in_thread(self) -> None:
        if self.path != ":memory:":
            problem = _data_file_problem(self.path)
            if problem is not None:
                raise DataFileError("cannot use the data file %s: %s" % (self.path, problem))
        connection = None
        try:
            connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA foreign_keys=ON")
            if self.path != ":memory:":
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DataFileError(
                    "cannot use the data file %s: written by a newer pubnub-fast (schema %d > %d)"
                    % (self.path, version, SCHEMA_VERSION)
                )
            connection.executescript(SCHEMA)
            connection.execute("PRAGMA user_version=%d" % SCHEMA_VERSION)
        except (sqlite3.Error, OSError) as exc:
            if connection is not None:
                connection.close()
            raise DataFileError("cannot use the data file %s: %s" % (self.path, exc)) from None
        except BaseException:
            if connection is not None:
                connection.close()
            raise
        self._connection = connection

    def run(self, operation: Callable[[sqlite3.Connection], T]) -> "Deferred[T]":
        """Queue ``operation(connection)``; see the class docstring."""
        if self._closing:
            raise DatabaseClosed("the database is closed")
        result: Deferred = Deferred()
        self._pending.append((operation, result))
        if not self._running:
            self._schedule()
        return result

    def _schedule(self) -> None:
        """Start a batch at the end of this reactor turn, so that everything queued in the same
        turn (pipelined publishes, a burst from many connections) shares one transaction."""
        self._running = True
        self._scheduled = True
        self._reactor.callLater(0, self._run_scheduled)

    def _run_scheduled(self) -> None:
        self._scheduled = False
        self._run_next_batch()

    def _run_next_batch(self) -> None:
        batch, self._pending = self._pending, []
        self._running = True
        if self._inline:
            try:
                outcome: Any = self._run_batch_in_thread(batch)
            except BaseException:
                outcome = Failure()
            self._batch_done(outcome, batch)
            return
        self._pool.callInThread(self._run_batch_and_report, batch)

    def _run_batch_and_report(self, batch: list) -> None:
        """In the worker thread: run ``batch``, then hand the outcomes to the reactor thread
        (one wake-up of the reactor per batch, no Deferred on the way)."""
        try:
            outcome: Any = self._run_batch_in_thread(batch)
        except BaseException:
            outcome = Failure()
        self._reactor.callFromThread(self._batch_done, outcome, batch)

    def _run_batch_in_thread(self, batch: list) -> list[tuple[bool, Any]]:
        connection = self._connection
        if connection is None:
            raise DatabaseClosed("the database is not open")
        outcomes: list[tuple[bool, Any]] = []
        connection.execute("BEGIN")
        try:
            for operation, _ in batch:
                connection.execute("SAVEPOINT op")
                try:
                    value = operation(connection)
                except Exception:  # reported to that operation's caller only
                    failure = Failure()
                    connection.execute("ROLLBACK TO op")
                    connection.execute("RELEASE op")
                    outcomes.append((False, failure))
                else:
                    connection.execute("RELEASE op")
                    outcomes.append((True, value))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return outcomes

    def _batch_done(self, outcome: Any, batch: list) -> None:
        self._running = False
        if isinstance(outcome, Failure):
            log.error("database batch failed: %s", outcome.getErrorMessage())
            outcomes = [(False, outcome)] * len(batch)
        else:
            outcomes = outcome
        for (_, result), (success, value) in zip(batch, outcomes):
            if result.called:
                continue  # the caller cancelled it (its client went away)
            if success:
                result.callback(value)
            else:
                result.errback(value)
        if self._scheduled:
            return  # a callback queued more work: that batch is already on its way
        if self._pending:
            if self._inline:  # the next turn: callbacks queuing more work never recurse
                self._schedule()
            else:
                self._run_next_batch()
        elif self._closing and not self._closed:
            self._finish_close()

    def close(self) -> Deferred:
        """Let queued operations finish, close the connection and stop the worker thread."""
        waiter: Deferred = Deferred()
        if self._closed and not self._close_waiters:
            waiter.callback(None)
            return waiter
        self._close_waiters.append(waiter)
        if not self._closing:
            self._closing = True
            if not self._pool.started:
                self._closed_now()
            elif not self._running:
                self._finish_close()
        return waiter

    def _finish_close(self) -> None:
        def close_connection() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        if self._inline:  # used on this thread: closed on this thread
            close_connection()
            self._closed_now()
            return
        closed = deferToThreadPool(self._reactor, self._pool, close_connection)
        closed.addErrback(lambda failure: log.error("closing %s: %s", self.path, failure.value))
        closed.addCallback(lambda _: self._closed_now())

    def _closed_now(self) -> None:
        if self._pool.started:
            self._pool.stop()  # the only thread is idle now: this join returns at once
        self._closed = True
        waiters, self._close_waiters = self._close_waiters, []
        for waiter in waiters:
            waiter.callback(None)
