"""Storage API over loopback HTTP: history v2, fetch v3 (with actions), delete, message counts;
and a restart on the same data file (history and subscribe catch-up lose nothing)."""
import os

import pytest
import pytest_twisted
from twisted.internet import reactor

from pubnub_fast.server import start_server
from tests.server.conftest import ApiClient, handshake

pytestmark = pytest.mark.integration


async def publish_many(api, channel, count, **query):
    return [int((await api.publish(channel, "m%d" % n, **query)).json[2]) for n in range(count)]


@pytest_twisted.ensureDeferred
async def test_history_v2_default_count_and_order(api):
    tts = await publish_many(api, "h", 5)
    reply = await api.get("/v2/history/sub-key/demo/channel/h")
    assert reply.json == [["m0", "m1", "m2", "m3", "m4"], tts[0], tts[-1]]
    assert reply.header("Server") == "Pubnub Storage"
    assert (await api.get("/v2/history/sub-key/demo/channel/empty")).json == [[], 0, 0]


@pytest_twisted.ensureDeferred
async def test_history_v2_count_reverse_start_end(api):
    tts = await publish_many(api, "h2", 10)
    newest = await api.get("/v2/history/sub-key/demo/channel/h2", count="3")
    assert newest.json[0] == ["m7", "m8", "m9"]
    oldest = await api.get("/v2/history/sub-key/demo/channel/h2", count="3", reverse="true")
    assert oldest.json[0] == ["m0", "m1", "m2"]
    before = await api.get("/v2/history/sub-key/demo/channel/h2", start=str(tts[5]), count="2")
    assert before.json[0] == ["m3", "m4"]  # start is exclusive
    since = await api.get("/v2/history/sub-key/demo/channel/h2", end=str(tts[7]))
    assert since.json[0] == ["m7", "m8", "m9"]  # end is inclusive
    between = await api.get("/v2/history/sub-key/demo/channel/h2", start=str(tts[6]), end=str(tts[2]))
    assert between.json[0] == ["m2", "m3", "m4", "m5"]
    swapped = await api.get("/v2/history/sub-key/demo/channel/h2", start=str(tts[2]), end=str(tts[6]))
    assert swapped.json[0] == ["m3", "m4", "m5", "m6"]
    capped = await api.get("/v2/history/sub-key/demo/channel/h2", count="1000")
    assert len(capped.json[0]) == 10


@pytest_twisted.ensureDeferred
async def test_history_v2_include_token_and_meta(api):
    tt = int((await api.publish("h3", {"a": 1}, meta='{"m": true}')).json[2])
    tt2 = int((await api.publish("h3", "plain")).json[2])
    reply = await api.get("/v2/history/sub-key/demo/channel/h3", include_token="true", include_meta="true")
    assert reply.json[0] == [
        {"message": {"a": 1}, "timetoken": tt, "meta": {"m": True}},
        {"message": "plain", "timetoken": tt2},
    ]


@pytest_twisted.ensureDeferred
async def test_fetch_v3_single_and_multi(api):
    tts = await publish_many(api, "f1", 3, uuid="pub1", custom_message_type="chat-msg")
    await api.publish("f 2", "other", meta='{"k": "v"}')
    reply = await api.get("/v3/history/sub-key/demo/channel/f1")
    assert reply.json["status"] == 200 and reply.json["error"] is False and reply.json["error_message"] == ""
    items = reply.json["channels"]["f1"]
    assert [i["message"] for i in items] == ["m0", "m1", "m2"]
    assert [i["timetoken"] for i in items] == [str(t) for t in tts]
    assert items[0]["uuid"] == "pub1" and items[0]["message_type"] is None
    assert "custom_message_type" not in items[0] and "meta" not in items[0]
    reply = await api.get(
        "/v3/history/sub-key/demo/channel/f1,f%202,nothing", include_meta="true",
        include_custom_message_type="true", include_uuid="false", include_message_type="false", max="2",
    )
    assert set(reply.json["channels"]) == {"f1", "f 2"}
    assert [i["message"] for i in reply.json["channels"]["f1"]] == ["m1", "m2"]
    assert reply.json["channels"]["f1"][0] == {
        "message": "m1", "timetoken": str(tts[1]), "custom_message_type": "chat-msg",
    }
    assert reply.json["channels"]["f 2"][0]["meta"] == {"k": "v"}
    reply = await api.get("/v3/history/sub-key/demo/channel/f1", start=str(tts[2]), end=str(tts[0]))
    assert [i["message"] for i in reply.json["channels"]["f1"]] == ["m0", "m1"]
    reply = await api.get("/v3/history/sub-key/demo/channel/f1", end=str(tts[1]), max="1")
    assert [i["message"] for i in reply.json["channels"]["f1"]] == ["m1"]


@pytest_twisted.ensureDeferred
async def test_fetch_limits(api):
    await publish_many(api, "lim", 30)
    await publish_many(api, "lim2", 30)
    single = await api.get("/v3/history/sub-key/demo/channel/lim", max="500")
    assert len(single.json["channels"]["lim"]) == 30
    multi = await api.get("/v3/history/sub-key/demo/channel/lim,lim2", max="100")
    assert [len(v) for v in multi.json["channels"].values()] == [25, 25]
    actions = await api.get("/v3/history-with-actions/sub-key/demo/channel/lim")
    assert len(actions.json["channels"]["lim"]) == 25
    assert (await api.get("/v3/history-with-actions/sub-key/demo/channel/lim,lim2")).status == 400
    reply = await api.get("/v3/history/sub-key/demo/channel/lim", start="x")
    assert reply.status == 400
    assert reply.json == {"status": 400, "error": True, "error_message": "Invalid Arguments: start", "channels": {}}


@pytest_twisted.ensureDeferred
async def test_fetch_with_actions_returns_stored_actions(server, api):
    tt = int((await api.publish("act", "hello")).json[2])
    await api.publish("act", "no actions")

    def insert(connection):
        connection.executemany(
            "INSERT INTO message_actions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [("demo", "act", tt, tt + 5, "reaction", "smiley", "u1"),
             ("demo", "act", tt, tt + 9, "reaction", "smiley", "u2")],
        )

    await server.app.database.run(insert)
    reply = await api.get("/v3/history-with-actions/sub-key/demo/channel/act")
    first, second = reply.json["channels"]["act"]
    assert first["actions"] == {
        "reaction": {"smiley": [
            {"uuid": "u1", "actionTimetoken": str(tt + 5)}, {"uuid": "u2", "actionTimetoken": str(tt + 9)},
        ]},
    }
    assert "actions" not in second


@pytest_twisted.ensureDeferred
async def test_delete_messages(api):
    tts = await publish_many(api, "del", 5)
    reply = await api.request("DELETE", "/v3/history/sub-key/demo/channel/del",
                              {"start": str(tts[2] - 1), "end": str(tts[2])})
    assert reply.json == {"status": 200, "error": False, "error_message": ""}
    remaining = await api.get("/v2/history/sub-key/demo/channel/del")
    assert remaining.json[0] == ["m0", "m1", "m3", "m4"]
    await api.request("DELETE", "/v3/history/sub-key/demo/channel/del", {"start": str(tts[3])})
    assert (await api.get("/v2/history/sub-key/demo/channel/del")).json[0] == ["m0", "m1", "m3"]
    await api.request("DELETE", "/v3/history/sub-key/demo/channel/del")
    assert (await api.get("/v2/history/sub-key/demo/channel/del")).json == [[], 0, 0]
    assert (await api.get("/v3/history/sub-key/demo/channel/del")).status == 200
    wild = await api.request("DELETE", "/v3/history/sub-key/demo/channel/my-ch-%20%7C.%2A%20%24")
    assert wild.status == 200


@pytest_twisted.ensureDeferred
async def test_message_counts(api):
    tts = await publish_many(api, "cnt1", 3)
    await publish_many(api, "cnt2", 1)
    reply = await api.get("/v3/history/sub-key/demo/message-counts/cnt1,cnt2", timetoken=str(tts[0]))
    assert reply.json == {"status": 200, "error": False, "error_message": "", "channels": {"cnt1": 2, "cnt2": 1}}
    reply = await api.get("/v3/history/sub-key/demo/message-counts/cnt1,cnt2",
                          channelsTimetoken="%d,%d" % (tts[0] - 10, tts[-1]))
    assert reply.json["channels"] == {"cnt1": 3, "cnt2": 1}
    assert (await api.get("/v3/history/sub-key/demo/message-counts/cnt1")).status == 400
    reply = await api.get("/v3/history/sub-key/demo/message-counts/cnt1,cnt2", channelsTimetoken="1,2,3")
    assert reply.status == 400 and reply.json["error"] is True


@pytest_twisted.ensureDeferred
async def test_restart_on_the_same_file_loses_no_stored_message(tmp_path):
    data = os.path.join(str(tmp_path), "server.sqlite3")
    running = await start_server(reactor, port=0, data=data, long_poll=1.0)
    api = ApiClient(running.url)
    cursor = await handshake(api, ["durable"])
    await api.publish("dura.x", "wild")
    sent = [int((await api.publish("durable", n, meta='{"n": %d}' % n)).json[2]) for n in range(120)]
    await api.publish("durable", "not stored", store="0")
    port = running.port
    await running.stop()

    running = await start_server(reactor, port=port, data=data, long_poll=1.0)
    try:
        api = ApiClient(running.url)
        history = await api.get("/v3/history/sub-key/demo/channel/durable", include_meta="true")
        items = history.json["channels"]["durable"]
        assert [i["message"] for i in items] == list(range(20, 120))
        assert items[0]["meta"] == {"n": 20}
        # A subscriber resuming from its old cursor gets every stored message, in order.
        received, next_cursor = [], cursor
        for _ in range(5):
            reply = await api.subscribe(["durable"], tt=next_cursor)
            received.extend(m["d"] for m in reply.json["m"])
            next_cursor = reply.json["t"]["t"]
            if len(received) >= 120:
                break
        assert received == list(range(120))
        # Timetokens keep increasing after the restart.
        assert int((await api.publish("durable", "after")).json[2]) > sent[-1]
        # Wildcard catch-up after a restart reads the store too.
        reply = await api.subscribe(["dura.*"], tt=cursor)
        assert [(m["c"], m["b"], m["d"]) for m in reply.json["m"]] == [("dura.x", "dura.*", "wild")]
    finally:
        await running.stop()
