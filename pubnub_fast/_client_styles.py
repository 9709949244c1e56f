"""What the sync and asyncio client styles share.

``pubnub_fast.pubnub.PubNub`` and ``pubnub_fast.pubnub_asyncio.PubNubAsyncio`` are the one
Twisted core (``PubNubCore``: endpoints, pipeline, subscription loop) run on a reactor of the
client's own (``_client_threads.ReactorThread``); every call from the user's thread into it goes
through ``ReactorThread.submit()``/``call()``.
"""
import logging

from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.common import PNErrorData, PNStatus

__all__ = ["bad_request_status", "exception_of", "stop_core", "LoopCommands"]

logger = logging.getLogger("pubnub_fast")


def bad_request_status(endpoint, exc):
    """The ``PNBadRequestCategory`` status of parameters ``endpoint`` refused before sending."""
    status = PNStatus()
    status.category = PNStatusCategory.PNBadRequestCategory
    status.operation = endpoint.operation_type()
    status.error = True
    status.status_code = 0
    status.error_data = PNErrorData(str(exc), exc)
    exc.status = status
    return status


def exception_of(twisted_exception):
    """The ``PubNubException`` behind a ``PubNubTwistedException`` (what the sync and asyncio styles
    raise, as PubNub's SDK does), with its ``status`` set."""
    status = twisted_exception.status
    error_data = getattr(status, "error_data", None)
    exc = getattr(error_data, "exception", None)
    if not isinstance(exc, PubNubException):
        exc = PubNubException(errormsg=str(twisted_exception),
                              status_code=getattr(status, "status_code", 0) or 0, status=status)
    if exc.status is None:
        exc.status = status
    return exc


def stop_core(pubnub):
    """Stop the subscription loop, cancel what is in flight, close the transport (on the reactor
    thread); a Deferred fired once the connections are closed."""
    if pubnub._subscription is not None:
        pubnub._subscription.stop()
    pubnub._pipeline.cancel_all()
    return pubnub._transport.close()


class LoopCommands:
    """The subscription loop as seen from the user's thread: commands run on the reactor thread.

    ``commands`` (subscribe, unsubscribe, unsubscribe_all, reconnect) go through ``send`` (the
    sync client waits for them, the asyncio client does not); everything else (queries) through
    ``call``, which waits for the answer. Once the reactor thread is gone (after ``stop()``), the
    loop is used directly: nothing else touches it any more.
    """

    COMMANDS = frozenset(["subscribe", "unsubscribe", "unsubscribe_all", "reconnect", "set_state"])

    def __init__(self, loop, reactor_thread, send, after=None):
        self._target = loop
        self._reactor_thread = reactor_thread
        self._send = send
        self._after = after

    def __getattr__(self, name):
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute
        reactor_thread = self._reactor_thread

        def on_reactor(*args, **kwargs):
            if not reactor_thread.alive or reactor_thread.in_thread():
                return attribute(*args, **kwargs)
            if name in self.COMMANDS:
                result = self._send(attribute, *args, **kwargs)
                if self._after is not None:
                    self._after()
                return result
            return reactor_thread.call(attribute, *args, **kwargs)

        on_reactor.__name__ = name
        return on_reactor

