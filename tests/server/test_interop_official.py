"""The official ``pubnub`` package (10.8, native sync client) against ``pubnub-fast serve``.

The server runs as a subprocess (``python -m pubnub_fast serve --port 0 --data :memory:
--long-poll 5``); every wait is bounded and the process is always killed.
"""
import queue
import uuid as uuid_module

import pytest

pubnub = pytest.importorskip("pubnub")

from tests.server.interop_support import (WAIT, Recorder, official_clients, server_fixture,  # noqa: E402
                                          subscribe, unique)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Mutable config will be deprecated:DeprecationWarning"),
]


server = server_fixture()


@pytest.fixture
def clients(server):
    with official_clients(server.origin) as make:
        yield lambda name, **settings: make("%s-%s" % (name, uuid_module.uuid4().hex[:8]), **settings)


def test_time(server, clients):
    envelope = clients("timer").time().sync()
    assert len(str(int(envelope.result))) == 17


def test_publish_is_received_by_a_subscriber_and_stored_in_history(server, clients):
    channel = unique("interop")
    subscriber = clients("sub")
    publisher = clients("pub")
    recorder = subscribe(subscriber, [channel])
    sent = publisher.publish().channel(channel).message({"text": "hello"}).meta({"m": 1}).sync()
    timetoken = sent.result.timetoken
    received = recorder.next_message()
    assert received.message == {"text": "hello"}
    assert received.channel == channel
    assert received.publisher == publisher.config.uuid
    assert int(received.timetoken) == int(timetoken)
    assert received.user_metadata == {"m": 1}

    history = publisher.history().channel(channel).include_timetoken(True).include_meta(True).sync()
    (item,) = history.result.messages
    assert item.entry == {"text": "hello"} and int(item.timetoken) == int(timetoken)
    assert item.meta == {"m": 1}

    fetched = publisher.fetch_messages().channels([channel]).include_meta(True).sync()
    (item,) = fetched.result.channels[channel]
    assert item.message == {"text": "hello"} and int(item.timetoken) == int(timetoken)

    counts = publisher.message_counts().channel(channel).channel_timetokens([int(timetoken) - 10]).sync()
    assert counts.result.channels == {channel: 1}

    publisher.delete_messages().channel(channel).sync()
    assert publisher.history().channel(channel).sync().result.messages == []


def test_signal_and_post_publish(server, clients):
    channel = unique("sig")
    subscriber = clients("sub")
    publisher = clients("pub")
    recorder = Recorder()
    subscriber.add_listener(recorder)
    signals = queue.Queue()
    recorder.signal = lambda pn, signal: signals.put(signal)
    subscriber.subscribe().channels([channel]).execute()
    recorder.wait_connected()
    publisher.signal().channel(channel).message("typing").sync()
    assert signals.get(timeout=WAIT).message == "typing"
    publisher.publish().channel(channel).message(["post", 1]).use_post(True).sync()
    assert recorder.next_message().message == ["post", 1]


def test_here_now_where_now_and_state_show_the_subscriber(server, clients):
    channel = unique("presence")
    subscriber = clients("present")
    subscribe(subscriber, [channel])
    observer = clients("observer")
    here = observer.here_now().channels([channel]).include_uuids(True).sync()
    assert here.result.total_occupancy == 1
    assert [o.uuid for o in here.result.channels[0].occupants] == [subscriber.config.uuid]

    where = observer.where_now().uuid(subscriber.config.uuid).sync()
    assert where.result.channels == [channel]

    subscriber.set_state().channels([channel]).state({"mood": "ok"}).sync()
    state = observer.get_state().channels([channel]).uuid(subscriber.config.uuid).sync()
    assert state.result.channels == {channel: {"mood": "ok"}}
    here = observer.here_now().channels([channel, unique("empty")]).include_state(True).sync()
    (data,) = here.result.channels
    assert data.occupants[0].state == {"mood": "ok"}


def test_presence_events_join_and_leave(server, clients):
    channel = unique("room")
    watcher = clients("watcher")
    recorder = subscribe(watcher, [channel], presence=True)
    assert recorder.presence_event("join", watcher.config.uuid).occupancy == 1
    guest = clients("guest")
    subscribe(guest, [channel])
    join = recorder.presence_event("join", guest.config.uuid)
    assert join.channel == channel and join.occupancy == 2
    guest.unsubscribe().channels([channel]).execute()
    leave = recorder.presence_event("leave", guest.config.uuid)
    assert leave.occupancy == 1


def test_channel_group_management_and_subscribe(server, clients):
    group = unique("group")
    channel = unique("member")
    admin = clients("admin")
    admin.add_channel_to_channel_group().channels([channel, "other-ch"]).channel_group(group).sync()
    listed = admin.list_channels_in_channel_group().channel_group(group).sync()
    assert sorted(listed.result.channels) == sorted([channel, "other-ch"])
    admin.remove_channel_from_channel_group().channels(["other-ch"]).channel_group(group).sync()
    assert admin.list_channels_in_channel_group().channel_group(group).sync().result.channels == [channel]

    subscriber = clients("cg-sub")
    recorder = subscribe(subscriber, groups=[group])
    admin.publish().channel(channel).message("via group").sync()
    received = recorder.next_message()
    assert received.message == "via group"
    assert received.channel == channel and received.subscription == group

    admin.remove_channel_group().channel_group(group).sync()
    assert admin.list_channels_in_channel_group().channel_group(group).sync().result.channels == []


def test_filter_expression_drops_non_matching_messages(server, clients):
    channel = unique("filtered")
    subscriber = clients("filtered-sub", filter_expression="meta.priority == 'high'")
    recorder = subscribe(subscriber, [channel])
    publisher = clients("pub")
    publisher.publish().channel(channel).message("low").meta({"priority": "low"}).sync()
    publisher.publish().channel(channel).message("none").sync()
    publisher.publish().channel(channel).message("high").meta({"priority": "high"}).sync()
    assert recorder.next_message().message == "high"
    recorder.no_message(0.5)


def test_wildcard_subscribe(server, clients):
    root = unique("wild")
    subscriber = clients("wild-sub")
    recorder = subscribe(subscriber, [root + ".*"])
    clients("pub").publish().channel(root + ".news").message("deep").sync()
    received = recorder.next_message()
    assert received.message == "deep"
    assert received.channel == root + ".news" and received.subscription == root + ".*"
