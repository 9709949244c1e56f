"""Helpers shared by the end-to-end tests: pubnub_fast clients against the local server over loopback HTTP.

* ``local_server_fixture(**options)``: a module's ``server`` fixture, the server started in process
  on the pytest-twisted reactor (free port, in-memory store, 2 s long-poll unless ``options`` say
  otherwise).
* ``new_client(origin, uuid, **settings)`` and ``clients_of(origin)``, behind the ``make_client``
  fixture of ``tests/conftest.py`` (clients of the module's ``server``, stopped after the test).
* ``Events``: a listener recording everything it hears, with bounded waits; ``subscribed(...)``
  subscribes a client with one and waits until it is connected.
* ``failed(builder)``: the ``PubNubTwistedException`` a request errbacks with.
"""
from contextlib import contextmanager

import pytest
import pytest_twisted
from twisted.internet import defer, reactor

from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import PubNubTwistedException
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.server import start_server

WAIT = 10  # seconds any single expected event may take


def local_server_fixture(**options):
    """A ``server`` fixture: ``start_server(reactor, port=0, data=":memory:", long_poll=2.0, **options)``,
    stopped after the test."""
    options = {"port": 0, "data": ":memory:", "long_poll": 2.0, **options}

    @pytest.fixture
    def server():
        running = pytest_twisted.blockon(start_server(reactor, **options))
        yield running
        pytest_twisted.blockon(running.stop())

    return server


def new_client(origin, uuid="client", subscribe_key="demo", publish_key="demo", **settings):
    """A ``PubNubTwisted`` on the reactor talking to ``origin``; ``settings`` are set on its configuration."""
    config = PNConfiguration(subscribe_key=subscribe_key, publish_key=publish_key, uuid=uuid)
    config.origin = origin
    config.ssl = False  # the local server speaks plain HTTP (ssl defaults to True)
    for name, value in settings.items():
        setattr(config, name, value)
    return PubNubTwisted(config, reactor=reactor)


@contextmanager
def clients_of(server_origin):
    """Yields ``make(uuid="client", origin=None, **settings)``: clients of ``server_origin`` (or of the
    ``origin`` given), all stopped at the end of the block."""
    made = []

    def make(uuid="client", origin=None, **settings):
        made.append(new_client(origin or server_origin, uuid, **settings))
        return made[-1]

    yield make
    for pubnub in made:
        pytest_twisted.blockon(pubnub.stop())


class Events(SubscribeCallback):
    """Records what a subscriber hears: ``items`` holds ``(kind, value)`` for messages, signals,
    presence, message actions, App Context and file events, in arrival order; ``statuses`` holds
    every status. ``connected`` fires on the first ``PNConnectedCategory``.

    ``wait(predicate)`` fires once ``predicate(events)`` holds (checked on every event and status)
    and times out after ``WAIT`` seconds.
    """

    def __init__(self):
        self.items = []
        self.statuses = []
        self.connected = defer.Deferred()
        self._waiters = []

    def _changed(self):
        for predicate, waiter in list(self._waiters):
            if not waiter.called and predicate(self):
                waiter.callback(None)

    def _add(self, kind, value):
        self.items.append((kind, value))
        self._changed()

    def status(self, pubnub, status):
        self.statuses.append(status)
        if status.category == PNStatusCategory.PNConnectedCategory and not self.connected.called:
            self.connected.callback(None)
        self._changed()

    def message(self, pubnub, message):
        self._add("message", message)

    def signal(self, pubnub, signal):
        self._add("signal", signal)

    def presence(self, pubnub, presence):
        self._add("presence", presence)

    def message_action(self, pubnub, message_action):
        self._add("message_action", message_action)

    def uuid(self, pubnub, event):
        self._add("uuid", event)

    def channel(self, pubnub, event):
        self._add("channel", event)

    def membership(self, pubnub, event):
        self._add("membership", event)

    def file(self, pubnub, event):
        self._add("file", event)

    def of(self, kind):
        return [value for k, value in self.items if k == kind]

    @property
    def messages(self):
        return self.of("message")

    @property
    def actions(self):
        return self.of("message_action")

    def wait(self, predicate, timeout=WAIT):
        waiter = defer.Deferred()
        if predicate(self):
            waiter.callback(None)
        else:
            self._waiters.append((predicate, waiter))
        return waiter.addTimeout(timeout, reactor)

    def wait_for(self, kind, n, timeout=WAIT):
        """Until ``n`` events of ``kind`` have been heard."""
        return self.wait(lambda events: len(events.of(kind)) >= n, timeout)

    def has_status(self, category):
        """Until a status of ``category`` has been heard."""
        return self.wait(lambda events: any(status.category == category for status in events.statuses))


def execute_subscribe(pubnub, channels=(), groups=(), presence=False):
    """``pubnub.subscribe()`` to ``channels`` and ``groups`` (``with_presence`` if asked), executed.
    The official SDK's clients have the same builder: the interop tests use this too."""
    builder = pubnub.subscribe()
    if channels:
        builder = builder.channels(list(channels))
    if groups:
        builder = builder.channel_groups(list(groups))
    if presence:
        builder = builder.with_presence()
    builder.execute()


async def subscribed(pubnub, channels=(), groups=(), presence=False, timeout=WAIT):
    """Subscribe ``pubnub`` with a new ``Events`` listener; returns it once connected."""
    events = Events()
    pubnub.add_listener(events)
    execute_subscribe(pubnub, channels, groups, presence)
    await events.connected.addTimeout(timeout, reactor)
    return events


async def failed(builder):
    """The ``PubNubTwistedException`` a request errbacks with."""
    with pytest.raises(PubNubTwistedException) as info:
        await builder.deferred()
    return info.value
