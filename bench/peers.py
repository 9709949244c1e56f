"""What the end-to-end client benchmarks share: the loopback server process, the clients side by
side (pubnub_fast on the Twisted reactor, the official SDK's ``PubNubAsyncio`` on its own asyncio
loop), and the bare-Twisted-protocol floor.

Every row is timed with ``time.process_time`` (CPU time of this process, all threads): the server
runs in another process (``bench/loopback_server.py``), so its CPU is not counted, and load from
other processes on the machine does not inflate the figures.
"""
import asyncio
import contextlib
import functools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import warnings

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.dirname(HERE) not in sys.path:
    sys.path.insert(0, os.path.dirname(HERE))

from bench.conftest import CIPHER_KEY, make_subscribe_items  # noqa: E402  (the repo root is on the path)
MESSAGE = {"text": "hello from the benchmark", "seq": 1}
PUB_KEY = "pub-c-bench"
SUB_KEY = "sub-c-bench"


def expected_payloads():
    """The message payloads the loopback server sends on subscribe (decoded)."""
    return [item["d"] for item in make_subscribe_items()]


@functools.lru_cache(maxsize=None)
def _fixed_layout_prefix():
    """``(setarch, <machine>, -R)`` where that works (Linux, and a sandbox that allows it), else ()
    — found out once per process.

    The loopback server's own speed moves with its address layout: with address-space
    randomisation, about one start in five answered noticeably later, and the clients' CPU per
    delivered message moved with it (1.2-1.7 us per message for the same client code, against
    1.16-1.28 us over ten starts of a server with a fixed layout). The server is the benchmarks'
    instrument, not what they measure, so it runs with randomisation off when it can.
    """
    setarch = shutil.which("setarch")
    if setarch is None or not sys.platform.startswith("linux"):
        return ()
    prefix = (setarch, platform.machine(), "-R")
    try:
        probe = subprocess.run(prefix + (sys.executable, "-c", "pass"), capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ()
    return prefix if probe.returncode == 0 else ()


class LoopbackServer:
    """``bench/loopback_server.py`` in a child process; ``origin`` is ``127.0.0.1:<port>``."""

    def __init__(self):
        self.process = subprocess.Popen([*_fixed_layout_prefix(), sys.executable, os.path.join(HERE, "loopback_server.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.process.stdout.readline().decode()
        if not line.startswith("port "):
            self.process.kill()
            raise RuntimeError("the loopback server did not start: %r" % line)
        self.port = int(line.split()[1])
        self.origin = "127.0.0.1:%d" % self.port

    def stop(self):
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def loopback_server():
    """The loopback server, and — on a machine with two or more CPUs — the measurement pinned as
    the issue measured it: the server alone on the last CPU, this process on the others.

    Unpinned, the scheduler moves both processes between cores from one run to the next (same
    core: cheap hand-offs; different cores: cross-CPU wake-ups), and the CPU per message of one
    row moved by up to 50 % between runs; pinned, by a few per cent. Both SDKs' rows run under
    the same pinning, so the ratios compare like with like.
    """
    server = LoopbackServer()
    saved = _pin(server.process.pid)
    try:
        yield server
    finally:
        server.stop()
        if saved is not None:
            os.sched_setaffinity(0, saved)


def _pin(server_pid):
    """Pin ``server_pid`` to the last CPU this process may use and this process to the others;
    return this process's previous CPU set (None when there is nothing to pin)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    os.sched_setaffinity(server_pid, {allowed[-1]})
    os.sched_setaffinity(0, set(allowed[:-1]))
    return set(allowed)


class PairedRounds:
    """Peers measured in the same rounds as the row under test.

    ``benchmark.pedantic(row_round, setup=paired.setup, ...)`` runs one round of every peer before
    each round of the row (warm-up rounds included, then dropped), timed here with
    ``time.process_time`` — pytest-benchmark does not time ``setup``. A slow spell of a shared
    machine (seconds long: other processes, the host) then hits both sides of a ratio alike,
    where rows measured one after the other can land one in the spell and one out of it. The
    rows' own medians still make the tables; the targets are checked on the best paired rounds
    (see ``bench/conftest.py``'s ``_record_ratio``).
    """

    def __init__(self, peers, warmup_rounds=1):
        self._peers = peers  # name -> function running one round of that peer
        self._warmup = warmup_rounds
        self._calls = 0
        self.times = {name: [] for name in peers}

    def setup(self):
        self._calls += 1
        for name, run in self._peers.items():
            start = time.process_time()
            run()
            elapsed = time.process_time() - start
            if self._calls > self._warmup:
                self.times[name].append(elapsed)

    def median(self, name):
        """The median CPU seconds of ``name``'s measured rounds, or None if none ran."""
        times = self.times.get(name)
        return statistics.median(times) if times else None

    def best(self, name):
        """The lowest CPU seconds of ``name``'s measured rounds, or None if none ran."""
        times = self.times.get(name)
        return min(times) if times else None


def blockon(d):
    """Wait for a Deferred on the reactor pytest-twisted runs (from inside ``outside_reactor``)."""
    import pytest_twisted

    return pytest_twisted.blockon(d)


def outside_reactor(function):
    """Run the synchronous ``function`` (which may ``blockon``) in a greenlet of its own.

    pytest-twisted calls every test from inside the reactor, where ``blockon`` is not allowed;
    the benchmark body runs in a child greenlet instead, and the test returns a Deferred that
    fires with its outcome (pytest-twisted waits for it).
    """
    import greenlet
    from twisted.internet import defer, reactor
    from twisted.python.failure import Failure

    done = defer.Deferred()

    def body():
        try:
            result = function()
        except BaseException:
            outcome = Failure()
            reactor.callLater(0, done.errback, outcome)
        else:
            reactor.callLater(0, done.callback, result)

    greenlet.greenlet(body).switch()
    return done


# --- pubnub_fast ------------------------------------------------------------------------------------

@contextlib.contextmanager
def twins(kind, hot_paths_on):
    """Run pubnub_fast on the ``"c"`` (compiled) or ``"py"`` (pure) twins of every hot path:
    crypto and plaintext decoding through ``bench/conftest.py``'s ``hot_paths_on`` (the
    ``twins_on`` fixture), the other hot paths by their ``_speedups`` attribute."""
    from pubnub_fast import _speedups

    saved = {}
    for name in _speedups.HOT_PATHS:
        if name in ("crypto", "envelope"):
            continue
        try:
            module = _speedups.twin(name, kind)
        except ImportError as exc:
            pytest.skip("compiled twin of %s not built: %s" % (name, exc))
        saved[name] = getattr(_speedups, name)
        setattr(_speedups, name, module)
    try:
        with hot_paths_on(kind):
            yield
    finally:
        for name, module in saved.items():
            setattr(_speedups, name, module)


def fast_client(origin, cipher_key=None, uuid="bench-client"):
    from twisted.internet import reactor

    from pubnub_fast.pnconfiguration import PNConfiguration
    from pubnub_fast.pubnub_twisted import PubNubTwisted

    config = PNConfiguration(subscribe_key=SUB_KEY, publish_key=PUB_KEY, uuid=uuid)
    config.origin = origin
    config.ssl = False
    if cipher_key:
        config.cipher_key = cipher_key
        config.use_random_initialization_vector = True
    return PubNubTwisted(config, reactor=reactor)


# --- the official SDK ----------------------------------------------------------------------------------

class OfficialAsyncio:
    """The official ``PubNubAsyncio`` (10.8) with its aiohttp request handler, on its own loop."""

    def __init__(self, origin, cipher_key=None, uuid="bench-official"):
        pytest.importorskip("pubnub", reason="the official pubnub SDK is the benchmark peer")
        from pubnub.pnconfiguration import PNConfiguration
        from pubnub.pubnub_asyncio import PubNubAsyncio
        from pubnub.request_handlers.async_aiohttp import AsyncAiohttpRequestHandler

        self.loop = asyncio.new_event_loop()

        async def make():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                config = PNConfiguration()
                config.publish_key = PUB_KEY
                config.subscribe_key = SUB_KEY
                config.user_id = uuid
                config.origin = origin
                config.ssl = False
                if cipher_key:
                    config.cipher_key = cipher_key
                    config.use_random_initialization_vector = True
                return PubNubAsyncio(config, custom_event_loop=self.loop,
                                     custom_request_handler=AsyncAiohttpRequestHandler)

        self.pubnub = self.run(make())

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def close(self):
        try:
            self.run(self.pubnub.stop())
        except Exception:  # pragma: no cover - best effort at teardown
            pass
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()


class FastAsyncio:
    """pubnub_fast's ``PubNubAsyncio`` (its own reactor thread) delivering on an asyncio loop of its
    own, run by ``run()`` like ``OfficialAsyncio``."""

    def __init__(self, origin, uuid="bench-fast-asyncio"):
        from pubnub_fast.pnconfiguration import PNConfiguration
        from pubnub_fast.pubnub_asyncio import PubNubAsyncio

        self.loop = asyncio.new_event_loop()
        config = PNConfiguration(subscribe_key=SUB_KEY, publish_key=PUB_KEY, uuid=uuid)
        config.origin = origin
        config.ssl = False
        self.pubnub = PubNubAsyncio(config, custom_event_loop=self.loop)

    def run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def close(self):
        try:
            self.run(self.pubnub.stop())
        finally:
            self.loop.run_until_complete(asyncio.sleep(0))
            self.loop.close()


# --- the floor: a bare Twisted protocol ------------------------------------------------------------------

def floor_connection(port):
    """A connected bare ``Protocol`` that sends one pre-built publish request and reads its
    response (head + Content-Length body) per call of ``exchange(count, in_flight)``."""
    from twisted.internet import defer, reactor
    from twisted.internet.endpoints import TCP4ClientEndpoint
    from twisted.internet.protocol import Factory, Protocol

    request = (b"GET /publish/%s/%s/0/bench/0/%%7B%%22text%%22%%3A%%20%%22hello%%22%%7D?uuid=floor HTTP/1.1\r\n"
               b"Host: 127.0.0.1:%d\r\n\r\n" % (PUB_KEY.encode(), SUB_KEY.encode(), port))

    class Floor(Protocol):
        def __init__(self):
            self.buffer = b""
            self.left = 0
            self.done = None

        def exchange(self, count):
            self.left = count
            self.done = defer.Deferred()
            self.transport.write(request)
            return self.done

        def dataReceived(self, data):
            buffer = self.buffer + data if self.buffer else data
            while True:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                at = buffer.find(b"Content-Length: ", 0, end)
                length = int(buffer[at + 16:buffer.find(b"\r\n", at)])
                if len(buffer) < end + 4 + length:
                    break
                buffer = buffer[end + 4 + length:]
                self.left -= 1
                if self.left:
                    self.transport.write(request)
                else:
                    self.done, done = None, self.done
                    done.callback(None)
            self.buffer = buffer

    return blockon(TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(Factory.forProtocol(Floor)))
