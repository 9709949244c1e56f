"""Helpers shared by the interop tests: the official ``pubnub`` package (10.8, native sync client)
against ``pubnub-fast serve`` run as a subprocess (``tests/server/server_process.py``).

Import it after ``pytest.importorskip("pubnub")``. Every wait is bounded by ``WAIT``; the server
process is always killed and every client stopped.
"""
import queue
import time
import uuid as uuid_module
from contextlib import contextmanager

import pytest
from pubnub.callbacks import SubscribeCallback
from pubnub.enums import PNStatusCategory
from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub import PubNub

from tests.e2e_support import execute_subscribe
from tests.server.server_process import ServerProcess

WAIT = 15.0  # seconds any single expected event may take


def unique(prefix):
    return "%s-%s" % (prefix, uuid_module.uuid4().hex[:10])


def server_fixture(*args):
    """A module-scoped ``server`` fixture: ``pubnub-fast serve --long-poll 5 *args`` (a ``ServerProcess``)."""
    @pytest.fixture(scope="module")
    def server():
        with ServerProcess("--long-poll", "5", *args) as process:
            yield process

    return server


def official_client(origin, uuid, subscribe_key="demo", publish_key="demo", **settings):
    """An official ``PubNub`` of ``origin`` over plain HTTP (daemon threads, bounded timeouts);
    the ``settings`` that are not None are set on its configuration."""
    config = PNConfiguration()
    config.subscribe_key = subscribe_key
    config.publish_key = publish_key
    config.uuid = uuid
    config.origin = origin
    config.ssl = False
    config.daemon = True
    config.non_subscribe_request_timeout = 10
    config.connect_timeout = 5
    for name, value in settings.items():
        if value is not None:
            setattr(config, name, value)
    return PubNub(config)


@contextmanager
def official_clients(origin, **defaults):
    """Yields ``make(uuid, **settings)``: official clients of ``origin``, each unsubscribed and stopped
    at the end of the block."""
    made = []

    def make(uuid, **settings):
        made.append(official_client(origin, uuid, **defaults, **settings))
        return made[-1]

    yield make
    for pn in made:
        try:
            pn.unsubscribe_all()
        finally:
            pn.stop()


class Recorder(SubscribeCallback):
    """Queues what an official client's listener hears: ``statuses``, ``messages``, ``presences``,
    ``actions`` (message actions) and, in arrival order, ``events``: ``(kind, event)`` for messages,
    App Context and file events."""

    def __init__(self):
        self.statuses = queue.Queue()
        self.messages = queue.Queue()
        self.presences = queue.Queue()
        self.actions = queue.Queue()
        self.events = queue.Queue()

    def status(self, pubnub, status):
        self.statuses.put(status)

    def message(self, pubnub, message):
        self.messages.put(message)
        self.events.put(("message", message))

    def presence(self, pubnub, presence):
        self.presences.put(presence)

    def message_action(self, pubnub, message_action):
        self.actions.put(message_action)

    def uuid(self, pubnub, event):
        self.events.put(("uuid", event))

    def channel(self, pubnub, event):
        self.events.put(("channel", event))

    def membership(self, pubnub, event):
        self.events.put(("membership", event))

    def file(self, pubnub, event):
        self.events.put(("file", event))

    def wait_status(self, category):
        """The first status of ``category`` (others are skipped)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            status = self.statuses.get(timeout=max(0.01, deadline - time.monotonic()))
            if status.category == category:
                return status
        raise AssertionError("no %s status" % category)

    def wait_connected(self):
        """Until connected; an error status first fails."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            status = self.statuses.get(timeout=max(0.01, deadline - time.monotonic()))
            if status.category == PNStatusCategory.PNConnectedCategory:
                return
            assert not status.is_error(), (status.category, status.error_data)
        raise AssertionError("not connected")

    def next(self):
        """The next ``(kind, event)``."""
        return self.events.get(timeout=WAIT)

    def next_message(self):
        return self.messages.get(timeout=WAIT)

    def no_message(self, seconds):
        try:
            message = self.messages.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError("unexpected message %r" % (message.message,))

    def presence_event(self, event, uuid):
        """The next presence ``event`` of ``uuid`` (others are skipped)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            presence = self.presences.get(timeout=max(0.01, deadline - time.monotonic()))
            if presence.event == event and presence.uuid == uuid:
                return presence
        raise AssertionError("no %s of %s" % (event, uuid))


def listen(pn, channels=(), groups=(), presence=False):
    """Subscribe ``pn`` with a new ``Recorder`` listener (without waiting); returns it."""
    recorder = Recorder()
    pn.add_listener(recorder)
    execute_subscribe(pn, channels, groups, presence)
    return recorder


def subscribe(pn, channels=(), groups=(), presence=False):
    """``listen``, then wait until connected."""
    recorder = listen(pn, channels, groups, presence)
    recorder.wait_connected()
    return recorder
