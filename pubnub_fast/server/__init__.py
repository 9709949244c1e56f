"""A local PubNub-compatible server (``pubnub-fast serve``), embeddable in tests and demos.

::

    from pubnub_fast.server import start_server

    running = yield start_server(reactor, port=0, data=":memory:")
    config.origin = running.origin          # "127.0.0.1:PORT"; set ssl=False
    ...
    yield running.stop()

It speaks PubNub's REST protocol (``spec/protocol.md``): time, publish/fire/signal, subscribe v2
long-polls with groups, wildcards, presence channels and filters, presence (heartbeat, leave,
here_now, where_now, state, events), channel groups, history v2, fetch v3, delete and message
counts. Messages and channel groups live in SQLite at ``data`` (``":memory:"`` for a throwaway
store); stopping and starting again on the same file loses nothing stored. A keyset with a secret
key turns Access Manager on for it (request signatures, v2 grants, v3 tokens:
:mod:`pubnub_fast.server.access`).
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.python.failure import Failure

from pubnub_fast.server.app import ServerApp
from pubnub_fast.server.files_store import DEFAULT_MAX_FILE_SIZE
from pubnub_fast.server.http import HttpSettings, is_loopback_host
from pubnub_fast.server.keysets import Keyset
from pubnub_fast.server.limits import Limits
from pubnub_fast.server.presence import DEFAULT_ANNOUNCE_MAX, DEFAULT_INTERVAL, PresenceSettings

__all__ = ["HttpSettings", "Keyset", "RunningServer", "ServerApp", "start_server"]

_DEFAULT_HTTP = HttpSettings()

log = logging.getLogger("pubnub_fast.server")


class RunningServer:
    """A server listening on ``host:port``; ``stop()`` shuts it down cleanly."""

    def __init__(self, app: ServerApp, listening_port: Any, host: str) -> None:
        self.app = app
        self.host = host
        self._listening_port = listening_port
        self.port: int = listening_port.getHost().port
        self._stop_outcome: Any = None  # the result of _stop() once it has run
        self._stop_waiters: list[Deferred] | None = None
        # Stop cleanly (commit, close SQLite, end its thread) if the reactor shuts down first.
        self._reactor = app.reactor
        self._shutdown_trigger = app.reactor.addSystemEventTrigger(
            "before", "shutdown", self._stop_for_shutdown
        )

    @property
    def origin(self) -> str:
        """``host:port`` — what a client's ``origin`` setting wants (with ``ssl=False``)."""
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s:%d" % (host, self.port)

    @property
    def url(self) -> str:
        return "http://%s" % self.origin

    def stop(self) -> Deferred:
        """Stop listening, answer parked long-polls, close connections, flush and close SQLite."""
        waiter: Deferred = Deferred()
        if self._stop_waiters is None:
            self._stop_waiters = [waiter]
            self._stop().addBoth(self._stopped)
        elif self._stop_outcome is None:
            self._stop_waiters.append(waiter)
        else:
            self._fire(waiter)
        return waiter

    def _stop_for_shutdown(self) -> Deferred:
        self._shutdown_trigger = None  # firing now: nothing to remove
        return self.stop()

    def _stopped(self, outcome: Any) -> None:
        self._stop_outcome = outcome if isinstance(outcome, Failure) else True
        waiters, self._stop_waiters = self._stop_waiters or [], []
        for waiter in waiters:
            self._fire(waiter)

    def _fire(self, waiter: Deferred) -> None:
        if self._stop_outcome is True:
            waiter.callback(None)
        else:
            waiter.errback(self._stop_outcome)

    @inlineCallbacks
    def _stop(self) -> Any:
        if self._shutdown_trigger is not None:
            self._reactor.removeSystemEventTrigger(self._shutdown_trigger)
            self._shutdown_trigger = None
        yield self._listening_port.stopListening()
        self.app.fanout.close()
        yield self.app.site.close_connections()
        yield self.app.close()
        log.info("pubnub-fast server on %s stopped", self.origin)


def exposure_warning(
    host: str, has_keysets: bool, cors_origins: Iterable[str], allowed_hosts: Iterable[str] = ()
) -> str:
    """The warning for a server bound beyond loopback."""
    text = (
        "WARNING: listening on %s, beyond loopback: anyone who can reach this port can use the "
        "server" % (host or "all interfaces")
    )
    if not has_keysets:
        text += " with ANY keys (demo mode; pass --keyset SUB:PUB:SECRET to require keys)"
    if "*" in cors_origins:
        text += "; any web page may call it (CORS origins '*')"
    allowed_hosts = tuple(allowed_hosts)
    if not allowed_hosts or "*" in allowed_hosts:
        text += (
            "; requests for any Host name are answered, so a web page whose name rebinds to this "
            "machine can use it (pass --allow-host NAME for each name clients use: then only "
            "those, IP addresses and localhost are answered)"
        )
    return text + ". This server is for development and tests, not production."


@inlineCallbacks
def start_server(
    reactor: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    data: str = ":memory:",
    keysets: Iterable[Keyset | str] = (),
    long_poll: float = 280.0,
    presence_sweep: float = 1.0,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    presence_announce_max: int = DEFAULT_ANNOUNCE_MAX,
    presence_interval: float = DEFAULT_INTERVAL,
    presence_deltas: bool = False,
    header_timeout: float = _DEFAULT_HTTP.header_timeout,
    body_timeout: float = _DEFAULT_HTTP.body_timeout,
    idle_timeout: float = _DEFAULT_HTTP.idle_timeout,
    max_connections: int = _DEFAULT_HTTP.max_connections,
    max_connections_per_client: int = _DEFAULT_HTTP.max_connections_per_client,
    max_header_bytes: int = _DEFAULT_HTTP.max_header_bytes,
    cors_origins: Iterable[str] = _DEFAULT_HTTP.cors_origins,
    allowed_hosts: Iterable[str] = _DEFAULT_HTTP.allowed_hosts,
    max_tail_bytes: int = Limits.tail_bytes,
    max_fetch_bytes: int = Limits.fetch_bytes,
    max_presence_bytes: int = Limits.presence_bytes,
    max_objects_bytes: int = Limits.objects_bytes,
    signature_window: float = Limits.signature_window,
) -> Any:
    """Start a server; fires with a :class:`RunningServer`.

    ``port=0`` picks a free port (``.port`` says which). ``keysets`` are :class:`Keyset` or
    ``"sub:pub[:secret]"`` strings; none means demo mode (any keys). ``long_poll`` is how long
    an idle subscribe is held (seconds). To restart on the same data, ``stop()`` and call
    ``start_server`` again with the same ``data`` path (and ``port=running.port`` to keep the
    origin). ``max_file_size`` caps shared files (bytes; default 5 MiB, as the real service).
    Presence announces each join/leave/timeout while a channel has at most
    ``presence_announce_max`` occupants; above that the channel sends an ``interval`` event every
    ``presence_interval`` seconds instead, with the join/leave/timeout uuid lists when
    ``presence_deltas`` (a :class:`Keyset` may override each; protocol.md §4).

    The HTTP front (:class:`~.http.HttpSettings`): a request head must arrive within
    ``header_timeout`` seconds of its first byte and its body within ``body_timeout`` (trickling
    does not extend either); a keep-alive connection idle ``idle_timeout`` seconds is closed; at
    most ``max_connections`` connections (clamped below the file-descriptor limit) and
    ``max_connections_per_client`` per client address; request headers up to
    ``max_header_bytes`` (431 above); ``cors_origins`` are the browser origins allowed
    (``"loopback"``: pages served from this machine, the default; ``"*"``: any; or exact origins).
    ``allowed_hosts`` (:class:`~.http.HostPolicy`, against DNS rebinding): the ``Host`` names
    answered besides IP addresses, ``localhost`` and ``*.localhost`` (``"NAME"``,
    ``".NAME"`` for it and its subdomains, ``"*.NAME"`` for its subdomains, ``"*"`` for any);
    others get 421. Bound to loopback (the default) only those are answered; bound beyond
    loopback, any name is answered unless ``allowed_hosts`` names some. Binding ``host`` beyond
    loopback logs a loud warning.

    Memory budgets, in bytes, for all keysets together (:mod:`~.limits`): ``max_tail_bytes``
    for the in-memory message tails (default 64 MiB), ``max_fetch_bytes`` of stored messages in
    one history/fetch response (8 MiB), ``max_presence_bytes`` for presence occupants and state
    (64 MiB), ``max_objects_bytes`` for App Context (64 MiB). ``signature_window``: seconds a
    signed request's timestamp may be off the server clock (±60, the real service's).
    """
    presence = PresenceSettings(presence_announce_max, presence_interval, presence_deltas)
    http = HttpSettings(
        header_timeout, body_timeout, idle_timeout, max_connections, max_connections_per_client,
        max_header_bytes, tuple(cors_origins), tuple(allowed_hosts),
    )
    limits = Limits(
        max_tail_bytes, max_fetch_bytes, max_presence_bytes, max_objects_bytes, signature_window
    )
    app = ServerApp(
        reactor, data, keysets, long_poll, presence_sweep, max_file_size, presence=presence, http=http,
        limits=limits, host=host,
    )
    try:
        yield app.open()
    except Exception:
        yield app.close()  # stops the SQLite worker thread: a failed start leaves nothing running
        raise
    try:
        listening = reactor.listenTCP(port, app.site, interface=host)
    except Exception:
        yield app.close()
        raise
    running = RunningServer(app, listening, host)
    log.info("pubnub-fast server on %s (data %s)", running.origin, data)
    if not is_loopback_host(host):
        log.warning(exposure_warning(host, bool(app.keysets.keysets), http.cors_origins, http.allowed_hosts))
    return running
