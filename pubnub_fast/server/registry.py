"""The channel-group registry: which channels each group holds, per subscribe key.

Kept in memory (subscribe and publish fan-out read it on every request) and written through to
SQLite, so groups survive a restart. A reverse index answers "which groups contain this
channel?" for the publish fan-out.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable

from twisted.internet.defer import Deferred

from pubnub_fast.server.database import Database

#: Channels one group may hold (protocol.md §8: docs say ≤ 2000).
MAX_CHANNELS_PER_GROUP = 2000


class GroupFull(ValueError):
    """Adding the channels would push a group over :data:`MAX_CHANNELS_PER_GROUP`."""


class ChannelGroupRegistry:
    """Channel groups of every subscribe key; mutations return a Deferred firing when durable."""

    def __init__(self, database: Database) -> None:
        self._database = database
        #: (sub_key, group) -> channels in insertion order (dict used as an ordered set).
        self._groups: dict[tuple[str, str], dict[str, int]] = {}
        #: (sub_key, channel) -> groups containing it.
        self._groups_of: dict[tuple[str, str], set[str]] = {}
        self._sequence = 0

    def load(self) -> Deferred:
        """Read every group from SQLite (at startup, before the server listens)."""

        def query(connection: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
            return connection.execute(
                "SELECT sub_key, channel_group, channel, added FROM channel_groups ORDER BY added"
            ).fetchall()

        def loaded(rows: list[tuple[str, str, str, int]]) -> None:
            for sub_key, group, channel, added in rows:
                self._groups.setdefault((sub_key, group), {})[channel] = added
                self._groups_of.setdefault((sub_key, channel), set()).add(group)
                self._sequence = max(self._sequence, added)

        return self._database.run(query).addCallback(loaded)

    # -- reads (synchronous, from memory) ---------------------------------------------------------

    def channels(self, sub_key: str, group: str) -> list[str]:
        """The group's channels in the order they were added (``[]`` for an unknown group)."""
        return list(self._groups.get((sub_key, group), ()))

    def groups(self, sub_key: str) -> list[str]:
        """Every non-empty group of ``sub_key``, sorted."""
        return sorted(group for key, group in self._groups if key == sub_key)

    def groups_containing(self, sub_key: str, channel: str) -> set[str]:
        return self._groups_of.get((sub_key, channel), set())

    # -- writes ------------------------------------------------------------------------------------

    def add(self, sub_key: str, group: str, channels: Iterable[str]) -> Deferred:
        members = self._groups.get((sub_key, group), {})
        new = [channel for channel in dict.fromkeys(channels) if channel not in members]
        if len(members) + len(new) > MAX_CHANNELS_PER_GROUP:
            raise GroupFull(
                "a channel group holds at most %d channels" % MAX_CHANNELS_PER_GROUP
            )
        members = self._groups.setdefault((sub_key, group), members)
        rows = []
        for channel in new:
            self._sequence += 1
            members[channel] = self._sequence
            self._groups_of.setdefault((sub_key, channel), set()).add(group)
            rows.append((sub_key, group, channel, self._sequence))
        return self._database.run(
            lambda connection: connection.executemany(
                "INSERT OR IGNORE INTO channel_groups (sub_key, channel_group, channel, added)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        )

    def remove(self, sub_key: str, group: str, channels: Iterable[str]) -> Deferred:
        members = self._groups.get((sub_key, group), {})
        removed = [channel for channel in dict.fromkeys(channels) if channel in members]
        for channel in removed:
            del members[channel]
            self._forget_membership(sub_key, channel, group)
        if not members:
            self._groups.pop((sub_key, group), None)
        return self._database.run(
            lambda connection: connection.executemany(
                "DELETE FROM channel_groups WHERE sub_key = ? AND channel_group = ? AND channel = ?",
                [(sub_key, group, channel) for channel in removed],
            )
        )

    def delete(self, sub_key: str, group: str) -> Deferred:
        members = self._groups.pop((sub_key, group), {})
        for channel in members:
            self._forget_membership(sub_key, channel, group)
        return self._database.run(
            lambda connection: connection.execute(
                "DELETE FROM channel_groups WHERE sub_key = ? AND channel_group = ?",
                (sub_key, group),
            )
        )

    def _forget_membership(self, sub_key: str, channel: str, group: str) -> None:
        groups = self._groups_of.get((sub_key, channel))
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self._groups_of[(sub_key, channel)]
