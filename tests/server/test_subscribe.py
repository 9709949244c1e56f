"""Subscribe v2 long-polls over loopback HTTP: handshake, wake-up, catch-up, limits, channel
groups, wildcards, presence channels, filters, disconnects and many concurrent polls."""
import json

import pytest
import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import gatherResults

from pubnub_fast.server import start_server
from tests.server.conftest import LONG_POLL, ApiClient, handshake, load_filter_vectors, parked, wait_until

pytestmark = pytest.mark.integration


@pytest_twisted.ensureDeferred
async def test_handshake_returns_the_current_timetoken_and_no_messages(api):
    await api.publish("hs", "before")
    reply = await api.subscribe(["hs"], tt=0)
    assert reply.status == 200
    assert reply.json["m"] == []
    assert isinstance(reply.json["t"]["t"], str) and len(reply.json["t"]["t"]) == 17
    assert reply.json["t"]["r"] == 1
    assert reply.header("Content-Type") == 'text/javascript; charset="UTF-8"'
    # Modern SDKs omit tt on the handshake.
    reply = await api.get("/v2/subscribe/demo/hs/0", uuid="x", ee="")
    assert reply.json["m"] == []


@pytest_twisted.ensureDeferred
async def test_a_parked_poll_returns_as_soon_as_a_message_arrives(server, api):
    cursor = await handshake(api, ["wake"])
    pending = api.subscribe(["wake"], tt=cursor, tr=1)
    await wait_until(lambda: parked(server) == 1)
    published = await api.publish("wake", {"n": 1}, uuid="pub")
    reply = await pending
    assert [m["d"] for m in reply.json["m"]] == [{"n": 1}]
    assert reply.json["m"][0]["p"]["t"] == published.json[2]
    assert int(reply.json["t"]["t"]) >= int(published.json[2])
    assert parked(server) == 0
    # The returned cursor resumes exactly after: nothing is repeated.
    follow = api.subscribe(["wake"], tt=reply.json["t"]["t"])
    await wait_until(lambda: parked(server) == 1)
    await api.publish("wake", {"n": 2})
    assert [m["d"] for m in (await follow).json["m"]] == [{"n": 2}]


@pytest_twisted.ensureDeferred
async def test_messages_published_while_polling_arrive_in_order_without_loss(server, api):
    cursor = await handshake(api, ["burst"])
    pending = api.subscribe(["burst"], tt=cursor)
    await wait_until(lambda: parked(server) == 1)
    for n in range(30):
        await api.publish("burst", n)
    first = await pending
    received = [m["d"] for m in first.json["m"]]
    cursor = int(first.json["t"]["t"])
    for _ in range(30):
        if len(received) >= 30:
            break
        reply = await api.subscribe(["burst"], tt=cursor)
        received.extend(m["d"] for m in reply.json["m"])
        cursor = int(reply.json["t"]["t"])
    assert received == list(range(30))


@pytest_twisted.ensureDeferred
async def test_idle_poll_expires_with_an_empty_answer_after_the_long_poll_time():
    running = await start_server(reactor, port=0, data=":memory:", long_poll=0.2)
    try:
        api = ApiClient(running.url)
        cursor = await handshake(api, ["idle"])
        reply = await api.subscribe(["idle"], tt=cursor)
        assert reply.json["m"] == []
        assert int(reply.json["t"]["t"]) >= cursor
        # A cursor from the future just waits, and comes back unchanged (not moved backwards).
        future = cursor + 10**12
        reply = await api.subscribe(["idle"], tt=future)
        assert reply.json["m"] == [] and int(reply.json["t"]["t"]) == future
    finally:
        await running.stop()


@pytest_twisted.ensureDeferred
async def test_catch_up_from_an_older_timetoken(api):
    cursor = await handshake(api, ["old"])
    for n in range(5):
        await api.publish("old", n)
    reply = await api.subscribe(["old"], tt=cursor)
    assert [m["d"] for m in reply.json["m"]] == [0, 1, 2, 3, 4]
    timetokens = [int(m["p"]["t"]) for m in reply.json["m"]]
    reply = await api.subscribe(["old"], tt=timetokens[2])
    assert [m["d"] for m in reply.json["m"]] == [3, 4]


@pytest_twisted.ensureDeferred
async def test_at_most_100_messages_per_response_then_the_rest(api):
    cursor = await handshake(api, ["many"])
    sent = [int((await api.publish("many", n)).json[2]) for n in range(150)]
    first = await api.subscribe(["many"], tt=cursor)
    assert [m["d"] for m in first.json["m"]] == list(range(100))
    assert int(first.json["t"]["t"]) == sent[99]
    second = await api.subscribe(["many"], tt=first.json["t"]["t"])
    assert [m["d"] for m in second.json["m"]] == list(range(100, 150))


@pytest_twisted.ensureDeferred
async def test_the_catch_up_buffer_keeps_the_last_100_unstored_messages(api):
    cursor = await handshake(api, ["ring"])
    for n in range(130):
        await api.publish("ring", n, store="0")
    reply = await api.subscribe(["ring"], tt=cursor)
    assert [m["d"] for m in reply.json["m"]] == list(range(30, 130))


@pytest_twisted.ensureDeferred
async def test_stored_messages_older_than_the_buffer_come_from_the_store(api):
    cursor = await handshake(api, ["deep"])
    for n in range(130):
        await api.publish("deep", n)
    first = await api.subscribe(["deep"], tt=cursor)
    second = await api.subscribe(["deep"], tt=first.json["t"]["t"])
    got = [m["d"] for m in first.json["m"]] + [m["d"] for m in second.json["m"]]
    assert got == list(range(130))


@pytest_twisted.ensureDeferred
async def test_several_channels_in_timetoken_order(api):
    cursor = await handshake(api, ["x1", "x2"])
    await api.publish("x1", "a")
    await api.publish("x2", "b")
    await api.publish("x3", "not subscribed")
    await api.publish("x1", "c")
    reply = await api.subscribe(["x1", "x2"], tt=cursor)
    assert [(m["c"], m["b"], m["d"]) for m in reply.json["m"]] == [
        ("x1", "x1", "a"), ("x2", "x2", "b"), ("x1", "x1", "c"),
    ]


@pytest_twisted.ensureDeferred
async def test_channel_group_subscription_live_and_dynamic(server, api):
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/cg1", add="g1,g2")
    cursor = await handshake(api, [], **{"channel-group": "cg1"})
    await api.publish("g1", "one")
    await api.publish("other", "no")
    reply = await api.subscribe([], tt=cursor, **{"channel-group": "cg1"})
    assert [(m["c"], m["b"], m["d"]) for m in reply.json["m"]] == [("g1", "cg1", "one")]
    # A channel added to the group while a poll is parked is delivered without re-subscribing.
    pending = api.subscribe([], tt=reply.json["t"]["t"], **{"channel-group": "cg1"})
    await wait_until(lambda: parked(server) == 1)
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/cg1", add="g3")
    await api.publish("g3", "three")
    reply = await pending
    assert [(m["c"], m["b"], m["d"]) for m in reply.json["m"]] == [("g3", "cg1", "three")]


@pytest_twisted.ensureDeferred
async def test_a_channel_reachable_directly_and_through_a_group_is_delivered_once(server, api):
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/both", add="dup")
    query = {"channel-group": "both"}
    cursor = await handshake(api, ["dup"], **query)
    pending = api.subscribe(["dup"], tt=cursor, **query)
    await wait_until(lambda: parked(server) == 1)
    await api.publish("dup", "once")
    reply = await pending
    assert [(m["c"], m["b"]) for m in reply.json["m"]] == [("dup", "dup")]
    reply = await api.subscribe(["dup"], tt=cursor, **query)  # catch-up path
    assert [(m["c"], m["b"]) for m in reply.json["m"]] == [("dup", "dup")]


@pytest_twisted.ensureDeferred
async def test_wildcard_subscription(server, api):
    cursor = await handshake(api, ["sport.*"])
    pending = api.subscribe(["sport.*"], tt=cursor)
    await wait_until(lambda: parked(server) == 1)
    await api.publish("sport.tennis", "live")
    reply = await pending
    assert [(m["c"], m["b"], m["d"]) for m in reply.json["m"]] == [("sport.tennis", "sport.*", "live")]
    await api.publish("sportx", "no")
    await api.publish("sport.ball.foot", "deep")
    await api.publish("a.sport.x", "no")
    reply = await api.subscribe(["sport.*"], tt=reply.json["t"]["t"])
    assert [(m["c"], m["b"], m["d"]) for m in reply.json["m"]] == [("sport.ball.foot", "sport.*", "deep")]
    reply = await api.subscribe(["a.b.*"], tt=0)
    assert reply.status == 200
    for bad in ("a.b.c.*", "*", "a*", "a.*.b"):
        reply = await api.subscribe([bad], tt=0)
        assert reply.status == 400, bad


@pytest_twisted.ensureDeferred
async def test_presence_channel_gets_join_and_leave_events_and_the_channel_does_not(server, api):
    watcher = await handshake(api, ["room-pnpres", "room"], uuid="watcher")
    # The watcher's own join on "room" is the first event.
    reply = await api.subscribe(["room-pnpres", "room"], tt=watcher, uuid="watcher")
    (own,) = reply.json["m"]
    assert own["c"] == own["b"] == "room-pnpres"
    assert own["d"]["action"] == "join" and own["d"]["uuid"] == "watcher" and own["d"]["occupancy"] == 1
    assert isinstance(own["d"]["timestamp"], int)
    assert own["u"]["pn_action"] == "join" and own["u"]["pn_ispresence"] == 1
    assert "i" not in own
    cursor = reply.json["t"]["t"]
    await handshake(api, ["room"], uuid="guest")
    await api.get("/v2/presence/sub-key/demo/channel/room/leave", uuid="guest")
    reply = await api.subscribe(["room-pnpres", "room"], tt=cursor, uuid="watcher")
    events = [(m["c"], m["d"]["action"], m["d"]["uuid"], m["d"]["occupancy"]) for m in reply.json["m"]]
    assert events == [("room-pnpres", "join", "guest", 2), ("room-pnpres", "leave", "guest", 1)]
    # A -pnpres subscription alone makes nobody present.
    await handshake(api, ["room-pnpres"], uuid="lurker")
    here = await api.get("/v2/presence/sub-key/demo/channel/room")
    assert here.json["uuids"] == ["watcher"]


@pytest_twisted.ensureDeferred
async def test_group_presence_channel(server, api):
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/pg", add="pg-ch")
    query = {"channel-group": "pg-pnpres"}
    cursor = await handshake(api, [], uuid="watcher", **query)
    await handshake(api, [], uuid="member", **{"channel-group": "pg"})
    reply = await api.subscribe([], tt=cursor, uuid="watcher", **query)
    (event,) = reply.json["m"]
    assert (event["c"], event["b"], event["d"]["action"], event["d"]["uuid"]) == (
        "pg-ch-pnpres", "pg-pnpres", "join", "member",
    )


@pytest_twisted.ensureDeferred
async def test_filter_expression_drops_non_matching_messages(server, api):
    query = {"filter-expr": "meta.level > 5 && data.kind == 'alert'"}
    cursor = await handshake(api, ["filtered"], **query)
    await api.publish("filtered", {"kind": "alert"}, meta=json.dumps({"level": 3}))
    await api.publish("filtered", {"kind": "note"}, meta=json.dumps({"level": 9}))
    await api.publish("filtered", {"kind": "alert"}, meta=json.dumps({"level": 7}))
    await api.publish("filtered", {"kind": "alert"})
    reply = await api.subscribe(["filtered"], tt=cursor, **query)
    assert [(m["d"], m["u"]) for m in reply.json["m"]] == [({"kind": "alert"}, {"level": 7})]
    # Filtered-out messages are skipped by the cursor too: a poll parks, then a match wakes it.
    pending = api.subscribe(["filtered"], tt=reply.json["t"]["t"], **query)
    await wait_until(lambda: parked(server) == 1)
    await api.publish("filtered", {"kind": "alert"}, meta=json.dumps({"level": 1}))
    assert parked(server) == 1
    await api.publish("filtered", {"kind": "alert"}, meta=json.dumps({"level": 6}))
    reply = await pending
    assert [m["u"] for m in reply.json["m"]] == [{"level": 6}]


@pytest_twisted.ensureDeferred
async def test_malformed_filter_expressions_are_481_on_handshake_and_poll(api):
    vectors = load_filter_vectors()
    for case in vectors["malformed"]:
        for tt in (0, 17000000000000000):
            reply = await api.subscribe(["f"], tt=tt, **{"filter-expr": case["expression"]})
            assert reply.status == 481, (case, reply)
            assert reply.json == {
                "status": 481, "error": True, "service": "Balancer",
                "message": "Invalid filter expression",
            }
    for expression in vectors["not_malformed"]:
        reply = await api.subscribe(["f"], tt=0, **{"filter-expr": expression})
        assert reply.status == 200, expression


@pytest_twisted.ensureDeferred
async def test_client_disconnect_during_a_long_poll_leaks_nothing_and_emits_no_leave(server, api):
    watcher = await handshake(api, ["drop-pnpres"], uuid="watcher")
    cursor = await handshake(api, ["drop"], uuid="dropper")
    pending = api.subscribe(["drop"], tt=cursor, uuid="dropper")
    await wait_until(lambda: parked(server) == 1)
    pending.cancel()
    with pytest.raises(Exception) as cancelled:  # the client reports its own cancellation...
        await pending
    assert "CancelledError" in repr(cancelled.value)
    # ...and the server notices the dropped connection at once, not when the long-poll ends
    await wait_until(lambda: parked(server) == 0, timeout=LONG_POLL / 3)
    reply = await api.subscribe(["drop-pnpres"], tt=watcher, uuid="watcher")
    assert [m["d"]["action"] for m in reply.json["m"]] == ["join"]
    here = await api.get("/v2/presence/sub-key/demo/channel/drop")
    assert here.json["uuids"] == ["dropper"]


@pytest_twisted.ensureDeferred
async def test_many_concurrent_long_polls_are_all_woken_by_one_publish(server, api):
    count = 200
    cursor = await handshake(api, ["crowd"], uuid="u0")
    polls = [api.subscribe(["crowd"], tt=cursor, uuid="u%d" % n) for n in range(count)]
    await wait_until(lambda: parked(server) == count, timeout=20)
    here = await api.get("/v2/presence/sub-key/demo/channel/crowd", disable_uuids="1")
    assert here.json["occupancy"] == count
    await api.publish("crowd", "hello all")
    replies = await gatherResults(polls)
    assert all([m["d"] for m in reply.json["m"]] == ["hello all"] for reply in replies)
    assert parked(server) == 0


@pytest_twisted.ensureDeferred
async def test_subscribe_errors(api):
    assert (await api.subscribe([], tt=0)).status == 400  # no channels and no groups
    reply = await api.subscribe(["ch"], tt="abc")
    assert reply.status == 400
    groups = ",".join("g%d" % n for n in range(11))
    reply = await api.subscribe([], tt=0, **{"channel-group": groups})
    assert reply.status == 400 and reply.json["message"] == "Maximum channel group count exceeded."
    reply = await api.subscribe(["ch"], tt=0, state="{broken")
    assert reply.status == 400


@pytest_twisted.ensureDeferred
async def test_region_is_echoed_and_tr_accepted(api):
    reply = await api.subscribe(["r"], tt=0, tr=12)
    assert reply.json["t"]["r"] == 1
