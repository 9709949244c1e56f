"""``PubNubTwisted``: the PubNub client for Twisted (``pubnub.pubnub_twisted`` compatible).

>>> from pubnub_fast.pnconfiguration import PNConfiguration
>>> from pubnub_fast.pubnub_twisted import PubNubTwisted
>>> config = PNConfiguration()
>>> config.subscribe_key, config.publish_key, config.uuid = "sub-c-…", "pub-c-…", "my-device"
>>> pubnub = PubNubTwisted(config)
>>> d = pubnub.publish().channel("chat").message({"text": "hi"}).deferred()

Every endpoint factory returns a fresh builder; ``.deferred()`` sends it and returns a
cancellable ``Deferred`` firing with a ``TwistedEnvelope`` (``.result``, ``.status``) or failing
with ``PubNubTwistedException``; ``.pn_async(callback)`` calls ``callback(result, status)``.
Nothing here blocks the reactor, and all timing goes through the injected reactor/clock.
"""
import logging
from typing import Any

from twisted.internet import defer

from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.pipeline import TwistedEnvelope
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_core import PubNubCore

__all__ = ["PubNubTwisted", "TwistedEnvelope", "PubNubTwistedException", "PubNubException"]

logger = logging.getLogger("pubnub_fast")


class PubNubTwisted(PubNubCore):
    """A PubNub client running on a Twisted reactor.

    :param config: a ``PNConfiguration``.
    :param pool: an ``HTTPConnectionPool`` to share (default: a persistent pool of its own).
    :param reactor: the reactor to run on (default: the global reactor, looked up now, not at
        import). ``custom_ioloop`` is the same parameter under the name PubNub's Twisted
        documentation uses.
    :param clock: the ``IReactorTime`` used for timeouts, timers and request timestamps
        (default: ``reactor``); tests pass ``twisted.internet.task.Clock()``.
    :param transport: the HTTP transport (default: the lean ``HTTP11Transport``, or ``TreqTransport``
        over ``pool`` when a pool is given); anything with ``request(method, url, headers=, body=,
        timeout=, allow_redirects=, max_response_size=, idempotent=)`` and ``close()``.
    :param random: a ``() -> float in [0, 1)`` source for reconnection jitter (tests pin it).
    """

    SDK_NAME = "PubNub-Python-Twisted-Fast"

    def __init__(self, config: PNConfiguration, pool: Any = None, reactor: Any = None, clock: Any = None, *,
                 custom_ioloop: Any = None, transport: Any = None, random: Any = None) -> None:
        if not isinstance(config, PNConfiguration):
            raise TypeError("PubNubTwisted needs a pubnub_fast.pnconfiguration.PNConfiguration, not %s"
                            % type(config).__name__)
        if reactor is not None and custom_ioloop is not None and reactor is not custom_ioloop:
            raise ValueError("pass the reactor once: reactor= and custom_ioloop= name the same parameter")
        reactor = reactor if reactor is not None else custom_ioloop
        super().__init__(config, reactor, clock=clock, transport=transport, pool=pool, random=random)
        self._started = False
        self._ran_reactor = False
        self._stopped = False
        self._shutdown_trigger: Any = None

    @staticmethod
    def sdk_platform() -> str:
        return "-Twisted-Fast"

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self, skip_reactor: bool = False) -> None:
        """Start the client; run the reactor unless ``skip_reactor`` (PubNub's Twisted API).

        Call it once, after adding listeners. When ``start()`` runs the reactor, ``stop()``
        stops it again.
        """
        if self._stopped:
            raise RuntimeError("this PubNubTwisted was stopped; create a new client")
        self._started = True
        # the reactor stopping (Ctrl-C, SIGTERM, reactor.stop()) is a shutdown the user asked for:
        # end the subscription with PNDisconnectedCategory before connections are torn down, not
        # with PNUnexpectedDisconnectCategory from the cut long-poll
        add_trigger = getattr(self.reactor, "addSystemEventTrigger", None)
        if add_trigger is not None and self._shutdown_trigger is None:
            self._shutdown_trigger = add_trigger("before", "shutdown", self._reactor_shutting_down)
        if not skip_reactor:
            self._ran_reactor = True
            self.reactor.run()

    def _reactor_shutting_down(self) -> None:
        self._ran_reactor = False  # already stopping: stop() must not stop it again
        self._shutdown_trigger = None
        if not self._stopped and self._subscription is not None:
            self._subscription.stop(announce=True)
        self.stop()

    def stop(self) -> defer.Deferred:
        """Cancel every request in flight and timer, close the connection pool.

        Stops the reactor only if ``start()`` ran it. Returns a Deferred that fires when the
        pooled connections are closed. Calling it again does nothing more.
        """
        if self._stopped:
            return defer.succeed(None)
        self._stopped = True
        trigger, self._shutdown_trigger = self._shutdown_trigger, None
        if trigger is not None:
            self.reactor.removeSystemEventTrigger(trigger)
        if self._subscription is not None:
            self._subscription.stop()
        self._pipeline.cancel_all()
        closed = self._transport.close()
        if self._ran_reactor and self.reactor.running:
            self.reactor.stop()
        return closed
