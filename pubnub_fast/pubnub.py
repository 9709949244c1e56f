"""``PubNub``: the blocking client style of PubNub's SDK (``pubnub.pubnub`` compatible).

>>> from pubnub_fast.pnconfiguration import PNConfiguration
>>> from pubnub_fast.pubnub import PubNub
>>> pubnub = PubNub(config)
>>> envelope = pubnub.publish().channel("chat").message({"text": "hi"}).sync()
>>> envelope.result.timetoken
>>> pubnub.stop()

The core is ``PubNubCore`` (the one ``PubNubTwisted`` runs too), run on a private reactor (a
fresh reactor instance, never the global one, so a program may use Twisted itself) in a thread
the client owns. ``.sync()`` hands the request to that thread and waits: it returns an
``Envelope`` (``.result``, ``.status``) or raises the ``PubNubException`` of the failure. ``.pn_async(callback)`` returns at once;
``callback(result, status)`` and every listener callback run in order on the client's callback
thread — never on the reactor thread — so a callback may itself call ``.sync()``, as with
PubNub's SDK. ``stop()`` cancels what is in flight, closes the connections and ends both threads.

Like PubNub's SDK (``config.daemon`` False), a subscribed client or a pending ``pn_async`` call
keeps the process alive until ``stop()``/unsubscribe or the callback; a client with nothing to do
does not keep it alive.
"""
import logging
import queue
import threading
from typing import Any

from pubnub_fast._client_styles import LoopCommands, bad_request_status, exception_of, stop_core
from pubnub_fast._client_threads import CallbackThread, KeepAlive, ReactorThread
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.listeners import Listeners
from pubnub_fast.models.consumer.common import PNStatus
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_core import PubNubCore
from pubnub_fast.structures import Envelope

__all__ = ["PubNub", "SubscribeListener", "NonSubscribeListener"]

logger = logging.getLogger("pubnub_fast")

_STOP_TIMEOUT = 5.0  # seconds stop() waits for the connections to close
_SUBSCRIBED = "subscribed"
_PENDING = "pn_async"


class _CallbackThreadListeners(Listeners):
    """Listeners called on the client's callback thread (in order) instead of the reactor thread."""

    def announce(self, method, event):
        self._pubnub._callbacks.put(Listeners.announce, self, method, event)

    def announce_all(self, pairs):
        """The events of one subscribe response, in one hand-over to the callback thread (which
        counts each event against its bound)."""
        self._pubnub._callbacks.put_weighted(len(pairs), Listeners.announce_each, self, pairs)


class PubNub(PubNubCore):
    """A PubNub client for threaded programs (PubNub SDK's ``pubnub.pubnub.PubNub``).

    :param config: a ``PNConfiguration``.
    :param custom_request_handler: accepted for compatibility; pubnub_fast always uses its own
        HTTP transport (a warning is logged when one is given).
    """

    _listeners_class = _CallbackThreadListeners

    def __init__(self, config: PNConfiguration, *, custom_request_handler: Any = None) -> None:
        self._request_handler = custom_request_handler
        if custom_request_handler is not None:
            logger.warning("custom_request_handler=%r is ignored: pubnub_fast sends requests with its own "
                           "transport", custom_request_handler)
        self._reactor_thread = ReactorThread()
        try:
            super().__init__(config, self._reactor_thread.reactor)
        except BaseException:
            self._reactor_thread.stop()
            raise
        self._callbacks = CallbackThread()
        self._keepalive = KeepAlive()
        self._closed = False

    # --- identity -------------------------------------------------------------------------------

    def sdk_platform(self) -> str:
        return "-Fast"

    def set_request_handler(self, handler: Any) -> None:
        """Accepted for compatibility (see ``custom_request_handler``)."""
        self._request_handler = handler

    def get_request_handler(self) -> Any:
        return self._request_handler

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self, skip_reactor: bool = False) -> None:
        """Nothing to do: the client's reactor thread runs from construction to ``stop()``."""
        if self._closed:
            raise RuntimeError("this PubNub client was stopped; create a new one")

    def stop(self) -> None:
        """Cancel every request and timer, close the connections, end the client's threads.

        Safe to call from a listener or ``pn_async`` callback. Calling it again does nothing.
        """
        if self._closed:
            return None
        self._closed = True
        reactor_thread = self._reactor_thread
        if reactor_thread.alive and not reactor_thread.in_thread():
            try:
                reactor_thread.call(self._stop_core)
            except Exception:
                logger.warning("stopping the PubNub client: closing connections failed", exc_info=True)
        reactor_thread.stop()
        self._callbacks.stop()
        self._keepalive.release_all()
        return None

    def _stop_core(self):
        return stop_core(self).addTimeout(_STOP_TIMEOUT, self.reactor)

    def _check_open(self):
        if self._closed or not self._reactor_thread.alive:
            raise RuntimeError("this PubNub client was stopped; create a new one")

    # --- invocation styles (called by Endpoint.sync()/pn_async()) ----------------------------------

    def _request_sync(self, endpoint):
        """Send ``endpoint`` on the reactor thread and wait: an ``Envelope`` or a ``PubNubException``."""
        self._check_open()
        try:
            envelope = self._reactor_thread.call(endpoint.deferred)
        except PubNubTwistedException as exc:
            raise exception_of(exc) from None
        return Envelope(envelope.result, envelope.status)

    def _request_async(self, endpoint, callback):
        """Send ``endpoint``; ``callback(result, status)`` runs later on the callback thread."""
        self._check_open()
        hold = not self.config.daemon
        if hold:
            self._keepalive.hold(_PENDING)
        callbacks = self._callbacks

        def run_callback(result, status):
            try:
                callback(result, status)
            finally:
                if hold:
                    self._keepalive.release(_PENDING)

        def deliver(result, status):
            if not callbacks.put(run_callback, result, status) and hold:
                self._keepalive.release(_PENDING)

        def failed(reason):
            if reason.check(PubNubTwistedException):
                deliver(None, reason.value.status)  # PubNub's SDK: no result on failure
            else:
                logger.error("pn_async: unexpected failure of %s: %s", endpoint.name(), reason.getTraceback())
                if hold:
                    self._keepalive.release(_PENDING)

        def start():
            try:
                d = endpoint.deferred()
            except PubNubException as exc:
                deliver(None, bad_request_status(endpoint, exc))
                return
            except Exception:
                logger.exception("pn_async: %s could not be sent", endpoint.name())
                if hold:
                    self._keepalive.release(_PENDING)
                return
            d.addCallbacks(lambda envelope: deliver(envelope.result, envelope.status), failed)

        try:
            self._reactor_thread.submit(start)
        except BaseException:
            if hold:
                self._keepalive.release(_PENDING)
            raise

    # PubNub SDK's request plumbing (endpoints call it; here it takes the endpoint builder itself)

    def request_sync(self, endpoint_call_options):
        """What ``Endpoint.sync()`` runs: send the endpoint and wait (``pubnub.pubnub`` signature)."""
        return self._request_sync(_endpoint(endpoint_call_options))

    def request_async(self, endpoint_name, endpoint_call_options, callback, cancellation_event):
        """What ``Endpoint.pn_async()`` runs (``pubnub.pubnub`` signature; ``cancellation_event``
        is accepted and ignored, as by PubNub's SDK)."""
        return self._request_async(_endpoint(endpoint_call_options), callback)

    def request_deferred(self, options_func):
        raise NotImplementedError("deferred() is the invocation style of PubNubTwisted; PubNub uses sync()/pn_async()")

    def request_future(self, *args, **kwargs):
        raise NotImplementedError("future() is the invocation style of PubNubAsyncio; PubNub uses sync()/pn_async()")

    # --- subscribing ----------------------------------------------------------------------------------

    def _loop(self):
        loop = super()._loop()
        return LoopCommands(loop, self._reactor_thread, self._send_command, self._update_keepalive)

    def _send_command(self, function, *args, **kwargs):
        self._check_open()
        return self._reactor_thread.call(function, *args, **kwargs)

    def _update_keepalive(self):
        """Keep the process alive while subscribed (PubNub SDK: a non-daemon subscribe thread)."""
        if self.config.daemon or self._closed:
            return
        loop = self._subscription
        subscribed = bool(self._reactor_thread.call(
            lambda: loop.subscribed_channels() or loop.subscribed_channel_groups()))
        if subscribed and not self._keepalive.holding(_SUBSCRIBED):
            self._keepalive.hold(_SUBSCRIBED)
        elif not subscribed:
            self._keepalive.release(_SUBSCRIBED, everything=True)


def _endpoint(value):
    from pubnub_fast.endpoints.base import Endpoint

    if not isinstance(value, Endpoint):
        raise TypeError("pubnub_fast sends endpoint builders (pubnub.publish()...), not %s; call .sync(), "
                        ".pn_async() or .future() on the builder" % type(value).__name__)
    return value


def _offer(bounded_queue, item):
    """Put ``item``; when the queue is full drop its oldest item (never block the callback thread)."""
    while True:
        try:
            bounded_queue.put_nowait(item)
            return
        except queue.Full:
            try:
                bounded_queue.get_nowait()
            except queue.Empty:
                pass


_CONNECTED = frozenset([PNStatusCategory.PNConnectedCategory, PNStatusCategory.PNReconnectedCategory])
_DISCONNECTED = frozenset([PNStatusCategory.PNDisconnectedCategory, PNStatusCategory.PNUnexpectedDisconnectCategory])


def is_disconnect(status):
    """Whether ``status`` ends the subscription: a disconnect, or the acknowledgment of unsubscribing."""
    return status.category in _DISCONNECTED or (
        status.category == PNStatusCategory.PNAcknowledgmentCategory
        and status.operation == PNOperationType.PNUnsubscribeOperation)


class SubscribeListener(SubscribeCallback):
    """A listener a thread can wait on (PubNub SDK's ``pubnub.pubnub.SubscribeListener``).

    ``wait_for_connect()``, ``wait_for_disconnect()``, ``wait_for_message_on(*channels)`` and
    ``wait_for_presence_on(*channels)`` block the calling thread (not the client); waiting for a
    message on some channels discards the messages of other channels received meanwhile, as
    PubNub's SDK does. Each queue keeps the latest ``QUEUE_SIZE`` events.
    """

    QUEUE_SIZE = 10000

    def __init__(self) -> None:
        self.connected = False  # PubNub's SDK never updates it either: use connected_event
        self.connected_event = threading.Event()
        self.disconnected_event = threading.Event()
        self.presence_queue: "queue.Queue[Any]" = queue.Queue(self.QUEUE_SIZE)
        self.message_queue: "queue.Queue[Any]" = queue.Queue(self.QUEUE_SIZE)
        self.channel_queue: "queue.Queue[Any]" = queue.Queue(self.QUEUE_SIZE)
        self.uuid_queue: "queue.Queue[Any]" = queue.Queue(self.QUEUE_SIZE)
        self.membership_queue: "queue.Queue[Any]" = queue.Queue(self.QUEUE_SIZE)

    def status(self, pubnub: Any, status: PNStatus) -> None:
        if status.category in _CONNECTED:
            self.disconnected_event.clear()
            self.connected_event.set()
        elif is_disconnect(status):
            self.connected_event.clear()
            self.disconnected_event.set()

    def message(self, pubnub: Any, message: Any) -> None:
        _offer(self.message_queue, message)

    def presence(self, pubnub: Any, presence: Any) -> None:
        _offer(self.presence_queue, presence)

    def wait_for_connect(self) -> None:
        if not self.connected_event.is_set():
            self.connected_event.wait()

    def wait_for_disconnect(self) -> None:
        if not self.disconnected_event.is_set():
            self.disconnected_event.wait()

    def wait_for_message_on(self, *channel_names: str) -> Any:
        return _wait_on(self.message_queue, channel_names)

    def wait_for_presence_on(self, *channel_names: str) -> Any:
        return _wait_on(self.presence_queue, channel_names)


def _wait_on(events, channel_names):
    names = set(channel_names)
    while True:
        event = events.get()
        if event.channel in names or getattr(event, "subscription", None) in names:
            return event


class NonSubscribeListener:
    """A ``pn_async`` callback a thread can wait on (PubNub SDK's ``NonSubscribeListener``)."""

    def __init__(self) -> None:
        self.result: Any = None
        self.status: PNStatus | None = None
        self.done_event = threading.Event()

    def callback(self, result: Any, status: PNStatus) -> None:
        self.result = result
        self.status = status
        self.done_event.set()

    def pn_await(self, timeout: float = 5) -> bool:
        """Wait up to ``timeout`` seconds; True if the callback ran."""
        return self.done_event.wait(timeout)

    def await_result(self, timeout: float = 5) -> Any:
        """The result once the callback ran (None after ``timeout`` seconds)."""
        self.done_event.wait(timeout)
        return self.result

    def await_result_and_reset(self, timeout: float = 5) -> Any:
        result = self.await_result(timeout)
        self.reset()
        return result

    def reset(self) -> None:
        self.result = None
        self.status = None
        self.done_event.clear()
