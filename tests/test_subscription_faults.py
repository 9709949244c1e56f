"""The subscription loop against the real local server, through a fault-injecting TCP proxy.

Messages are published (directly to the server) while the subscriber's path is reset, stalled
and its server restarted mid long-poll; every message must arrive exactly once and in order,
and every disconnection must be announced and followed by a reconnection.
"""
import pytest
import pytest_twisted
from twisted.internet import defer, reactor, task

from pubnub_fast.enums import PNReconnectionPolicy, PNStatusCategory
from pubnub_fast.server import start_server
from tests.e2e_support import Events, new_client
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

C = PNStatusCategory


class Collector(Events):
    """``Events`` keeping only the category of each status, with the ``seq`` of every message in arrival order."""

    def status(self, pubnub, status):
        self.statuses.append(status.category)
        if status.category == C.PNConnectedCategory and not self.connected.called:
            self.connected.callback(None)

    @property
    def sequence(self):
        return [message.message["seq"] for message in self.messages]

    def wait_for(self, count, timeout=10):
        return self.wait(lambda collector: len(collector.sequence) >= count, timeout)


def sleep(seconds):
    return task.deferLater(reactor, seconds, lambda: None)


@pytest_twisted.inlineCallbacks
def test_every_message_exactly_once_through_resets_stalls_and_a_restart(tmp_path):
    data = str(tmp_path / "server.sqlite3")
    server = yield start_server(reactor, port=0, data=data, long_poll=1.0)
    port = server.port
    proxy = FaultProxy(reactor, port)
    subscriber = new_client(proxy.origin, "subscriber", reconnect_policy=PNReconnectionPolicy.LINEAR,
                            reconnection_interval=0.2, subscribe_timeout=2.0)
    publisher = new_client(server.origin, "publisher")
    collector = Collector()
    subscriber.add_listener(collector)
    published = []

    @defer.inlineCallbacks
    def publish(count):
        for _ in range(count):
            seq = len(published)
            published.append(seq)
            yield publisher.publish().channel("faults").message({"seq": seq}).deferred()

    try:
        subscriber.subscribe().channels(["faults"]).execute()
        yield collector.connected.addTimeout(10, reactor)
        yield publish(10)
        yield collector.wait_for(10)

        # 1. resets: while messages are being published
        for _ in range(3):
            proxy.reset()
            yield publish(5)
            yield sleep(0.1)
        yield collector.wait_for(len(published))

        # 2. a black-holed path: the long-poll times out, messages published meanwhile arrive later
        proxy.stall()
        yield publish(10)
        yield sleep(2.5)
        proxy.resume()
        yield collector.wait_for(len(published))

        # 3. the server is restarted on the same data while the subscriber is parked on it
        yield server.stop()
        proxy.reset()
        yield sleep(0.3)
        server = yield start_server(reactor, port=port, data=data, long_poll=1.0)
        publisher_restarted = publisher
        yield publish(10)
        yield collector.wait_for(len(published), timeout=15)
        assert publisher_restarted is publisher

        assert collector.sequence == published  # every one, once, in order
        statuses = collector.statuses
        assert C.PNReconnectedCategory in statuses
        assert C.PNUnexpectedDisconnectCategory in statuses
        assert C.PNTimeoutCategory in statuses
        # every announced failure was followed by a reconnection
        assert statuses[-1] == C.PNReconnectedCategory
        assert C.PNDisconnectedCategory not in statuses
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
        assert C.PNUnexpectedDisconnectCategory in collector.statuses
        assert not subscriber._subscription.polling
        yield publisher.publish().channel("none").message({"seq": 0}).deferred()
        proxy = FaultProxy(reactor, server.port)
        subscriber.config.origin = proxy.origin
        subscriber.reconnect()
        yield collector.wait_for(1)
        assert collector.sequence == [0]
        assert collector.statuses[-1] == C.PNReconnectedCategory
    finally:
        yield subscriber.stop()
        yield publisher.stop()
        yield proxy.close()
        yield server.stop()
