"""Shared files (protocol.md §2.22): bytes on disk, metadata in SQLite.

With a data file ``P`` the bytes live in the directory ``P.files/`` next to it, one file per
upload named by its id (a server-generated uuid4, so never a path); with ``:memory:`` they are
kept in memory (at most :data:`MAX_MEMORY_BYTES` in all). Metadata (channel, id, name, size,
content type, creation time) is in the ``files`` table. Every disk access — writing an upload
(to a temporary file, fsynced, then renamed), reading a download, deleting — runs as an
operation on the database worker thread, so the reactor never waits on the disk and the
metadata row is committed only after the bytes are in place: a file that is listed can be
downloaded, also after a restart. Bytes are stored exactly as uploaded (clients encrypt files
themselves, client-api.md §7.3).
"""
from __future__ import annotations

import datetime
import os
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred, fail

from pubnub_fast.server.database import Database, DataFileError

#: Default largest upload (the real service's S3 policy: 5 MiB).
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
#: Bytes kept by a ``:memory:`` server across all files.
MAX_MEMORY_BYTES = 256 * 1024 * 1024

_FILE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class StorageFull(RuntimeError):
    """A ``:memory:`` server holds :data:`MAX_MEMORY_BYTES` of files already."""


@dataclass
class StoredFile:
    sub_key: str
    channel: str
    id: str
    name: str
    size: int
    content_type: str
    created: int  # microseconds since the epoch

    def created_iso(self) -> str:
        """``2025-05-05T19:12:14Z`` (what the list endpoint shows)."""
        moment = datetime.datetime.fromtimestamp(self.created / 1e6, tz=datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_file_id(file_id: str) -> bool:
    return bool(_FILE_ID.match(file_id))


def _row(row: tuple) -> StoredFile:
    return StoredFile(*row)


_COLUMNS = "sub_key, channel, id, name, size, content_type, created"


class FilesStore:
    """Stored files of every subscribe key; every method returns a Deferred."""

    def __init__(self, database: Database, data_path: str, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> None:
        if max_file_size <= 0:
            raise ValueError("max_file_size must be positive, not %r" % (max_file_size,))
        self._database = database
        self.max_file_size = max_file_size
        self.directory: str | None = None
        if data_path != ":memory:":
            self.directory = os.path.abspath(data_path) + ".files"
        self._memory: dict[str, bytes] = {}
        self._memory_bytes = 0

    def open(self) -> Deferred:
        """Create the files directory and clear half-written uploads (at startup)."""
        directory = self.directory
        if directory is None:
            return self._database.run(lambda connection: None)

        def prepare(connection: sqlite3.Connection) -> None:
            try:
                os.makedirs(directory, exist_ok=True)
                for entry in os.listdir(directory):
                    if entry.endswith(".part"):
                        os.unlink(os.path.join(directory, entry))
            except OSError as exc:
                raise DataFileError(
                    "cannot use the files directory %s: %s" % (directory, exc.strerror or exc)
                ) from None

        return self._database.run(prepare)

    def _path(self, file_id: str) -> str:
        assert self.directory is not None and valid_file_id(file_id)
        return os.path.join(self.directory, file_id)

    # -- writes -----------------------------------------------------------------------------------

    def put(self, stored: StoredFile, data: bytes) -> Deferred:
        """Store ``data`` under ``stored.id`` (replacing an earlier upload with that id)."""
        if not valid_file_id(stored.id):
            return fail(ValueError("invalid file id %r" % stored.id))
        row = (
            stored.sub_key, stored.channel, stored.id, stored.name, len(data),
            stored.content_type, stored.created,
        )
        insert = "INSERT OR REPLACE INTO files (%s) VALUES (?, ?, ?, ?, ?, ?, ?)" % _COLUMNS
        if self.directory is None:
            previous = len(self._memory.get(stored.id, b""))
            if self._memory_bytes - previous + len(data) > MAX_MEMORY_BYTES:
                return fail(StorageFull("the in-memory file store is full"))
            self._memory[stored.id] = data
            self._memory_bytes += len(data) - previous
            return self._database.run(lambda connection: connection.execute(insert, row).rowcount)
        path = self._path(stored.id)

        def write(connection: sqlite3.Connection) -> None:
            partial = path + ".part"
            with open(partial, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
            connection.execute(insert, row)

        return self._database.run(write)

    def delete(self, sub_key: str, channel: str, file_id: str, name: str) -> Deferred:
        """Delete a file; fires with whether it existed."""
        path = self._path(file_id) if self.directory is not None and valid_file_id(file_id) else None

        def remove(connection: sqlite3.Connection) -> bool:
            deleted = connection.execute(
                "DELETE FROM files WHERE sub_key = ? AND channel = ? AND id = ? AND name = ?",
                (sub_key, channel, file_id, name),
            ).rowcount
            if deleted and path is not None:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            return bool(deleted)

        def forget(existed: bool) -> bool:
            if existed and self.directory is None:
                self._memory_bytes -= len(self._memory.pop(file_id, b""))
            return existed

        return self._database.run(remove).addCallback(forget)

    # -- reads ------------------------------------------------------------------------------------

    def read(self, sub_key: str, channel: str, file_id: str, name: str) -> Deferred:
        """Fires with ``(StoredFile, bytes)``, or ``None`` when there is no such file."""
        path = self._path(file_id) if self.directory is not None and valid_file_id(file_id) else None

        def query(connection: sqlite3.Connection) -> Any:
            row = connection.execute(
                "SELECT %s FROM files WHERE sub_key = ? AND channel = ? AND id = ? AND name = ?"
                % _COLUMNS,
                (sub_key, channel, file_id, name),
            ).fetchone()
            if row is None:
                return None
            stored = _row(row)
            if path is None:
                return stored, None
            try:
                with open(path, "rb") as handle:
                    return stored, handle.read()
            except FileNotFoundError:
                return None

        def from_memory(found: Any) -> Any:
            if found is None or found[1] is not None:
                return found
            data = self._memory.get(file_id)
            return None if data is None else (found[0], data)

        return self._database.run(query).addCallback(from_memory)

    def list(self, sub_key: str, channel: str, limit: int, after: tuple[int, str] | None) -> Deferred:
        """Up to ``limit`` files of ``channel`` oldest first, after the ``(created, id)`` cursor.

        Fires with ``(files, more)``.
        """
        sql = "SELECT %s FROM files WHERE sub_key = ? AND channel = ?" % _COLUMNS
        params: list[Any] = [sub_key, channel]
        if after is not None:
            sql += " AND (created > ? OR (created = ? AND id > ?))"
            params += [after[0], after[0], after[1]]
        sql += " ORDER BY created, id LIMIT ?"
        params.append(limit + 1)

        def query(connection: sqlite3.Connection) -> tuple[list[StoredFile], bool]:
            rows = [_row(row) for row in connection.execute(sql, params)]
            return rows[:limit], len(rows) > limit

        return self._database.run(query)
