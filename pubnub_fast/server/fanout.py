"""Delivery of published messages to subscribers (subscribe v2 long-polls).

A subscribe request becomes a :class:`Subscription` (channels, ``-pnpres`` channels, groups,
wildcards, a filter) and a cursor. :meth:`Fanout.poll` answers at once when messages newer than
the cursor are already known — from the in-memory channel tails, or from SQLite when the cursor
is older than what memory holds — and otherwise parks the poll until a publish wakes it or the
long-poll time runs out. The returned Deferred is cancellable: the HTTP layer cancels it when
the client disconnects, which unparks the poll and leaves nothing behind.

Matching a published channel ``C`` to parked polls uses an index keyed by what the poll
subscribed to: ``C`` itself, every group containing ``C`` (``g-pnpres`` for presence events),
and every wildcard pattern ``C`` falls under (``a.*``, ``a.b.*``) — so a publish costs
O(groups + dots), not O(subscribers). Each poll gets a message once, through the first
subscription that matched (direct channel, then group, then wildcard), which becomes ``b``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from twisted.internet.defer import Deferred

from pubnub_fast.server.messages import (
    PRESENCE_SUFFIX,
    MessageRecord,
    MessageStore,
    wildcard_prefix,
)
from pubnub_fast.server.registry import ChannelGroupRegistry
from pubnub_fast.server.timetokens import TimetokenClock

#: Messages per subscribe response (decisions.md §13).
MAX_MESSAGES_PER_RESPONSE = 100

_CHANNEL, _GROUP, _WILDCARD = "c", "g", "w"


def is_presence(name: str) -> bool:
    return name.endswith(PRESENCE_SUFFIX) and len(name) > len(PRESENCE_SUFFIX)


def strip_presence(name: str) -> str:
    return name[: -len(PRESENCE_SUFFIX)] if is_presence(name) else name


def split_wildcard(pattern: str) -> tuple[str, bool] | None:
    """``("a.", False)`` for ``a.*``, ``("a.", True)`` for ``a.*-pnpres``; None if no wildcard."""
    presence = is_presence(pattern)
    prefix = wildcard_prefix(strip_presence(pattern))
    return None if prefix is None else (prefix, presence)


@dataclass
class Subscription:
    """What one subscribe request asked for."""

    sub_key: str
    uuid: str
    channels: list[str] = field(default_factory=list)  # concrete names, ``-pnpres`` included
    wildcards: list[str] = field(default_factory=list)  # ``a.*`` / ``a.*-pnpres``
    groups: list[str] = field(default_factory=list)  # ``cg`` / ``cg-pnpres``
    filter: Any = None  # a CompiledFilter or None

    def index_keys(self) -> list[tuple[str, str, str]]:
        return (
            [(self.sub_key, _CHANNEL, name) for name in self.channels]
            + [(self.sub_key, _GROUP, name) for name in self.groups]
            + [(self.sub_key, _WILDCARD, name) for name in self.wildcards]
        )

    def accepts(self, record: MessageRecord) -> bool:
        """Whether the filter lets ``record`` through (``CompiledFilter.matches`` never raises)."""
        return self.filter is None or self.filter.matches(record.meta, record.payload)


@dataclass
class _Batch:
    """What a catch-up scan found: deliverable messages and how far the scan is complete."""

    deliveries: list[tuple[MessageRecord, str]]
    horizon: int | None  # scanned completely up to here (None: up to now)


class PendingPoll:
    """A parked long-poll waiting for messages."""

    def __init__(self, fanout: "Fanout", subscription: Subscription, cursor: int) -> None:
        self.subscription = subscription
        self.cursor = cursor
        self.result: Deferred = Deferred(self._cancelled)
        self._fanout = fanout
        self._deliveries: list[tuple[MessageRecord, str]] = []
        self._timer: Any = None
        self._flush_call: Any = None
        self.done = False

    def offer(self, record: MessageRecord, subscription_name: str) -> None:
        """A publish matched this poll; answer soon (batching what one reactor turn publishes)."""
        if self.done or record.timetoken <= self.cursor:
            return
        if not self.subscription.accepts(record):
            return
        self._deliveries.append((record, subscription_name))
        if len(self._deliveries) >= MAX_MESSAGES_PER_RESPONSE:
            self.flush()
        elif self._flush_call is None:
            self._flush_call = self._fanout.reactor.callLater(0, self.flush)

    def flush(self) -> None:
        self._fanout.answer(self, _Batch(self._deliveries, None))

    def arm(self, seconds: float) -> None:
        """Answer empty after ``seconds`` unless something arrives first."""
        self._timer = self._fanout.reactor.callLater(seconds, self.expire)

    def expire(self) -> None:
        self._timer = None
        self._fanout.answer(self, _Batch([], None))

    def stop_timers(self) -> None:
        for call in (self._timer, self._flush_call):
            if call is not None and call.active():
                call.cancel()
        self._timer = self._flush_call = None

    def _cancelled(self, _: Deferred) -> None:
        self._fanout.unpark(self)


class Fanout:
    """Parked polls of every subscribe key and the publish path that wakes them."""

    def __init__(
        self,
        reactor: Any,
        timetokens: TimetokenClock,
        store: MessageStore,
        registry: ChannelGroupRegistry,
        long_poll: float,
    ) -> None:
        self.reactor = reactor
        self.timetokens = timetokens
        self.store = store
        self.registry = registry
        self.long_poll = long_poll
        self._parked: dict[tuple[str, str, str], set[PendingPoll]] = {}
        self._all: set[PendingPoll] = set()

    @property
    def parked_count(self) -> int:
        """Polls waiting right now (tests use it to check nothing leaks)."""
        return len(self._all)

    # -- subscribe --------------------------------------------------------------------------------

    def poll(self, subscription: Subscription, cursor: int) -> Deferred:
        """Answer a long-poll: fires with ``(next_cursor, [envelope bytes…])``.

        Cancel the Deferred when the client goes away.
        """
        poll = PendingPoll(self, subscription, cursor)
        concrete = self._concrete(subscription)
        channels, prefixes = self._storage_reads(subscription, concrete, cursor)
        if not channels and not prefixes:
            self._answer_or_park(poll, concrete, [], None)
            return poll.result

        def scanned(stored: list[MessageRecord]) -> None:
            if poll.result.called:
                return  # cancelled while SQLite was busy
            horizon = stored[-1].timetoken if len(stored) >= MAX_MESSAGES_PER_RESPONSE else None
            # Groups may have changed while SQLite was busy: expand them again.
            self._answer_or_park(poll, self._concrete(subscription), stored, horizon)

        def failed(failure: Any) -> None:
            if not poll.result.called:
                poll.result.errback(failure)

        reading = self.store.stored_after(
            subscription.sub_key,
            channels,
            prefixes,
            cursor,
            MAX_MESSAGES_PER_RESPONSE,
            self.timetokens.wall(),
        )
        reading.addCallbacks(scanned, failed)
        return poll.result

    def _answer_or_park(
        self,
        poll: PendingPoll,
        concrete: dict[str, str],
        stored: Sequence[MessageRecord],
        horizon: int | None,
    ) -> None:
        batch = self._scan(poll.subscription, concrete, poll.cursor, stored, horizon)
        if batch.deliveries or batch.horizon is not None:
            self.answer(poll, batch)
            return
        self._park(poll)

    def _park(self, poll: PendingPoll) -> None:
        self._all.add(poll)
        for key in poll.subscription.index_keys():
            self._parked.setdefault(key, set()).add(poll)
        poll.arm(self.long_poll)

    def unpark(self, poll: PendingPoll) -> None:
        poll.done = True
        poll.stop_timers()
        if poll in self._all:
            self._all.discard(poll)
            for key in poll.subscription.index_keys():
                polls = self._parked.get(key)
                if polls is not None:
                    polls.discard(poll)
                    if not polls:
                        del self._parked[key]

    def answer(self, poll: PendingPoll, batch: _Batch) -> None:
        """Fire the poll's Deferred with at most 100 messages and the next cursor."""
        if poll.result.called:
            return
        self.unpark(poll)
        deliveries = sorted(batch.deliveries, key=lambda item: item[0].timetoken)
        if len(deliveries) > MAX_MESSAGES_PER_RESPONSE:
            deliveries = deliveries[:MAX_MESSAGES_PER_RESPONSE]
            next_cursor = deliveries[-1][0].timetoken
        elif batch.horizon is not None:
            next_cursor = batch.horizon
        else:
            next_cursor = max(poll.cursor, self.timetokens.cursor())
        envelopes = [record.envelope(name) for record, name in deliveries]
        poll.result.callback((next_cursor, envelopes))

    def close(self) -> None:
        """Answer every parked poll (server shutdown)."""
        for poll in list(self._all):
            poll.expire()

    # -- catch-up ---------------------------------------------------------------------------------

    def _concrete(self, subscription: Subscription) -> dict[str, str]:
        """Concrete channel -> subscription name (``b``) for everything the poll covers now."""
        sub_key = subscription.sub_key
        found: dict[str, str] = {}
        for channel in subscription.channels:
            found.setdefault(channel, channel)
        for group in subscription.groups:
            presence = is_presence(group)
            for channel in self.registry.channels(sub_key, strip_presence(group)):
                found.setdefault(channel + PRESENCE_SUFFIX if presence else channel, group)
        for pattern in subscription.wildcards:
            prefix, presence = split_wildcard(pattern)  # type: ignore[misc]
            for channel in self.store.channels_matching(sub_key, prefix):
                if is_presence(channel) == presence:
                    found.setdefault(channel, pattern)
        return found

    def _storage_reads(
        self, subscription: Subscription, concrete: dict[str, str], cursor: int
    ) -> tuple[list[str], list[str]]:
        """Channels and wildcard prefixes whose messages after ``cursor`` are not all in memory."""
        sub_key = subscription.sub_key
        channels = [
            channel
            for channel in concrete
            if not is_presence(channel) and not self.store.memory_covers(sub_key, channel, cursor)
        ]
        prefixes = []
        if cursor < self.store.memory_since:
            for pattern in subscription.wildcards:
                prefix, presence = split_wildcard(pattern)  # type: ignore[misc]
                if not presence:
                    prefixes.append(prefix)
        return channels, prefixes

    def _scan(
        self,
        subscription: Subscription,
        concrete: dict[str, str],
        cursor: int,
        stored: Sequence[MessageRecord],
        horizon: int | None,
    ) -> _Batch:
        """Deliverable messages after ``cursor``: ``stored`` ones, then the in-memory tails."""
        seen: set[tuple[str, int]] = set()
        deliveries: list[tuple[MessageRecord, str]] = []

        def consider(record: MessageRecord, name: str) -> None:
            if horizon is not None and record.timetoken > horizon:
                return
            key = (record.channel, record.timetoken)
            if key in seen:
                return
            seen.add(key)
            if subscription.accepts(record):
                deliveries.append((record, name))

        for record in stored:
            name = concrete.get(record.channel) or self._wildcard_name(subscription, record.channel)
            if name is not None:
                consider(record, name)
        for channel, name in concrete.items():
            tail = self.store.tail(subscription.sub_key, channel)
            if tail is not None:
                for record in tail.after(cursor):
                    consider(record, name)
        return _Batch(deliveries, horizon)

    @staticmethod
    def _wildcard_name(subscription: Subscription, channel: str) -> str | None:
        for pattern in subscription.wildcards:
            prefix, presence = split_wildcard(pattern)  # type: ignore[misc]
            if channel.startswith(prefix) and is_presence(channel) == presence:
                return pattern
        return None

    # -- publish ----------------------------------------------------------------------------------

    def deliver(self, record: MessageRecord) -> int:
        """Offer a just-published record to every parked poll it matches; returns how many."""
        if not self._all:
            return 0
        sub_key = record.sub_key
        channel = record.channel
        presence = is_presence(channel)
        base = strip_presence(channel)
        suffix = PRESENCE_SUFFIX if presence else ""
        keys: list[tuple[tuple[str, str, str], str]] = [((sub_key, _CHANNEL, channel), channel)]
        for group in self.registry.groups_containing(sub_key, base):
            keys.append(((sub_key, _GROUP, group + suffix), group + suffix))
        dot = base.find(".")
        while dot != -1:
            pattern = base[: dot + 1] + "*" + suffix
            keys.append(((sub_key, _WILDCARD, pattern), pattern))
            dot = base.find(".", dot + 1)
        offered: set[PendingPoll] = set()
        for key, name in keys:
            for poll in tuple(self._parked.get(key, ())):
                if poll not in offered:
                    offered.add(poll)
                    poll.offer(record, name)
        return len(offered)
