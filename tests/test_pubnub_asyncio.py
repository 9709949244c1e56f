"""``pubnub_fast.pubnub_asyncio.PubNubAsyncio``: never blocks its loop, cancels, stops cleanly.

Request/subscribe behaviour is covered for all three styles by ``tests/test_client_styles.py``.
Here the HTTP server runs **on the client's own event loop** (``asyncio.start_server``): if the
client ever blocked the loop while waiting for a response, the server could not answer and the
test would time out — no timing assumptions needed.
"""
import asyncio
import os
import threading

import pytest

from pubnub_fast.exceptions import PubNubException
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_asyncio import PubNubAsyncio, SubscribeListener

WAIT = 10.0


class LoopServer:
    """A tiny HTTP/1.1 server on the running loop: answers ``/time/0`` after ``delay`` seconds,
    or holds every request until closed when ``hold`` is set; records connections and their end."""

    def __init__(self, delay=0.0, hold=False):
        self.delay = delay
        self.hold = hold
        self.requests = 0
        self.closed = asyncio.Event()
        self.server = None

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return "127.0.0.1:%d" % self.server.sockets[0].getsockname()[1]

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                if self.hold:
                    await reader.read()  # until the client closes the connection
                    break
                await asyncio.sleep(self.delay)
                body = b"[17000000000000000]" if head.startswith(b"GET /time/0") else b"{}"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed.set()
            writer.close()

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()


def config_of(origin, **settings):
    config = PNConfiguration(subscribe_key="demo", publish_key="demo", uuid="asyncio-client")
    config.origin = origin
    config.ssl = False
    for name, value in settings.items():
        setattr(config, name, value)
    return config


def client_threads():
    return sorted(t.name for t in threading.enumerate() if t.name.startswith("pubnub-"))


def test_requests_never_block_the_event_loop():
    async def main():
        server = LoopServer(delay=0.05)
        pubnub = PubNubAsyncio(config_of(await server.start()))
        try:
            ticks = 0

            async def ticker():
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.001)
                    ticks += 1

            ticking = asyncio.ensure_future(ticker())
            envelopes = await asyncio.wait_for(asyncio.gather(*[pubnub.time().future() for _ in range(5)]), WAIT)
            ticking.cancel()
            assert [int(e.result) for e in envelopes] == [17000000000000000] * 5
            assert int(await asyncio.wait_for(pubnub.time().result(), WAIT)) == 17000000000000000
            assert ticks > 0  # the loop ran other tasks while the client waited
        finally:
            await pubnub.stop()
            await server.stop()

    asyncio.run(main())


def test_cancelling_the_awaiting_task_cancels_the_request():
    async def main():
        server = LoopServer(hold=True)
        pubnub = PubNubAsyncio(config_of(await server.start()))
        try:
            task = asyncio.ensure_future(pubnub.time().future())
            while server.requests == 0:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.wait_for(server.closed.wait(), WAIT)  # the request's connection was dropped
        finally:
            await pubnub.stop()
            await server.stop()

    asyncio.run(main())


def test_result_raises_and_future_returns_the_failure():
    async def main():
        server = LoopServer()
        pubnub = PubNubAsyncio(config_of(await server.start()))
        try:
            failure = await pubnub.publish().channel("").message("x").future()
            assert failure.is_error() and isinstance(failure.value(), PubNubException)
            with pytest.raises(PubNubException):
                await pubnub.publish().channel("").message("x").result()
            with pytest.raises(NotImplementedError, match="sync"):
                pubnub.time().sync()
        finally:
            await pubnub.stop()
            await server.stop()

    asyncio.run(main())


def _describe_fds(fds):
    """What each differing descriptor is (so a failure says which kind of fd was left or taken)."""
    described = {}
    for fd in sorted(fds):
        try:
            described[fd] = os.readlink("/proc/self/fd/%s" % fd)
        except OSError:
            described[fd] = "(closed meanwhile)"
    return described


def test_stop_leaves_no_thread_timer_or_descriptor():
    async def main():
        server = LoopServer()
        origin = await server.start()
        warm = PubNubAsyncio(config_of(origin))  # first use imports Twisted's global reactor (its own fds)
        await warm.time().future()
        await warm.stop()
        threads_before, fds_before = client_threads(), set(os.listdir("/proc/self/fd"))

        pubnub = PubNubAsyncio(config_of(origin))
        listener = SubscribeListener()
        pubnub.add_listener(listener)
        await pubnub.time().future()
        private_reactor = pubnub.reactor
        assert "pubnub-asyncio-reactor" in client_threads()
        await pubnub.stop()
        await pubnub.stop()  # idempotent
        assert not private_reactor.running and private_reactor.getDelayedCalls() == []
        assert client_threads() == threads_before
        deadline = asyncio.get_running_loop().time() + WAIT
        while set(os.listdir("/proc/self/fd")) != fds_before and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)  # the server's end of the closed connection closes on this loop
        assert set(os.listdir("/proc/self/fd")) == fds_before, _describe_fds(set(os.listdir("/proc/self/fd")) ^ fds_before)
        await server.stop()
        with pytest.raises(RuntimeError, match="stopped"):
            await pubnub.time().future()

    asyncio.run(main())
