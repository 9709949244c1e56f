"""The message-action store (protocol.md §2.17): actions live in SQLite's ``message_actions``.

Every operation runs on the :class:`~pubnub_fast.server.database.Database` worker thread, so a
read-check-write (the duplicate check of :meth:`ActionStore.add`, the read-then-delete of
:meth:`ActionStore.remove`) is atomic with respect to every other request, and the reactor
thread never touches SQLite. Fetch-with-actions reads the same table through
:meth:`~pubnub_fast.server.messages.MessageStore.actions_for`; deleting messages deletes their
actions (:meth:`~pubnub_fast.server.messages.MessageStore.delete`).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred

from pubnub_fast.server.database import Database


class DuplicateAction(Exception):
    """The same uuid already added this type/value to this message (the service answers 409)."""


@dataclass(frozen=True)
class StoredAction:
    """One message action as stored and as the API shows it."""

    channel: str
    message_timetoken: int
    action_timetoken: int
    type: str
    value: str
    uuid: str

    def as_json(self) -> dict[str, str]:
        """The REST shape (``data`` items of get/add): timetokens as strings."""
        return {
            "type": self.type,
            "value": self.value,
            "uuid": self.uuid,
            "actionTimetoken": str(self.action_timetoken),
            "messageTimetoken": str(self.message_timetoken),
        }


_COLUMNS = "channel, message_timetoken, action_timetoken, type, value, uuid"


class ActionStore:
    """Add, remove and page message actions. Every method returns a Deferred (worker thread)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def load_newest_timetoken(self) -> Deferred:
        """The highest stored action timetoken (0 when none), so the clock starts above it."""
        return self._database.run(
            lambda connection: connection.execute(
                "SELECT MAX(action_timetoken) FROM message_actions"
            ).fetchone()[0] or 0
        )

    def add(self, sub_key: str, action: StoredAction) -> Deferred:
        """Store ``action``; fails with :class:`DuplicateAction` when the same uuid already
        added the same type and value to the same message."""

        def operation(connection: sqlite3.Connection) -> StoredAction:
            duplicate = connection.execute(
                "SELECT 1 FROM message_actions WHERE sub_key = ? AND channel = ?"
                " AND message_timetoken = ? AND type = ? AND value = ? AND uuid = ? LIMIT 1",
                (sub_key, action.channel, action.message_timetoken, action.type, action.value, action.uuid),
            ).fetchone()
            if duplicate is not None:
                raise DuplicateAction(action)
            connection.execute(
                "INSERT INTO message_actions (sub_key, %s) VALUES (?, ?, ?, ?, ?, ?, ?)" % _COLUMNS,
                (
                    sub_key,
                    action.channel,
                    action.message_timetoken,
                    action.action_timetoken,
                    action.type,
                    action.value,
                    action.uuid,
                ),
            )
            return action

        return self._database.run(operation)

    def remove(
        self, sub_key: str, channel: str, message_timetoken: int, action_timetoken: int
    ) -> Deferred:
        """Delete one action of one message; fires with the removed :class:`StoredAction`, or
        ``None`` when there was no such action."""

        def operation(connection: sqlite3.Connection) -> StoredAction | None:
            key = (sub_key, channel, action_timetoken, message_timetoken)
            row = connection.execute(
                "SELECT %s FROM message_actions WHERE sub_key = ? AND channel = ?"
                " AND action_timetoken = ? AND message_timetoken = ?" % _COLUMNS,
                key,
            ).fetchone()
            if row is None:
                return None
            connection.execute(
                "DELETE FROM message_actions WHERE sub_key = ? AND channel = ?"
                " AND action_timetoken = ? AND message_timetoken = ?",
                key,
            )
            return StoredAction(*row)

        return self._database.run(operation)

    def page(
        self,
        sub_key: str,
        channel: str,
        start: int | None,
        end: int | None,
        limit: int,
    ) -> Deferred:
        """The newest ``limit`` actions of ``channel`` with ``end <= actionTimetoken < start``
        (open bounds when None), ascending by action timetoken.

        Fires with ``(actions, truncated)``: ``truncated`` says older actions in the range
        were left out (the API then answers a ``more`` object).
        """
        sql = ["SELECT %s FROM message_actions WHERE sub_key = ? AND channel = ?" % _COLUMNS]
        args: list[Any] = [sub_key, channel]
        if start is not None:
            sql.append(" AND action_timetoken < ?")
            args.append(start)
        if end is not None:
            sql.append(" AND action_timetoken >= ?")
            args.append(end)
        sql.append(" ORDER BY action_timetoken DESC LIMIT ?")
        args.append(limit + 1)
        text = "".join(sql)

        def operation(connection: sqlite3.Connection) -> tuple[list[StoredAction], bool]:
            rows = connection.execute(text, args).fetchall()
            truncated = len(rows) > limit
            actions = [StoredAction(*row) for row in rows[:limit]]
            actions.reverse()
            return actions, truncated

        return self._database.run(operation)
