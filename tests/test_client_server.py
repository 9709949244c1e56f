"""pubnub_fast against the local server over real loopback HTTP: the same client that talks to
PubNub's network publishes, subscribes (plain, encrypted, filtered, with presence) and gets the
server's error answers as statuses."""
import pytest
import pytest_twisted
from twisted.internet import defer, reactor, task

from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import PubNubTwistedException
from pubnub_fast.models.consumer.time import PNTimeResponse
from tests.e2e_support import Events, local_server_fixture, subscribed

pytestmark = pytest.mark.integration

C = PNStatusCategory


server = local_server_fixture()


def count(kind, n):
    return lambda events: len(events.of(kind)) >= n


@pytest_twisted.inlineCallbacks
def test_time_and_publish_results(make_client):
    pubnub = make_client()
    envelope = yield pubnub.time().deferred()
    assert isinstance(envelope.result, PNTimeResponse)
    assert len(str(envelope.result)) == 17
    published = yield pubnub.publish().channel("c").message({"a": 1}).meta({"m": 1}).should_store(True).deferred()
    fired = yield pubnub.fire().channel("c").message("f").deferred()
    signalled = yield pubnub.signal().channel("c").message("s").deferred()
    assert published.result.timetoken < fired.result.timetoken < int(signalled.result.timetoken)
    assert published.status.category == C.PNAcknowledgmentCategory


@pytest_twisted.inlineCallbacks
def test_subscribe_receives_messages_signals_and_presence(make_client):
    subscriber = make_client("subscriber")
    publisher = make_client("publisher")
    events = yield defer.ensureDeferred(subscribed(subscriber, ["room"], presence=True))
    yield events.wait(count("presence", 1))
    yield publisher.publish().channel("room").message({"text": "hi"}).meta({"k": "v"}).deferred()
    yield publisher.signal().channel("room").message({"typing": True}).deferred()
    yield publisher.publish().channel("room").message("post body").use_post(True).deferred()
    yield events.wait(lambda e: count("message", 2)(e) and count("signal", 1)(e))
    first, second = events.of("message")
    assert (first.channel, first.message, first.user_metadata, first.publisher) == (
        "room", {"text": "hi"}, {"k": "v"}, "publisher")
    assert second.message == "post body"
    assert events.of("signal")[0].message == {"typing": True}
    join = events.of("presence")[0]
    assert (join.event, join.uuid, join.channel) == ("join", "subscriber", "room")


@pytest_twisted.inlineCallbacks
def test_encrypted_messages_round_trip_and_wrong_key_is_a_decryption_error(make_client):
    subscriber = make_client("subscriber", cipher_key="right key")
    events = yield defer.ensureDeferred(subscribed(subscriber, ["secret"]))
    right = make_client("p1", cipher_key="right key")
    wrong = make_client("p2", cipher_key="wrong key")
    yield right.publish().channel("secret").message({"n": 1}).deferred()
    yield wrong.publish().channel("secret").message({"n": 2}).deferred()
    yield events.wait(count("message", 2))
    good, bad = events.of("message")
    assert good.message == {"n": 1} and good.error is None
    assert isinstance(bad.message, str) and bad.error is not None
    assert [s.category for s in events.statuses].count(C.PNDecryptionErrorCategory) == 1


@pytest_twisted.inlineCallbacks
def test_filter_expression_drops_non_matching_messages(make_client):
    subscriber = make_client("subscriber", filter_expression="meta.priority == 'high'")
    publisher = make_client("publisher")
    events = yield defer.ensureDeferred(subscribed(subscriber, ["alerts"]))
    for n, priority in enumerate(["low", "high", "low", "high"]):
        yield publisher.publish().channel("alerts").message(n).meta({"priority": priority}).deferred()
    yield events.wait(count("message", 2))
    yield task.deferLater(reactor, 0.2, lambda: None)
    assert [m.message for m in events.of("message")] == [1, 3]


@pytest_twisted.inlineCallbacks
def test_invalid_filter_expression_is_announced_and_stops(make_client):
    subscriber = make_client("subscriber", filter_expression="meta.a == ")
    events = Events()
    subscriber.add_listener(events)
    subscriber.subscribe().channels(["x"]).execute()
    yield task.deferLater(reactor, 0.5, lambda: None)
    assert [s.category for s in events.statuses] == [C.PNMalformedFilterExpressionCategory]
    assert events.statuses[0].status_code == 481
    assert not subscriber._subscription.polling


@pytest_twisted.inlineCallbacks
def test_leave_is_announced_to_other_subscribers(make_client):
    watcher = make_client("watcher")
    leaver = make_client("leaver")
    events = yield defer.ensureDeferred(subscribed(watcher, ["lobby"], presence=True))
    leaver.subscribe().channels(["lobby"]).execute()
    yield events.wait(lambda e: any(p.uuid == "leaver" and p.event == "join" for p in e.of("presence")))
    leaver.unsubscribe().channels(["lobby"]).execute()
    yield events.wait(lambda e: any(p.uuid == "leaver" and p.event == "leave" for p in e.of("presence")))


@pytest_twisted.inlineCallbacks
def test_server_errors_become_statuses(make_client, server):
    pubnub = make_client()
    with pytest.raises(PubNubTwistedException) as info:
        yield pubnub.publish().channel("c").message("x" * 40000).use_post(True).deferred()
    status = info.value.status
    assert status.is_error() and status.status_code >= 400
    assert status.error_data.exception.get_status_code() == status.status_code


@pytest_twisted.inlineCallbacks
def test_stop_while_subscribed_leaves_no_timer_request_or_connection(make_client):
    subscriber = make_client("stopper")
    subscriber.config.set_presence_timeout_with_custom_interval(60, 20)
    events = yield defer.ensureDeferred(subscribed(subscriber, ["stop-me"], presence=True))
    yield task.deferLater(reactor, 0.05, lambda: None)  # Connected is announced before the next poll
    loop = subscriber._subscription
    assert loop.polling and loop._heartbeat is not None
    yield subscriber.stop()
    assert not loop.polling
    assert loop._heartbeat is None and loop._retry_call is None
    assert subscriber._pipeline.in_flight == 0
    assert subscriber._transport.open_connections() == 0
    ours = [call for call in reactor.getDelayedCalls()
            if getattr(call.func, "__self__", None) in (loop, subscriber, subscriber._transport)]
    assert ours == []
    yield task.deferLater(reactor, 0.2, lambda: None)
    assert not [s for s in events.statuses if s.is_error()]  # stopping is not a failure
