"""Wiring: one :class:`ServerApp` holds the stores, the fan-out and the HTTP site.

API modules get the app through :class:`~.http.ApiCall` handlers created by ``routes(app)``;
the app's ``publish`` is the single path every message and event takes to subscribers.
"""
from __future__ import annotations

from typing import Any, Iterable

from twisted.internet.defer import Deferred, inlineCallbacks, succeed

from pubnub_fast.server.access import AccessManager
from pubnub_fast.server.actions import ActionStore
from pubnub_fast.server.api import all_routes
from pubnub_fast.server.database import Database
from pubnub_fast.server.fanout import Fanout
from pubnub_fast.server.files_store import DEFAULT_MAX_FILE_SIZE, FilesStore
from pubnub_fast.server.filtering import FilterCache
from pubnub_fast.server.http import ApiSite, CorsPolicy, Dispatcher, HostPolicy, HttpSettings, Router
from pubnub_fast.server.keysets import AccessPolicy, Keyset, KeysetRegistry
from pubnub_fast.server.limits import Limits
from pubnub_fast.server.messages import PRESENCE_SUFFIX, MessageRecord, MessageStore
from pubnub_fast.server.objects_store import ObjectsStore
from pubnub_fast.server.presence import PresenceSettings, PresenceStore
from pubnub_fast.server.push_registry import PushRegistry
from pubnub_fast.server.registry import ChannelGroupRegistry
from pubnub_fast.server.timetokens import TimetokenClock

#: The region reported in every ``t.r`` / ``p.r`` (any small integer works for clients).
REGION = 1


class ServerApp:
    """Everything one running server holds. Build with :meth:`open`, end with :meth:`close`."""

    def __init__(
        self,
        reactor: Any,
        data: str,
        keysets: Iterable[Keyset | str] = (),
        long_poll: float = 280.0,
        presence_sweep: float = 1.0,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        presence: PresenceSettings | None = None,
        http: HttpSettings | None = None,
        limits: Limits | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        """``host``: the address the site will listen on (its ``Host`` policy depends on it)."""
        if long_poll <= 0:
            raise ValueError("long_poll must be positive, not %r" % (long_poll,))
        self.reactor = reactor
        self.limits = limits = limits or Limits()
        self.keysets = KeysetRegistry(keysets)
        self.timetokens = TimetokenClock(reactor)
        self.database = Database(reactor, data)
        self.access = AccessPolicy(AccessManager(reactor, self.database, limits.signature_window))
        self.store = MessageStore(self.database, memory_since=0, tail_bytes=limits.tail_bytes)
        self.registry = ChannelGroupRegistry(self.database)
        self.actions = ActionStore(self.database)
        self.push = PushRegistry(self.database)
        self.objects = ObjectsStore(self.database, reactor.seconds, limits.objects_bytes)
        self.files = FilesStore(self.database, data, max_file_size)
        self.fanout = Fanout(reactor, self.timetokens, self.store, self.registry, long_poll)
        self.presence = PresenceStore(
            reactor, self._emit_presence, presence_sweep, presence, self.keysets.keysets.values(),
            limits.presence_bytes,
        )
        self.filters = FilterCache()
        self.region = REGION
        self.router = Router()
        http = http or HttpSettings()
        dispatcher = Dispatcher(
            self.router, self, CorsPolicy(http.cors_origins),
            HostPolicy.for_binding(host, http.allowed_hosts), reactor,
        )
        self.site = ApiSite(dispatcher, reactor, http)

    @inlineCallbacks
    def open(self) -> Any:
        """Open the data file, load what it holds, start presence sweeping."""
        yield self.database.open()
        newest = yield self.store.load_newest_timetoken()
        self.timetokens.observe(newest)
        self.timetokens.observe((yield self.actions.load_newest_timetoken()))
        self.store.memory_since = self.timetokens.cursor()
        yield self.store.purge_expired(self.timetokens.wall())
        yield self.registry.load()
        yield self.objects.load()
        yield self.files.open()
        yield self.access.manager.load()
        self.router.add(all_routes(self))
        self.presence.start()

    def close(self) -> Deferred:
        """Answer parked polls, stop timers, flush and close the database."""
        self.fanout.close()
        self.presence.stop()
        return self.database.close()

    # -- the publish path -------------------------------------------------------------------------

    def publish(
        self, record: MessageRecord, store: bool, expires: int | None = None, deliver: bool = True
    ) -> Deferred:
        """The path of every message: to subscribers (unless ``deliver`` is off — fire's
        ``norep``), and to SQLite when ``store``. Fires once the message is durable (at once
        when not stored).
        """
        if deliver:
            self.store.remember(record)
            self.fanout.deliver(record)
        if store:
            return self.store.persist(record, expires)
        return succeed(None)

    def _emit_presence(self, sub_key: str, channel: str, payload: dict, meta: dict) -> None:
        record = MessageRecord(
            sub_key=sub_key,
            channel=channel + PRESENCE_SUFFIX,
            timetoken=self.timetokens.issue(),
            payload=payload,
            meta=meta,
            region=self.region,
        )
        self.publish(record, store=False)
