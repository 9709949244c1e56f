"""Presence: the store driven by task.Clock (joins, timeouts, holds, state), and the REST API
over loopback HTTP (heartbeat, leave, here_now shapes, where_now, state)."""
import json

import pytest_twisted
from twisted.internet import task

from pubnub_fast.server.presence import PresenceStore, presence_timeout
from tests.server.conftest import handshake


def make_store():
    clock = task.Clock()
    clock.advance(1700000000)
    events = []
    store = PresenceStore(clock, lambda sub, ch, payload, meta: events.append((ch, payload, meta)), 1.0)
    store.start()
    return clock, store, events


def actions(events):
    return [(ch, payload["action"], payload.get("uuid"), payload["occupancy"]) for ch, payload, _ in events]


def test_join_once_then_timeout_after_the_presence_timeout():
    clock, store, events = make_store()
    store.touch("k", "u1", ["a", "b"], timeout=10)
    store.touch("k", "u1", ["a"], timeout=10)  # still present: no second join
    assert actions(events) == [("a", "join", "u1", 1), ("b", "join", "u1", 1)]
    clock.advance(6)
    store.touch("k", "u1", ["a"], timeout=10)  # refreshes a only
    clock.advance(5)
    assert actions(events)[2:] == [("b", "timeout", "u1", 0)]
    clock.advance(6)
    assert actions(events)[3:] == [("a", "timeout", "u1", 0)]
    assert store.occupied_channels("k") == [] and store.channels_of("k", "u1") == []
    store.stop()


def test_a_held_long_poll_keeps_the_uuid_present_and_release_restarts_the_timer():
    clock, store, events = make_store()
    store.touch("k", "u1", ["a"], timeout=5, hold=True)
    clock.advance(60)
    assert actions(events) == [("a", "join", "u1", 1)]
    store.release("k", "u1", ["a"])  # dropped poll: no leave
    clock.advance(4)
    assert len(events) == 1
    clock.advance(2)
    assert actions(events)[1:] == [("a", "timeout", "u1", 0)]
    store.stop()


def test_occupancy_counts_unique_uuids_and_leave_announces():
    clock, store, events = make_store()
    store.touch("k", "u1", ["a"], 300)
    store.touch("k", "u2", ["a"], 300)
    store.touch("k", "u2", ["a"], 300)
    assert store.occupancy("k", "a") == 2 and store.occupants("k", "a") == ["u1", "u2"]
    store.leave("k", "u1", ["a", "never-joined"])
    assert actions(events)[-1] == ("a", "leave", "u1", 1)
    assert len(events) == 3
    store.stop()


def test_state_change_events_and_state_dropped_on_leave():
    clock, store, events = make_store()
    store.touch("k", "u1", ["a"], 300, states={"a": {"mood": "ok"}})
    ch, payload, meta = events[0]
    assert payload["action"] == "join" and payload["data"] == {"mood": "ok"}
    assert meta["pn_state_mood"] == "ok" and meta["pn_channel"] == "a"
    store.set_state("k", "u1", ["a"], {"mood": "great"})
    assert events[1][1]["action"] == "state-change" and events[1][1]["data"] == {"mood": "great"}
    store.set_state("k", "u1", ["a"], {"mood": "great"})  # unchanged: no event
    assert len(events) == 2
    store.set_state("k", "u9", ["a"], {"x": 1})  # not present: stored, not announced
    assert store.state("k", "u9", "a") == {"x": 1} and len(events) == 2
    store.leave("k", "u1", ["a"])
    assert store.state("k", "u1", "a") == {}
    store.stop()


def test_presence_timeout_parameter():
    assert presence_timeout(None) == 300 and presence_timeout("") == 300
    assert presence_timeout("12") == 12 and presence_timeout("0") == 300
    assert presence_timeout("999999999") == 86400


def test_event_payload_shape():
    clock, store, events = make_store()
    store.touch("k", "u1", ["a"], 300)
    _, payload, meta = events[0]
    assert payload == {
        "action": "join", "uuid": "u1", "timestamp": 1700000000,
        "precise_timestamp": 1700000000000, "occupancy": 1,
    }
    assert meta == {
        "pn_action": "join", "pn_uuid": "u1", "pn_timestamp": 1700000000,
        "pn_precise_timestamp": 1700000000000, "pn_occupancy": 1, "pn_ispresence": 1,
        "pn_channel": "a",
    }
    store.stop()


# -- REST ---------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_heartbeat_joins_and_answers_ok(api):
    reply = await api.get("/v2/presence/sub-key/demo/channel/hb1,hb2/heartbeat", uuid="beater", heartbeat="60")
    assert reply.json == {"status": 200, "message": "OK", "service": "Presence"}
    assert reply.header("Server") == "Pubnub Presence"
    where = await api.get("/v2/presence/sub-key/demo/uuid/beater")
    assert where.json == {
        "status": 200, "message": "OK", "payload": {"channels": ["hb1", "hb2"]}, "service": "Presence",
    }


@pytest_twisted.ensureDeferred
async def test_heartbeat_with_groups_and_state(api):
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/hbg", add="hbg1")
    reply = await api.get(
        "/v2/presence/sub-key/demo/channel/hbc/heartbeat", uuid="u",
        state=json.dumps({"hbc": {"a": 1}}), **{"channel-group": "hbg"},
    )
    assert reply.status == 200
    where = await api.get("/v2/presence/sub-key/demo/uuid/u")
    assert where.json["payload"]["channels"] == ["hbc", "hbg1"]
    state = await api.get("/v2/presence/sub-key/demo/channel/hbc/uuid/u")
    assert state.json["payload"] == {"a": 1}


@pytest_twisted.ensureDeferred
async def test_leave_answers_and_removes(api):
    await handshake(api, ["lv1", "lv2"], uuid="leaver")
    reply = await api.get("/v2/presence/sub-key/demo/channel/lv1/leave", uuid="leaver")
    assert reply.json == {"status": 200, "action": "leave", "message": "OK", "service": "Presence"}
    where = await api.get("/v2/presence/sub-key/demo/uuid/leaver")
    assert where.json["payload"]["channels"] == ["lv2"]


@pytest_twisted.ensureDeferred
async def test_here_now_single_channel_shapes(api):
    await handshake(api, ["hn"], uuid="u1", state=json.dumps({"hn": {"age": 3}}))
    await handshake(api, ["hn"], uuid="u2")
    reply = await api.get("/v2/presence/sub-key/demo/channel/hn")
    assert reply.json == {
        "status": 200, "message": "OK", "uuids": ["u1", "u2"], "occupancy": 2, "service": "Presence",
    }
    reply = await api.get("/v2/presence/sub-key/demo/channel/hn", state="1")
    assert reply.json["uuids"] == [{"uuid": "u1", "state": {"age": 3}}, {"uuid": "u2"}]
    reply = await api.get("/v2/presence/sub-key/demo/channel/hn", disable_uuids="1")
    assert "uuids" not in reply.json and reply.json["occupancy"] == 2
    reply = await api.get("/v2/presence/sub-key/demo/channel/hn", limit="1", offset="1")
    assert reply.json["uuids"] == ["u2"] and reply.json["occupancy"] == 2
    reply = await api.get("/v2/presence/sub-key/demo/channel/empty-room")
    assert reply.json["uuids"] == [] and reply.json["occupancy"] == 0


@pytest_twisted.ensureDeferred
async def test_here_now_multi_group_and_global_shapes(api):
    await handshake(api, ["m1", "m2"], uuid="u1")
    await handshake(api, ["m2"], uuid="u2")
    reply = await api.get("/v2/presence/sub-key/demo/channel/m1,m2,m1")
    assert reply.json == {
        "status": 200, "message": "OK",
        "payload": {
            "channels": {"m1": {"uuids": ["u1"], "occupancy": 1}, "m2": {"uuids": ["u1", "u2"], "occupancy": 2}},
            "total_channels": 2, "total_occupancy": 3,
        },
        "service": "Presence",
    }
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/hng", add="m2")
    reply = await api.get("/v2/presence/sub-key/demo/channel/,", **{"channel-group": "hng"})
    assert reply.json["payload"]["channels"] == {"m2": {"uuids": ["u1", "u2"], "occupancy": 2}}
    reply = await api.get("/v2/presence/sub-key/demo", disable_uuids="1")
    assert reply.json["payload"] == {
        "channels": {"m1": {"occupancy": 1}, "m2": {"occupancy": 2}},
        "total_channels": 2, "total_occupancy": 3,
    }
    reply = await api.get("/v2/presence/sub_key/demo", state="1")
    assert reply.json["payload"]["channels"]["m1"] == {"uuids": [{"uuid": "u1"}], "occupancy": 1}
    other = await api.get("/v2/presence/sub-key/other-key")
    assert other.json["payload"] == {"channels": {}, "total_channels": 0, "total_occupancy": 0}


@pytest_twisted.ensureDeferred
async def test_set_and_get_state_single_and_multi(api):
    reply = await api.get(
        "/v2/presence/sub-key/demo/channel/s1,s2/uuid/stater/data", state=json.dumps({"count": 5, "name": "Alex"})
    )
    assert reply.json == {
        "status": 200, "message": "OK", "payload": {"count": 5, "name": "Alex"}, "service": "Presence",
    }
    reply = await api.get("/v2/presence/sub-key/demo/channel/s1/uuid/stater")
    assert reply.json == {
        "status": 200, "message": "OK", "uuid": "stater", "payload": {"count": 5, "name": "Alex"},
        "channel": "s1", "service": "Presence",
    }
    reply = await api.get("/v2/presence/sub-key/demo/channel/s1,s2,s3/uuid/stater")
    assert reply.json["payload"] == {
        "channels": {"s1": {"count": 5, "name": "Alex"}, "s2": {"count": 5, "name": "Alex"}, "s3": {}},
    }
    assert reply.json["uuid"] == "stater"
    for bad in ("[1]", "{nope", None):
        query = {} if bad is None else {"state": bad}
        reply = await api.get("/v2/presence/sub-key/demo/channel/s1/uuid/stater/data", **query)
        assert reply.status == 400
        assert reply.json["service"] == "Presence" and reply.json["error"] is True


@pytest_twisted.ensureDeferred
async def test_set_state_of_a_present_uuid_emits_state_change(api):
    watcher = await handshake(api, ["sc-pnpres"], uuid="watcher")
    await handshake(api, ["sc"], uuid="u1")
    await api.get("/v2/presence/sub-key/demo/channel/sc/uuid/u1/data", state=json.dumps({"mood": "ok"}))
    reply = await api.subscribe(["sc-pnpres"], tt=watcher, uuid="watcher")
    events = [m["d"] for m in reply.json["m"]]
    assert [e["action"] for e in events] == ["join", "state-change"]
    assert events[1]["data"] == {"mood": "ok"} and events[1]["uuid"] == "u1"


@pytest_twisted.ensureDeferred
async def test_presence_errors_use_the_presence_shape(api):
    reply = await api.get("/v2/presence/sub-key/demo/channel/,/heartbeat", uuid="u")
    assert reply.status == 400
    assert set(reply.json) == {"status", "error", "service", "message"} and reply.json["service"] == "Presence"
    reply = await api.get("/v2/presence/sub-key/demo/channel/c/heartbeat")
    assert reply.status == 400  # no uuid


@pytest_twisted.ensureDeferred
async def test_a_silent_uuid_times_out_end_to_end():
    from twisted.internet import reactor

    from pubnub_fast.server import start_server
    from tests.server.conftest import ApiClient, wait_until

    running = await start_server(reactor, port=0, data=":memory:", long_poll=2.0, presence_sweep=0.05)
    try:
        api = ApiClient(running.url)
        watcher = await handshake(api, ["quiet-pnpres"], uuid="watcher")
        await api.get("/v2/presence/sub-key/demo/channel/quiet/heartbeat", uuid="sleeper", heartbeat="1")
        await wait_until(lambda: running.app.presence.occupancy("demo", "quiet") == 0, timeout=5)
        reply = await api.subscribe(["quiet-pnpres"], tt=watcher, uuid="watcher")
        assert [(m["d"]["action"], m["d"]["uuid"]) for m in reply.json["m"]] == [
            ("join", "sleeper"), ("timeout", "sleeper"),
        ]
    finally:
        await running.stop()
