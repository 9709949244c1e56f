"""Mobile push provisioning (protocol.md §2.20): which channels each device is registered for.

Registrations live in SQLite only (table ``push_registrations``); every operation is one query
on the database worker thread, so nothing here is held in memory. A registration is keyed by
``(sub_key, push type, device token)`` and, for APNs2, also by environment and topic (v1 types
store them as ``""``).
"""
from __future__ import annotations

import sqlite3
from typing import Sequence

from twisted.internet.defer import Deferred

from pubnub_fast.server.database import Database

#: Channels one device registration may hold.
MAX_CHANNELS_PER_DEVICE = 2000


class DeviceFull(ValueError):
    """Adding the channels would push a device over :data:`MAX_CHANNELS_PER_DEVICE`."""


class PushRegistry:
    """Device registrations of every subscribe key; every method fires once committed."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(
        self,
        sub_key: str,
        push_type: str,
        device: str,
        channels: Sequence[str],
        environment: str = "",
        topic: str = "",
    ) -> Deferred:
        """Register ``device`` for ``channels`` (already registered ones keep their place).

        Fails with :class:`DeviceFull` (nothing written) when the device would hold too many.
        """
        key = (sub_key, push_type, device, environment, topic)
        names = list(dict.fromkeys(channels))

        def write(connection: sqlite3.Connection) -> None:
            where = (
                " WHERE sub_key = ? AND push_type = ? AND device = ? AND environment = ?"
                " AND topic = ?"
            )
            newest = connection.execute(
                "SELECT COALESCE(MAX(added), 0) FROM push_registrations" + where, key
            ).fetchone()[0]
            connection.executemany(
                "INSERT OR IGNORE INTO push_registrations"
                " (sub_key, push_type, device, environment, topic, channel, added)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*key, channel, newest + index + 1) for index, channel in enumerate(names)],
            )
            count = connection.execute(
                "SELECT COUNT(*) FROM push_registrations" + where, key
            ).fetchone()[0]
            if count > MAX_CHANNELS_PER_DEVICE:  # rolled back by the database's savepoint
                raise DeviceFull(
                    "a device is registered for at most %d channels" % MAX_CHANNELS_PER_DEVICE
                )

        return self._database.run(write)

    def remove(
        self,
        sub_key: str,
        push_type: str,
        device: str,
        channels: Sequence[str],
        environment: str = "",
        topic: str = "",
    ) -> Deferred:
        """Unregister ``device`` from ``channels`` (unknown ones are ignored)."""
        rows = [(sub_key, push_type, device, environment, topic, channel) for channel in channels]
        return self._database.run(
            lambda connection: connection.executemany(
                "DELETE FROM push_registrations WHERE sub_key = ? AND push_type = ? AND device = ?"
                " AND environment = ? AND topic = ? AND channel = ?",
                rows,
            ).rowcount
        )

    def remove_device(
        self, sub_key: str, push_type: str, device: str, environment: str = "", topic: str = ""
    ) -> Deferred:
        """Forget every registration of ``device`` (for this type, environment and topic)."""
        return self._database.run(
            lambda connection: connection.execute(
                "DELETE FROM push_registrations WHERE sub_key = ? AND push_type = ? AND device = ?"
                " AND environment = ? AND topic = ?",
                (sub_key, push_type, device, environment, topic),
            ).rowcount
        )

    def channels(
        self,
        sub_key: str,
        push_type: str,
        device: str,
        environment: str = "",
        topic: str = "",
        sort: bool = True,
    ) -> Deferred:
        """The device's channels: sorted by name (``sort``) or in registration order."""
        order = "channel" if sort else "added, channel"
        return self._database.run(
            lambda connection: [
                row[0]
                for row in connection.execute(
                    "SELECT channel FROM push_registrations WHERE sub_key = ? AND push_type = ?"
                    " AND device = ? AND environment = ? AND topic = ? ORDER BY " + order,
                    (sub_key, push_type, device, environment, topic),
                )
            ]
        )
