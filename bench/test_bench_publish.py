"""Publish end to end over loopback HTTP: client CPU per publish, side by side.

Groups ``publish-serial`` (one publish at a time) and ``publish-16-in-flight``; each round sends
``PUBLISHES`` publishes of the same small JSON message to the cheap loopback server
(``bench/loopback_server.py``, its own process) and waits for every result. Rows:

* ``official`` — PubNub's ``PubNubAsyncio`` 10.8 with its aiohttp handler, on an asyncio loop;
* ``floor`` (serial only) — a bare Twisted ``Protocol`` writing one pre-built request and reading
  its response on a kept-alive connection: no URL, JSON, result object or Deferred per call;
* ``pubnub_fast-pure`` / ``pubnub_fast-compiled`` — ``PubNubTwisted.publish()...deferred()`` with the
  default transport, the pure or the compiled twins.

Times are CPU time of this process (``time.process_time``) per round; ``extra_info`` holds the
CPU per publish. In a full run the pubnub_fast rows also run the official client (and, serially,
the floor), one round of each before each of theirs (``peers.PairedRounds``). Targets, checked in
the compiled row against those interleaved rounds (the best round of each side, see
``bench/conftest.py``): >= 2.5x less CPU than the official client serially, >= 2x with 16 in
flight, and at most 2x the floor serially.

    python -m pytest bench/test_bench_publish.py --benchmark-only -q -p no:cacheprovider
"""
import time

import pytest

import peers

PUBLISHES = 500
IN_FLIGHT = 16
TARGETS = {"publish-serial": 2.5, "publish-16-in-flight": 2.0}
FLOOR_FACTOR = 2.0
ROUNDS = 15

_floor_median = {}


@pytest.fixture(scope="module")
def server():
    with peers.loopback_server() as running:
        yield running


def _fast_batch(pubnub, count, in_flight):
    """A Deferred firing once ``count`` publishes succeeded, ``in_flight`` at a time."""
    from twisted.internet import defer

    done = defer.Deferred()
    state = {"sent": 0, "finished": 0}
    message = peers.MESSAGE

    def send(_=None):
        if state["sent"] < count:
            state["sent"] += 1
            pubnub.publish().channel("bench").message(message).deferred().addCallbacks(finished, failed)

    def finished(envelope):
        state["finished"] += 1
        if state["finished"] == count:
            done.callback(envelope)
        else:
            send()

    def failed(reason):
        if not done.called:
            done.errback(reason)

    for _ in range(min(in_flight, count)):
        send()
    return done


async def _official_batch(pubnub, count, in_flight):
    import asyncio

    left = [count]
    results = []

    async def worker():
        while left[0] > 0:
            left[0] -= 1
            envelope = await pubnub.publish().channel("bench").message(peers.MESSAGE).future()
            if envelope.status.is_error():
                raise RuntimeError("official publish failed: %r" % envelope.status.error_data)
            results.append(envelope)

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return results[-1]


def _run(benchmark, row, server, in_flight, twins_on, quick):
    # --bench-quick: every row runs and checks its result, with a short batch and one round
    count, rounds = (20, 1) if quick else (PUBLISHES, ROUNDS)
    benchmark.extra_info["publishes_per_round"] = count
    paired = None
    if row == "official":
        official = peers.OfficialAsyncio(server.origin)
        try:
            last = official.run(_official_batch(official.pubnub, 10, in_flight))
            assert last.result.timetoken > 17000000000000000
            benchmark.pedantic(lambda: official.run(_official_batch(official.pubnub, count, in_flight)),
                               rounds=rounds, iterations=1, warmup_rounds=1)
        finally:
            official.close()
    elif row == "floor":
        connection = peers.floor_connection(server.port)
        try:
            peers.blockon(connection.exchange(10))
            benchmark.pedantic(lambda: peers.blockon(connection.exchange(count)),
                               rounds=rounds, iterations=1, warmup_rounds=1)
        finally:
            connection.transport.loseConnection()
    else:
        # the official client (and, serially, the floor) also run: one round of each before each
        # round of this row, for the ratios the targets are checked on (not in quick mode)
        official = connection = None
        try:
            if not quick:
                official = peers.OfficialAsyncio(server.origin)
                official.run(_official_batch(official.pubnub, 10, in_flight))
                rounds_of = {"official": lambda: official.run(_official_batch(official.pubnub, count, in_flight))}
                if in_flight == 1:
                    connection = peers.floor_connection(server.port)
                    peers.blockon(connection.exchange(10))
                    rounds_of["floor"] = lambda: peers.blockon(connection.exchange(count))
                paired = peers.PairedRounds(rounds_of)
            with peers.twins("c" if row == "pubnub_fast-compiled" else "py", twins_on):
                pubnub = peers.fast_client(server.origin)
                try:
                    last = peers.blockon(_fast_batch(pubnub, 10, in_flight))
                    assert last.result.timetoken > 17000000000000000 and not last.status.is_error()
                    benchmark.pedantic(lambda: peers.blockon(_fast_batch(pubnub, count, in_flight)),
                                       setup=paired.setup if paired is not None else None,
                                       rounds=rounds, iterations=1, warmup_rounds=1)
                finally:
                    peers.blockon(pubnub.stop())
        finally:
            if connection is not None:
                connection.transport.loseConnection()
            if official is not None:
                official.close()
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["cpu_us_per_publish"] = round(stats.stats.median / count * 1e6, 1)
    return stats, paired


@pytest.mark.benchmark(group="publish-serial", timer=time.process_time)
@pytest.mark.parametrize("row", ["official", "floor", "pubnub_fast-pure", "pubnub_fast-compiled"])
def test_publish_serial(benchmark, record_ratio, row, server, twins_on, bench_quick):
    return peers.outside_reactor(lambda: _serial(benchmark, record_ratio, row, server, twins_on, bench_quick))


def _serial(benchmark, record_ratio, row, server, twins_on, quick):
    group = "publish-serial"
    stats, paired = _run(benchmark, row, server, 1, twins_on, quick)
    record_ratio(benchmark, group, row, TARGETS[group], paired=paired)
    if stats is None:
        return
    if row == "floor":
        _floor_median[group] = stats.stats.median
    elif row == "pubnub_fast-compiled" and group in _floor_median:
        factor = stats.stats.median / _floor_median[group]
        benchmark.extra_info["x_floor"] = round(factor, 2)
        floor, ours = _floor_median[group], stats.stats.median
        if paired is not None and paired.median("floor") is not None:
            # the floor measured in rounds interleaved with this row's: best rounds of both, as
            # for the ratios (bench/conftest.py's _record_ratio says why)
            benchmark.extra_info["x_floor_paired"] = round(ours / paired.median("floor"), 2)
            floor, ours = paired.best("floor"), stats.stats.min
            factor = ours / floor
            benchmark.extra_info["x_floor_paired_best"] = round(factor, 2)
        assert quick or factor <= FLOOR_FACTOR, (
            "%s: compiled pubnub_fast uses %.2fx the CPU of the bare-protocol floor (%.1f vs %.1f us per publish); "
            "the target is at most %.1fx" % (group, factor, ours / PUBLISHES * 1e6,
                                             floor / PUBLISHES * 1e6, FLOOR_FACTOR))


@pytest.mark.benchmark(group="publish-16-in-flight", timer=time.process_time)
@pytest.mark.parametrize("row", ["official", "pubnub_fast-pure", "pubnub_fast-compiled"])
def test_publish_16_in_flight(benchmark, record_ratio, row, server, twins_on, bench_quick):
    def body():
        group = "publish-16-in-flight"
        _, paired = _run(benchmark, row, server, IN_FLIGHT, twins_on, bench_quick)
        record_ratio(benchmark, group, row, TARGETS[group], paired=paired)

    return peers.outside_reactor(body)
