"""``deliver``: the per-message path from parsed subscribe events to listener calls, in both
envelope twins (dedupe, decryption-error statuses, every listener, listener exceptions)."""
import logging
from collections import OrderedDict

from pubnub_fast.listeners import Listeners
from pubnub_fast.models.consumer.pubsub import PNMessageResult, PNPresenceEventResult, PNSignalMessageResult
from pubnub_fast.subscription import _RecentEvents, _event_key


class Recorder:
    def __init__(self, name, calls, fail_on=None):
        self.name, self.calls, self.fail_on = name, calls, fail_on

    def message(self, pubnub, result):
        self.calls.append((self.name, "message", result))
        if self.fail_on is not None and result.message == self.fail_on:
            raise RuntimeError("listener bug")

    def signal(self, pubnub, result):
        self.calls.append((self.name, "signal", result))

    def presence(self, pubnub, result):
        self.calls.append((self.name, "presence", result))


class Holder(Listeners):
    def __init__(self, listeners):
        super().__init__(None)
        self._listeners = listeners


class Loop:
    def __init__(self, listeners, size=100):
        self._recent = _RecentEvents(size)
        self._listeners = Holder(listeners)
        self._pubnub = object()
        self.decryption_errors = []

    def _announce_decryption_error(self, error, result, status):
        self.decryption_errors.append((error, result, status))


def message(text, timetoken, channel="ch", error=None):
    return PNMessageResult(text, None, channel, timetoken, error=error)


def test_dedupe_order_and_every_listener(envelope_impl):
    calls = []
    loop = Loop([Recorder("a", calls), Recorder("b", calls)])
    signal = PNSignalMessageResult("s", None, "ch", 5)
    presence = PNPresenceEventResult("join", "u1", 1, 5, None, "ch-pnpres", 17, None)
    events = [("message", message("m1", 1)), ("message", message("m1 again", 1)), ("signal", signal),
              ("message", message("m2", 2)), ("message", message("other channel", 1, "ch2")),
              ("presence", presence)]
    envelope_impl.deliver(loop, events, "status", _event_key)
    assert [(name, method, getattr(r, "message", None)) for name, method, r in calls] == [
        ("a", "message", "m1"), ("b", "message", "m1"), ("a", "signal", "s"), ("b", "signal", "s"),
        ("a", "message", "m2"), ("b", "message", "m2"), ("a", "message", "other channel"),
        ("b", "message", "other channel"), ("a", "presence", None), ("b", "presence", None)]
    # a later response repeating events (a reconnect) delivers nothing twice
    del calls[:]
    envelope_impl.deliver(loop, events, "status", _event_key)
    assert calls == []


def test_dedupe_memory_is_bounded_and_refreshed(envelope_impl):
    calls = []
    loop = Loop([Recorder("a", calls)], size=3)
    envelope_impl.deliver(loop, [("message", message("m%d" % i, i)) for i in range(5)], None, _event_key)
    assert len(loop._recent) == 3
    envelope_impl.deliver(loop, [("message", message("old", 0)), ("message", message("dup", 4))], None, _event_key)
    assert [r.message for _, _, r in calls][-1] == "old"  # forgotten: delivered again
    assert isinstance(loop._recent._keys, OrderedDict)
    assert list(loop._recent._keys)[-1] == ("ch", 4)  # the duplicate was moved to the end


def test_decryption_error_is_announced_and_the_message_delivered(envelope_impl):
    calls = []
    loop = Loop([Recorder("a", calls)])
    broken = message("cipher text", 1, error=ValueError("bad padding"))
    envelope_impl.deliver(loop, [("message", broken)], "status", _event_key)
    assert loop.decryption_errors == [(broken.error, broken, "status")]
    assert calls == [("a", "message", broken)]


def test_a_listener_exception_is_logged_and_delivery_goes_on(envelope_impl, caplog):
    calls = []
    loop = Loop([Recorder("a", calls, fail_on="m1"), Recorder("b", calls)])
    with caplog.at_level(logging.ERROR, logger="pubnub_fast"):
        envelope_impl.deliver(loop, [("message", message("m1", 1)), ("message", message("m2", 2))], None, _event_key)
    assert [(name, r.message) for name, _, r in calls] == [("a", "m1"), ("b", "m1"), ("a", "m2"), ("b", "m2")]
    assert "listener bug" in caplog.text


def test_listeners_changed_during_delivery_apply_from_the_next_event(envelope_impl):
    calls = []
    second = Recorder("b", calls)
    loop = Loop([])

    class Adder(Recorder):
        def message(self, pubnub, result):
            super().message(pubnub, result)
            if second not in loop._listeners._listeners:
                loop._listeners._listeners = loop._listeners._listeners + [second]

    loop._listeners._listeners = [Adder("a", calls)]
    envelope_impl.deliver(loop, [("message", message("m1", 1)), ("message", message("m2", 2))], None, _event_key)
    assert [(name, r.message) for name, _, r in calls] == [("a", "m1"), ("a", "m2"), ("b", "m2")]


def test_a_listeners_class_overriding_announce_is_called_through_it(envelope_impl):
    """The sync and asyncio client styles hop to another thread or loop in ``announce``."""
    calls = []
    hops = []

    class Hopping(Holder):
        def announce(self, method, event):
            hops.append((method, event.message))
            Listeners.announce(self, method, event)

    loop = Loop([])
    loop._listeners = Hopping([Recorder("a", calls)])
    events = [("message", message("m1", 1)), ("message", message("m1", 1)), ("message", message("m2", 2))]
    envelope_impl.deliver(loop, events, None, _event_key)
    assert hops == [("message", "m1"), ("message", "m2")]  # deduplicated first
    assert [(name, r.message) for name, _, r in calls] == [("a", "m1"), ("a", "m2")]


def test_a_listeners_class_with_announce_all_gets_the_response_in_batches(envelope_impl):
    """The sync and asyncio styles hand a whole response to their thread or loop at once; a
    decryption-error status still comes between the events before and after it."""
    handed = []

    class Batching(Holder):
        def announce(self, method, event):
            handed.append(("one", method, event.message))

        def announce_all(self, pairs):
            handed.append(("batch", [(method, event.message) for method, event in pairs]))

    class Announcing(Loop):
        def _announce_decryption_error(self, error, result, status):
            handed.append(("status", result.message))

    loop = Announcing([])
    loop._listeners = Batching([])
    signal = PNSignalMessageResult("s", None, "ch", 5)
    events = [("message", message("m1", 1)), ("message", message("m1", 1)), ("signal", signal),
              ("message", message("bad", 2, error=ValueError("bad padding"))), ("message", message("m3", 3))]
    envelope_impl.deliver(loop, events, "status", _event_key)
    assert handed == [("batch", [("message", "m1"), ("signal", "s")]), ("status", "bad"),
                      ("batch", [("message", "bad"), ("message", "m3")])]
    del handed[:]
    envelope_impl.deliver(loop, events, "status", _event_key)  # all seen: nothing handed over
    assert handed == []
