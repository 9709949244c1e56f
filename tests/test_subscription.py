"""The subscription loop, deterministically: StubTreq for HTTP, task.Clock for time.

Cursor handling, every status the loop announces, the reconnection schedules, heartbeat cadence
and notifications, leave, dedupe, listener isolation and a clean stop().
"""
import logging

import pytest

from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNHeartbeatNotificationOptions, PNOperationType, PNReconnectionPolicy, PNStatusCategory
from tests.client_stub import HOLD, StubbedClient

C = PNStatusCategory
SUB = "/v2/subscribe/"
PRESENCE_OK = (200, {"status": 200, "message": "OK", "service": "Presence"})
T0 = 17000000000000000


def envelope(tt, messages=(), region=4):
    return (200, {"t": {"t": str(tt), "r": region}, "m": list(messages)})


def item(channel, payload, tt, publisher="publisher-1", **extra):
    data = {"a": "1", "f": 0, "i": publisher, "p": {"t": str(tt), "r": 4}, "k": "sub-c-demo", "c": channel,
            "d": payload}
    data.update(extra)
    return data


class Recorder(SubscribeCallback):
    def __init__(self):
        self.events = []
        self.statuses = []

    def status(self, pubnub, status):
        self.statuses.append(status)
        self.events.append(("status", status.category))

    def message(self, pubnub, message):
        self.events.append(("message", message.channel, message.message, message.timetoken))

    def signal(self, pubnub, signal):
        self.events.append(("signal", signal.channel, signal.message))

    def presence(self, pubnub, presence):
        self.events.append(("presence", presence.channel, presence.event, presence.uuid))

    @property
    def categories(self):
        return [s.category for s in self.statuses]

    @property
    def messages(self):
        return [e for e in self.events if e[0] == "message"]


def setup(subscribe_responses=(), default=HOLD, **settings):
    client = StubbedClient(**settings)
    client.server.route(SUB, *subscribe_responses, default=default)
    client.server.route("/v2/presence/", default=PRESENCE_OK)
    recorder = Recorder()
    client.pubnub.add_listener(recorder)
    return client, recorder


def pump(client, times=5):
    for _ in range(times):
        client.stub.flush()


def polls(client):
    return client.server.requests_to(SUB)


def test_handshake_then_long_poll_with_cursor():
    client, recorder = setup([envelope(T0), envelope(T0 + 10, [item("ch1", {"text": "hi"}, T0 + 5)])])
    client.pubnub.subscribe().channels(["ch1"]).execute()
    pump(client)
    first, second, third = polls(client)
    assert first.raw_path == "/v2/subscribe/sub-c-demo/ch1/0"
    assert first.params["tt"] == "0" and "tr" not in first.params
    assert second.params["tt"] == str(T0) and second.params["tr"] == "4"
    assert third.params["tt"] == str(T0 + 10)
    assert recorder.events == [("status", C.PNConnectedCategory), ("message", "ch1", {"text": "hi"}, T0 + 5)]
    connected = recorder.statuses[0]
    assert connected.operation == PNOperationType.PNSubscribeOperation
    assert connected.affected_channels == ["ch1"]
    assert client.pubnub.get_subscribed_channels() == ["ch1"]
    assert client.pubnub._subscription.polling


def test_presence_groups_and_filter_on_the_wire():
    client, recorder = setup(filter_expression="meta.level > 5")
    client.pubnub.subscribe().channels("b,a").channel_groups(["g1"]).with_presence().execute()
    pump(client)
    request = polls(client)[-1]
    assert request.raw_path == "/v2/subscribe/sub-c-demo/a,a-pnpres,b,b-pnpres/0"
    assert request.params["channel-group"] == "g1,g1-pnpres"
    assert request.params["filter-expr"] == "meta.level > 5"
    assert "heartbeat" not in request.params
    client.config.set_presence_timeout(60)
    client.pubnub.reconnect()
    pump(client)
    assert polls(client)[-1].params["heartbeat"] == "60"


def test_groups_only_path():
    client, recorder = setup()
    client.pubnub.subscribe().channel_groups("g1").execute()
    pump(client)
    assert polls(client)[-1].raw_path == "/v2/subscribe/sub-c-demo/,/0"


def test_adding_a_channel_keeps_the_cursor_and_cancels_quietly():
    client, recorder = setup([envelope(T0)])
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert polls(client)[-1].params["tt"] == str(T0)
    client.pubnub.subscribe().channels("ch2").execute()
    pump(client)
    last = polls(client)[-1]
    assert last.raw_path == "/v2/subscribe/sub-c-demo/ch1,ch2/0"
    assert last.params["tt"] == str(T0) and last.params["tr"] == "4"
    # the cancelled poll is not a failure: no status beyond the first Connected
    assert recorder.categories == [C.PNConnectedCategory]


def test_unsubscribe_sends_leave_and_resets_cursor_when_empty():
    client, recorder = setup([envelope(T0)])
    client.pubnub.subscribe().channels(["ch1", "ch2"]).with_presence().execute()
    pump(client)
    client.pubnub.unsubscribe().channels("ch1").execute()
    pump(client)
    leave, = client.server.requests_to("/v2/presence/sub-key/sub-c-demo/channel/ch1/leave")
    assert polls(client)[-1].raw_path == "/v2/subscribe/sub-c-demo/ch2,ch2-pnpres/0"
    assert polls(client)[-1].params["tt"] == str(T0)
    client.pubnub.unsubscribe_all()
    pump(client)
    assert client.server.requests_to("/v2/presence/sub-key/sub-c-demo/channel/ch2/leave")
    assert client.pubnub.get_subscribed_channels() == []
    assert client.pubnub._subscription.timetoken == 0
    assert not client.pubnub._subscription.polling
    leave_statuses = [s for s in recorder.statuses if s.operation == PNOperationType.PNUnsubscribeOperation]
    assert [s.category for s in leave_statuses] == [C.PNAcknowledgmentCategory] * 2


def test_suppress_leave_events():
    client, recorder = setup(suppress_leave_events=True)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.pubnub.unsubscribe_all()
    pump(client)
    assert not client.server.requests_to("/v2/presence/")


@pytest.mark.parametrize("code, body, category", [
    (481, {"status": 481, "error": True, "service": "Balancer", "message": "Invalid filter expression"},
     C.PNMalformedFilterExpressionCategory),
    (400, {"status": 400, "error": True, "message": "Invalid Subscribe Key"}, C.PNBadRequestCategory),
])
def test_unrecoverable_errors_stop_the_loop(code, body, category):
    client, recorder = setup([(code, body)], reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert recorder.categories == [category]
    assert recorder.statuses[0].operation == PNOperationType.PNSubscribeOperation
    assert recorder.statuses[0].is_error()
    client.clock.advance(100)
    pump(client)
    assert len(polls(client)) == 1
    assert client.clock.getDelayedCalls() == []  # no retry, no heartbeat
    # reconnect() tries again
    client.pubnub.reconnect()
    pump(client)
    assert len(polls(client)) == 2


def test_network_failure_with_policy_none_announces_and_stops():
    client, recorder = setup([envelope(T0), (503, b"unavailable")])
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    # the failure, then the loop stopping (policy NONE): both announced
    assert recorder.categories == [C.PNConnectedCategory, C.PNUnknownCategory, C.PNUnexpectedDisconnectCategory]
    assert recorder.statuses[1].status_code == 503
    assert recorder.statuses[2].is_error()
    client.clock.advance(1000)
    pump(client)
    assert len(polls(client)) == 2
    assert not client.pubnub._subscription.polling


def test_linear_reconnection_resumes_from_the_cursor():
    failures = [(502, b"bad gateway")] * 3
    client, recorder = setup([envelope(T0)] + failures + [envelope(T0 + 50, [item("ch1", "late", T0 + 20)])],
                             reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert len(polls(client)) == 2  # handshake + first failing poll
    for expected_polls in (3, 4, 5):
        client.clock.advance(2.9)
        pump(client)
        assert len(polls(client)) == expected_polls - 1
        client.clock.advance(0.1)
        pump(client)
        assert polls(client)[expected_polls - 1].params["tt"] == str(T0)  # never reset to 0
    assert len(polls(client)) == 6  # the successful retry is followed by the next long-poll
    assert recorder.categories == [C.PNConnectedCategory, C.PNUnknownCategory, C.PNReconnectedCategory]
    assert recorder.messages == [("message", "ch1", "late", T0 + 20)]
    assert polls(client)[-1].params["tt"] == str(T0 + 50)


def test_exponential_schedule_with_jitter_and_retry_limit():
    client = StubbedClient(reconnect_policy=PNReconnectionPolicy.EXPONENTIAL, maximum_reconnection_retries=7)
    client.pubnub._subscription._random = lambda: 0.25
    client.server.route(SUB, envelope(T0), default=(500, b"down"))
    recorder = Recorder()
    client.pubnub.add_listener(recorder)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    schedule = []
    for _ in range(7):
        call = client.pubnub._subscription._retry_call
        schedule.append(round(call.getTime() - client.clock.seconds(), 6))
        client.clock.advance(schedule[-1])
        pump(client)
    assert schedule == [1.25, 2.25, 4.25, 8.25, 16.25, 32.25, 32.25]
    assert recorder.categories == [C.PNConnectedCategory, C.PNUnknownCategory, C.PNDisconnectedCategory]
    assert client.clock.getDelayedCalls() == []  # no retry, and the heartbeat stopped with the loop
    assert len(polls(client)) == 9  # handshake, first failure, 7 retries


def test_connection_refused_is_unexpected_disconnect():
    from twisted.internet import defer, error as net_error, task

    from pubnub_fast.pubnub_twisted import PubNubTwisted
    from pubnub_fast.transport import TreqTransport
    from tests.client_stub import make_config

    class Refusing:
        calls = 0

        def request(self, method, url, **kwargs):
            Refusing.calls += 1
            return defer.fail(net_error.ConnectionRefusedError())

    clock = task.Clock()
    config = make_config(reconnect_policy=PNReconnectionPolicy.LINEAR, maximum_reconnection_retries=2)
    pubnub = PubNubTwisted(config, reactor=clock, transport=TreqTransport(clock, http_client=Refusing(), clock=clock))
    recorder = Recorder()
    pubnub.add_listener(recorder)
    pubnub.subscribe().channels("ch1").execute()
    clock.advance(3)
    clock.advance(3)
    assert Refusing.calls == 3
    assert recorder.categories == [C.PNUnexpectedDisconnectCategory, C.PNDisconnectedCategory]
    assert clock.getDelayedCalls() == []


def test_access_denied_is_announced_and_retried_per_policy():
    denied = (403, {"status": 403, "error": True, "message": "Forbidden", "service": "Access Manager"})
    client, recorder = setup([denied, denied, envelope(T0)], reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.clock.advance(3)
    pump(client)
    client.clock.advance(3)
    pump(client)
    assert recorder.categories == [C.PNAccessDeniedCategory, C.PNReconnectedCategory, C.PNConnectedCategory]


def test_long_poll_timeout_is_announced_and_retried_at_once():
    client, recorder = setup([envelope(T0), HOLD, envelope(T0 + 1)], subscribe_timeout=30)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.clock.advance(29.9)
    pump(client)
    assert recorder.categories == [C.PNConnectedCategory]
    client.clock.advance(0.2)
    pump(client)
    assert recorder.categories == [C.PNConnectedCategory, C.PNTimeoutCategory, C.PNReconnectedCategory]
    assert polls(client)[2].params["tt"] == str(T0)


def test_each_failure_episode_is_announced_once_and_ends_with_one_reconnection():
    bad = (502, b"bad gateway")
    client, recorder = setup([envelope(T0), bad, envelope(T0 + 1), envelope(T0 + 2), bad, bad, envelope(T0 + 3)],
                             reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    for _ in range(4):  # the retries of both episodes
        client.clock.advance(3)
        pump(client)
    assert len(polls(client)) == 8  # the seven answers, then the next long-poll
    assert [p.params["tt"] for p in polls(client)] == ["0"] + [str(T0)] * 2 + [str(T0 + 1), str(T0 + 2)] + [
        str(T0 + 2)] * 2 + [str(T0 + 3)]
    # a second failure after a reconnection is a new episode: announced again; successes between
    # episodes announce nothing
    assert recorder.categories == [C.PNConnectedCategory, C.PNUnknownCategory, C.PNReconnectedCategory,
                                   C.PNUnknownCategory, C.PNReconnectedCategory]


def test_malformed_response_is_announced_and_retried():
    client, recorder = setup([envelope(T0), (200, b"<html>portal</html>"), envelope(T0 + 1)],
                             reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.clock.advance(3)
    pump(client)
    assert recorder.categories == [C.PNConnectedCategory, C.PNMalformedResponseCategory, C.PNReconnectedCategory]


def test_duplicates_are_dropped_and_cursor_never_regresses():
    batch = [item("ch1", "one", T0 + 1), item("ch1", "two", T0 + 2)]
    client, recorder = setup([envelope(T0), envelope(T0 + 2, batch), envelope(T0 + 2, batch),
                              envelope(T0 - 100, [item("ch1", "three", T0 + 3)])])
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert [m[2] for m in recorder.messages] == ["one", "two", "three"]
    assert client.pubnub._subscription.timetoken == T0 + 2
    assert polls(client)[-1].params["tt"] == str(T0 + 2)


def test_an_answer_arriving_while_listeners_run_waits_for_them(monkeypatch):
    """StubTreq answers a request inside the call that sends it: the long-poll that goes out
    before a response's listeners run is answered while they run. Its events still come after
    theirs, in order, and nothing is lost or repeated."""
    monkeypatch.setenv("PUBNUB_FAST_TEST_TRANSPORT", "treq")
    client, recorder = setup([envelope(T0), envelope(T0 + 2, [item("ch1", "one", T0 + 1), item("ch1", "two", T0 + 2)]),
                              envelope(T0 + 4, [item("ch1", "three", T0 + 3), item("ch1", "four", T0 + 4)]),
                              envelope(T0 + 5, [item("ch1", "five", T0 + 5)])])
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert [m[2] for m in recorder.messages] == ["one", "two", "three", "four", "five"]
    assert client.pubnub._subscription.timetoken == T0 + 5
    assert [p.params["tt"] for p in polls(client)] == ["0", str(T0), str(T0 + 2), str(T0 + 4), str(T0 + 5)]


def test_a_queued_answer_is_dropped_when_a_listener_restarts_the_loop(monkeypatch):
    """A listener that adds a channel restarts the loop while the next answer waits: that answer
    belongs to the old subscription and is dropped; the new poll resumes from the cursor of the
    last answer handled, so its events come again from the server, once."""
    monkeypatch.setenv("PUBNUB_FAST_TEST_TRANSPORT", "treq")

    class Adder(SubscribeCallback):
        def message(self, pubnub, message):
            if message.message == "one":
                pubnub.subscribe().channels("ch2").execute()

    later = envelope(T0 + 4, [item("ch1", "three", T0 + 3)])
    client, recorder = setup([envelope(T0), envelope(T0 + 2, [item("ch1", "one", T0 + 1), item("ch1", "two", T0 + 2)]),
                              later, later])
    client.pubnub.add_listener(Adder())
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert [m[2] for m in recorder.messages] == ["one", "two", "three"]
    tts = [(p.raw_path.split("/")[4], p.params["tt"]) for p in polls(client)]
    assert tts[:4] == [("ch1", "0"), ("ch1", str(T0)), ("ch1", str(T0 + 2)), ("ch1,ch2", str(T0 + 2))]


def test_dedupe_memory_is_bounded():
    from pubnub_fast.subscription import _RecentEvents

    recent = _RecentEvents(100)
    for i in range(1000):
        assert not recent.seen(("message", "ch", i))
    assert len(recent) == 100
    assert recent.seen(("message", "ch", 999))
    assert not recent.seen(("message", "ch", 0))


def test_events_are_dispatched_in_order_to_the_right_methods():
    events = [
        item("ch1", "m1", T0 + 1),
        item("ch1", {"typing": True}, T0 + 2, e=1),
        item("ch1-pnpres", {"action": "join", "uuid": "u2", "occupancy": 2, "timestamp": 1700000000}, T0 + 3,
             b="ch1-pnpres"),
        item("ch1", "m2", T0 + 4),
    ]
    client, recorder = setup([envelope(T0), envelope(T0 + 4, events)])
    client.pubnub.subscribe().channels("ch1").with_presence().execute()
    pump(client)
    assert recorder.events[1:] == [
        ("message", "ch1", "m1", T0 + 1),
        ("signal", "ch1", {"typing": True}),
        ("presence", "ch1", "join", "u2"),
        ("message", "ch1", "m2", T0 + 4),
    ]


def test_a_failing_listener_does_not_stop_others_or_the_loop(caplog):
    class Broken(SubscribeCallback):
        def message(self, pubnub, message):
            raise RuntimeError("listener bug")

    client, recorder = setup([envelope(T0), envelope(T0 + 2, [item("ch1", "a", T0 + 1)]),
                              envelope(T0 + 3, [item("ch1", "b", T0 + 3)])])
    client.pubnub.remove_listener(recorder)
    client.pubnub.add_listener(Broken())
    client.pubnub.add_listener(recorder)
    with caplog.at_level(logging.ERROR, logger="pubnub_fast"):
        client.pubnub.subscribe().channels("ch1").execute()
        pump(client)
    assert [m[2] for m in recorder.messages] == ["a", "b"]
    assert "listener bug" in caplog.text


def test_decryption_failure_delivers_the_raw_message_and_a_status():
    from pubnub_fast.crypto import LegacyCryptoModule
    from tests.client_stub import make_config

    good = LegacyCryptoModule(make_config(cipher_key="testKey")).encrypt('"secret"')
    client, recorder = setup([envelope(T0), envelope(T0 + 2, [item("ch1", "not-base64!", T0 + 1),
                                                              item("ch1", good, T0 + 2)])],
                             cipher_key="testKey")
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert recorder.categories == [C.PNConnectedCategory, C.PNDecryptionErrorCategory]
    assert [m[2] for m in recorder.messages] == ["not-base64!", "secret"]


def test_unsubscribing_from_a_listener_stops_polling_that_channel():
    class Leaver(SubscribeCallback):
        def message(self, pubnub, message):
            pubnub.unsubscribe().channels("ch1").execute()

    client, recorder = setup([envelope(T0), envelope(T0 + 2, [item("ch1", "bye", T0 + 1)])])
    client.pubnub.add_listener(Leaver())
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    # the next long-poll went out before the message was delivered; unsubscribing cancelled it
    first, second, third = polls(client)
    assert third.params["tt"] == str(T0 + 2)
    assert third.request._disconnected
    assert not client.pubnub._subscription.polling
    assert [m[2] for m in recorder.messages] == ["bye"]


def test_the_next_long_poll_goes_out_before_the_events_are_delivered():
    """The server prepares its next answer while the listeners run: when a listener sees a
    message, the long-poll from that response's cursor is already on its way."""
    seen = []

    class Watcher(SubscribeCallback):
        def message(self, pubnub, message):
            loop = pubnub._subscription
            seen.append((message.message, loop.polling, loop.timetoken))

    client, recorder = setup([envelope(T0), envelope(T0 + 2, [item("ch1", "one", T0 + 1), item("ch1", "two", T0 + 2)])])
    client.pubnub.add_listener(Watcher())
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    assert seen == [("one", True, T0 + 2), ("two", True, T0 + 2)]
    assert [p.params["tt"] for p in polls(client)] == ["0", str(T0), str(T0 + 2)]


def test_heartbeat_cadence_and_notifications():
    client, recorder = setup(heartbeat_notification_options=PNHeartbeatNotificationOptions.ALL)
    client.config.set_presence_timeout_with_custom_interval(120, 50)
    client.pubnub.subscribe().channels(["ch1"]).channel_groups(["g1"]).with_presence().execute()
    pump(client)
    heartbeats = lambda: client.server.requests_to("/v2/presence/sub-key/sub-c-demo/channel/ch1/heartbeat")
    assert heartbeats() == []
    for n in range(1, 4):
        client.clock.advance(50)
        pump(client)
        assert len(heartbeats()) == n
    last = heartbeats()[-1]
    assert last.params["heartbeat"] == "120"
    assert last.params["channel-group"] == "g1"
    hb_statuses = [s for s in recorder.statuses if s.operation == PNOperationType.PNHeartbeatOperation]
    assert [s.category for s in hb_statuses] == [C.PNAcknowledgmentCategory] * 3


@pytest.mark.parametrize("option, announced", [
    (PNHeartbeatNotificationOptions.NONE, []),
    (PNHeartbeatNotificationOptions.FAILURES, [C.PNUnknownCategory]),
    (PNHeartbeatNotificationOptions.ALL, [C.PNAcknowledgmentCategory, C.PNUnknownCategory]),
])
def test_heartbeat_notification_options(option, announced):
    client, recorder = setup(heartbeat_notification_options=option)
    client.server.route("/v2/presence/", PRESENCE_OK, (500, b"oops"), default=PRESENCE_OK)
    client.config.set_presence_timeout_with_custom_interval(60, 20)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.clock.advance(20)
    pump(client)
    client.clock.advance(20)
    pump(client)
    hb = [s.category for s in recorder.statuses if s.operation == PNOperationType.PNHeartbeatOperation]
    assert hb == announced
    client.clock.advance(20)  # the failure did not stop the heartbeat loop
    pump(client)
    assert len(client.server.requests_to("/v2/presence/sub-key/sub-c-demo/channel/ch1/heartbeat")) == 3


def test_heartbeat_sends_state_and_stops_without_channels():
    client, recorder = setup()
    client.config.set_presence_timeout_with_custom_interval(60, 20)
    client.pubnub.subscribe().channels("ch1").execute()
    client.pubnub._subscription.set_state(["ch1"], {"mood": "happy"})
    client.clock.advance(20)
    pump(client)
    beat = client.server.requests_to("/v2/presence/sub-key/sub-c-demo/channel/ch1/heartbeat")[-1]
    assert beat.params["state"] == '{"ch1": {"mood": "happy"}}'
    client.pubnub.unsubscribe_all()
    pump(client)
    assert client.clock.getDelayedCalls() == []


def test_stop_leaves_nothing_behind():
    client, recorder = setup([envelope(T0)], reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.config.set_presence_timeout_with_custom_interval(60, 20)
    client.pubnub.subscribe().channels("ch1").with_presence().execute()
    pump(client)
    assert client.pubnub._subscription.polling
    assert client.clock.getDelayedCalls()  # heartbeat + request timeout
    stopped = client.pubnub.stop()
    pump(client)
    assert stopped.called
    assert client.clock.getDelayedCalls() == []
    assert client.pubnub._pipeline.in_flight == 0
    assert not client.pubnub._subscription.polling
    assert recorder.categories == [C.PNConnectedCategory]  # stopping is not a failure
    with pytest.raises(RuntimeError):
        client.pubnub.subscribe().channels("ch2").execute()


def test_subscribe_needs_a_channel_and_a_key():
    client, recorder = setup()
    with pytest.raises(ValueError):
        client.pubnub.subscribe().execute()
    with pytest.raises(ValueError):
        client.pubnub.subscribe().channels("a").with_timetoken(-1)
    client.config.subscribe_key = None
    client.pubnub.subscribe().channels("ch1").execute()
    assert recorder.categories == [C.PNBadRequestCategory]
    assert polls(client) == []


def test_with_timetoken_starts_there():
    client, recorder = setup()
    client.pubnub.subscribe().channels("ch1").with_timetoken(T0 - 5).execute()
    pump(client)
    assert polls(client)[0].params["tt"] == str(T0 - 5)


def test_subscribe_disabled():
    client = StubbedClient(enable_subscribe=False)
    with pytest.raises(Exception, match="Subscription manager is not enabled"):
        client.pubnub.subscribe()
    assert client.pubnub.get_subscribed_channels() == []


def test_stop_from_a_listener_starts_nothing_new():
    class Stopper(SubscribeCallback):
        def status(self, pubnub, status):
            if status.category == C.PNConnectedCategory:
                pubnub.stop()

    client, recorder = setup([envelope(T0)])
    client.pubnub.add_listener(Stopper())
    client.pubnub.subscribe().channels("ch1").with_presence().execute()
    pump(client)
    assert len(polls(client)) == 1
    assert not client.pubnub._subscription.polling
    assert client.clock.getDelayedCalls() == []


def test_policy_none_after_a_failed_timeout_retry_announces_the_stop():
    client, recorder = setup([envelope(T0), HOLD, HOLD], subscribe_timeout=30)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.clock.advance(30)
    pump(client)
    client.clock.advance(30)
    pump(client)
    assert recorder.categories == [C.PNConnectedCategory, C.PNTimeoutCategory, C.PNUnexpectedDisconnectCategory]
    assert not client.pubnub._subscription.polling
    assert client.clock.getDelayedCalls() == []


def test_retry_after_of_a_429_is_honoured_but_bounded():
    client, recorder = setup([envelope(T0), (429, {"status": 429, "error": True, "message": "Too Many Requests"},
                                             {"Retry-After": "7"}),
                              (503, b"busy", {"Retry-After": "100000"}), envelope(T0 + 1)],
                             reconnect_policy=PNReconnectionPolicy.LINEAR)
    client.pubnub.subscribe().channels("ch1").execute()
    pump(client)
    client.clock.advance(6.9)  # the policy alone would have retried after 3 s
    pump(client)
    assert len(polls(client)) == 2
    client.clock.advance(0.1)
    pump(client)
    assert len(polls(client)) == 3
    retry = client.pubnub._subscription._retry_call
    assert round(retry.getTime() - client.clock.seconds(), 6) == 300.0  # capped
    client.clock.advance(300)
    pump(client)
    assert recorder.categories[-1] == C.PNReconnectedCategory


# --- the long-poll repeated from its prepared form ------------------------------------------------------
#
# While nothing that goes into its URL changed, a long-poll repeats the previous one with only
# ``tt``/``tr`` moved (SubscriptionLoop._poll_now / RequestPipeline.repeatable). Every change falls
# back to the full path; signed requests always take it.

def answer_held(client, tt, messages=()):
    """Answer the oldest held long-poll with an envelope at ``tt``."""
    import json

    request = client.server.held.pop(0)
    while request._disconnected:  # cancelled by a restart
        request = client.server.held.pop(0)
    code, body = envelope(tt, messages)
    request.setResponseCode(code)
    request.write(json.dumps(body).encode())
    request.finish()
    pump(client)


def never_repeat(client, monkeypatch):
    monkeypatch.setattr(client.pubnub._pipeline, "repeatable", lambda *args: None)


def _status_facts(status):
    request, response = status.client_request, status.client_response
    return (status.category, status.operation, status.status_code, status.error, status.uuid, status.auth_key,
            status.origin, status.tls_enabled, status.affected_channels, status.affected_groups,
            status.original_response, request.url, request.params, request.path, request.method,
            request.request_timeout, request.connect_timeout, request.operation_type,
            response.code if response is not None else None, response.body if response is not None else None)


def test_repeated_long_polls_are_the_full_path_requests(monkeypatch):
    """Channels with presence, groups, state, filter, heartbeat, auth: the polls and the statuses
    (a failure episode's reconnection included) are the same with or without the repeat."""
    runs = {}
    for mode in ("repeated", "full-path"):
        client, recorder = setup([envelope(T0), envelope(T0 + 10, region=7), (500, {"error": True}),
                                  envelope(T0 + 20, [item("a", {"n": 1}, T0 + 15)], region=7)],
                                 filter_expression="meta.level > 5", auth_key="auth k/1",
                                 reconnect_policy=PNReconnectionPolicy.LINEAR)
        client.config.set_presence_timeout(60)
        if mode == "full-path":
            never_repeat(client, monkeypatch)
        client.pubnub.subscribe().channels(["b", "a"]).channel_groups("g1").with_presence().execute()
        client.pubnub._subscription.set_state(["a"], {"mood": "ok & well"})
        pump(client)
        client.clock.advance(10)
        pump(client)
        repeated = client.pubnub._subscription._repeat is not None
        assert repeated == (mode == "repeated")
        runs[mode] = ([(r.method, r.raw_path, r.raw_query, r.header("host"), r.header("user-agent"))
                       for r in polls(client)],
                      [_status_facts(s) for s in recorder.statuses], recorder.messages)
    assert runs["repeated"] == runs["full-path"]
    polled, statuses, messages = runs["repeated"]
    assert len(polled) == 5 and [C.PNConnectedCategory, C.PNUnknownCategory, C.PNReconnectedCategory] == \
        [facts[0] for facts in statuses]
    assert "tt=%d&tr=7&channel-group=" % (T0 + 10) in polled[2][2] and "auth=auth%20k%2F1" in polled[2][2]
    assert messages == [("message", "a", {"n": 1}, T0 + 15)]


def _subscribed(**settings):
    client, recorder = setup([envelope(T0)], **settings)
    client.pubnub.subscribe().channels(["ch1"]).execute()
    pump(client)
    assert client.pubnub._subscription._repeat is not None  # the second poll can be repeated
    answer_held(client, T0 + 10)
    assert polls(client)[-1].params["tt"] == str(T0 + 10)
    return client, recorder


def _set_state(client):
    client.pubnub.set_state().channels(["ch1"]).state({"mood": "new"}).deferred()
    pump(client)


CHANGES = {
    "channels": (lambda client: client.pubnub.subscribe().channels(["ch2"]).execute(),
                 lambda poll: poll.raw_path == "/v2/subscribe/sub-c-demo/ch1,ch2/0"),
    "state": (_set_state, lambda poll: poll.params.get("state") == '{"ch1": {"mood": "new"}}'),
    "filter_expression": (lambda client: setattr(client.config, "filter_expression", "a == 1"),
                          lambda poll: poll.params.get("filter-expr") == "a == 1"),
    "heartbeat": (lambda client: client.config.set_presence_timeout(90),
                  lambda poll: poll.params.get("heartbeat") == "90"),
    "auth_key": (lambda client: setattr(client.config, "auth_key", "key-2"),
                 lambda poll: poll.params.get("auth") == "key-2"),
    "token": (lambda client: client.pubnub.set_token("token-3"), lambda poll: poll.params.get("auth") == "token-3"),
    "uuid": (lambda client: setattr(client.config, "uuid", "uuid-4"), lambda poll: poll.params["uuid"] == "uuid-4"),
    "origin": (lambda client: setattr(client.config, "origin", "elsewhere.example"),
               lambda poll: poll.header("host") == "elsewhere.example"),
    "config": (lambda client: setattr(client.pubnub, "config", _other_config(client.config)),
               lambda poll: poll.params["uuid"] == "uuid-5"),
}


def _other_config(config):
    from tests.client_stub import make_config

    other = make_config(uuid="uuid-5")
    return other


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_to_what_the_long_poll_carries_takes_the_full_path(change):
    client, recorder = _subscribed()
    make_change, check = CHANGES[change]
    before = len(polls(client))
    make_change(client)  # during a long-poll (some changes restart it)
    pump(client)
    if len(polls(client)) == before:  # no restart: the change shows in the poll after this one
        answer_held(client, T0 + 20)
    poll = polls(client)[-1]
    assert check(poll), poll
    assert poll.params["tt"] in (str(T0 + 10), str(T0 + 20))
    answer_held(client, T0 + 30)  # and it is what the polls after it carry too
    poll = polls(client)[-1]
    assert check(poll) and poll.params["tt"] == str(T0 + 30), poll
    assert client.pubnub._subscription._repeat is not None
    assert not [s for s in recorder.statuses if s.error]


def test_signed_long_polls_are_signed_afresh_every_time():
    from pubnub_fast import _speedups

    client, recorder = setup([envelope(T0)], secret_key="sec-c-1")
    client.pubnub.subscribe().channels(["ch1"]).execute()
    pump(client)
    for step in range(1, 4):
        assert client.pubnub._subscription._repeat is None
        client.clock.advance(7)
        answer_held(client, T0 + step)
    signed = polls(client)
    assert len(signed) == 5
    timestamps = []
    for poll in signed:
        params = dict(poll.query)
        signature = params.pop("signature")
        assert signature == _speedups.signing.sign_request("sec-c-1", "sub-c-demo", "pub-c-demo", "GET",
                                                           poll.raw_path, params, None)
        timestamps.append(int(params["timestamp"]))
    assert timestamps == [0, 0, 7, 14, 21]


def test_unsubscribing_everything_and_subscribing_again_starts_from_the_full_path():
    client, recorder = _subscribed()
    client.pubnub.unsubscribe_all()
    pump(client)
    assert client.pubnub._subscription._repeat is None
    client.pubnub.subscribe().channels(["ch9"]).execute()
    pump(client)
    poll = polls(client)[-1]
    assert poll.raw_path == "/v2/subscribe/sub-c-demo/ch9/0" and poll.params["tt"] == "0"
