"""The subscription loop against the real local server, through a fault-injecting TCP proxy.

Messages are published (directly to the server) while the subscriber's path is reset, cut in the
middle of a response body, stalled, and its server restarted mid long-poll. Every fault is
injected only once a subscribe request is parked on the server, and the proxy's report shows it
hit that live request. The listener must hear, for each fault, exactly one failure status
followed by exactly one ``PNReconnectedCategory`` -- except that a keep-alive transport may hide a
bare reset (no byte of the answer came yet) by sending the request again at once on a new
connection: then nothing is announced, and the proxy must have seen that new connection. A reset
followed by a short blackout cannot be hidden, nor can a body cut short. Every message must
arrive exactly once and in order, also after a settling pause longer than the server's long-poll
(a late duplicate would show).
"""
import pytest
import pytest_twisted
from twisted.internet import defer, reactor, task

from pubnub_fast.enums import PNOperationType, PNReconnectionPolicy, PNStatusCategory
from pubnub_fast.server import start_server
from tests.e2e_support import Events, new_client
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

C = PNStatusCategory
LONG_POLL = 1.0  # the server's long-poll, seconds
SETTLE = LONG_POLL + 0.5  # a late answer (a duplicate) would arrive within this


class Collector(Events):
    """``Events`` with the ``seq`` of every message in arrival order and the subscribe statuses."""

    @property
    def sequence(self):
        return [message.message["seq"] for message in self.messages]

    @property
    def subscribe_statuses(self):
        return [s.category for s in self.statuses if s.operation == PNOperationType.PNSubscribeOperation]

    def wait_for(self, count, timeout=10):
        return self.wait(lambda collector: len(collector.sequence) >= count, timeout)

    def wait_statuses(self, count, timeout=10):
        return self.wait(lambda collector: len(collector.subscribe_statuses) >= count, timeout)


def sleep(seconds):
    return task.deferLater(reactor, seconds, lambda: None)


@defer.inlineCallbacks
def wait_until(predicate, timeout=10, step=0.02):
    for _ in range(int(timeout / step)):
        if predicate():
            return
        yield sleep(step)
    assert predicate(), "timed out"


@pytest_twisted.inlineCallbacks
def test_every_message_exactly_once_through_resets_cuts_stalls_and_a_restart(tmp_path):
    data = str(tmp_path / "server.sqlite3")
    server = yield start_server(reactor, port=0, data=data, long_poll=LONG_POLL)
    port = server.port
    proxy = FaultProxy(reactor, port)
    subscriber = new_client(proxy.origin, "subscriber", reconnect_policy=PNReconnectionPolicy.LINEAR,
                            reconnection_interval=0.2, subscribe_timeout=2.0)
    publisher = new_client(server.origin, "publisher")
    collector = Collector()
    subscriber.add_listener(collector)
    published = []
    failures = []  # the failure category each announced fault produced, in order
    hidden = []  # faults a keep-alive client absorbed by sending the request again at once

    @defer.inlineCallbacks
    def publish(count, pad=0):
        for _ in range(count):
            seq = len(published)
            published.append(seq)
            message = {"seq": seq, "pad": "x" * pad} if pad else {"seq": seq}
            yield publisher.publish().channel("faults").message(message).deferred()

    @defer.inlineCallbacks
    def one_failure_then_reconnected(before):
        """The statuses since ``before``: exactly one failure, then exactly one Reconnected."""
        yield collector.wait_statuses(before + 2, timeout=15)
        yield collector.wait_for(len(published), timeout=15)
        new = collector.subscribe_statuses[before:]
        assert len(new) == 2 and new[1] == C.PNReconnectedCategory, new
        assert new[0] in (C.PNUnexpectedDisconnectCategory, C.PNTimeoutCategory,
                          C.PNNetworkIssuesCategory), new
        failures.append(new[0])

    @defer.inlineCallbacks
    def absorbed_or_announced(before, accepted):
        """After a bare fault: either the client sent the cut request again at once on a new
        connection and nothing was announced, or one failure then one Reconnected."""
        yield collector.wait_for(len(published), timeout=15)
        if collector.subscribe_statuses[before:]:
            yield one_failure_then_reconnected(before)
        else:
            assert proxy.accepted > accepted  # the request went again, on a new connection
            hidden.append(True)

    try:
        subscriber.subscribe().channels(["faults"]).execute()
        yield collector.connected.addTimeout(10, reactor)
        yield publish(10)
        yield collector.wait_for(10)
        assert collector.subscribe_statuses == [C.PNConnectedCategory]

        # 1. resets, each while a long-poll is parked on the server, then messages published.
        # A bare reset: a keep-alive client may retry the cut request on a new connection at
        # once and hide it (then it must have reconnected, silently), or announce it.
        yield proxy.when_request_in_flight()
        before, accepted = len(collector.subscribe_statuses), proxy.accepted
        cuts = proxy.reset()
        assert any(cut.in_flight for cut in cuts), cuts  # it cut a live request
        yield publish(5)
        yield absorbed_or_announced(before, accepted)
        # Resets with a blackout: the retry fails too, so the loop must announce the failure.
        for _ in range(2):
            yield proxy.when_request_in_flight()
            before = len(collector.subscribe_statuses)
            cuts = proxy.reset(blackout=0.5)
            assert any(cut.in_flight for cut in cuts), cuts
            yield publish(5)
            yield one_failure_then_reconnected(before)

        # 2. a response cut in the middle of its body: a truncated body is a network failure
        # (never resent silently once part of the answer came); the message in it comes again, once
        yield proxy.when_request_in_flight()
        before = len(collector.subscribe_statuses)
        armed = proxy.cut_next_response_mid_body(min_body=1000)
        yield publish(1, pad=1500)
        cut = yield armed.addTimeout(10, reactor)
        assert cut.in_flight and cut.body_length is not None, cut
        assert 0 < cut.body_sent < cut.body_length and cut.flushed, cut
        yield publish(2)
        yield one_failure_then_reconnected(before)

        # 3. a black-holed path: the long-poll times out, messages published meanwhile arrive later
        yield proxy.when_request_in_flight()
        before = len(collector.subscribe_statuses)
        proxy.stall()
        yield publish(10)
        yield collector.wait_statuses(before + 1, timeout=10)  # the timeout, while still stalled
        assert collector.subscribe_statuses[before:] == [C.PNTimeoutCategory]
        assert len(collector.sequence) < len(published)  # nothing got through the stall
        assert proxy.resume() >= 1  # a request (or its answer) was held back
        yield one_failure_then_reconnected(before)

        # 4. the server is restarted on the same data while the subscriber is parked on it
        yield proxy.when_request_in_flight()
        before = len(collector.subscribe_statuses)
        yield server.stop()
        cuts = proxy.reset()
        hit = proxy.server_closed + [cut for cut in cuts if cut.in_flight]
        assert hit, (proxy.server_closed, cuts)  # the parked request was cut by the stop
        refused = proxy.refused
        yield wait_until(lambda: proxy.refused > refused)  # retries hit the downed server
        server = yield start_server(reactor, port=port, data=data, long_poll=LONG_POLL)
        yield publish(10)
        yield one_failure_then_reconnected(before)

        # settle: a late or duplicated delivery would show up now
        yield sleep(SETTLE)
        assert collector.sequence == published  # every one, once, in order
        assert collector.subscribe_statuses == [C.PNConnectedCategory] + [
            category for failure in failures for category in (failure, C.PNReconnectedCategory)]
        # a reset, a cut body and a downed server are disconnections; the black hole is a timeout
        assert failures == [C.PNUnexpectedDisconnectCategory] * (4 - len(hidden)) + [
            C.PNTimeoutCategory, C.PNUnexpectedDisconnectCategory], failures
        assert [cut.kind for cut in proxy.cuts[:4]] == ["reset"] * 3 + ["mid-body"], proxy.cuts
        assert C.PNDisconnectedCategory not in collector.subscribe_statuses
    finally:
        yield subscriber.stop()
        yield publisher.stop()
        yield proxy.close()
        yield server.stop()


@pytest_twisted.inlineCallbacks
def test_policy_none_announces_the_disconnect_and_reconnect_resumes():
    server = yield start_server(reactor, port=0, data=":memory:", long_poll=1.0)
    proxy = FaultProxy(reactor, server.port)
    subscriber = new_client(proxy.origin, "subscriber")
    publisher = new_client(server.origin, "publisher")
    collector = Collector()
    subscriber.add_listener(collector)
    try:
        subscriber.subscribe().channels(["none"]).execute()
        yield collector.connected.addTimeout(10, reactor)
        yield proxy.close()  # refuse from now on
        yield sleep(1.5)
        assert C.PNUnexpectedDisconnectCategory in collector.subscribe_statuses
        assert not subscriber._subscription.polling
        yield publisher.publish().channel("none").message({"seq": 0}).deferred()
        proxy = FaultProxy(reactor, server.port)
        subscriber.config.origin = proxy.origin
        subscriber.reconnect()
        yield collector.wait_for(1)
        assert collector.sequence == [0]
        assert collector.subscribe_statuses[-1] == C.PNReconnectedCategory
    finally:
        yield subscriber.stop()
        yield publisher.stop()
        yield proxy.close()
        yield server.stop()
