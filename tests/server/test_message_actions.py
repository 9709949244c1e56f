"""Message actions over loopback HTTP (protocol.md §2.17, §2.14, §3.3): add/get/remove with
validation and error shapes, paging with ``more``, the ``e=3`` events subscribers receive (and
that history never stores), fetch with actions (grouping and ``more``), and persistence across a
restart."""
import json
import os
from urllib.parse import parse_qsl, urlsplit

import pytest
import pytest_twisted
from twisted.internet import defer, reactor

from pubnub_fast.server import start_server
from tests.server.conftest import ApiClient, handshake

pytestmark = pytest.mark.integration

BASE = "/v1/message-actions/demo/channel/"


def add(api, channel, message_tt, body, uuid="actor", sub="demo"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    query = {"uuid": uuid} if uuid is not None else {}
    return api.request(
        "POST", "/v1/message-actions/%s/channel/%s/message/%s" % (sub, channel, message_tt), query, data,
        headers={"Content-Type": ["application/json"]},
    )


def remove(api, channel, message_tt, action_tt, uuid="actor"):
    return api.request("DELETE", BASE + "%s/message/%s/action/%s" % (channel, message_tt, action_tt),
                       {"uuid": uuid})


def get(api, channel, **query):
    return api.request("GET", BASE + channel, query)


async def published(api, channel, message="m"):
    return int((await api.publish(channel, message)).json[2])


def nested_error(reply, status):
    assert reply.status == status, reply
    assert reply.json["status"] == status
    assert reply.json["error"]["source"] == "actions"
    return reply.json["error"]


# -- add ------------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_add_answers_the_stored_action_with_a_server_timetoken(api):
    mtt = await published(api, "ch")
    reply = await add(api, "ch", mtt, {"type": "reaction", "value": "smiley_face"}, uuid="user-456")
    assert reply.status == 200
    data = reply.json["data"]
    assert reply.json["status"] == 200
    assert set(data) == {"type", "value", "uuid", "actionTimetoken", "messageTimetoken"}
    assert (data["type"], data["value"], data["uuid"], data["messageTimetoken"]) == (
        "reaction", "smiley_face", "user-456", str(mtt))
    assert isinstance(data["actionTimetoken"], str) and len(data["actionTimetoken"]) == 17
    assert int(data["actionTimetoken"]) > mtt
    assert reply.header("Content-Type") == 'text/javascript; charset="UTF-8"'
    # the clock is shared with publishes: the next message is newer than the action
    assert await published(api, "ch") > int(data["actionTimetoken"])


@pytest_twisted.ensureDeferred
async def test_add_validation_errors_use_the_nested_actions_shape(api):
    mtt = await published(api, "v")
    cases = [
        ({"value": "x"}, "type"),
        ({"type": "", "value": "x"}, "type"),
        ({"type": 5, "value": "x"}, "type"),
        ({"type": "t" * 16, "value": "x"}, "type"),
        ({"type": "reaction"}, "value"),
        ({"type": "reaction", "value": ""}, "value"),
        ({"type": "reaction", "value": ["x"]}, "value"),
        ({"type": "reaction", "value": "v" * 1001}, "value"),
        ({"type": "reaction", "value": "bad\nvalue"}, "value"),
    ]
    for body, location in cases:
        error = nested_error(await add(api, "v", mtt, body), 400)
        assert error["details"][0]["location"] == location, body
        assert error["details"][0]["locationType"] == "body"
    assert (await add(api, "v", mtt, {"type": "t" * 15, "value": "v" * 1000})).status == 200
    for raw in (b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"):
        error = nested_error(await add(api, "v", mtt, raw), 400)
        assert error["message"].startswith("Invalid JSON"), raw
    error = nested_error(await add(api, "v", "soon", {"type": "a", "value": "b"}), 400)
    assert error["details"][0] == {"message": "Invalid messageTimetoken", "location": "messageTimetoken",
                                   "locationType": "path"}
    error = nested_error(await add(api, "v", mtt, {"type": "a", "value": "b"}, uuid=None), 400)
    assert error["details"][0]["location"] == "uuid"
    nested_error(await add(api, "a.%2A", mtt, {"type": "a", "value": "b"}), 400)
    nested_error(await add(api, "a%2Cb", mtt, {"type": "a", "value": "b"}), 400)
    no_key = await add(api, "v", mtt, {"type": "a", "value": "b"}, sub="")
    assert no_key.status == 400 and no_key.json["message"] == "Invalid Subscribe Key"
    # nothing of the above was stored
    assert [a["type"] for a in (await get(api, "v")).json["data"]] == ["t" * 15]


@pytest_twisted.ensureDeferred
async def test_duplicate_add_is_409_but_other_uuids_types_and_values_are_not(api):
    mtt = await published(api, "dup")
    body = {"type": "reaction", "value": "smile"}
    assert (await add(api, "dup", mtt, body, uuid="u1")).status == 200
    error = nested_error(await add(api, "dup", mtt, body, uuid="u1"), 409)
    assert error == {"message": "Action Already Added", "source": "actions"}
    assert (await add(api, "dup", mtt, body, uuid="u2")).status == 200
    assert (await add(api, "dup", mtt, {"type": "reaction", "value": "frown"}, uuid="u1")).status == 200
    assert (await add(api, "dup", mtt, {"type": "receipt", "value": "smile"}, uuid="u1")).status == 200
    assert (await add(api, "dup", mtt + 1, body, uuid="u1")).status == 200  # another message
    assert (await add(api, "dup2", mtt, body, uuid="u1")).status == 200  # another channel
    assert len((await get(api, "dup")).json["data"]) == 5


@pytest_twisted.ensureDeferred
async def test_concurrent_duplicates_store_exactly_one(api):
    mtt = await published(api, "race")
    replies = await defer.gatherResults(
        [add(api, "race", mtt, {"type": "r", "value": "same"}, uuid="u") for _ in range(8)])
    assert sorted(reply.status for reply in replies) == [200] + [409] * 7
    assert len((await get(api, "race")).json["data"]) == 1


# -- get ------------------------------------------------------------------------------------------


async def add_many(api, channel, count):
    mtt = await published(api, channel)
    tts = []
    for n in range(count):
        reply = await add(api, channel, mtt, {"type": "reaction", "value": "v%d" % n})
        tts.append(int(reply.json["data"]["actionTimetoken"]))
    return mtt, tts


@pytest_twisted.ensureDeferred
async def test_get_returns_actions_ascending_and_pages_newest_first_with_more(api):
    _, tts = await add_many(api, "pg", 7)
    everything = await get(api, "pg")
    assert [a["value"] for a in everything.json["data"]] == ["v%d" % n for n in range(7)]
    assert "more" not in everything.json
    assert (await get(api, "empty")).json == {"status": 200, "data": []}

    first = await get(api, "pg", limit="3")
    assert [a["value"] for a in first.json["data"]] == ["v4", "v5", "v6"]  # the newest, ascending
    more = first.json["more"]
    assert more == {
        "url": "/v1/message-actions/demo/channel/pg?start=%d&limit=3" % tts[4],
        "start": str(tts[4]), "end": "0", "limit": 3,
    }
    pages = [[a["value"] for a in first.json["data"]]]
    while more:
        reply = await api.request("GET", more["url"])
        pages.append([a["value"] for a in reply.json["data"]])
        more = reply.json.get("more")
    assert pages == [["v4", "v5", "v6"], ["v1", "v2", "v3"], ["v0"]]
    # exactly full: no more
    exact = await get(api, "pg", start=str(tts[3]), limit="3")
    assert [a["value"] for a in exact.json["data"]] == ["v0", "v1", "v2"] and "more" not in exact.json


@pytest_twisted.ensureDeferred
async def test_get_start_is_exclusive_end_inclusive_and_more_keeps_end(api):
    _, tts = await add_many(api, "rng", 6)
    values = lambda reply: [a["value"] for a in reply.json["data"]]  # noqa: E731
    assert values(await get(api, "rng", start=str(tts[3]))) == ["v0", "v1", "v2"]
    assert values(await get(api, "rng", end=str(tts[3]))) == ["v3", "v4", "v5"]
    assert values(await get(api, "rng", start=str(tts[5]), end=str(tts[1]))) == ["v1", "v2", "v3", "v4"]
    assert values(await get(api, "rng", start=str(tts[1]), end=str(tts[4]))) == []
    page = await get(api, "rng", start=str(tts[5]), end=str(tts[1]), limit="2")
    assert values(page) == ["v3", "v4"]
    assert page.json["more"]["end"] == str(tts[1])
    query = dict(parse_qsl(urlsplit(page.json["more"]["url"]).query))
    assert query == {"start": str(tts[3]), "end": str(tts[1]), "limit": "2"}
    rest = await api.request("GET", page.json["more"]["url"])
    assert values(rest) == ["v1", "v2"] and "more" not in rest.json


@pytest_twisted.ensureDeferred
async def test_get_parameter_errors_and_limit_cap(api):
    await add_many(api, "lim", 3)
    assert len((await get(api, "lim", limit="1000")).json["data"]) == 3  # capped at 100
    for query in ({"limit": "0"}, {"limit": "-1"}, {"limit": "ten"}, {"start": "x"}, {"end": "1.5"}):
        error = nested_error(await get(api, "lim", **query), 400)
        assert error["details"][0]["location"] == next(iter(query)), query
        assert error["details"][0]["locationType"] == "query"
    assert (await api.request("POST", BASE + "lim")).status == 405


@pytest_twisted.ensureDeferred
async def test_get_pages_past_100(api):
    mtt = await published(api, "big")
    for n in range(120):
        await add(api, "big", mtt, {"type": "t", "value": "v%03d" % n})
    first = await get(api, "big")
    assert len(first.json["data"]) == 100 and first.json["more"]["limit"] == 100
    assert first.json["data"][0]["value"] == "v020"
    rest = await api.request("GET", first.json["more"]["url"])
    assert [a["value"] for a in rest.json["data"]] == ["v%03d" % n for n in range(20)]
    assert "more" not in rest.json


# -- remove ---------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_remove(api):
    mtt = await published(api, "rm")
    kept = (await add(api, "rm", mtt, {"type": "r", "value": "keep"})).json["data"]
    gone = (await add(api, "rm", mtt, {"type": "r", "value": "gone"})).json["data"]
    wrong_message = await remove(api, "rm", mtt + 1, gone["actionTimetoken"])
    assert wrong_message.json == {"status": 200, "data": {}}
    assert len((await get(api, "rm")).json["data"]) == 2  # the action belongs to another message
    reply = await remove(api, "rm", mtt, gone["actionTimetoken"])
    assert reply.status == 200 and reply.json == {"status": 200, "data": {}}
    assert (await get(api, "rm")).json["data"] == [kept]
    again = await remove(api, "rm", mtt, gone["actionTimetoken"])
    assert again.json == {"status": 200, "data": {}}  # idempotent
    # after removal the same action may be added again
    assert (await add(api, "rm", mtt, {"type": "r", "value": "gone"})).status == 200
    nested_error(await remove(api, "rm", "x", gone["actionTimetoken"]), 400)
    error = nested_error(await remove(api, "rm", mtt, "y"), 400)
    assert error["details"][0]["location"] == "actionTimetoken"


# -- events ---------------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_add_and_remove_are_published_as_e3_events_and_never_stored(api):
    mtt = await published(api, "ev", "hello")
    cursor = await handshake(api, ["ev"])
    added = (await add(api, "ev", mtt, {"type": "reaction", "value": "smile"}, uuid="reactor-1")).json["data"]
    reply = await api.subscribe(["ev"], tt=cursor)
    (item,) = reply.json["m"]
    assert item["e"] == 3 and item["i"] == "reactor-1" and item["c"] == "ev" and item["b"] == "ev"
    assert item["k"] == "demo" and int(item["p"]["t"]) > int(added["actionTimetoken"])
    assert item["d"] == {
        "source": "actions", "version": "1.0", "event": "added",
        "data": {"type": "reaction", "value": "smile", "messageTimetoken": str(mtt),
                 "actionTimetoken": added["actionTimetoken"]},
    }
    cursor = int(reply.json["t"]["t"])
    # a duplicate add publishes nothing; a removal by another uuid does
    assert (await add(api, "ev", mtt, {"type": "reaction", "value": "smile"}, uuid="reactor-1")).status == 409
    await remove(api, "ev", mtt, added["actionTimetoken"], uuid="moderator")
    reply = await api.subscribe(["ev"], tt=cursor)
    (item,) = reply.json["m"]
    assert item["e"] == 3 and item["i"] == "moderator"
    assert item["d"]["event"] == "removed" and item["d"]["data"] == {
        "type": "reaction", "value": "smile", "messageTimetoken": str(mtt),
        "actionTimetoken": added["actionTimetoken"]}
    # removing what is gone publishes nothing: the next poll only sees the next message
    cursor = int(reply.json["t"]["t"])
    await remove(api, "ev", mtt, added["actionTimetoken"])
    await api.publish("ev", "after")
    reply = await api.subscribe(["ev"], tt=cursor)
    assert [m["d"] for m in reply.json["m"]] == ["after"]
    # history and fetch hold only the messages
    assert (await api.get("/v2/history/sub-key/demo/channel/ev")).json[0] == ["hello", "after"]
    fetched = await api.get("/v3/history/sub-key/demo/channel/ev")
    assert [m["message"] for m in fetched.json["channels"]["ev"]] == ["hello", "after"]
    counts = await api.get("/v3/history/sub-key/demo/message-counts/ev", timetoken="1")
    assert counts.json["channels"] == {"ev": 2}


@pytest_twisted.ensureDeferred
async def test_events_reach_group_and_wildcard_subscribers(api):
    await api.get("/v1/channel-registration/sub-key/demo/channel-group/reactions", add="room.1")
    mtt = await published(api, "room.1")
    group_cursor = await handshake(api, [], **{"channel-group": "reactions"})
    wildcard_cursor = await handshake(api, ["room.*"], uuid="w")
    await add(api, "room.1", mtt, {"type": "receipt", "value": "read"})
    via_group = await api.subscribe([], tt=group_cursor, **{"channel-group": "reactions"})
    via_wildcard = await api.subscribe(["room.*"], tt=wildcard_cursor, uuid="w")
    assert [(m["e"], m["c"], m["b"]) for m in via_group.json["m"]] == [(3, "room.1", "reactions")]
    assert [(m["e"], m["c"], m["b"]) for m in via_wildcard.json["m"]] == [(3, "room.1", "room.*")]


# -- fetch with actions ---------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_fetch_with_actions_groups_actions_added_through_the_api(api):
    first = await published(api, "fa", "first")
    second = await published(api, "fa", "second")
    a1 = (await add(api, "fa", first, {"type": "reaction", "value": "smile"}, uuid="u1")).json["data"]
    a2 = (await add(api, "fa", first, {"type": "reaction", "value": "smile"}, uuid="u2")).json["data"]
    a3 = (await add(api, "fa", first, {"type": "reaction", "value": "wave"}, uuid="u1")).json["data"]
    a4 = (await add(api, "fa", first, {"type": "receipt", "value": "read"}, uuid="u3")).json["data"]
    gone = (await add(api, "fa", second, {"type": "reaction", "value": "x"}, uuid="u1")).json["data"]
    await remove(api, "fa", second, gone["actionTimetoken"])
    reply = await api.get("/v3/history-with-actions/sub-key/demo/channel/fa")
    assert reply.status == 200 and "more" not in reply.json
    one, two = reply.json["channels"]["fa"]
    assert one["actions"] == {
        "reaction": {
            "smile": [{"uuid": "u1", "actionTimetoken": a1["actionTimetoken"]},
                      {"uuid": "u2", "actionTimetoken": a2["actionTimetoken"]}],
            "wave": [{"uuid": "u1", "actionTimetoken": a3["actionTimetoken"]}],
        },
        "receipt": {"read": [{"uuid": "u3", "actionTimetoken": a4["actionTimetoken"]}]},
    }
    assert two["message"] == "second" and "actions" not in two
    # deleting a message deletes its actions
    await api.request("DELETE", "/v3/history/sub-key/demo/channel/fa",
                      {"start": str(first - 1), "end": str(first)})
    assert (await get(api, "fa")).json["data"] == []


@pytest_twisted.ensureDeferred
async def test_fetch_with_actions_more_pages_through_the_whole_range(api):
    tts = [await published(api, "fm", "m%d" % n) for n in range(7)]
    await add(api, "fm", tts[6], {"type": "r", "value": "on-newest"})
    base = "/v3/history-with-actions/sub-key/demo/channel/fm"
    first = await api.get(base, max="3")
    assert [m["message"] for m in first.json["channels"]["fm"]] == ["m4", "m5", "m6"]
    assert first.json["channels"]["fm"][-1]["actions"] == {
        "r": {"on-newest": [{"uuid": "actor", "actionTimetoken": first.json["channels"]["fm"][-1]["actions"]
                             ["r"]["on-newest"][0]["actionTimetoken"]}]}}
    assert first.json["more"] == {
        "url": base + "?start=%d&max=3" % tts[4], "start": str(tts[4]), "max": 3}
    pages, more = [[m["message"] for m in first.json["channels"]["fm"]]], first.json["more"]
    while more:
        reply = await api.request("GET", more["url"])
        pages.append([m["message"] for m in reply.json["channels"]["fm"]])
        more = reply.json.get("more")
    assert pages == [["m4", "m5", "m6"], ["m1", "m2", "m3"], ["m0"]]
    # a range with an inclusive end keeps it; a full page without more messages has no more
    ranged = await api.get(base, max="2", start=str(tts[6]), end=str(tts[2]))
    assert [m["message"] for m in ranged.json["channels"]["fm"]] == ["m4", "m5"]
    assert dict(parse_qsl(urlsplit(ranged.json["more"]["url"]).query)) == {
        "start": str(tts[4]), "end": str(tts[2]), "max": "2"}
    rest = await api.request("GET", ranged.json["more"]["url"])
    assert [m["message"] for m in rest.json["channels"]["fm"]] == ["m2", "m3"] and "more" not in rest.json
    # start below end (the range lies between them): continuation keeps the exclusive bound
    swapped = await api.get(base, max="2", start=str(tts[1]), end=str(tts[5]))
    assert [m["message"] for m in swapped.json["channels"]["fm"]] == ["m4", "m5"]
    rest = await api.request("GET", swapped.json["more"]["url"])
    assert [m["message"] for m in rest.json["channels"]["fm"]] == ["m2", "m3"] and "more" not in rest.json
    # only end: an oldest-first walk continues above the newest returned message
    forward = await api.get(base, max="3", end=str(tts[1]))
    assert [m["message"] for m in forward.json["channels"]["fm"]] == ["m1", "m2", "m3"]
    assert forward.json["more"] == {"url": base + "?end=%d&max=3" % (tts[3] + 1), "end": str(tts[3] + 1),
                                    "max": 3}
    rest = await api.request("GET", forward.json["more"]["url"])
    assert [m["message"] for m in rest.json["channels"]["fm"]] == ["m4", "m5", "m6"]
    assert "more" not in rest.json
    plain = await api.get("/v3/history/sub-key/demo/channel/fm", max="3")
    assert "more" not in plain.json  # plain fetch has no paging object


# -- persistence ----------------------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_actions_survive_a_restart(tmp_path):
    data = os.path.join(str(tmp_path), "server.sqlite3")
    running = await start_server(reactor, port=0, data=data, long_poll=1.0)
    api = ApiClient(running.url)
    mtt = int((await api.publish("keep", "msg")).json[2])
    kept = (await add(api, "keep", mtt, {"type": "reaction", "value": "kept"})).json["data"]
    gone = (await add(api, "keep", mtt, {"type": "reaction", "value": "gone"})).json["data"]
    await remove(api, "keep", mtt, gone["actionTimetoken"])
    port = running.port
    await running.stop()

    running = await start_server(reactor, port=port, data=data, long_poll=1.0)
    try:
        api = ApiClient(running.url)
        assert (await get(api, "keep")).json["data"] == [kept]
        fetched = await api.get("/v3/history-with-actions/sub-key/demo/channel/keep")
        assert fetched.json["channels"]["keep"][0]["actions"] == {
            "reaction": {"kept": [{"uuid": "actor", "actionTimetoken": kept["actionTimetoken"]}]}}
        assert (await add(api, "keep", mtt, {"type": "reaction", "value": "kept"})).status == 409
        newer = (await add(api, "keep", mtt, {"type": "reaction", "value": "new"})).json["data"]
        assert int(newer["actionTimetoken"]) > int(kept["actionTimetoken"])
    finally:
        await running.stop()
