"""App Context (objects v2) data: uuid and channel metadata, and memberships (protocol.md §2.21).

Everything is held in memory per subscribe key (list queries filter and sort it) and written
through to SQLite (tables ``objects_uuids``, ``objects_channels``, ``objects_memberships``);
:meth:`ObjectsStore.load` reads it back at startup. Mutations change memory at once — so an
``If-Match`` check and the change that follows it are atomic on the reactor thread — and return
a Deferred that fires once the change is committed.

Memory is bounded by a global budget (``max_bytes``, :class:`~.limits.Limits` ``objects_bytes``,
all subscribe keys together): each object and membership counts its JSON, its ids and a fixed
overhead; a write that would pass the budget raises :class:`StoreFull` (the API answers 400) and
changes nothing. Removals always work.

Semantics: a metadata PATCH is an upsert where absent fields keep their value and ``null``
clears one; ``custom`` is replaced as a whole. Memberships reference uuids and channels by id
only — neither needs to exist, and removing metadata leaves memberships alone (no referential
integrity, as on a keyset without it). ``eTag`` is a digest of the content (an md5 hex for
metadata, 14 base64 characters for memberships, the shapes the real service returns), so it
changes exactly when the content does; ``updated`` changes on every write.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from twisted.internet.defer import Deferred

from pubnub_fast.server.database import Database
from pubnub_fast.server.limits import DEFAULT_OBJECTS_BYTES
from pubnub_fast.server.wire import dump_json

UUID = "uuid"
CHANNEL = "channel"

#: Settable fields besides ``custom``, ``status`` and ``type``.
MAIN_FIELDS = {
    UUID: ("name", "externalId", "profileUrl", "email"),
    CHANNEL: ("name", "description"),
}
_TABLES = {UUID: "objects_uuids", CHANNEL: "objects_channels"}

#: Metadata objects of one kind per subscribe key.
MAX_OBJECTS_PER_KIND = 100_000
#: Memberships one uuid or one channel may have.
MAX_MEMBERSHIPS_PER_ID = 10_000
#: What an object or a membership costs against the budget besides its JSON and ids.
ENTRY_COST_BYTES = 256


class StoreFull(ValueError):
    """A write would pass :data:`MAX_OBJECTS_PER_KIND` or :data:`MAX_MEMBERSHIPS_PER_ID`."""


def timestamp(seconds: float) -> str:
    """``2025-02-06T21:16:34.527863Z`` (the real service's ``updated`` format)."""
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Metadata:
    """A uuid's or a channel's metadata."""

    kind: str
    id: str
    fields: dict[str, Any]  # main fields + "custom", "status", "type" (None when unset)
    updated: str
    etag: str
    size: int = field(default=0, compare=False)  # bytes counted against the budget

    def get(self, name: str) -> Any:
        return self.fields.get(name)


@dataclass
class Membership:
    """A uuid's membership of a channel."""

    channel: str
    uuid: str
    custom: dict | None = None
    status: str | None = None
    type: str | None = None
    updated: str = ""
    etag: str = ""
    size: int = field(default=0, compare=False)  # bytes counted against the budget

    def content(self) -> dict[str, Any]:
        return {"custom": self.custom, "status": self.status, "type": self.type}


def _metadata_etag(kind: str, object_id: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps([kind, object_id, fields], sort_keys=True, separators=(",", ":"))
    return hashlib.md5(canonical.encode("utf-8")).hexdigest()


def _membership_etag(membership: Membership) -> str:
    canonical = json.dumps(
        [membership.channel, membership.uuid, membership.content()], sort_keys=True, separators=(",", ":")
    )
    digest = hashlib.md5(canonical.encode("utf-8")).digest()[:10]
    return base64.b64encode(digest).decode("ascii").rstrip("=")


@dataclass
class _KeyData:
    """Everything of one subscribe key."""

    metadata: dict[str, dict[str, Metadata]] = field(
        default_factory=lambda: {UUID: {}, CHANNEL: {}}
    )
    members: dict[str, dict[str, Membership]] = field(default_factory=dict)  # channel -> uuid ->
    memberships: dict[str, dict[str, Membership]] = field(default_factory=dict)  # uuid -> channel ->


class ObjectsStore:
    """App Context of every subscribe key; reads are synchronous, writes return Deferreds."""

    def __init__(
        self, database: Database, seconds: Callable[[], float], max_bytes: int = DEFAULT_OBJECTS_BYTES
    ) -> None:
        self._database = database
        self._seconds = seconds
        self._keys: dict[str, _KeyData] = {}
        self.max_bytes = max_bytes
        self.bytes = 0

    def _make_room(self, freed: int, cost: int) -> None:
        if cost > freed and self.bytes - freed + cost > self.max_bytes:
            raise StoreFull(
                "App Context is full: the server's budget of %d bytes (objects_bytes) is used"
                % self.max_bytes
            )
        self.bytes += cost - freed

    def _key(self, sub_key: str) -> _KeyData:
        data = self._keys.get(sub_key)
        if data is None:
            data = self._keys[sub_key] = _KeyData()
        return data

    # -- startup ----------------------------------------------------------------------------------

    def load(self) -> Deferred:
        """Read everything from SQLite (at startup, before the server listens)."""

        def query(connection: sqlite3.Connection) -> tuple[list, list, list]:
            return (
                connection.execute("SELECT sub_key, id, data, updated, etag FROM objects_uuids").fetchall(),
                connection.execute("SELECT sub_key, id, data, updated, etag FROM objects_channels").fetchall(),
                connection.execute(
                    "SELECT sub_key, channel, uuid, data, updated, etag FROM objects_memberships"
                ).fetchall(),
            )

        def loaded(rows: tuple[list, list, list]) -> None:
            uuids, channels, memberships = rows
            for kind, kind_rows in ((UUID, uuids), (CHANNEL, channels)):
                for sub_key, object_id, data, updated, etag in kind_rows:
                    size = ENTRY_COST_BYTES + len(object_id) + len(data)
                    self.bytes += size
                    self._key(sub_key).metadata[kind][object_id] = Metadata(
                        kind, object_id, json.loads(data), updated, etag, size
                    )
            for sub_key, channel, uuid, data, updated, etag in memberships:
                content = json.loads(data)
                size = ENTRY_COST_BYTES + len(channel) + len(uuid) + len(data)
                self.bytes += size
                membership = Membership(
                    channel, uuid, content.get("custom"), content.get("status"), content.get("type"),
                    updated, etag, size,
                )
                self._link(self._key(sub_key), membership)

        return self._database.run(query).addCallback(loaded)

    # -- metadata ---------------------------------------------------------------------------------

    def get(self, kind: str, sub_key: str, object_id: str) -> Metadata | None:
        data = self._keys.get(sub_key)
        return None if data is None else data.metadata[kind].get(object_id)

    def all(self, kind: str, sub_key: str) -> list[Metadata]:
        data = self._keys.get(sub_key)
        return [] if data is None else list(data.metadata[kind].values())

    def set(self, kind: str, sub_key: str, object_id: str, changes: dict[str, Any]) -> tuple[Metadata, Deferred]:
        """Upsert: ``changes`` maps field names to new values (``None`` clears)."""
        objects = self._key(sub_key).metadata[kind]
        current = objects.get(object_id)
        if current is None and len(objects) >= MAX_OBJECTS_PER_KIND:
            raise StoreFull("at most %d %s objects per subscribe key" % (MAX_OBJECTS_PER_KIND, kind))
        fields = dict.fromkeys(MAIN_FIELDS[kind] + ("custom", "status", "type"))
        if current is not None:
            fields.update(current.fields)
        fields.update(changes)
        text = dump_json(fields).decode("utf-8")
        size = ENTRY_COST_BYTES + len(object_id) + len(text)
        self._make_room(0 if current is None else current.size, size)
        metadata = Metadata(
            kind, object_id, fields, timestamp(self._seconds()), _metadata_etag(kind, object_id, fields), size
        )
        objects[object_id] = metadata
        row = (sub_key, object_id, text, metadata.updated, metadata.etag)
        table = _TABLES[kind]
        written = self._database.run(
            lambda connection: connection.execute(
                "INSERT OR REPLACE INTO %s (sub_key, id, data, updated, etag) VALUES (?, ?, ?, ?, ?)"
                % table,
                row,
            ).rowcount
        )
        return metadata, written

    def remove(self, kind: str, sub_key: str, object_id: str) -> tuple[Metadata | None, Deferred]:
        data = self._keys.get(sub_key)
        removed = None if data is None else data.metadata[kind].pop(object_id, None)
        if removed is not None:
            self.bytes -= removed.size
        table = _TABLES[kind]
        written = self._database.run(
            lambda connection: connection.execute(
                "DELETE FROM %s WHERE sub_key = ? AND id = ?" % table, (sub_key, object_id)
            ).rowcount
        )
        return removed, written

    # -- memberships ------------------------------------------------------------------------------

    def members(self, sub_key: str, channel: str) -> list[Membership]:
        data = self._keys.get(sub_key)
        return [] if data is None else list(data.members.get(channel, {}).values())

    def memberships(self, sub_key: str, uuid: str) -> list[Membership]:
        data = self._keys.get(sub_key)
        return [] if data is None else list(data.memberships.get(uuid, {}).values())

    def change_memberships(
        self,
        sub_key: str,
        upserts: Iterable[tuple[str, str, dict[str, Any]]],
        removals: Iterable[tuple[str, str]],
    ) -> tuple[list[Membership], list[Membership], Deferred]:
        """Apply removals ``(channel, uuid)`` then upserts ``(channel, uuid, changes)``.

        Returns the memberships written, those removed (only ones that existed) and a Deferred
        firing once committed. Raises :class:`StoreFull` (nothing changed) when a uuid or channel
        would pass :data:`MAX_MEMBERSHIPS_PER_ID`.
        """
        data = self._key(sub_key)
        upserts = list(upserts)
        removals = list(removals)
        self._check_room(data, upserts)
        now = timestamp(self._seconds())
        # Build what the upserts write first, so the budget is checked before anything changes.
        removing = set(removals)
        written: list[Membership] = []
        replaced: dict[tuple[str, str], Membership] = {}
        for channel, uuid, changes in upserts:
            current = None if (channel, uuid) in removing else data.members.get(channel, {}).get(uuid)
            current = replaced.get((channel, uuid), current)
            membership = Membership(channel, uuid)
            if current is not None:
                membership.custom, membership.status, membership.type = (
                    current.custom, current.status, current.type,
                )
            for name, value in changes.items():
                setattr(membership, name, value)
            membership.updated = now
            membership.etag = _membership_etag(membership)
            membership.size = ENTRY_COST_BYTES + len(channel) + len(uuid) + len(dump_json(membership.content()))
            replaced[(channel, uuid)] = membership
            written.append(membership)
        gone = {
            key: found
            for key in list(removing) + list(replaced)
            if (found := data.members.get(key[0], {}).get(key[1])) is not None
        }
        self._make_room(
            sum(m.size for m in gone.values()), sum(m.size for m in replaced.values())
        )
        removed: list[Membership] = []
        for channel, uuid in removals:
            leaving = data.members.get(channel, {}).get(uuid)
            if leaving is not None:
                self._unlink(data, leaving)
                removed.append(leaving)
        for membership in written:
            self._link(data, membership)
        delete_rows = [(sub_key, m.channel, m.uuid) for m in removed]
        insert_rows = [
            (sub_key, m.channel, m.uuid, dump_json(m.content()).decode("utf-8"), m.updated, m.etag)
            for m in written
        ]

        def write(connection: sqlite3.Connection) -> None:
            connection.executemany(
                "DELETE FROM objects_memberships WHERE sub_key = ? AND channel = ? AND uuid = ?",
                delete_rows,
            )
            connection.executemany(
                "INSERT OR REPLACE INTO objects_memberships (sub_key, channel, uuid, data, updated,"
                " etag) VALUES (?, ?, ?, ?, ?, ?)",
                insert_rows,
            )

        return written, removed, self._database.run(write)

    @staticmethod
    def _check_room(data: _KeyData, upserts: list[tuple[str, str, dict]]) -> None:
        added_to: dict[tuple[str, str], set[str]] = {}
        for channel, uuid, _ in upserts:  # removals in the same call are not counted: a bound
            if uuid not in data.members.get(channel, {}):
                added_to.setdefault(("channel", channel), set()).add(uuid)
                added_to.setdefault(("uuid", uuid), set()).add(channel)
        for (side, name), new in added_to.items():
            existing = data.members.get(name, {}) if side == "channel" else data.memberships.get(name, {})
            if len(existing) + len(new) > MAX_MEMBERSHIPS_PER_ID:
                raise StoreFull("a %s has at most %d memberships" % (side, MAX_MEMBERSHIPS_PER_ID))

    @staticmethod
    def _link(data: _KeyData, membership: Membership) -> None:
        data.members.setdefault(membership.channel, {})[membership.uuid] = membership
        data.memberships.setdefault(membership.uuid, {})[membership.channel] = membership

    @staticmethod
    def _unlink(data: _KeyData, membership: Membership) -> None:
        for index, outer, inner in (
            (data.members, membership.channel, membership.uuid),
            (data.memberships, membership.uuid, membership.channel),
        ):
            entries = index.get(outer)
            if entries is not None:
                entries.pop(inner, None)
                if not entries:
                    del index[outer]
