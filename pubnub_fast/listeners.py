"""The listeners of one client, and the delivery of events to them.

Listeners are called on the reactor thread, in registration order; an exception in one listener
is logged with its traceback and neither stops delivery to the others nor reaches the reactor.
"""
import logging

from pubnub_fast.callbacks import SubscribeCallback

__all__ = ["Listeners"]

logger = logging.getLogger("pubnub_fast")


class Listeners:
    """An ordered set of ``SubscribeCallback`` instances."""

    def __init__(self, pubnub):
        self._pubnub = pubnub
        self._listeners = []

    def add(self, listener):
        if not isinstance(listener, SubscribeCallback):
            raise TypeError("listener must be a pubnub_fast.callbacks.SubscribeCallback, not %s"
                            % type(listener).__name__)
        if listener not in self._listeners:
            # replaced, not changed: a delivery in progress keeps iterating the list it started with
            self._listeners = self._listeners + [listener]

    def remove(self, listener):
        if listener in self._listeners:
            remaining = list(self._listeners)
            remaining.remove(listener)
            self._listeners = remaining

    def __len__(self):
        return len(self._listeners)

    def __iter__(self):
        return iter(list(self._listeners))

    def announce(self, method, event):
        """Call ``listener.<method>(pubnub, event)`` on every listener."""
        for listener in self._listeners:  # replaced, never changed, by add()/remove()
            try:
                getattr(listener, method)(self._pubnub, event)
            except Exception:
                logger.exception("listener %r raised in %s()", listener, method)

    def announce_status(self, status):
        self.announce("status", status)

    def announce_each(self, pairs):
        """``announce(method, event)`` for every ``(method, event)`` of ``pairs``, in order, on this
        thread: what a subclass that hands events to another thread or loop runs there for a
        batch handed over with ``announce_all`` (one hand-over per subscribe response instead of
        one per event)."""
        for method, event in pairs:
            Listeners.announce(self, method, event)
