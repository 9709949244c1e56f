"""Subscribe end to end over loopback HTTP: client CPU per message delivered to a listener.

Groups ``subscribe-e2e-plain`` and ``subscribe-e2e-encrypted``: a client subscribes to one
channel on the cheap loopback server (``bench/loopback_server.py``, its own process), which
answers every long-poll at once with 100 messages with fresh timetokens (the payloads of
``bench/conftest.py``; encrypted with the legacy cryptor and random IVs for the encrypted
group). A round lasts until ``PER_ROUND`` more messages reached the listener's ``message()``
(60 long-polls); the median of ``ROUNDS`` rounds is the row's figure (rounds of 1,000 messages left
the official row's median moving by 10-20 % between runs).
Rows: ``official`` — ``PubNubAsyncio`` 10.8 (aiohttp handler) with a ``SubscribeCallback``;
``pubnub_fast-pure`` / ``pubnub_fast-compiled`` — ``PubNubTwisted`` with a ``SubscribeCallback``.

Times are CPU time of this process (``time.process_time``) per round; ``extra_info`` holds the
CPU per message. In a full run the pubnub_fast rows also run the official client, one round of it
before each of theirs (``peers.PairedRounds``): the targets are checked on those interleaved rounds
(the best round of each side, ``extra_info["x_vs_official_paired_best"]``; ``bench/conftest.py``
says why), so that a slow spell of the machine hits both sides of the ratio alike — >= 6x more
messages per CPU-second plain, >= 10x encrypted.

    python -m pytest bench/test_bench_subscribe.py --benchmark-only -q -p no:cacheprovider
"""
import time

import pytest

import peers

PER_ROUND = 6000
ROUNDS = 15
TARGETS = {"subscribe-e2e-plain": 6.0, "subscribe-e2e-encrypted": 10.0}
ROWS = ["official", "pubnub_fast-pure", "pubnub_fast-compiled"]


@pytest.fixture(scope="module")
def server():
    with peers.loopback_server() as running:
        yield running


class Counting:
    """Counts ``message()`` calls; ``until(n)`` resolves once ``n`` more arrived."""

    def __init__(self, make_waiter):
        self.count = 0
        self.target = None
        self.waiter = None
        self.make_waiter = make_waiter
        self.last = None
        self.errors = []

    def until(self, more):
        self.target = self.count + more
        self.waiter = self.make_waiter()
        return self.waiter

    def message(self, message):
        self.count += 1
        self.last = message
        if self.target is not None and self.count >= self.target:
            waiter, self.waiter, self.target = self.waiter, None, None
            waiter.resolve()


def _fast_listener(counting):
    from pubnub_fast.callbacks import SubscribeCallback

    return _listener(SubscribeCallback, counting)


def _official_listener(counting):
    from pubnub.callbacks import SubscribeCallback

    return _listener(SubscribeCallback, counting)


def _listener(base, counting):
    """The same counting listener on either SDK's ``SubscribeCallback``."""

    class Listener(base):
        def status(self, pubnub, status):
            if status.is_error():
                counting.errors.append(status)

        def message(self, pubnub, message):
            counting.message(message)

        def presence(self, pubnub, presence):
            pass

    return Listener()


class _TwistedWaiter:
    def __init__(self):
        from twisted.internet import defer

        self.deferred = defer.Deferred()

    def resolve(self):
        self.deferred.callback(None)


class _AsyncioWaiter:
    def __init__(self, loop):
        self.future = loop.create_future()

    def resolve(self):
        if not self.future.done():
            self.future.set_result(None)


class _OfficialSubscriber:
    """The official ``PubNubAsyncio`` subscribed to ``channel``; ``round(n)`` waits for ``n`` more
    messages (running its asyncio loop meanwhile)."""

    def __init__(self, server, channel, cipher_key):
        self.official = peers.OfficialAsyncio(server.origin, cipher_key=cipher_key)
        loop = self.official.loop
        self.counting = Counting(lambda: _AsyncioWaiter(loop))
        self.official.pubnub.add_listener(_official_listener(self.counting))
        self.official.pubnub.subscribe().channels([channel]).execute()

    def round(self, count):
        self.official.run(self.counting.until(count).future)

    def close(self):
        try:
            self.official.pubnub.unsubscribe_all()
        except Exception:  # pragma: no cover - best effort
            pass
        self.official.close()


def _run(benchmark, row, server, encrypted, twins_on, quick):
    """Measure ``row``; returns the ``PairedRounds`` of the official peer for the pubnub_fast rows
    of a full run (None otherwise)."""
    # --bench-quick: every row runs and checks what it delivered, with short rounds
    per_round, rounds = (200, 1) if quick else (PER_ROUND, ROUNDS)
    channel = "enc-bench" if encrypted else "plain-bench"
    cipher_key = peers.CIPHER_KEY if encrypted else None
    payloads = peers.expected_payloads()
    benchmark.extra_info["messages_per_round"] = per_round
    paired = None
    if row == "official":
        official = _OfficialSubscriber(server, channel, cipher_key)
        try:
            official.round(per_round)
            counting = official.counting
            assert counting.last.message in payloads and not counting.errors, counting.errors
            benchmark.pedantic(lambda: official.round(per_round), rounds=rounds, iterations=1, warmup_rounds=1)
        finally:
            official.close()
    else:
        # the official client also runs, one round before each of this row's (not in quick mode)
        official = None if quick else _OfficialSubscriber(server, channel, cipher_key)
        try:
            if official is not None:
                official.round(per_round)
                paired = peers.PairedRounds({"official": lambda: official.round(per_round)})
            with peers.twins("c" if row == "pubnub_fast-compiled" else "py", twins_on):
                pubnub = peers.fast_client(server.origin, cipher_key=cipher_key)
                counting = Counting(_TwistedWaiter)
                pubnub.add_listener(_fast_listener(counting))
                try:
                    pubnub.subscribe().channels([channel]).execute()
                    peers.blockon(counting.until(per_round).deferred)
                    assert counting.last.message in payloads and not counting.errors, counting.errors
                    benchmark.pedantic(lambda: peers.blockon(counting.until(per_round).deferred),
                                       setup=paired.setup if paired is not None else None,
                                       rounds=rounds, iterations=1, warmup_rounds=1)
                finally:
                    peers.blockon(pubnub.stop())
        finally:
            if official is not None:
                official.close()
    _record_per_message(benchmark, per_round)
    return paired


def _record_per_message(benchmark, per_round):
    """``extra_info``: CPU per message and messages per CPU-second, from the median round."""
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        per_message = stats.stats.median / per_round
        benchmark.extra_info["cpu_us_per_message"] = round(per_message * 1e6, 2)
        benchmark.extra_info["messages_per_cpu_second"] = round(1 / per_message)


@pytest.mark.benchmark(group="subscribe-e2e-plain", timer=time.process_time)
@pytest.mark.parametrize("row", ROWS)
def test_subscribe_plain(benchmark, record_ratio, row, server, twins_on, bench_quick):
    def body():
        paired = _run(benchmark, row, server, False, twins_on, bench_quick)
        record_ratio(benchmark, "subscribe-e2e-plain", row, TARGETS["subscribe-e2e-plain"], paired=paired)

    return peers.outside_reactor(body)


@pytest.mark.benchmark(group="subscribe-e2e-encrypted", timer=time.process_time)
@pytest.mark.parametrize("row", ROWS)
def test_subscribe_encrypted(benchmark, record_ratio, row, server, twins_on, bench_quick):
    def body():
        paired = _run(benchmark, row, server, True, twins_on, bench_quick)
        record_ratio(benchmark, "subscribe-e2e-encrypted", row, TARGETS["subscribe-e2e-encrypted"], paired=paired)

    return peers.outside_reactor(body)


@pytest.mark.benchmark(group="subscribe-e2e-plain-asyncio-style", timer=time.process_time)
@pytest.mark.parametrize("row", ["official", "pubnub_fast-compiled"])
def test_subscribe_plain_asyncio_style(benchmark, record_ratio, row, server, twins_on, bench_quick):
    """The same plain subscribe through ``pubnub_fast.pubnub_asyncio.PubNubAsyncio`` — the official
    SDK's own style, drop-in: its reactor thread hands each response's messages to the asyncio loop
    in one ``call_soon_threadsafe``. CPU of this process (both threads). No target: reported."""

    def body():
        if row == "official":
            _run(benchmark, row, server, False, twins_on, bench_quick)  # the plain group's official row
        else:
            per_round, rounds = (200, 1) if bench_quick else (PER_ROUND, ROUNDS)
            benchmark.extra_info["messages_per_round"] = per_round
            with peers.twins("c", twins_on):
                client = peers.FastAsyncio(server.origin)
                counting = Counting(lambda: _AsyncioWaiter(client.loop))
                client.pubnub.add_listener(_fast_listener(counting))
                try:
                    client.pubnub.subscribe().channels(["plain-bench"]).execute()
                    client.run(counting.until(per_round).future)
                    assert counting.last.message in peers.expected_payloads() and not counting.errors
                    benchmark.pedantic(lambda: client.run(counting.until(per_round).future),
                                       rounds=rounds, iterations=1, warmup_rounds=1)
                finally:
                    client.close()
            _record_per_message(benchmark, per_round)
        record_ratio(benchmark, "subscribe-e2e-plain-asyncio-style", row)

    return peers.outside_reactor(body)
