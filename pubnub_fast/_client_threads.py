"""Threads behind the non-Twisted client styles (``pubnub_fast.pubnub``, ``pubnub_fast.pubnub_asyncio``).

The one Twisted core runs, for those styles, on a **private reactor** — a fresh reactor instance
(epoll, else poll, else select), never installed as the global ``twisted.internet.reactor`` —
run by a thread the client owns (``ReactorThread``). Callers on other threads reach it with
``call()`` (blocks until the function, or the Deferred it returns, is done) and ``submit()``
(fire and forget). User callbacks of the sync style run on a separate ``CallbackThread`` in
order, so that a callback may itself call ``.sync()`` (the reactor thread stays free), as it may
with PubNub's SDK. ``KeepAlive`` keeps the process alive while the official SDK would (a
non-daemon thread while subscribed or while a ``pn_async`` call is pending), so that a program
which never calls ``stop()`` still exits when it has nothing left to do.
"""
import collections
import logging
import threading

from twisted.internet import defer
from twisted.python.failure import Failure

__all__ = ["ReactorThread", "CallbackThread", "KeepAlive", "new_reactor"]

logger = logging.getLogger("pubnub_fast")

_POLL = 0.5  # seconds between liveness checks of a thread being waited for


def new_reactor():
    """A new, not installed reactor instance: epoll where available, else poll, else select."""
    try:
        from twisted.internet.epollreactor import EPollReactor

        return EPollReactor()
    except ImportError:  # pragma: no cover - non-Linux
        pass
    try:  # pragma: no cover - non-Linux
        from twisted.internet.pollreactor import PollReactor

        return PollReactor()
    except ImportError:  # pragma: no cover
        from twisted.internet.selectreactor import SelectReactor

        return SelectReactor()


class _Outcome:
    """A one-shot result slot a caller thread waits on (a pre-acquired lock is the cheapest wait)."""

    __slots__ = ("_lock", "value", "failure")

    def __init__(self):
        self._lock = threading.Lock()
        self._lock.acquire()
        self.value = None
        self.failure = None

    def succeed(self, value):
        self.value = value
        self._lock.release()

    def fail(self, failure):
        self.failure = failure
        self._lock.release()

    def wait(self, thread, timeout=None):
        """Wait until set; False if ``thread`` died first or ``timeout`` seconds passed."""
        if self._lock.acquire(timeout=timeout if timeout is not None else _POLL):
            return True
        waited = _POLL if timeout is None else timeout
        while timeout is None or waited < timeout:
            if not thread.is_alive():
                return self._lock.acquire(blocking=False)
            if self._lock.acquire(timeout=_POLL):
                return True
            waited += _POLL
        return False


class ReactorThread:
    """A private reactor and the thread running it.

    :param name: the thread's name.
    """

    def __init__(self, name="pubnub-reactor"):
        self.reactor = new_reactor()
        # a private reactor is not *the* I/O thread: leave twisted.python.threadable's marker to
        # the program's own (global) reactor, if it runs one
        self.reactor._registerAsIOThread = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            self.reactor.run(installSignalHandlers=False)
        finally:
            self._close_reactor_fds()
            self._stopped.set()

    def _close_reactor_fds(self):
        """Close the waker pipe and the poller: a stopped private reactor leaves no descriptor open."""
        reactor = self.reactor
        waker = getattr(reactor, "waker", None)
        if waker is not None:
            try:
                reactor.removeReader(waker)
            except Exception:  # pragma: no cover - already removed
                pass
            try:
                waker.connectionLost(None)
            except Exception:  # pragma: no cover
                logger.debug("closing the reactor waker failed", exc_info=True)
        poller = getattr(reactor, "_poller", None)
        if poller is not None and hasattr(poller, "close"):
            poller.close()

    @property
    def thread(self):
        return self._thread

    @property
    def alive(self):
        return self._thread.is_alive() and not self._stopped.is_set()

    def in_thread(self):
        """Whether the caller runs on the reactor thread."""
        return threading.get_ident() == self._thread.ident

    def submit(self, function, *args, **kwargs):
        """Run ``function(*args, **kwargs)`` on the reactor thread soon; returns at once."""
        if not self.alive:
            raise RuntimeError("this PubNub client was stopped; create a new one")
        self.reactor.callFromThread(function, *args, **kwargs)

    def call(self, function, *args, **kwargs):
        """Run ``function`` on the reactor thread and return its result — if it returns a Deferred,
        the Deferred's result. Exceptions (and failures) are re-raised in the caller.

        Must not be called on the reactor thread itself (it would wait for itself).
        """
        if self.in_thread():
            raise RuntimeError("a blocking PubNub call (.sync(), subscribe…) cannot run on the client's reactor "
                               "thread; use pn_async() there")
        outcome = _Outcome()

        def run():
            try:
                result = function(*args, **kwargs)
            except BaseException:
                outcome.fail(Failure())
                return
            if isinstance(result, defer.Deferred):
                result.addCallbacks(outcome.succeed, outcome.fail)
            else:
                outcome.succeed(result)

        self.submit(run)
        if not outcome.wait(self._thread):
            raise RuntimeError("the PubNub client's reactor thread stopped before answering")
        if outcome.failure is not None:
            outcome.failure.raiseException()
        return outcome.value

    def stop(self, timeout=10.0):
        """Stop the reactor and wait (bounded) for the thread to end. Idempotent."""
        if self._thread.is_alive() and not self._stopped.is_set():
            try:
                self.reactor.callFromThread(self._stop_reactor)
            except Exception:  # pragma: no cover - reactor already gone
                pass
        if not self.in_thread():
            self._thread.join(timeout)

    def _stop_reactor(self):
        if self.reactor.running:
            self.reactor.stop()


class CallbackThread:
    """Runs user callbacks in order on one thread of their own.

    Holds at most ``limit`` pending calls (a call of ``put_weighted`` counts as its weight: the
    events of a batch): beyond that a call is dropped and logged (bounded memory: a listener that
    never returns must not make the client grow without end).
    """

    def __init__(self, name="pubnub-callbacks", limit=100000):
        self._limit = limit
        self._queue = collections.deque()
        self._pending = 0  # the weight of what is queued
        self._ready = threading.Condition(threading.Lock())
        self._closing = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def in_thread(self):
        return threading.get_ident() == self._thread.ident

    def put(self, function, *args):
        return self.put_weighted(1, function, *args)

    def put_weighted(self, weight, function, *args):
        """Queue ``function(*args)``, counting ``weight`` calls against the bound."""
        with self._ready:
            if self._closing:
                return False
            if self._pending + weight > self._limit:
                self.dropped += weight
                logger.error("PubNub callbacks are %d calls behind; dropping %d call(s) to %r", self._pending,
                             weight, function)
                return False
            self._queue.append((function, args, weight))
            self._pending += weight
            self._ready.notify()
        return True

    def _run(self):
        queue = self._queue
        while True:
            with self._ready:
                while not queue and not self._closing:
                    self._ready.wait()
                if not queue:
                    return
                function, args, weight = queue.popleft()
                self._pending -= weight
            try:
                function(*args)
            except Exception:
                logger.exception("exception in PubNub callback %r", function)

    def stop(self, timeout=10.0):
        """Run what is queued, then end the thread (waits, bounded, unless called from the thread)."""
        with self._ready:
            self._closing = True
            self._ready.notify()
        if not self.in_thread():
            self._thread.join(timeout)

    @property
    def thread(self):
        return self._thread


class KeepAlive:
    """A non-daemon thread that exists while at least one hold is taken.

    The client's own threads are daemons; this one stands in for the non-daemon threads of
    PubNub's SDK (a subscription, a request in flight), so the interpreter waits for them at exit
    exactly when the official client would make it wait.
    """

    def __init__(self, name="pubnub-keepalive"):
        self._name = name
        self._cond = threading.Condition(threading.Lock())
        self._holds = collections.Counter()
        self._thread = None

    def hold(self, key):
        with self._cond:
            self._holds[key] += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._wait, name=self._name, daemon=False)
                self._thread.start()

    def release(self, key, everything=False):
        with self._cond:
            if everything:
                self._holds.pop(key, None)
            elif self._holds[key] > 0:
                self._holds[key] -= 1
                if not self._holds[key]:
                    del self._holds[key]
            self._cond.notify_all()

    def holding(self, key):
        with self._cond:
            return self._holds[key] > 0

    def release_all(self):
        with self._cond:
            self._holds.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(10.0)

    def _wait(self):
        with self._cond:
            while self._holds:
                self._cond.wait()
            self._thread = None
