"""Presence announce max / interval mode with optional deltas (protocol.md §3.5, §4).

The store is driven by ``task.Clock``; then the same behaviour over loopback HTTP (raw subscribe
envelopes, ``u`` metadata) and through the pubnub_fast client, which must parse the events into
``PNPresenceEventResult(event="interval", occupancy=…, join/leave/timeout=…)``.
"""
import json
import urllib.request

import pytest
import pytest_twisted
from twisted.internet import defer, reactor, task

from pubnub_fast import __main__ as cli
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.server import Keyset, start_server
from pubnub_fast.server import presence as presence_module
from pubnub_fast.server.presence import MAX_DELTA_BYTES, PresenceSettings, PresenceStore
from tests.server.conftest import ApiClient, handshake
from tests.server.server_process import ServerProcess

START = 1700000000


def make_store(**settings):
    clock = task.Clock()
    clock.advance(START)
    events = []
    store = PresenceStore(
        clock, lambda sub, ch, payload, meta: events.append((ch, payload, meta)), 1.0,
        PresenceSettings(**settings) if settings else None,
    )
    store.start()
    return clock, store, events


def actions(events):
    return [(ch, payload["action"], payload.get("uuid"), payload["occupancy"]) for ch, payload, _ in events]


def join(store, uuids, channel="room", timeout=300):
    for uuid in uuids:
        store.touch("k", uuid, [channel], timeout)


# -- settings -----------------------------------------------------------------------------------


def test_default_settings_are_announce_mode_up_to_20_every_10_seconds_without_deltas():
    assert PresenceSettings() == PresenceSettings(announce_max=20, interval=10.0, deltas=False)
    _, store, _ = make_store()
    assert store.settings("any") == PresenceSettings()
    store.stop()
    # the CLI's defaults (kept in __main__ so that --help needs no server import) agree
    assert cli.DEFAULT_ANNOUNCE_MAX == presence_module.DEFAULT_ANNOUNCE_MAX
    assert cli.DEFAULT_PRESENCE_INTERVAL == presence_module.DEFAULT_INTERVAL


@pytest.mark.parametrize("bad", [
    {"announce_max": -1}, {"interval": 0}, {"interval": -5}, {"interval": float("nan")},
    {"interval": float("inf")},
])
def test_invalid_settings_are_refused(bad):
    with pytest.raises(ValueError):
        PresenceSettings(**bad)


@pytest.mark.parametrize("bad", [{"announce_max": 2.5}, {"announce_max": True}, {"interval": "10"}])
def test_settings_of_the_wrong_type_are_refused(bad):
    with pytest.raises(TypeError):
        PresenceSettings(**bad)


def test_keysets_override_the_global_settings_field_by_field():
    clock = task.Clock()
    store = PresenceStore(
        clock, lambda *event: None, 1.0, PresenceSettings(announce_max=5, interval=3.0),
        [Keyset("big", "p", announce_max=1, presence_deltas=True), Keyset("plain", "p"),
         Keyset("slow", "p", presence_interval=30)],
    )
    assert store.settings("big") == PresenceSettings(announce_max=1, interval=3.0, deltas=True)
    assert store.settings("plain") == PresenceSettings(announce_max=5, interval=3.0)
    assert store.settings("slow") == PresenceSettings(announce_max=5, interval=30)
    assert store.settings("unknown") == PresenceSettings(announce_max=5, interval=3.0)


def test_an_invalid_keyset_override_is_refused_when_the_store_is_built():
    with pytest.raises(ValueError):
        PresenceStore(task.Clock(), lambda *event: None, 1.0, None, [Keyset("s", "p", announce_max=-1)])


def test_cli_options_and_defaults(capsys):
    args = cli.build_parser().parse_args(["serve"])
    assert (args.presence_announce_max, args.presence_interval, args.presence_deltas) == (20, 10.0, False)
    args = cli.build_parser().parse_args(
        ["serve", "--presence-announce-max", "0", "--presence-interval", "2.5", "--presence-deltas"]
    )
    assert (args.presence_announce_max, args.presence_interval, args.presence_deltas) == (0, 2.5, True)
    for bad in (["--presence-announce-max", "-1"], ["--presence-announce-max", "x"],
                ["--presence-interval", "0"]):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["serve"] + bad)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--presence-announce-max N" in help_text and "--presence-interval SECONDS" in help_text
    assert "--presence-deltas" in help_text and "here_now_refresh" in help_text


@pytest.mark.integration
def test_serve_passes_the_presence_options_to_the_server():
    def fetch(origin, path):
        with urllib.request.urlopen("http://%s%s" % (origin, path), timeout=10) as response:
            return json.loads(response.read())

    options = ("--presence-announce-max", "0", "--presence-interval", "0.2", "--presence-deltas")
    with ServerProcess("--long-poll", "5", *options) as server:
        cursor = fetch(server.origin, "/v2/subscribe/demo/x-pnpres/0?tt=0&uuid=watcher")["t"]["t"]
        fetch(server.origin, "/v2/presence/sub-key/demo/channel/x/heartbeat?uuid=u1")
        reply = fetch(server.origin, "/v2/subscribe/demo/x-pnpres/0?tt=%s&uuid=watcher" % cursor)
        assert server.terminate() == 0
    (event,) = [m["d"] for m in reply["m"]]
    assert (event["action"], event["occupancy"], event["join"]) == ("interval", 1, ["u1"])


# -- interval mode without deltas ---------------------------------------------------------------


def test_up_to_announce_max_every_join_is_announced_then_interval_events_every_interval():
    clock, store, events = make_store()
    join(store, ["u%02d" % n for n in range(1, 21)])
    assert len(events) == 20 and actions(events)[-1] == ("room", "join", "u20", 20)
    assert not store.interval_mode("k", "room")
    join(store, ["u21", "u22"])  # above announce_max: nothing announced on its own
    assert len(events) == 20 and store.interval_mode("k", "room")
    clock.advance(9)
    assert len(events) == 20
    clock.advance(1)  # 10 s after the channel entered interval mode
    ch, payload, meta = events[20]
    assert ch == "room"
    assert payload == {"action": "interval", "timestamp": START + 10, "occupancy": 22}
    assert meta == {"pn_action": "interval", "pn_channel": "room", "pn_ispresence": 1, "pn_occupancy": 22}
    clock.advance(10)  # nothing changed: PubNub still sends one every interval
    assert events[21][1] == {"action": "interval", "timestamp": START + 20, "occupancy": 22}
    store.leave("k", "u01", ["room"])  # 21: still interval mode, not announced
    clock.advance(10)
    assert len(events) == 23 and events[22][1]["occupancy"] == 21
    store.stop()


def test_dropping_to_announce_max_ends_interval_mode_at_once():
    clock, store, events = make_store(announce_max=2, interval=5)
    join(store, ["a", "b", "c"])
    assert actions(events) == [("room", "join", "a", 1), ("room", "join", "b", 2)]
    clock.advance(2)
    store.leave("k", "c", ["room"])  # 3 -> 2: back to announce mode with a last interval event
    assert events[2][1] == {"action": "interval", "timestamp": START + 2, "occupancy": 2}
    assert not store.interval_mode("k", "room")
    store.leave("k", "b", ["room"])  # now announced on its own
    assert actions(events)[3:] == [("room", "leave", "b", 1)]
    clock.advance(60)
    assert len(events) == 4  # no interval events in announce mode
    assert clock.getDelayedCalls() == [store._sweeper.call]  # no interval timer left
    store.stop()


def test_channels_and_keys_have_their_own_modes_and_timers():
    clock, store, events = make_store(announce_max=1, interval=4)
    join(store, ["a", "b"], channel="x")
    clock.advance(1)
    join(store, ["a", "b"], channel="y")
    store.touch("other", "a", ["x"], 300)
    assert store.interval_mode("k", "x") and store.interval_mode("k", "y")
    assert not store.interval_mode("other", "x")
    clock.advance(3)
    assert [(ch, p["action"]) for ch, p, _ in events if p["action"] == "interval"] == [("x", "interval")]
    clock.advance(1)
    assert [(ch, p["timestamp"]) for ch, p, _ in events if p["action"] == "interval"] == [
        ("x", START + 4), ("y", START + 5),
    ]
    store.stop()


def test_announce_max_zero_puts_every_occupied_channel_in_interval_mode():
    clock, store, events = make_store(announce_max=0, interval=1, deltas=True)
    join(store, ["solo"])
    assert events == [] and store.interval_mode("k", "room")
    clock.advance(1)
    assert events[0][1] == {"action": "interval", "timestamp": START + 1, "occupancy": 1, "join": ["solo"]}
    store.leave("k", "solo", ["room"])
    assert events[1][1] == {"action": "interval", "timestamp": START + 1, "occupancy": 0, "leave": ["solo"]}
    assert not store.interval_mode("k", "room") and store._batches == {}
    store.stop()


def test_state_changes_are_still_announced_in_interval_mode():
    _, store, events = make_store(announce_max=1)
    join(store, ["a", "b"])
    store.set_state("k", "b", ["room"], {"mood": "ok"})
    assert actions(events) == [("room", "join", "a", 1), ("room", "state-change", "b", 2)]
    assert events[1][1]["data"] == {"mood": "ok"}
    store.stop()


def test_stop_cancels_interval_timers_and_start_resumes_them():
    clock, store, events = make_store(announce_max=0, interval=2)
    join(store, ["a"])
    store.stop()
    assert clock.getDelayedCalls() == []
    clock.advance(10)
    assert events == []
    join(store, ["b"])  # while stopped: summarised, no timer scheduled
    assert clock.getDelayedCalls() == []
    store.start()
    clock.advance(2)
    assert events[0][1]["occupancy"] == 2
    store.stop()
    assert clock.getDelayedCalls() == []


# -- presence deltas ----------------------------------------------------------------------------


def test_deltas_list_the_net_joins_leaves_and_timeouts_since_the_last_interval_event():
    clock, store, events = make_store(announce_max=2, interval=10, deltas=True)
    join(store, ["a", "b"])  # announced on their own
    store.touch("k", "quiet", ["room"], timeout=3)  # 3 > 2: interval mode
    join(store, ["c", "x"])
    store.leave("k", "a", ["room"])
    join(store, ["d"])
    store.leave("k", "d", ["room"])  # joined and left in between: in no list
    store.leave("k", "b", ["room"])
    join(store, ["b"])  # left and came back: in no list
    clock.advance(5)  # quiet times out (silent > 3 s) after joining in this interval: in no list
    clock.advance(5)
    assert actions(events) == [("room", "join", "a", 1), ("room", "join", "b", 2)] + [
        ("room", "interval", None, 3),
    ]
    assert events[2][1] == {
        "action": "interval", "timestamp": START + 10, "occupancy": 3, "join": ["c", "x"], "leave": ["a"],
    }
    store.touch("k", "e", ["room"], timeout=3)
    clock.advance(10)  # e joins and times out within this interval: net nothing
    assert events[3][1] == {"action": "interval", "timestamp": START + 20, "occupancy": 3}
    assert store.occupants("k", "room") == ["b", "c", "x"]
    store.stop()


def test_a_timeout_of_someone_present_at_the_last_event_is_listed():
    clock, store, events = make_store(announce_max=1, interval=10, deltas=True)
    join(store, ["a"])
    store.touch("k", "b", ["room"], timeout=300)
    store.touch("k", "c", ["room"], timeout=12)
    clock.advance(10)
    assert events[1][1] == {
        "action": "interval", "timestamp": START + 10, "occupancy": 3, "join": ["b", "c"],
    }
    clock.advance(10)  # c silent for 20 s > 12 s: timed out by the sweeps in between
    assert events[2][1] == {
        "action": "interval", "timestamp": START + 20, "occupancy": 2, "timeout": ["c"],
    }
    store.stop()


def test_the_change_that_ends_interval_mode_is_in_the_last_interval_event():
    clock, store, events = make_store(announce_max=2, interval=10, deltas=True)
    join(store, ["a", "b", "c"])
    clock.advance(1)
    store.leave("k", "a", ["room"])
    assert events[2][1] == {
        "action": "interval", "timestamp": START + 1, "occupancy": 2, "join": ["c"], "leave": ["a"],
    }
    store.leave("k", "b", ["room"])
    assert actions(events)[3:] == [("room", "leave", "b", 1)]
    store.stop()


def test_a_sweep_crossing_announce_max_flushes_before_announcing_the_rest():
    clock, store, events = make_store(announce_max=2, interval=10, deltas=True)
    store.touch("k", "stay", ["room"], timeout=300)
    for uuid in ("t1", "t2", "t3", "t4"):
        store.touch("k", uuid, ["room"], timeout=2)
    assert actions(events) == [("room", "join", "stay", 1), ("room", "join", "t1", 2)]
    clock.advance(3)  # all four time out in one sweep, in the order they joined:
    # t1 (5 -> 4) and t2 (4 -> 3) are summarised, t3 (3 -> 2) ends interval mode with a last
    # interval event, t4 (2 -> 1) is announced on its own; t2 and t3 joined since the last event
    assert events[2][1] == {
        "action": "interval", "timestamp": START + 3, "occupancy": 2, "join": ["t4"], "timeout": ["t1"],
    }
    assert actions(events)[3:] == [("room", "timeout", "t4", 1)]
    store.stop()


def test_deltas_too_big_become_here_now_refresh_and_memory_stays_bounded():
    clock, store, events = make_store(announce_max=0, interval=10, deltas=True)
    long_uuids = ["u%04d-" % n + "x" * 994 for n in range(100)]  # 1 KB each, 100 KB in all
    join(store, long_uuids)
    batch = store._batches[("k", "room")]
    assert batch.overflow and batch.changes == {} and batch.size == 0
    clock.advance(10)
    assert events[0][1] == {
        "action": "interval", "timestamp": START + 10, "occupancy": 100, "here_now_refresh": True,
    }
    store.leave("k", long_uuids[0], ["room"])  # next batch starts afresh
    clock.advance(10)
    assert events[1][1] == {
        "action": "interval", "timestamp": START + 20, "occupancy": 99, "leave": [long_uuids[0]],
    }
    store.stop()


def test_deltas_right_at_the_limit_are_still_listed():
    clock, store, events = make_store(announce_max=0, interval=10, deltas=True)
    # each entry costs len('"…"') + 1 bytes; fill up to exactly MAX_DELTA_BYTES
    size = 100
    count, rest = divmod(MAX_DELTA_BYTES, size)
    uuids = ["%05d" % n + "y" * (size - 3 - 5) for n in range(count)]
    if rest:
        uuids.append("z" * (rest - 3))
    join(store, uuids)
    assert store._batches[("k", "room")].size == MAX_DELTA_BYTES
    clock.advance(10)
    assert events[0][1]["join"] == uuids and "here_now_refresh" not in events[0][1]
    store.stop()


def test_without_deltas_nothing_is_recorded():
    clock, store, events = make_store(announce_max=0, interval=10)
    join(store, ["u%d" % n for n in range(50)])
    assert store._batches[("k", "room")].changes == {}
    clock.advance(10)
    assert events[0][1] == {"action": "interval", "timestamp": START + 10, "occupancy": 50}
    store.stop()


# -- over loopback HTTP -------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_interval_envelopes_over_http():
    running = await start_server(
        reactor, port=0, data=":memory:", long_poll=2.0, presence_sweep=0.05,
        presence_announce_max=1, presence_interval=0.2, presence_deltas=True,
    )
    try:
        api = ApiClient(running.url)
        watcher = await handshake(api, ["arena-pnpres"], uuid="watcher")  # not present on arena
        await api.get("/v2/presence/sub-key/demo/channel/arena/heartbeat", uuid="u1")
        await api.get("/v2/presence/sub-key/demo/channel/arena/heartbeat", uuid="u2")
        envelopes = []
        cursor = watcher
        while not any(m["d"]["action"] == "interval" for m in envelopes):
            reply = await api.subscribe(["arena-pnpres"], tt=cursor, uuid="watcher")
            envelopes += reply.json["m"]
            cursor = reply.json["t"]["t"]
        join_envelope, interval = envelopes[0], envelopes[-1]
        assert join_envelope["d"]["action"] == "join" and join_envelope["d"]["uuid"] == "u1"
        assert interval["c"] == "arena-pnpres" and "i" not in interval
        assert set(interval["d"]) == {"action", "timestamp", "occupancy", "join"}
        assert (interval["d"]["occupancy"], interval["d"]["join"]) == (2, ["u2"])
        assert interval["u"] == {
            "pn_action": "interval", "pn_channel": "arena", "pn_ispresence": 1, "pn_occupancy": 2,
        }
    finally:
        await running.stop()


@pytest_twisted.ensureDeferred
async def test_a_keyset_override_applies_to_its_subscribe_key_only():
    running = await start_server(
        reactor, port=0, data=":memory:", long_poll=2.0,
        keysets=[Keyset("sub-big", "pub-big", announce_max=0, presence_interval=60), "sub-small:pub-small"],
    )
    try:
        api = ApiClient(running.url)
        await api.get("/v2/presence/sub-key/sub-big/channel/c/heartbeat", uuid="u1")
        await api.get("/v2/presence/sub-key/sub-small/channel/c/heartbeat", uuid="u1")
        presence = running.app.presence
        assert presence.interval_mode("sub-big", "c") and not presence.interval_mode("sub-small", "c")
        assert presence.settings("sub-small") == PresenceSettings()
    finally:
        await running.stop()


# -- the pubnub_fast client ---------------------------------------------------------------------


class PresenceEvents(SubscribeCallback):
    """Collects the presence events a client's listener gets."""

    def __init__(self):
        self.events = []
        self.connected = defer.Deferred()
        self._waiters = []

    def status(self, pubnub, status):
        if status.category == PNStatusCategory.PNConnectedCategory and not self.connected.called:
            self.connected.callback(None)

    def presence(self, pubnub, event):
        self.events.append(event)
        for predicate, waiter in list(self._waiters):
            if not waiter.called and predicate():
                waiter.callback(None)

    def wait(self, predicate, timeout=10):
        waiter = defer.Deferred()
        if predicate():
            waiter.callback(None)
        else:
            self._waiters.append((predicate, waiter))
        return waiter.addTimeout(timeout, reactor)

    def intervals(self):
        return [e for e in self.events if e.event == "interval"]


@pytest.mark.integration
@pytest_twisted.inlineCallbacks
def test_the_pubnub_fast_client_parses_interval_events_with_deltas():
    running = yield start_server(
        reactor, port=0, data=":memory:", long_poll=2.0,
        presence_announce_max=1, presence_interval=0.3, presence_deltas=True,
    )
    clients = []

    def client(uuid):
        config = PNConfiguration(subscribe_key="demo", publish_key="demo", uuid=uuid)
        config.origin = running.origin
        config.ssl = False
        pubnub = PubNubTwisted(config, reactor=reactor)
        clients.append(pubnub)
        return pubnub

    try:
        watcher, guest = client("watcher"), client("guest")
        seen = PresenceEvents()
        watcher.add_listener(seen)
        watcher.subscribe().channels(["hall"]).with_presence().execute()
        yield seen.connected.addTimeout(10, reactor)
        yield seen.wait(lambda: any(e.event == "join" for e in seen.events))
        assert (seen.events[0].event, seen.events[0].uuid, seen.events[0].occupancy) == ("join", "watcher", 1)

        guest.subscribe().channels(["hall"]).execute()  # occupancy 2 > 1: interval mode
        yield seen.wait(lambda: any(e.join for e in seen.intervals()))
        first = next(e for e in seen.intervals() if e.join)
        assert (first.channel, first.subscription, first.uuid) == ("hall", None, None)
        assert (first.occupancy, first.join, first.leave, first.timeout) == (2, ["guest"], None, None)
        assert isinstance(first.timestamp, int) and isinstance(first.timetoken, int)
        assert first.state is None
        assert not any(e.event == "join" and e.uuid == "guest" for e in seen.events)

        guest.unsubscribe().channels(["hall"]).execute()  # back to 1: a last interval event
        yield seen.wait(lambda: any(e.leave for e in seen.intervals()))
        last = next(e for e in seen.intervals() if e.leave)
        assert (last.occupancy, last.join, last.leave) == (1, None, ["guest"])
        assert not any(e.event == "leave" for e in seen.events)
    finally:
        for pubnub in clients:
            yield pubnub.stop()
        yield running.stop()
