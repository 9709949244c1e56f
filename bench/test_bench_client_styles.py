"""The cost of the client styles: a publish per style, and the thread hop the sync/asyncio styles add.

Run: ``python -m pytest bench/test_bench_client_styles.py --benchmark-only``. The timer is the
**CPU time of this process** (``time.process_time``: every thread — caller, private reactor,
callbacks), so load from other processes does not distort the rows; the server is
``pubnub-fast serve`` in a subprocess and is not counted.

* ``style-publish``: ``BATCH`` sequential publishes (GET, ~20-byte message) answered by the local
  server, per style (divide by ``BATCH`` for one publish). The Twisted row drives
  ``PubNubTwisted`` itself on a reactor thread, one hop per batch: the floor the sync and asyncio
  styles are compared with.
* ``style-hop``: ``BATCH`` round trips the sync and asyncio clients add to every call — from the
  caller's thread (or event loop) to the client's private reactor thread and back, nothing sent.
"""
import asyncio
import time

import pytest
from twisted.internet import defer

from pubnub_fast.pnconfiguration import PNConfiguration
from tests.server.server_process import ServerProcess

BATCH = 20
CPU = time.process_time


@pytest.fixture(scope="module")
def origin():
    with ServerProcess("--long-poll", "3") as server:
        yield server.origin


def fast_config(origin):
    config = PNConfiguration(subscribe_key="demo", publish_key="demo", uuid="bench-styles")
    config.origin = origin
    config.ssl = False
    return config


def official_config(origin):
    pytest.importorskip("pubnub.pubnub")
    from pubnub.pnconfiguration import PNConfiguration as OfficialConfiguration

    config = OfficialConfiguration()
    config.subscribe_key, config.publish_key, config.uuid = "demo", "demo", "bench-styles"
    config.origin = origin
    config.ssl = False
    return config


@pytest.mark.benchmark(group="style-publish", timer=CPU)
@pytest.mark.parametrize("row", ["official-sync", "pubnub_fast-sync"])
def test_publish_sync(benchmark, origin, row):
    if row == "official-sync":
        from pubnub.pubnub import PubNub

        pubnub = PubNub(official_config(origin))
    else:
        from pubnub_fast.pubnub import PubNub

        pubnub = PubNub(fast_config(origin))
    try:
        def batch():
            for _ in range(BATCH):
                envelope = pubnub.publish().channel("bench").message("hello bench").sync()
            return envelope

        batch()
        envelope = benchmark(batch)
        assert envelope.result.timetoken > 0
    finally:
        pubnub.stop()


@pytest.mark.benchmark(group="style-publish", timer=CPU)
@pytest.mark.parametrize("row", ["official-asyncio", "pubnub_fast-asyncio"])
def test_publish_asyncio(benchmark, origin, row):
    loop = asyncio.new_event_loop()
    try:
        if row == "official-asyncio":
            from pubnub.pubnub_asyncio import PubNubAsyncio

            pubnub = loop.run_until_complete(_made(PubNubAsyncio, official_config(origin)))
        else:
            from pubnub_fast.pubnub_asyncio import PubNubAsyncio

            pubnub = loop.run_until_complete(_made(PubNubAsyncio, fast_config(origin)))

        async def batch():
            for _ in range(BATCH):
                envelope = await pubnub.publish().channel("bench").message("hello bench").future()
            return envelope

        loop.run_until_complete(batch())
        envelope = benchmark(lambda: loop.run_until_complete(batch()))
        assert not envelope.is_error()
        loop.run_until_complete(pubnub.stop())
    finally:
        loop.close()


async def _made(cls, config):
    return cls(config)


@pytest.mark.benchmark(group="style-publish", timer=CPU)
def test_publish_twisted(benchmark, origin):
    """``PubNubTwisted`` itself, driven on a reactor thread (one hop per batch of ``BATCH``)."""
    from pubnub_fast._client_threads import ReactorThread
    from pubnub_fast.pubnub_twisted import PubNubTwisted

    thread = ReactorThread()
    pubnub = PubNubTwisted(fast_config(origin), reactor=thread.reactor)

    @defer.inlineCallbacks
    def batch():
        for _ in range(BATCH):
            envelope = yield pubnub.publish().channel("bench").message("hello bench").deferred()
        return envelope

    try:
        thread.call(batch)
        envelope = benchmark(lambda: thread.call(batch))
        assert envelope.result.timetoken > 0
    finally:
        thread.call(pubnub.stop)
        thread.stop()


@pytest.mark.benchmark(group="style-hop", timer=CPU)
def test_hop_sync(benchmark):
    """``.sync()``'s overhead: caller thread → private reactor thread → caller, nothing sent
    (``BATCH`` hops per round)."""
    from pubnub_fast._client_threads import ReactorThread

    thread = ReactorThread()
    def batch():
        for _ in range(BATCH):
            value = thread.call(lambda: 1)
        return value

    try:
        assert benchmark(batch) == 1
    finally:
        thread.stop()


@pytest.mark.benchmark(group="style-hop", timer=CPU)
def test_hop_asyncio(benchmark, origin):
    """``.future()``'s overhead: event loop → private reactor thread → event loop, nothing sent
    (``BATCH`` hops per round)."""
    from pubnub_fast.pubnub_asyncio import PubNubAsyncio

    loop = asyncio.new_event_loop()
    pubnub = loop.run_until_complete(_made(PubNubAsyncio, fast_config(origin)))

    async def batch():
        for _ in range(BATCH):
            value = await pubnub._on_reactor(lambda: 1)
        return value

    try:
        assert benchmark(lambda: loop.run_until_complete(batch())) == 1
        loop.run_until_complete(pubnub.stop())
    finally:
        loop.close()
