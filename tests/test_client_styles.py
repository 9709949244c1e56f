"""One scenario suite, run through the three client styles of decisions.md §21 against the local server.

* ``twisted``: ``pubnub_fast.pubnub_twisted.PubNubTwisted`` on the test reactor (``.deferred()``);
* ``sync``: ``pubnub_fast.pubnub.PubNub`` (``.sync()``, callbacks on its callback thread);
* ``asyncio``: ``pubnub_fast.pubnub_asyncio.PubNubAsyncio`` (``.future()`` / ``.result()``).

Each scenario is written once, as a generator: it yields what a style's driver returns (a value,
a Deferred, an awaitable) and gets the outcome back; a runner per style resolves them. The server
is ``pubnub-fast serve`` in a subprocess (a blocking ``.sync()`` on the test's main thread must
not stop the server), with an open ``demo`` keyset and an Access Manager keyset ``pam``.
"""
import asyncio
import threading
import time
import uuid as uuid_module

import pytest
from twisted.internet import defer, reactor, task

from pubnub_fast import errors
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import (PubNubAsyncioException, PubNubException, PubNubTwistedException)
from pubnub_fast.models.envelopes import AsyncioEnvelope
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub import NonSubscribeListener, PubNub
from pubnub_fast.pubnub_asyncio import PubNubAsyncio
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.structures import Envelope
from tests.server.server_process import ServerProcess

WAIT = 10.0
STYLES = ["twisted", "sync", "asyncio"]


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--long-poll", "3", "--keyset", "demo:demo", "--keyset", "pam:pampub:pamsecret") as process:
        yield process


def unique(prefix):
    return "%s-%s" % (prefix, uuid_module.uuid4().hex[:8])


def make_config(origin, uuid, subscribe_key="demo", publish_key="demo", **settings):
    config = PNConfiguration(subscribe_key=subscribe_key, publish_key=publish_key, uuid=uuid)
    config.origin = origin
    config.ssl = False
    for name, value in settings.items():
        setattr(config, name, value)
    return config


class Outcome:
    """A request's outcome in every style: ``result``, ``status``, and ``error`` (the exception) on failure."""

    def __init__(self, result, status, error=None):
        self.result = result
        self.status = status
        self.error = error


class Recorder(SubscribeCallback):
    """Records statuses and events (from any thread); styles wait on it by polling."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = []
        self.items = []
        self.threads = set()

    def _add(self, kind, value):
        with self.lock:
            self.items.append((kind, value))
            self.threads.add(threading.current_thread().name)

    def status(self, pubnub, status):
        with self.lock:
            self.statuses.append(status)

    def message(self, pubnub, message):
        self._add("message", message)

    def presence(self, pubnub, presence):
        self._add("presence", presence)

    def signal(self, pubnub, signal):
        self._add("signal", signal)

    def of(self, kind):
        with self.lock:
            return [value for k, value in self.items if k == kind]

    def connected(self):
        with self.lock:
            return any(s.category == PNStatusCategory.PNConnectedCategory for s in self.statuses)


# --- the three styles ---------------------------------------------------------------------------------


class Style:
    def __init__(self, origin):
        self.origin = origin
        self.clients = []

    def client(self, uuid, **settings):
        pubnub = self.make(make_config(self.origin, uuid, **settings))
        self.clients.append(pubnub)
        return pubnub

    def listen(self, pubnub, channels, presence=False):
        recorder = Recorder()
        pubnub.add_listener(recorder)
        builder = pubnub.subscribe().channels(channels)
        if presence:
            builder = builder.with_presence()
        builder.execute()
        return recorder


class SyncStyle(Style):
    name = "sync"
    make = PubNub

    def request(self, builder):
        try:
            envelope = builder.sync()
        except PubNubException as exc:
            return Outcome(None, exc.status, exc)
        assert isinstance(envelope, Envelope)
        return Outcome(envelope.result, envelope.status)

    def request_async(self, builder):
        listener = NonSubscribeListener()
        builder.pn_async(listener.callback)
        assert listener.pn_await(WAIT), "pn_async callback never ran"
        return Outcome(listener.result, listener.status,
                       listener.status.error_data.exception if listener.status.is_error() else None)

    def wait(self, predicate, what):
        deadline = time.monotonic() + WAIT
        while not predicate():
            assert time.monotonic() < deadline, "timed out waiting for " + what
            time.sleep(0.01)

    def close(self):
        for pubnub in self.clients:
            pubnub.stop()


class TwistedStyle(Style):
    name = "twisted"

    @staticmethod
    def make(config):
        return PubNubTwisted(config, reactor=reactor)

    def request(self, builder):
        def failed(failure):
            failure.trap(PubNubTwistedException)
            return Outcome(failure.value.result, failure.value.status, failure.value)

        try:
            d = builder.deferred()
        except PubNubException as exc:
            return defer.succeed(Outcome(None, None, exc))
        return d.addCallbacks(lambda envelope: Outcome(envelope.result, envelope.status), failed)

    def request_async(self, builder):
        d = defer.Deferred()
        builder.pn_async(lambda result, status: d.callback(Outcome(
            result, status, status.error_data.exception if status.is_error() else None)))
        return d.addTimeout(WAIT, reactor)

    @defer.inlineCallbacks
    def wait(self, predicate, what):
        deadline = reactor.seconds() + WAIT
        while not predicate():
            assert reactor.seconds() < deadline, "timed out waiting for " + what
            yield task.deferLater(reactor, 0.01, lambda: None)

    @defer.inlineCallbacks
    def close(self):
        for pubnub in self.clients:
            yield pubnub.stop()


class AsyncioStyle(Style):
    name = "asyncio"
    make = PubNubAsyncio

    async def request(self, builder):
        envelope = await builder.future()
        if envelope.is_error():
            assert isinstance(envelope, PubNubAsyncioException)
            return Outcome(envelope.result, envelope.status, envelope.value())
        assert isinstance(envelope, AsyncioEnvelope)
        return Outcome(envelope.result, envelope.status)

    async def request_async(self, builder):
        done = asyncio.get_running_loop().create_future()
        builder.pn_async(lambda result, status: done.set_result(Outcome(
            result, status, status.error_data.exception if status.is_error() else None)))
        return await asyncio.wait_for(done, WAIT)

    async def wait(self, predicate, what):
        deadline = time.monotonic() + WAIT
        while not predicate():
            assert time.monotonic() < deadline, "timed out waiting for " + what
            await asyncio.sleep(0.01)

    async def close(self):
        for pubnub in self.clients:
            await pubnub.stop()


def run(style_name, origin, scenario):
    """Run ``scenario(style)`` to the end in ``style_name``'s way; every client is stopped after.

    Tests run on the (pytest-twisted) reactor: the Twisted style returns its Deferred for the test
    to return; the sync style blocks it meanwhile (its clients have their own reactor), and the
    asyncio style runs a loop of its own to completion."""
    if style_name == "sync":
        style = SyncStyle(origin)
        generator = scenario(style)
        value, error = None, None
        try:
            while True:
                try:
                    value = generator.throw(error) if error is not None else generator.send(value)
                    error = None
                except StopIteration:
                    return
        finally:
            style.close()
    if style_name == "twisted":
        style = TwistedStyle(origin)
        d = defer.inlineCallbacks(scenario)(style)
        d.addBoth(lambda outcome: style.close().addCallback(lambda _: outcome))
        return d  # the test returns it; pytest-twisted waits

    async def main():
        style = AsyncioStyle(origin)
        generator = scenario(style)
        value, error = None, None
        try:
            while True:
                try:
                    awaitable = generator.throw(error) if error is not None else generator.send(value)
                except StopIteration:
                    return
                try:
                    value, error = await awaitable, None
                except Exception as exc:
                    value, error = None, exc
        finally:
            await style.close()

    asyncio.run(main())


# --- scenarios ----------------------------------------------------------------------------------------


def publish_then_history(style):
    pubnub = style.client("writer")
    channel = unique("hist")
    timetokens = []
    for text in ("one", "two", "three"):
        outcome = yield style.request(pubnub.publish().channel(channel).message({"text": text}))
        assert outcome.error is None and outcome.status.category == PNStatusCategory.PNAcknowledgmentCategory
        timetokens.append(outcome.result.timetoken)
    assert timetokens == sorted(timetokens)
    outcome = yield style.request(pubnub.history().channel(channel).count(10))
    assert [item.entry for item in outcome.result.messages] == [{"text": t} for t in ("one", "two", "three")]
    outcome = yield style.request(pubnub.fetch_messages().channels([channel]).include_meta(True))
    items = outcome.result.channels[channel]
    assert [item.message for item in items] == [{"text": t} for t in ("one", "two", "three")]
    assert [int(item.timetoken) for item in items] == timetokens


def subscribe_message_and_presence(style):
    channel = unique("chat")
    alice = style.client("alice")
    bob = style.client("bob")
    heard = style.listen(alice, [channel], presence=True)
    yield style.wait(heard.connected, "alice connected")
    yield style.wait(lambda: any(p.event == "join" and p.uuid == "alice" for p in heard.of("presence")),
                     "alice's own join")
    bob_heard = style.listen(bob, [channel])
    yield style.wait(bob_heard.connected, "bob connected")
    yield style.wait(lambda: any(p.event == "join" and p.uuid == "bob" for p in heard.of("presence")), "bob's join")
    outcome = yield style.request(bob.publish().channel(channel).message({"from": "bob", "n": 1}))
    assert outcome.error is None
    yield style.wait(lambda: heard.of("message"), "bob's message at alice")
    message = heard.of("message")[0]
    assert (message.channel, message.message, message.publisher) == (channel, {"from": "bob", "n": 1}, "bob")
    assert message.timetoken == outcome.result.timetoken
    yield style.wait(lambda: bob_heard.of("message"), "bob hears himself")
    outcome = yield style.request(bob.signal().channel(channel).message("typing"))
    assert outcome.error is None
    yield style.wait(lambda: heard.of("signal"), "bob's signal")
    assert heard.of("signal")[0].message == "typing"
    bob.unsubscribe().channels([channel]).execute()
    yield style.wait(lambda: any(p.event == "leave" and p.uuid == "bob" for p in heard.of("presence")), "bob leaves")
    assert bob.get_subscribed_channels() == []
    assert alice.get_subscribed_channels() == [channel, channel + "-pnpres"]  # as PubNub's SDK lists them
    if style.name == "twisted":
        assert heard.threads == {"MainThread"}  # the reactor thread
    elif style.name == "sync":
        assert heard.threads == {"pubnub-callbacks"}  # never the reactor thread: callbacks may call .sync()
    else:
        assert heard.threads == {"MainThread"}  # the event loop's thread


def here_now_and_where_now(style):
    channel = unique("room")
    watcher = style.client("watcher")
    member_uuid = unique("member")
    member = style.client(member_uuid)
    heard = style.listen(member, [channel])
    yield style.wait(heard.connected, "member connected")
    outcome = yield style.request(watcher.here_now().channels([channel]).include_uuids(True))
    assert outcome.error is None
    assert outcome.result.total_occupancy == 1
    assert [occupant.uuid for occupant in outcome.result.channels[0].occupants] == [member_uuid]
    outcome = yield style.request(watcher.where_now().uuid(member_uuid))
    assert outcome.result.channels == [channel]


def errors_become_exceptions_and_statuses(style):
    # 403: an Access Manager keyset, no token
    denied = style.client("denied", subscribe_key="pam", publish_key="pampub")
    outcome = yield style.request(denied.publish().channel(unique("secret")).message("x"))
    assert isinstance(outcome.error, (PubNubException, PubNubTwistedException))
    assert outcome.status.category == PNStatusCategory.PNAccessDeniedCategory
    assert outcome.status.status_code == 403 and outcome.status.is_error()
    # 400: a subscribe key the server does not know
    unknown = style.client("unknown", subscribe_key="nope", publish_key="nope")
    outcome = yield style.request(unknown.here_now().channels(["a"]))
    assert outcome.status.category == PNStatusCategory.PNBadRequestCategory
    assert outcome.status.status_code == 400
    # refused before sending: a PubNubException with the PNERR_* of the problem
    pubnub = style.client("local")
    outcome = yield style.request(pubnub.publish().channel("").message("x"))
    assert isinstance(outcome.error, PubNubException)
    assert outcome.error.pn_error == errors.PNERR_CHANNEL_MISSING
    # pn_async: the same failure as a (result, status) callback
    outcome = yield style.request_async(denied.publish().channel(unique("secret")).message("y"))
    assert outcome.status.category == PNStatusCategory.PNAccessDeniedCategory
    outcome = yield style.request_async(pubnub.time())
    assert outcome.error is None and int(outcome.result) > 0


SCENARIOS = [publish_then_history, subscribe_message_and_presence, here_now_and_where_now,
             errors_become_exceptions_and_statuses]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_scenario(server, style, scenario):
    return run(style, server.origin, scenario)
