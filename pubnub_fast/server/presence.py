"""Presence: who is on which channel, their state, and the events that announce changes.

Kept in memory only (decisions.md §12). A uuid becomes present on a channel with its first
subscribe or heartbeat there (``join``), stays present while it keeps sending them, and leaves
with ``/leave`` (``leave``) or when it has been silent longer than its presence timeout
(``timeout``). A parked subscribe long-poll counts as activity for as long as it is held, so
only a client that really went away times out — and a client that drops a long-poll (to change
channels) gets no leave event. State changes emit ``state-change``. Every event goes to
``<channel>-pnpres`` through the ``emit`` callback given by the server (protocol.md §3.5, §4).

Time comes from the reactor (``IReactorTime``), so tests drive timeouts with ``task.Clock``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from twisted.internet.task import LoopingCall

log = logging.getLogger("pubnub_fast.server.presence")

#: Presence timeout when the client does not send ``heartbeat`` (python SDK default).
DEFAULT_PRESENCE_TIMEOUT = 300
MAX_PRESENCE_TIMEOUT = 86_400

#: ``emit(sub_key, channel, event_payload, event_meta)`` publishes one presence event.
EventSink = Callable[[str, str, dict, dict], None]


@dataclass
class Occupant:
    """One uuid on one channel."""

    last_seen: float
    timeout: float
    holds: int = 0  # parked subscribe long-polls of this uuid covering the channel


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

    def __init__(self, clock: Any, emit: EventSink, sweep_interval: float = 1.0) -> None:
        self._clock = clock
        self._emit = emit
        self._sweep_interval = sweep_interval
        #: (sub_key, channel) -> {uuid: Occupant}
        self._occupants: dict[tuple[str, str], dict[str, Occupant]] = {}
        #: (sub_key, uuid) -> channels the uuid is present on
        self._channels_of: dict[tuple[str, str], set[str]] = {}
        #: (sub_key, channel) -> {uuid: state object}
        self._states: dict[tuple[str, str], dict[str, dict]] = {}
        self._sweeper = LoopingCall(self.sweep)
        self._sweeper.clock = clock

    def start(self) -> None:
        self._sweeper.start(self._sweep_interval, now=False)

    def stop(self) -> None:
        if self._sweeper.running:
            self._sweeper.stop()

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
                occupant = occupants[uuid] = Occupant(now, timeout)
                self._channels_of.setdefault((sub_key, uuid), set()).add(channel)
                if new_state is not None:
                    self._store_state(sub_key, channel, uuid, new_state)
                self._announce(sub_key, channel, "join", uuid, self.state(sub_key, uuid, channel) or None)
            else:
                occupant.last_seen = now
                occupant.timeout = timeout
                if new_state is not None:
                    self.set_state(sub_key, uuid, [channel], new_state)
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
                self._announce(sub_key, channel, "leave", uuid)

    def sweep(self) -> None:
        """Time out every uuid that has been silent longer than its presence timeout."""
        now = self._clock.seconds()
        expired = [
            (sub_key, channel, uuid)
            for (sub_key, channel), occupants in self._occupants.items()
            for uuid, occupant in occupants.items()
            if occupant.holds == 0 and now - occupant.last_seen > occupant.timeout
        ]
        for sub_key, channel, uuid in expired:
            if self._remove(sub_key, channel, uuid):
                self._announce(sub_key, channel, "timeout", uuid)

    def _remove(self, sub_key: str, channel: str, uuid: str) -> bool:
        occupants = self._occupants.get((sub_key, channel))
        if not occupants or uuid not in occupants:
            self._drop_state(sub_key, channel, uuid)
            return False
        del occupants[uuid]
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
        """Replace the state of ``uuid`` on ``channels``; present uuids announce a state-change."""
        for channel in channels:
            previous = self.state(sub_key, uuid, channel)
            self._store_state(sub_key, channel, uuid, state)
            current = self.state(sub_key, uuid, channel)
            if current != previous and uuid in self._occupants.get((sub_key, channel), {}):
                self._announce(sub_key, channel, "state-change", uuid, current)

    def _store_state(self, sub_key: str, channel: str, uuid: str, state: dict) -> None:
        cleaned = {key: value for key, value in state.items() if value is not None}
        if cleaned:
            self._states.setdefault((sub_key, channel), {})[uuid] = cleaned
        else:
            self._drop_state(sub_key, channel, uuid)

    def _drop_state(self, sub_key: str, channel: str, uuid: str) -> None:
        states = self._states.get((sub_key, channel))
        if states is not None and states.pop(uuid, None) is not None and not states:
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

    # -- events -----------------------------------------------------------------------------------

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
