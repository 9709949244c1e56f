"""Presence: who is on which channel, their state, and the events that announce changes.

Kept in memory only (decisions.md §12). A uuid becomes present on a channel with its first
subscribe or heartbeat there (``join``), stays present while it keeps sending them, and leaves
with ``/leave`` (``leave``) or when it has been silent longer than its presence timeout
(``timeout``). A parked subscribe long-poll counts as activity for as long as it is held, so
only a client that really went away times out — and a client that drops a long-poll (to change
channels) gets no leave event. State changes emit ``state-change``. Every event goes to
``<channel>-pnpres`` through the ``emit`` callback given by the server (protocol.md §3.5, §4).

Announce max / interval mode (protocol.md §4, :class:`PresenceSettings`): a join, leave or timeout
is announced on its own only while the occupancy before and after it is at most ``announce_max``
(default 20). The change that takes a channel above it switches the channel to interval mode:
from then on joins, leaves and timeouts are not announced, and an ``interval`` event
(``action``, ``timestamp``, ``occupancy``; no ``uuid``) is sent every ``interval`` seconds
(default 10) for as long as the channel stays in interval mode. With ``deltas`` on it also carries
the net changes since the previous interval event as ``join``/``leave``/``timeout`` uuid lists
(only the non-empty ones; a uuid that joined and left again in between is in none), or
``"here_now_refresh": true`` and no lists once those would exceed :data:`MAX_DELTA_BYTES` — the
pending changes of a channel are never kept beyond that. The change that brings the occupancy
back to ``announce_max`` ends interval mode at once with a last ``interval`` event that includes
it; later changes are announced on their own again. ``state-change`` events are announced in
either mode (only joins, leaves and timeouts are summarised). Settings are global, with optional
per-keyset overrides (:class:`~.keysets.Keyset` ``announce_max`` / ``presence_interval`` /
``presence_deltas``).

Memory is bounded (issue 12): every occupant and state object counts against ``max_bytes``
(:class:`~.limits.Limits` ``presence_bytes``); over it a new occupant is not recorded and setting
state raises :class:`~.limits.BudgetExceeded`. State set for a uuid that is not present on the
channel is forgotten after :data:`ORPHAN_STATE_SECONDS` unless the uuid joins meanwhile. Timeouts
are found by an incremental sweep: occupants sit in a heap by the earliest moment they could time
out, so a sweep looks only at those due (re-queuing the ones that were active since) instead of
at every occupant — long heartbeats on many channels cost nothing while idle.

Time comes from the reactor (``IReactorTime``), so tests drive timeouts and interval events with
``task.Clock``.
"""
from __future__ import annotations

import heapq
import itertools
import json
import logging
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from twisted.internet.task import LoopingCall

from pubnub_fast.server.limits import DEFAULT_PRESENCE_BYTES, BudgetExceeded

log = logging.getLogger("pubnub_fast.server.presence")

#: Presence timeout when the client does not send ``heartbeat`` (python SDK default).
DEFAULT_PRESENCE_TIMEOUT = 300
MAX_PRESENCE_TIMEOUT = 86_400

#: Occupancy above which a channel switches to interval mode (PubNub's keyset default).
DEFAULT_ANNOUNCE_MAX = 20
#: Seconds between two ``interval`` events of a channel in interval mode (PubNub's default).
DEFAULT_INTERVAL = 10.0
#: Size (bytes of JSON) the delta lists of one ``interval`` event may reach; beyond it the event
#: says ``"here_now_refresh": true`` instead (PubNub: "~30 KB").
MAX_DELTA_BYTES = 30_000

#: Seconds state set for a uuid that is not present on the channel is kept (unless it joins).
ORPHAN_STATE_SECONDS = DEFAULT_PRESENCE_TIMEOUT
#: What one occupant costs against the presence budget besides its names.
OCCUPANT_COST_BYTES = 256
#: What one stored state object costs besides its JSON.
STATE_COST_BYTES = 128

#: ``emit(sub_key, channel, event_payload, event_meta)`` publishes one presence event.
EventSink = Callable[[str, str, dict, dict], None]

#: The actions summarised by interval events, in the order their lists appear.
_DELTA_ACTIONS = ("join", "leave", "timeout")


@dataclass(frozen=True)
class PresenceSettings:
    """Announce max / interval mode of one keyset (protocol.md §4).

    ``announce_max``: occupancy up to which every join/leave/timeout is announced (``>= 0``).
    ``interval``: seconds between ``interval`` events in interval mode (``> 0``).
    ``deltas``: ``interval`` events carry the ``join``/``leave``/``timeout`` uuid lists.
    """

    announce_max: int = DEFAULT_ANNOUNCE_MAX
    interval: float = DEFAULT_INTERVAL
    deltas: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.announce_max, bool) or not isinstance(self.announce_max, int):
            raise TypeError("announce_max must be an int, not %r" % (self.announce_max,))
        if self.announce_max < 0:
            raise ValueError("announce_max must be >= 0, not %r" % (self.announce_max,))
        if not isinstance(self.interval, (int, float)) or isinstance(self.interval, bool):
            raise TypeError("interval must be a number of seconds, not %r" % (self.interval,))
        if not 0 < self.interval < float("inf"):
            raise ValueError("interval must be positive, not %r" % (self.interval,))

    def for_keyset(self, keyset: Any) -> "PresenceSettings":
        """These settings with the keyset's own ``announce_max`` / ``presence_interval`` /
        ``presence_deltas`` where it sets them (``None`` = inherit)."""
        overrides: dict[str, Any] = {}
        for field, attribute in (
            ("announce_max", "announce_max"),
            ("interval", "presence_interval"),
            ("deltas", "presence_deltas"),
        ):
            value = getattr(keyset, attribute, None)
            if value is not None:
                overrides[field] = value
        return replace(self, **overrides) if overrides else self


@dataclass
class Occupant:
    """One uuid on one channel."""

    last_seen: float
    timeout: float
    holds: int = 0  # parked subscribe long-polls of this uuid covering the channel
    queued: float = 0.0  # its deadline in the sweep heap (entries with another one are stale)


class _IntervalBatch:
    """A channel in interval mode: its next ``interval`` event and the net changes since the
    last one (uuid -> ``join``/``leave``/``timeout``), bounded by :data:`MAX_DELTA_BYTES`."""

    __slots__ = ("timer", "changes", "size", "overflow")

    def __init__(self) -> None:
        self.timer: Any = None  # IDelayedCall of the next interval event
        self.changes: dict[str, str] = {}
        self.size = 0  # JSON bytes the uuids in ``changes`` take in the lists
        self.overflow = False  # too many changes: the event says here_now_refresh instead

    def record(self, uuid: str, action: str) -> None:
        if self.overflow:
            return
        previous = self.changes.pop(uuid, None)
        if previous is not None and (previous == "join") != (action == "join"):
            # joined then left (or left then came back) since the last event: no net change
            self.size -= _delta_size(uuid)
            return
        if previous is None:
            self.size += _delta_size(uuid)
        self.changes[uuid] = action
        if self.size > MAX_DELTA_BYTES:
            self.overflow = True
            self.changes = {}
            self.size = 0

    def take(self) -> tuple[dict[str, str], bool]:
        """The changes so far and whether they overflowed; starts a new batch."""
        taken = self.changes, self.overflow
        self.changes, self.size, self.overflow = {}, 0, False
        return taken


def _delta_size(uuid: str) -> int:
    return len(json.dumps(uuid)) + 1  # the quoted string and its comma


def _state_cost(state: dict) -> int:
    return STATE_COST_BYTES + len(json.dumps(state, separators=(",", ":"), default=str))


def presence_timeout(value: str | None) -> int:
    """The ``heartbeat`` query value as a timeout in seconds (default 300, clamped)."""
    if value is None or value.strip() == "":
        return DEFAULT_PRESENCE_TIMEOUT
    seconds = int(value)
    if seconds <= 0:
        return DEFAULT_PRESENCE_TIMEOUT
    return min(seconds, MAX_PRESENCE_TIMEOUT)


class PresenceStore:
    """Occupancy and state for every subscribe key."""

    def __init__(
        self,
        clock: Any,
        emit: EventSink,
        sweep_interval: float = 1.0,
        settings: PresenceSettings | None = None,
        keysets: Iterable[Any] = (),
        max_bytes: int = DEFAULT_PRESENCE_BYTES,
    ) -> None:
        """``settings`` apply to every subscribe key (default: announce mode up to 20
        occupants, 10 s intervals, no deltas); ``keysets`` (:class:`~.keysets.Keyset`) may
        override them per subscribe key."""
        self._clock = clock
        self._emit = emit
        self._sweep_interval = sweep_interval
        self._settings = settings if settings is not None else PresenceSettings()
        self._settings_by_key: dict[str, PresenceSettings] = {}
        for keyset in keysets:
            own = self._settings.for_keyset(keyset)
            if own is not self._settings:
                self._settings_by_key[keyset.subscribe_key] = own
        #: (sub_key, channel) -> its batch, for channels in interval mode
        self._batches: dict[tuple[str, str], _IntervalBatch] = {}
        self._stopped = False
        #: (sub_key, channel) -> {uuid: Occupant}
        self._occupants: dict[tuple[str, str], dict[str, Occupant]] = {}
        #: (sub_key, uuid) -> channels the uuid is present on
        self._channels_of: dict[tuple[str, str], set[str]] = {}
        #: (sub_key, channel) -> {uuid: state object}
        self._states: dict[tuple[str, str], dict[str, dict]] = {}
        self._sweeper = LoopingCall(self.sweep)
        self._sweeper.clock = clock
        #: budget and use (bytes) of occupants and states together
        self.max_bytes = max_bytes
        self.bytes = 0
        self._count = 0  # occupants
        #: (deadline, seq, sub_key, channel, uuid): when each occupant could time out at the earliest
        self._due: list[tuple[float, int, str, str, str]] = []
        self._seq = itertools.count()
        #: (sub_key, channel, uuid) -> when state set for a uuid not present there is forgotten
        self._orphans: dict[tuple[str, str, str], float] = {}
        self._orphans_due: list[tuple[float, int, tuple[str, str, str]]] = []
        self._refused_at = float("-inf")  # last "presence budget full" warning

    def start(self) -> None:
        self._stopped = False
        self._sweeper.start(self._sweep_interval, now=False)
        for key, batch in self._batches.items():  # restarted after stop(): intervals resume
            if batch.timer is None:
                self._schedule(key, batch, self.settings(key[0]))

    def stop(self) -> None:
        """Stop sweeping and sending interval events (no timer is left behind)."""
        self._stopped = True
        if self._sweeper.running:
            self._sweeper.stop()
        for batch in self._batches.values():
            if batch.timer is not None and batch.timer.active():
                batch.timer.cancel()
            batch.timer = None

    # -- activity ---------------------------------------------------------------------------------

    def touch(
        self,
        sub_key: str,
        uuid: str,
        channels: Iterable[str],
        timeout: float,
        states: dict[str, dict] | None = None,
        hold: bool = False,
    ) -> None:
        """Record activity of ``uuid`` on ``channels``: joins for new ones, state changes.

        ``states`` maps channel -> new state (from the ``state`` parameter). ``hold`` also
        starts a long-poll hold, ended by :meth:`release`.
        """
        now = self._clock.seconds()
        for channel in channels:
            occupants = self._occupants.setdefault((sub_key, channel), {})
            occupant = occupants.get(uuid)
            new_state = None if states is None else states.get(channel)
            if occupant is None:
                cost = OCCUPANT_COST_BYTES + len(uuid) + len(channel)
                if self.bytes + cost > self.max_bytes:
                    if not occupants:
                        del self._occupants[(sub_key, channel)]
                    self._refuse("occupant %s on %s" % (uuid[:100], channel))
                    continue
                self.bytes += cost
                self._count += 1
                occupant = occupants[uuid] = Occupant(now, timeout)
                self._queue(sub_key, channel, uuid, occupant, now + timeout)
                self._channels_of.setdefault((sub_key, uuid), set()).add(channel)
                self._orphans.pop((sub_key, channel, uuid), None)
                if new_state is not None:
                    try:
                        self._store_state(sub_key, channel, uuid, new_state)
                    except BudgetExceeded:
                        self._refuse("state of %s on %s" % (uuid[:100], channel))
                self._changed(sub_key, channel, "join", uuid, self.state(sub_key, uuid, channel) or None)
            else:
                occupant.last_seen = now
                occupant.timeout = timeout
                if now + timeout < occupant.queued:  # a shorter timeout than queued for
                    self._queue(sub_key, channel, uuid, occupant, now + timeout)
                if new_state is not None:
                    try:
                        self.set_state(sub_key, uuid, [channel], new_state)
                    except BudgetExceeded:
                        self._refuse("state of %s on %s" % (uuid[:100], channel))
            if hold:
                occupant.holds += 1

    def release(self, sub_key: str, uuid: str, channels: Iterable[str]) -> None:
        """End one long-poll hold; the silence timer starts now."""
        now = self._clock.seconds()
        for channel in channels:
            occupant = self._occupants.get((sub_key, channel), {}).get(uuid)
            if occupant is not None:
                occupant.holds = max(0, occupant.holds - 1)
                occupant.last_seen = now

    def leave(self, sub_key: str, uuid: str, channels: Iterable[str]) -> None:
        """``/leave``: remove ``uuid`` from ``channels`` and announce it."""
        for channel in channels:
            if self._remove(sub_key, channel, uuid):
                self._changed(sub_key, channel, "leave", uuid)

    def sweep(self) -> None:
        """Time out every uuid that has been silent longer than its presence timeout, and forget
        expired state of absent uuids. Looks only at heap entries that are due."""
        now = self._clock.seconds()
        due = self._due
        expired = []
        while due and due[0][0] < now:
            deadline, _, sub_key, channel, uuid = heapq.heappop(due)
            occupant = self._occupants.get((sub_key, channel), {}).get(uuid)
            if occupant is None or occupant.queued != deadline:
                continue  # gone, or queued again for another moment
            if occupant.holds:
                self._queue(sub_key, channel, uuid, occupant, now + occupant.timeout)
            elif now - occupant.last_seen > occupant.timeout:
                expired.append((sub_key, channel, uuid))
            else:
                self._queue(sub_key, channel, uuid, occupant, occupant.last_seen + occupant.timeout)
        for sub_key, channel, uuid in expired:
            if self._remove(sub_key, channel, uuid):
                self._changed(sub_key, channel, "timeout", uuid)
        orphans_due = self._orphans_due
        while orphans_due and orphans_due[0][0] < now:
            until, _, key = heapq.heappop(orphans_due)
            if self._orphans.get(key) == until:
                del self._orphans[key]
                sub_key, channel, uuid = key
                if uuid not in self._occupants.get((sub_key, channel), {}):
                    self._drop_state(sub_key, channel, uuid)
        if len(due) > 2 * self._count + 1024:  # stale entries piled up: rebuild
            self._due = [
                (occupant.queued, next(self._seq), sub_key, channel, uuid)
                for (sub_key, channel), occupants in self._occupants.items()
                for uuid, occupant in occupants.items()
            ]
            heapq.heapify(self._due)

    def _queue(self, sub_key: str, channel: str, uuid: str, occupant: Occupant, deadline: float) -> None:
        occupant.queued = deadline
        heapq.heappush(self._due, (deadline, next(self._seq), sub_key, channel, uuid))

    def _refuse(self, what: str) -> None:
        now = self._clock.seconds()
        if now - self._refused_at >= 60:
            self._refused_at = now
            log.warning(
                "presence budget (%d bytes, presence_bytes) is full: %s not recorded", self.max_bytes, what
            )

    def _remove(self, sub_key: str, channel: str, uuid: str) -> bool:
        occupants = self._occupants.get((sub_key, channel))
        if not occupants or uuid not in occupants:
            self._drop_state(sub_key, channel, uuid)
            return False
        del occupants[uuid]
        self.bytes -= OCCUPANT_COST_BYTES + len(uuid) + len(channel)
        self._count -= 1
        if not occupants:
            del self._occupants[(sub_key, channel)]
        channels = self._channels_of.get((sub_key, uuid))
        if channels is not None:
            channels.discard(channel)
            if not channels:
                del self._channels_of[(sub_key, uuid)]
        self._drop_state(sub_key, channel, uuid)
        return True

    # -- state ------------------------------------------------------------------------------------

    def set_state(self, sub_key: str, uuid: str, channels: Iterable[str], state: dict) -> None:
        """Replace the state of ``uuid`` on ``channels``; present uuids announce a state-change.

        Raises :class:`~.limits.BudgetExceeded` (nothing changed on that channel) when the
        presence budget has no room for it. State of a uuid not present on a channel is
        forgotten after :data:`ORPHAN_STATE_SECONDS` unless the uuid joins.
        """
        for channel in channels:
            previous = self.state(sub_key, uuid, channel)
            self._store_state(sub_key, channel, uuid, state)
            current = self.state(sub_key, uuid, channel)
            present = uuid in self._occupants.get((sub_key, channel), {})
            if current and not present:
                until = self._clock.seconds() + ORPHAN_STATE_SECONDS
                self._orphans[(sub_key, channel, uuid)] = until
                heapq.heappush(self._orphans_due, (until, next(self._seq), (sub_key, channel, uuid)))
            if current != previous and present:
                self._announce(sub_key, channel, "state-change", uuid, current)

    def _store_state(self, sub_key: str, channel: str, uuid: str, state: dict) -> None:
        cleaned = {key: value for key, value in state.items() if value is not None}
        if not cleaned:
            self._drop_state(sub_key, channel, uuid)
            return
        previous = self._states.get((sub_key, channel), {}).get(uuid)
        freed = 0 if previous is None else _state_cost(previous)
        cost = _state_cost(cleaned)
        if self.bytes - freed + cost > self.max_bytes:
            raise BudgetExceeded(
                "presence state budget (%d bytes, presence_bytes) is full" % self.max_bytes
            )
        self.bytes += cost - freed
        self._states.setdefault((sub_key, channel), {})[uuid] = cleaned

    def _drop_state(self, sub_key: str, channel: str, uuid: str) -> None:
        states = self._states.get((sub_key, channel))
        if states is None:
            return
        dropped = states.pop(uuid, None)
        if dropped is not None:
            self.bytes -= _state_cost(dropped)
            self._orphans.pop((sub_key, channel, uuid), None)
            if not states:
                del self._states[(sub_key, channel)]

    def state(self, sub_key: str, uuid: str, channel: str) -> dict:
        """The state of ``uuid`` on ``channel`` (``{}`` when none)."""
        return dict(self._states.get((sub_key, channel), {}).get(uuid, {}))

    # -- queries ----------------------------------------------------------------------------------

    def occupants(self, sub_key: str, channel: str) -> list[str]:
        """Present uuids of ``channel``, sorted."""
        return sorted(self._occupants.get((sub_key, channel), ()))

    def occupancy(self, sub_key: str, channel: str) -> int:
        return len(self._occupants.get((sub_key, channel), ()))

    def occupied_channels(self, sub_key: str) -> list[str]:
        """Channels of ``sub_key`` with at least one occupant, sorted."""
        return sorted(channel for key, channel in self._occupants if key == sub_key)

    def channels_of(self, sub_key: str, uuid: str) -> list[str]:
        """Channels ``uuid`` is present on, sorted (where_now)."""
        return sorted(self._channels_of.get((sub_key, uuid), ()))

    def settings(self, sub_key: str) -> PresenceSettings:
        """The announce max / interval settings in force for ``sub_key``."""
        return self._settings_by_key.get(sub_key, self._settings)

    def interval_mode(self, sub_key: str, channel: str) -> bool:
        """Whether ``channel`` is in interval mode (occupancy above ``announce_max``)."""
        return (sub_key, channel) in self._batches

    # -- events -----------------------------------------------------------------------------------

    def _changed(
        self, sub_key: str, channel: str, action: str, uuid: str, state: dict | None = None
    ) -> None:
        """A join/leave/timeout happened: announce it, or summarise it in interval mode."""
        settings = self.settings(sub_key)
        after = self.occupancy(sub_key, channel)
        before = after - 1 if action == "join" else after + 1
        key = (sub_key, channel)
        batch = self._batches.get(key)
        if batch is None:
            if max(before, after) <= settings.announce_max:
                self._announce(sub_key, channel, action, uuid, state)
                return
            batch = self._batches[key] = _IntervalBatch()
            self._schedule(key, batch, settings)
            log.debug("presence: %s enters interval mode (occupancy %d)", channel, after)
        if settings.deltas:
            batch.record(uuid, action)
        if after <= settings.announce_max:
            # back in announce mode: flush what happened since the last interval event now, so
            # it comes before the next individually announced change
            del self._batches[key]
            if batch.timer is not None and batch.timer.active():
                batch.timer.cancel()
            log.debug("presence: %s leaves interval mode (occupancy %d)", channel, after)
            self._interval_event(sub_key, channel, batch, settings)

    def _schedule(
        self, key: tuple[str, str], batch: _IntervalBatch, settings: PresenceSettings
    ) -> None:
        if not self._stopped:
            batch.timer = self._clock.callLater(settings.interval, self._tick, key)

    def _tick(self, key: tuple[str, str]) -> None:
        """A channel's interval is up: send its ``interval`` event and schedule the next."""
        batch = self._batches.get(key)
        if batch is None:
            return
        settings = self.settings(key[0])
        self._schedule(key, batch, settings)
        self._interval_event(key[0], key[1], batch, settings)

    def _interval_event(
        self, sub_key: str, channel: str, batch: _IntervalBatch, settings: PresenceSettings
    ) -> None:
        changes, overflow = batch.take()
        occupancy = self.occupancy(sub_key, channel)
        payload: dict[str, Any] = {
            "action": "interval",
            "timestamp": int(self._clock.seconds()),
            "occupancy": occupancy,
        }
        if settings.deltas:
            if overflow:
                payload["here_now_refresh"] = True
            else:
                for action in _DELTA_ACTIONS:
                    uuids = [uuid for uuid, done in changes.items() if done == action]
                    if uuids:
                        payload[action] = uuids
        meta = {
            "pn_action": "interval",
            "pn_channel": channel,
            "pn_ispresence": 1,
            "pn_occupancy": occupancy,
        }
        log.debug("presence interval on %s (occupancy %d)", channel, occupancy)
        self._emit(sub_key, channel, payload, meta)

    def _announce(
        self, sub_key: str, channel: str, action: str, uuid: str, state: dict | None = None
    ) -> None:
        seconds = self._clock.seconds()
        timestamp = int(seconds)
        precise = int(seconds * 1000)
        occupancy = self.occupancy(sub_key, channel)
        payload: dict[str, Any] = {
            "action": action,
            "uuid": uuid,
            "timestamp": timestamp,
            "precise_timestamp": precise,
            "occupancy": occupancy,
        }
        if state:
            payload["data"] = state
        meta: dict[str, Any] = {
            "pn_action": action,
            "pn_uuid": uuid,
            "pn_timestamp": timestamp,
            "pn_precise_timestamp": precise,
            "pn_occupancy": occupancy,
            "pn_ispresence": 1,
            "pn_channel": channel,
        }
        for key, value in (state or {}).items():
            meta["pn_state_%s" % key] = value
        log.debug("presence %s %s on %s (occupancy %d)", action, uuid, channel, occupancy)
        self._emit(sub_key, channel, payload, meta)
