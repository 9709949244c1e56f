"""The entities API (PubNub SDK 10.8): ``pubnub.channel("c").subscription()``, channel groups,
App Context entities, subscription sets, subscription-level handlers and listeners.

Deterministic (StubTreq + task.Clock through the real subscription loop), plus one run against
the local server.
"""
import pytest
import pytest_twisted
from twisted.internet import defer, reactor

from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.models.subscription import (PNSubscriptionRegistry, PNSubscriptionType, PubNubChannel,
                                             PubNubChannelGroup, PubNubChannelMetadata, PubNubSubscription,
                                             PubNubSubscriptionSet, PubNubUserMetadata)
from tests.client_stub import StubbedClient
from tests.e2e_support import local_server_fixture
from tests.test_subscription import T0, envelope, item, polls, pump, setup


def subscribed(client):
    """``(channels, groups)`` of the last long-poll sent."""
    request = polls(client)[-1]
    channels = request.raw_path.split("/")[4]
    groups = request.params.get("channel-group", "")
    return (sorted(n for n in channels.split(",") if n), sorted(n for n in groups.split(",") if n))


def presence_item(channel, action, uuid, tt):
    return item(channel + "-pnpres", {"action": action, "uuid": uuid, "occupancy": 1, "timestamp": 1}, tt)


def test_entities_and_their_subscriptions():
    client, _ = setup()
    pubnub = client.pubnub
    assert isinstance(pubnub.channel("c"), PubNubChannel)
    assert isinstance(pubnub.channel_group("g"), PubNubChannelGroup)
    assert isinstance(pubnub.channel_metadata("c"), PubNubChannelMetadata)
    assert isinstance(pubnub.user_metadata("u"), PubNubUserMetadata)
    plain = pubnub.channel("c").subscription()
    with_presence = pubnub.channel("c").subscription(with_presence=True)
    assert isinstance(plain, PubNubSubscription)
    assert plain.get_names_with_presence() == ["c"]
    assert with_presence.get_names_with_presence() == ["c", "c-pnpres"]
    assert pubnub.channel_group("g").subscription()._type == PNSubscriptionType.CHANNEL_GROUP
    subscription_set = pubnub.subscription_set([plain, pubnub.channel_group("g").subscription()])
    assert isinstance(subscription_set, PubNubSubscriptionSet)
    assert [s.name for s in subscription_set.get_subscription_items()] == ["c", "g"]
    assert isinstance(plain + with_presence, PubNubSubscriptionSet)
    with pytest.raises(ValueError):
        pubnub.channel("")
    with pytest.raises(TypeError):
        pubnub.subscription_set(["c"])


def test_subscribe_unsubscribe_through_subscriptions():
    client, recorder = setup([envelope(T0)])
    pubnub = client.pubnub
    chat = pubnub.channel("chat").subscription(with_presence=True)
    rooms = pubnub.channel_group("rooms").subscription()
    chat.subscribe()
    pump(client)
    assert subscribed(client) == (["chat", "chat-pnpres"], [])
    rooms.subscribe()
    pump(client)
    assert subscribed(client) == (["chat", "chat-pnpres"], ["rooms"])
    assert pubnub.get_subscribed_channels() == ["chat", "chat-pnpres"]  # -pnpres listed, as PubNub's SDK
    assert pubnub.get_subscribed_channel_groups() == ["rooms"]
    # a second subscription to the same channel keeps it subscribed when the first goes
    again = pubnub.channel("chat").subscription()
    again.subscribe()
    chat.unsubscribe()
    pump(client)
    assert subscribed(client) == (["chat", "chat-pnpres"], ["rooms"])  # presence stays with the name
    again.unsubscribe()
    rooms.unsubscribe()
    pump(client)
    assert pubnub.get_subscribed_channels() == [] and pubnub.get_subscribed_channel_groups() == []
    leaves = client.server.requests_to("/v2/presence/")
    assert any("/channel/chat/leave" in r.raw_path for r in leaves)


def test_subscribe_with_timetoken_starts_from_it():
    client, _ = setup()
    client.pubnub.channel("c").subscription().subscribe(timetoken=T0 + 42)
    pump(client)
    assert polls(client)[-1].params["tt"] == str(T0 + 42)


def test_handlers_get_only_their_events():
    client, recorder = setup([envelope(T0), envelope(T0 + 10, [
        item("a", {"text": "for a"}, T0 + 1),
        item("b", {"text": "for b"}, T0 + 2),
        item("a", "sig", T0 + 3, e=1),
        presence_item("a", "join", "someone", T0 + 4),
        item("member-1", {"text": "via group"}, T0 + 5, b="grp"),
    ])])
    pubnub = client.pubnub
    got = []
    a = pubnub.channel("a").subscription(with_presence=True)
    a.on_message = lambda m: got.append(("a.message", m.channel, m.message["text"]))
    a.on_signal = lambda s: got.append(("a.signal", s.channel, s.message))
    a.on_presence = lambda p: got.append(("a.presence", p.channel, p.event, p.uuid))
    b = pubnub.channel("b").subscription()
    b.on_message = lambda m: got.append(("b.message", m.channel))
    b.on_presence = lambda p: got.append(("b.presence", p.channel))  # b has no presence: never called
    group = pubnub.channel_group("grp").subscription()
    group.on_message = lambda m: got.append(("grp.message", m.channel, m.subscription))
    both = pubnub.subscription_set([a, b])
    both.on_message = lambda m: got.append(("set.message", m.channel))
    pubnub.subscription_set([both.get_subscription_items()[0], b, group]).subscribe()
    pump(client, 8)
    assert ("a.message", "a", "for a") in got and ("b.message", "b") in got
    assert ("a.signal", "a", "sig") in got and ("a.presence", "a", "join", "someone") in got
    assert ("grp.message", "member-1", "grp") in got
    assert not any(e[0] == "b.presence" for e in got)
    assert not any(e[0].startswith("a.") and e[1] == "b" for e in got)
    # ``both`` was never subscribed itself: its handler gets nothing
    assert not any(e[0] == "set.message" for e in got)
    # the client-wide listener still gets everything
    assert [m[2]["text"] for m in recorder.messages] == ["for a", "for b", "via group"]


def test_subscription_set_handlers_and_listeners():
    client, _ = setup([envelope(T0), envelope(T0 + 10, [item("a", {"n": 1}, T0 + 1), item("b", {"n": 2}, T0 + 2),
                                                         item("c", {"n": 3}, T0 + 3)])])
    pubnub = client.pubnub
    got = []

    class TwoArguments(SubscribeCallback):
        def message(self, pn, message):
            got.append(("listener", pn is pubnub, message.channel))

    class OneArgument(SubscribeCallback):  # how PubNub SDK 10.8 calls a subscription's listener
        def message(self, message):
            got.append(("one-arg listener", message.channel))

    subscription_set = pubnub.channel("a").subscription() + pubnub.channel("b").subscription()
    subscription_set.on_message = lambda m: got.append(("set", m.channel))
    subscription_set.add_listener(TwoArguments())
    subscription_set.add_listener(OneArgument())
    subscription_set.subscribe()
    pump(client, 8)
    assert subscribed(client) == (["a", "b"], [])
    assert [e for e in got if e[0] == "set"] == [("set", "a"), ("set", "b")]
    assert [e for e in got if e[0] == "listener"] == [("listener", True, "a"), ("listener", True, "b")]
    assert [e for e in got if e[0] == "one-arg listener"] == [("one-arg listener", "a"), ("one-arg listener", "b")]
    with pytest.raises(TypeError):
        subscription_set.add_listener(object())


def test_subscription_set_add_remove_and_unsubscribe():
    client, _ = setup()
    pubnub = client.pubnub
    subscription_set = pubnub.subscription_set([pubnub.channel("a").subscription()])
    subscription_set.subscribe()
    pump(client)
    c = pubnub.channel("c").subscription()
    subscription_set += c
    pump(client)
    assert subscribed(client) == (["a", "c"], [])
    subscription_set -= c
    pump(client)
    assert subscribed(client) == (["a"], [])
    subscription_set.unsubscribe()
    pump(client)
    assert pubnub.get_subscribed_channels() == []


def test_app_context_events_reach_metadata_subscriptions():
    channel_event = {"source": "objects", "version": "2.0", "event": "set", "type": "channel",
                     "data": {"id": "room", "name": "Room"}}
    uuid_event = {"source": "objects", "version": "2.0", "event": "set", "type": "uuid",
                  "data": {"id": "alice", "name": "Alice"}}
    membership_event = {"source": "objects", "version": "2.0", "event": "delete", "type": "membership",
                        "data": {"channel": {"id": "room"}, "uuid": {"id": "alice"}}}
    client, _ = setup([envelope(T0), envelope(T0 + 10, [item("room", channel_event, T0 + 1, e=2),
                                                         item("alice", uuid_event, T0 + 2, e=2),
                                                         item("room", membership_event, T0 + 3, e=2)])])
    pubnub = client.pubnub
    got = []
    room = pubnub.channel_metadata("room").subscription()
    room.on_channel_metadata = lambda e: got.append(("room.channel", e.event, e.data["name"]))
    room.on_membership = lambda e: got.append(("room.membership", e.event))
    alice = pubnub.user_metadata("alice").subscription()
    alice.on_user_metadata = lambda e: got.append(("alice.uuid", e.event, e.data["name"]))
    alice.on_membership = lambda e: got.append(("alice.membership", e.event))
    (room + alice).subscribe()
    pump(client, 8)
    assert subscribed(client) == (["alice", "room"], [])
    assert got == [("room.channel", "set", "Room"), ("alice.uuid", "set", "Alice"),
                   ("room.membership", "delete"), ("alice.membership", "delete")]


def test_a_failing_handler_does_not_stop_others(caplog):
    client, recorder = setup([envelope(T0), envelope(T0 + 10, [item("a", {"n": 1}, T0 + 1)])])
    pubnub = client.pubnub
    got = []
    broken = pubnub.channel("a").subscription()
    broken.on_message = lambda m: 1 / 0
    fine = pubnub.channel("a").subscription()
    fine.on_message = lambda m: got.append(m.message)
    (broken + fine).subscribe()
    pump(client, 8)
    assert got == [{"n": 1}] and len(recorder.messages) == 1
    assert "ZeroDivisionError" in caplog.text


def test_unsubscribe_all_forgets_subscriptions():
    client, _ = setup()
    pubnub = client.pubnub
    pubnub.channel("a").subscription().subscribe()
    pump(client)
    pubnub.unsubscribe_all()
    pubnub.channel("b").subscription().subscribe()
    pump(client)
    assert subscribed(client) == (["b"], [])


def test_registry_names_10_8_api():
    client, _ = setup()
    pubnub = client.pubnub
    registry = pubnub._entity_registry()
    assert isinstance(registry, PNSubscriptionRegistry)
    first = pubnub.channel("a").subscription(with_presence=True)
    assert registry.add(first) == ["a"]
    assert registry.get_subscribed_channels() == ["a"]
    assert registry.get_subscriptions_for(PNSubscriptionType.CHANNEL, "a") == [first]
    registry.unsubscribe(channels=["a"])
    assert registry.get_subscribed_channels() == []


def test_entities_need_subscribe_enabled():
    client = StubbedClient(enable_subscribe=False)
    with pytest.raises(Exception, match="not enabled"):
        client.pubnub.channel("a").subscription().subscribe()


# --- against the local server ---------------------------------------------------------------------

server = local_server_fixture()


@pytest.mark.integration
@pytest_twisted.ensureDeferred
async def test_entities_against_the_local_server(make_client):
    listener_client = make_client("listener")
    publisher = make_client("publisher")
    received = defer.Deferred()
    got = []

    def on_message(message):
        got.append((message.channel, message.message))
        if len(got) == 2 and not received.called:
            received.callback(None)

    subscription_set = listener_client.subscription_set([listener_client.channel("ent-a").subscription(),
                                                         listener_client.channel("ent-b").subscription()])
    subscription_set.on_message = on_message
    connected = defer.Deferred()

    class Connected(SubscribeCallback):
        def status(self, pubnub, status):
            if not connected.called and status.category == PNStatusCategory.PNConnectedCategory:
                connected.callback(None)

    listener_client.add_listener(Connected())
    subscription_set.subscribe()
    await connected
    await publisher.publish("ent-a", {"n": 1}).deferred()
    await publisher.publish("ent-b", {"n": 2}).deferred()
    received.addTimeout(10, reactor)
    await received
    assert sorted(got) == [("ent-a", {"n": 1}), ("ent-b", {"n": 2})]
    subscription_set.unsubscribe()
    assert listener_client.get_subscribed_channels() == []
