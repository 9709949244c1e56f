"""``PubNubAsyncio``: the asyncio client style of PubNub's SDK (``pubnub.pubnub_asyncio`` compatible).

>>> pubnub = PubNubAsyncio(config)
>>> envelope = await pubnub.publish().channel("chat").message("hi").future()
>>> envelope.is_error(), envelope.result.timetoken
>>> result = await pubnub.publish().channel("chat").message("hi").result()   # raises on failure
>>> await pubnub.stop()

The core is ``PubNubCore`` (the one ``PubNubTwisted`` runs too), run on a private reactor in a
thread the client owns (the same engine as ``pubnub_fast.pubnub.PubNub``); requests are handed
to it with ``callFromThread`` and their outcome comes back to the asyncio loop with ``call_soon_threadsafe``, so the loop never
waits for the network or for the reactor thread. Listener callbacks run on the event loop, as
with PubNub's SDK. ``.future()`` returns an ``AsyncioEnvelope`` on success and a
``PubNubAsyncioException`` (returned, not raised) on failure; ``.result()`` returns the result or
raises the ``PubNubException``. Cancelling the awaiting task cancels the request.
"""
import asyncio
import logging
from typing import Any

from twisted.internet import defer

from pubnub_fast._client_styles import LoopCommands, bad_request_status, exception_of, stop_core
from pubnub_fast._client_threads import ReactorThread
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.exceptions import PubNubAsyncioException, PubNubException, PubNubTwistedException
from pubnub_fast.listeners import Listeners
from pubnub_fast.models.consumer.common import PNStatus
from pubnub_fast.models.envelopes import AsyncioEnvelope
from pubnub_fast.pubnub import _CONNECTED, _endpoint, is_disconnect
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_core import PubNubCore

__all__ = ["PubNubAsyncio", "AsyncioEnvelope", "PubNubAsyncioException", "SubscribeListener",
           "AsyncioSubscribeListener"]

logger = logging.getLogger("pubnub_fast")

_STOP_TIMEOUT = 5.0  # seconds stop() waits for the connections to close and the thread to end


class _EventLoopListeners(Listeners):
    """Listeners called on the client's asyncio event loop."""

    def announce(self, method, event):
        self._to_loop("a %s event", method, Listeners.announce, self, method, event)

    def announce_all(self, pairs):
        """The events of one subscribe response, in one ``call_soon_threadsafe`` (one wake-up of
        the loop instead of one per event)."""
        self._to_loop("%d events", len(pairs), Listeners.announce_each, self, pairs)

    def _to_loop(self, what, detail, function, *args):
        """``function(*args)`` on the client's loop; else log that ``what % detail`` is dropped."""
        loop = self._pubnub.event_loop
        if loop is None or loop.is_closed():
            logger.warning("dropping " + what + ": the PubNubAsyncio client has no open event loop", detail)
            return
        try:
            loop.call_soon_threadsafe(function, *args)
        except RuntimeError:  # the loop closed meanwhile
            logger.warning("dropping " + what + ": the event loop is closed", detail)


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class PubNubAsyncio(PubNubCore):
    """A PubNub client for asyncio programs (PubNub SDK's ``pubnub.pubnub_asyncio.PubNubAsyncio``).

    :param config: a ``PNConfiguration``.
    :param custom_event_loop: the loop listener callbacks run on (default: the running loop when
        the client is created, else the loop of the first request or subscribe).
    :param subscription_manager: accepted for compatibility (the subscription loop is pubnub_fast's).
    :param custom_request_handler: accepted for compatibility (pubnub_fast uses its own transport).
    """

    _listeners_class = _EventLoopListeners

    def __init__(self, config: PNConfiguration, custom_event_loop: "asyncio.AbstractEventLoop | None" = None,
                 subscription_manager: Any = None, *, custom_request_handler: Any = None) -> None:
        self.event_loop = custom_event_loop if custom_event_loop is not None else _running_loop()
        self._request_handler = custom_request_handler
        self._connector = None
        self._reactor_thread = ReactorThread(name="pubnub-asyncio-reactor")
        try:
            super().__init__(config, self._reactor_thread.reactor)
        except BaseException:
            self._reactor_thread.stop()
            raise
        self._closed = False

    def sdk_platform(self) -> str:
        return "-Asyncio-Fast"

    def _bind_loop(self):
        loop = asyncio.get_running_loop()
        if self.event_loop is None or self.event_loop.is_closed():
            self.event_loop = loop
        return loop

    def _check_open(self):
        if self._closed or not self._reactor_thread.alive:
            raise RuntimeError("this PubNubAsyncio client was stopped; create a new one")

    # --- handing work to the reactor thread ----------------------------------------------------------

    def _on_reactor(self, function):
        """Run ``function`` on the reactor thread; an awaitable of its (Deferred's) result.

        Cancelling the awaitable cancels the Deferred.
        """
        loop = self._bind_loop()
        self._check_open()
        future = loop.create_future()
        running = []

        def settle(value, failed):
            if future.done():
                return
            if failed:
                future.set_exception(value)
            else:
                future.set_result(value)

        def back(value, failed=False):
            try:
                loop.call_soon_threadsafe(settle, value, failed)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

        def start():
            try:
                result = function()
            except BaseException as exc:
                back(exc, True)
                return
            if isinstance(result, defer.Deferred):
                running.append(result)
                result.addCallbacks(back, lambda failure: back(failure.value, True))
            else:
                back(result)

        def cancel():
            for d in running:
                d.cancel()

        self._reactor_thread.submit(start)
        return self._await(future, cancel)

    async def _await(self, future, cancel):
        try:
            return await future
        except asyncio.CancelledError:
            if self._reactor_thread.alive:
                self._reactor_thread.submit(cancel)
            raise

    # --- invocation styles (called by Endpoint.future()/result()/pn_async()) ------------------------

    async def _request_future(self, endpoint):
        try:
            envelope = await self._on_reactor(endpoint.deferred)
        except PubNubTwistedException as exc:
            return PubNubAsyncioException(None, exc.status)  # PubNub's SDK: no result on failure
        except PubNubException as exc:
            return PubNubAsyncioException(None, bad_request_status(endpoint, exc))
        return AsyncioEnvelope(envelope.result, envelope.status)

    async def _request_result(self, endpoint):
        try:
            envelope = await self._on_reactor(endpoint.deferred)
        except PubNubTwistedException as exc:
            raise exception_of(exc) from None
        return envelope.result

    def _request_async(self, endpoint, callback):
        """``pn_async(callback)``: ``callback(result, status)`` runs on the event loop."""
        loop = self._bind_loop()
        self._check_open()

        def deliver(result, status):
            try:
                loop.call_soon_threadsafe(callback, result, status)
            except RuntimeError:
                logger.warning("pn_async: the event loop closed before %s answered", endpoint.name())

        def failed(reason):
            if reason.check(PubNubTwistedException):
                deliver(None, reason.value.status)  # PubNub's SDK: no result on failure
            else:
                logger.error("pn_async: unexpected failure of %s: %s", endpoint.name(), reason.getTraceback())

        def start():
            try:
                d = endpoint.deferred()
            except PubNubException as exc:
                deliver(None, bad_request_status(endpoint, exc))
                return
            d.addCallbacks(lambda envelope: deliver(envelope.result, envelope.status), failed)

        self._reactor_thread.submit(start)

    # PubNub SDK's request plumbing (endpoints call it; here it takes the endpoint builder itself)

    async def request_future(self, options_func, cancellation_event=None):
        """What ``Endpoint.future()`` runs (``pubnub.pubnub_asyncio`` signature)."""
        return await self._request_future(_endpoint(options_func))

    async def request_result(self, options_func, cancellation_event=None):
        """What ``Endpoint.result()`` runs (``pubnub.pubnub_asyncio`` signature)."""
        return await self._request_result(_endpoint(options_func))

    def request_sync(self, *args):
        raise NotImplementedError("sync() is the invocation style of pubnub_fast.pubnub.PubNub; "
                                  "PubNubAsyncio uses future()/result()")

    def request_deferred(self, *args):
        raise NotImplementedError("deferred() is the invocation style of PubNubTwisted; "
                                  "PubNubAsyncio uses future()/result()")

    # --- subscribing ----------------------------------------------------------------------------------

    def _loop(self):
        loop = super()._loop()
        return LoopCommands(loop, self._reactor_thread, self._send_command)

    def _send_command(self, function, *args, **kwargs):
        """Subscription commands are queued to the reactor thread in order; the loop does not wait."""
        if _running_loop() is not None:
            self._bind_loop()
        self._check_open()
        self._reactor_thread.submit(_logged, function, *args, **kwargs)

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self, skip_reactor: bool = False) -> None:
        """Nothing to do: the client's reactor thread runs from construction to ``stop()``."""
        self._check_open()

    async def stop(self) -> None:
        """Cancel every request and timer, close the connections and end the reactor thread."""
        if self._closed:
            return None
        try:
            await self._on_reactor(self._stop_core)
        except Exception:
            logger.warning("stopping the PubNubAsyncio client: closing connections failed", exc_info=True)
        self._closed = True
        self._reactor_thread.stop(timeout=0)
        deadline = asyncio.get_running_loop().time() + _STOP_TIMEOUT
        while self._reactor_thread.thread.is_alive() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.002)
        return None

    def _stop_core(self):
        return stop_core(self).addTimeout(_STOP_TIMEOUT, self.reactor)

    async def close_pending_tasks(self, tasks: Any) -> None:
        """Cancel ``tasks`` and wait for them (PubNub SDK helper)."""
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def set_connector(self, connector: Any) -> None:
        """Accepted for compatibility: pubnub_fast has no aiohttp/httpx connector to replace."""
        self._connector = connector

    async def close_session(self) -> None:
        """Compatibility with PubNub's SDK (its HTTP session); ``stop()`` closes everything."""
        return None

    async def create_session(self) -> None:
        return None


def _logged(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except Exception:
        logger.exception("subscription command %s failed", getattr(function, "__name__", function))


class SubscribeListener(SubscribeCallback):
    """A listener coroutines can wait on (PubNub SDK's ``pubnub.pubnub_asyncio.SubscribeListener``).

    ``await wait_for_connect()``, ``wait_for_disconnect()``, ``wait_for_message_on(*channels)``,
    ``wait_for_presence_on(*channels)``; waiting for a message on some channels discards the
    messages of other channels received meanwhile, as PubNub's SDK does. Each queue keeps the
    latest ``QUEUE_SIZE`` events.
    """

    QUEUE_SIZE = 10000

    def __init__(self) -> None:
        self.connected = False  # PubNub's SDK never updates it either: use connected_event
        self.connected_event = asyncio.Event()
        self.disconnected_event = asyncio.Event()
        self.presence_queue: "asyncio.Queue[Any]" = asyncio.Queue(self.QUEUE_SIZE)
        self.message_queue: "asyncio.Queue[Any]" = asyncio.Queue(self.QUEUE_SIZE)
        self.error_queue: "asyncio.Queue[Any]" = asyncio.Queue(self.QUEUE_SIZE)

    def status(self, pubnub: Any, status: PNStatus) -> None:
        if status.category in _CONNECTED:
            self.disconnected_event.clear()
            self.connected_event.set()
        elif is_disconnect(status):
            self.connected_event.clear()
            self.disconnected_event.set()
        if status.is_error():
            _offer(self.error_queue, status)

    def message(self, pubnub: Any, message: Any) -> None:
        _offer(self.message_queue, message)

    def presence(self, pubnub: Any, presence: Any) -> None:
        _offer(self.presence_queue, presence)

    async def wait_for_connect(self) -> None:
        if not self.connected_event.is_set():
            await self.connected_event.wait()

    async def wait_for_disconnect(self) -> None:
        if not self.disconnected_event.is_set():
            await self.disconnected_event.wait()

    async def wait_for_message_on(self, *channel_names: str) -> Any:
        return await _wait_on(self.message_queue, channel_names)

    async def wait_for_presence_on(self, *channel_names: str) -> Any:
        return await _wait_on(self.presence_queue, channel_names)


#: The name this listener has in PubNub's documentation.
AsyncioSubscribeListener = SubscribeListener


def _offer(bounded_queue, item):
    while True:
        try:
            bounded_queue.put_nowait(item)
            return
        except asyncio.QueueFull:
            bounded_queue.get_nowait()


async def _wait_on(events, channel_names):
    names = set(channel_names)
    while True:
        event = await events.get()
        if event.channel in names or getattr(event, "subscription", None) in names:
            return event
