"""App Context (objects v2) over real loopback HTTP (protocol.md §2.21, client-api.md §4.8)."""
import json

import pytest
import pytest_twisted
from twisted.internet import reactor

from pubnub_fast.server import objects_query, start_server
from pubnub_fast.server.objects_query import QueryError
from tests.server.conftest import ApiClient, handshake

BASE = "/v2/objects/demo"


def patch(api, path, body, headers=None, **query):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    all_headers = {"Content-Type": ["application/json"]}
    all_headers.update(headers or {})
    return api.request("PATCH", BASE + path, query or None, body=data, headers=all_headers)


def delete(api, path, headers=None):
    return api.request("DELETE", BASE + path, headers=headers)


def get(api, path, **query):
    return api.get(BASE + path, **query)


def invalid_detail(reply, location):
    assert reply.status == 400, reply
    error = reply.json["error"]
    assert error["source"] == "objects"
    assert error["message"] == "Request payload contained invalid input."
    (detail,) = error["details"]
    assert detail["location"] == location
    return detail["message"]


# -- uuid / channel metadata ----------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_uuid_metadata_set_get_remove(api):
    body = {"name": "Some name", "email": "test@example.com", "externalId": "1234",
            "profileUrl": "http://example.com", "custom": {"key1": "val1", "key2": 2},
            "status": "online", "type": "QA"}
    reply = await patch(api, "/uuids/someuuid", body, include="custom,status,type")
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    data = reply.json["data"]
    assert reply.json["status"] == 200
    assert {k: data[k] for k in body} == body
    assert data["id"] == "someuuid"
    assert data["updated"].endswith("Z") and len(data["updated"]) == 27
    assert len(data["eTag"]) == 32

    plain = await get(api, "/uuids/someuuid")
    assert set(plain.json["data"]) == {"id", "name", "externalId", "profileUrl", "email", "updated", "eTag"}
    full = await get(api, "/uuids/someuuid", include="custom,status,type")
    assert full.json["data"] == data

    # absent fields keep their value, null clears, custom is replaced as a whole
    again = await patch(api, "/uuids/someuuid", {"name": "New", "email": None, "custom": {"k": True}},
                        include="custom,status,type")
    changed = again.json["data"]
    assert changed["name"] == "New" and changed["email"] is None
    assert changed["externalId"] == "1234" and changed["status"] == "online" and changed["type"] == "QA"
    assert changed["custom"] == {"k": True}
    assert changed["eTag"] != data["eTag"] and changed["updated"] > data["updated"]
    # the same content gives the same eTag
    same = await patch(api, "/uuids/someuuid", {"name": "New"}, include="custom")
    assert same.json["data"]["eTag"] == changed["eTag"]

    removed = await delete(api, "/uuids/someuuid")
    assert (removed.status, removed.json) == (200, {"status": 200, "data": None})
    missing = await get(api, "/uuids/someuuid")
    assert missing.status == 404
    assert missing.json == {"status": 404, "error": {"message": "Requested object was not found.", "source": "objects"}}
    # deleting again is fine
    assert (await delete(api, "/uuids/someuuid")).status == 200


@pytest_twisted.ensureDeferred
async def test_channel_metadata_and_odd_ids(api):
    reply = await patch(api, "/channels/ch%201%20%C3%A9", {"name": "Chan", "description": "d", "status": None,
                                                         "type": None, "custom": {"topic": "x"}},
                        include="custom,status,type")
    assert reply.status == 200
    data = reply.json["data"]
    assert data["id"] == "ch 1 é" and data["description"] == "d" and data["custom"] == {"topic": "x"}
    assert data["status"] is None and data["type"] is None
    assert set((await get(api, "/channels/ch%201%20%C3%A9")).json["data"]) == {
        "id", "name", "description", "updated", "eTag"}
    # an empty PATCH creates an object with every field null
    empty = await patch(api, "/channels/bare", b"")
    assert empty.status == 200 and empty.json["data"]["name"] is None


@pytest_twisted.ensureDeferred
async def test_if_match(api):
    first = await patch(api, "/uuids/locked", {"name": "a"})
    etag = first.json["data"]["eTag"]
    await patch(api, "/uuids/locked", {"name": "b"})
    stale = await patch(api, "/uuids/locked", {"name": "c"}, headers={"If-Match": [etag]})
    assert stale.status == 412
    assert stale.json == {"status": 412, "error": {
        "message": "User to update has been modified after it was read.", "source": "objects"}}
    assert (await get(api, "/uuids/locked")).json["data"]["name"] == "b"
    current = (await get(api, "/uuids/locked")).json["data"]["eTag"]
    ok = await patch(api, "/uuids/locked", {"name": "c"}, headers={"If-Match": ['"%s"' % current]})
    assert ok.status == 200 and ok.json["data"]["name"] == "c"

    channel = await patch(api, "/channels/locked", {"name": "a"}, headers={"If-Match": ["nope"]})
    assert channel.status == 412
    assert channel.json["error"]["message"] == "Channel to update has been modified after it was read."
    assert (await get(api, "/channels/locked")).status == 404

    refused = await delete(api, "/uuids/locked", headers={"If-Match": [etag]})
    assert refused.status == 412 and "to delete" in refused.json["error"]["message"]
    latest = (await get(api, "/uuids/locked")).json["data"]["eTag"]
    assert (await delete(api, "/uuids/locked", headers={"If-Match": [latest]})).status == 200


@pytest_twisted.ensureDeferred
async def test_metadata_validation(api):
    assert invalid_detail(await patch(api, "/uuids/u", b"{not json"), "<root>")
    assert invalid_detail(await patch(api, "/uuids/u", [1, 2]), "<root>")
    assert invalid_detail(await patch(api, "/uuids/u", {"name": 5}), "name")
    assert invalid_detail(await patch(api, "/uuids/u", {"custom": {"nested": {"a": 1}}}), "custom")
    assert invalid_detail(await patch(api, "/uuids/u", {"custom": [1]}), "custom")
    assert invalid_detail(await patch(api, "/uuids/u", {"status": "x" * 51}), "status")
    assert invalid_detail(await patch(api, "/uuids/u", {"custom": {"big": "x" * 40000}}), "<root>")
    assert invalid_detail(await patch(api, "/uuids/" + "u" * 93, {"name": "x"}), "uuid")
    # unknown body keys are ignored; nothing was created by the failures above
    assert (await patch(api, "/uuids/fine", {"name": "x", "unknown": 1})).status == 200
    assert (await get(api, "/uuids/u")).status == 404
    wrong_method = await api.request("POST", BASE + "/uuids/u")
    assert wrong_method.status == 405


# -- lists: paging, count, sort, filter -----------------------------------------------------------


async def _people(api):
    people = [
        ("alice", {"name": "Alice", "custom": {"age": 31, "team": "red"}, "status": "online", "type": "admin"}),
        ("bob", {"name": "bob", "custom": {"age": 25, "team": "blue"}, "status": "offline"}),
        ("carol", {"name": "Carol*", "custom": {"age": 40, "team": "red", "vip": True}}),
        ("dave", {"name": "Dave", "email": "d@example.com"}),
    ]
    for uuid, body in people:
        assert (await patch(api, "/uuids/" + uuid, body)).status == 200


@pytest_twisted.ensureDeferred
async def test_list_paging_and_count(api):
    assert (await get(api, "/uuids")).json == {"status": 200, "data": []}
    await _people(api)
    first = await get(api, "/uuids", limit=1, count="True")
    assert [d["id"] for d in first.json["data"]] == ["alice"]
    assert first.json["totalCount"] == 4 and first.json["next"] == "MQ" and "prev" not in first.json
    second = await get(api, "/uuids", limit=2, start=first.json["next"], include="totalCount")
    assert [d["id"] for d in second.json["data"]] == ["bob", "carol"]
    assert second.json["next"] == "Mw" and second.json["prev"] == "MQ" and second.json["totalCount"] == 4
    last = await get(api, "/uuids", limit=2, start=second.json["next"])
    assert [d["id"] for d in last.json["data"]] == ["dave"]
    assert "next" not in last.json and "totalCount" not in last.json
    back = await get(api, "/uuids", limit=2, end=last.json["prev"])
    assert [d["id"] for d in back.json["data"]] == ["bob", "carol"]
    padded = await get(api, "/uuids", limit=2, start="Mw==")
    assert [d["id"] for d in padded.json["data"]] == ["dave"]
    beyond = await get(api, "/uuids", start="MTAw")
    assert beyond.json["data"] == [] and beyond.json["prev"] == "NA"

    assert "less than or equal to 100" in invalid_detail(await get(api, "/uuids", limit=101), "limit")
    invalid_detail(await get(api, "/uuids", limit="x"), "limit")
    invalid_detail(await get(api, "/uuids", start="!!"), "start")
    invalid_detail(await get(api, "/uuids", end="YWJj"), "end")  # "abc" is no offset
    invalid_detail(await get(api, "/uuids", count="maybe"), "count")


@pytest_twisted.ensureDeferred
async def test_list_sort(api):
    await _people(api)

    async def ids(sort):
        return [d["id"] for d in (await get(api, "/uuids", sort=sort)).json["data"]]

    assert await ids("id:desc") == ["dave", "carol", "bob", "alice"]
    assert await ids("name") == ["alice", "carol", "dave", "bob"]  # code-point order: capitals first
    assert await ids("updated:desc") == ["dave", "carol", "bob", "alice"]
    assert await ids("status:asc,id:desc") == ["bob", "alice", "dave", "carol"]  # nulls last
    assert await ids("status:desc") == ["carol", "dave", "alice", "bob"]  # nulls first
    assert await ids("type:asc") == ["alice", "bob", "carol", "dave"]
    assert "cannot sort" in invalid_detail(await get(api, "/uuids", sort="email"), "sort")
    assert "direction" in invalid_detail(await get(api, "/uuids", sort="id:up"), "sort")


@pytest_twisted.ensureDeferred
async def test_list_filter(api):
    await _people(api)

    async def ids(expression, path="/uuids"):
        reply = await get(api, path, filter=expression)
        assert reply.status == 200, reply
        return [d["id"] for d in reply.json["data"]]

    assert await ids("name == 'Alice'") == ["alice"]
    assert await ids('name == "alice"') == []  # == is case-sensitive
    assert await ids("name like 'a*'") == ["alice"]  # like ignores case
    assert await ids("name like '*o*'") == ["bob", "carol"]
    assert await ids(r"name like 'Carol\*'") == ["carol"]
    assert await ids("name like 'Carol'") == []
    assert await ids("custom.team == 'red' && custom.age > 35") == ["carol"]
    assert await ids("custom.team == 'blue' || custom.vip == true") == ["bob", "carol"]
    assert await ids("!(custom.team == 'red')") == ["bob", "dave"]
    assert await ids("custom.age >= 25 && custom.age < 40") == ["alice", "bob"]
    assert await ids("custom.age != 31") == ["bob", "carol", "dave"]
    assert await ids("custom.age > '30'") == []  # a number is not compared with a string
    assert await ids("email == null") == ["alice", "bob", "carol"]
    assert await ids("email != null && status == null") == ["dave"]
    assert await ids("status == 'online' || type == 'admin' && id == 'nobody'") == ["alice"]
    assert await ids("id > 'bob'") == ["carol", "dave"]
    assert await ids("updated > '2000-01-01T00:00:00Z'") == ["alice", "bob", "carol", "dave"]
    assert await ids("updated < '2000-01-01T00:00:00.123456789Z'") == []
    assert await ids("  ") == ["alice", "bob", "carol", "dave"]

    # filter + count + paging
    reply = await get(api, "/uuids", filter="custom.team == 'red'", limit=1, count="true")
    assert reply.json["totalCount"] == 2 and reply.json["next"] == "MQ"

    for bad, reason in (
        ("name ==", "expected a value"),
        ("name = 'x'", "unexpected"),
        ("(name == 'x'", "expected ')'"),
        ("name == 'x')", "unexpected"),
        ("name == 'x' &&", "expected a field"),
        ("description == 'x'", "unknown field"),
        ("custom.a.b == 1", "unknown field"),
        ("name like 5", "quoted pattern"),
        ("name == 'open", "unterminated"),
        ("updated > 'yesterday'", "ISO 8601"),
        ("name # 'x'", "unexpected"),
        ("(" * 40 + "id == 'x'" + ")" * 40, "deeper"),
        ("id == 'x' || " * 200 + "id == 'y'", "longer than"),
    ):
        message = invalid_detail(await get(api, "/uuids", filter=bad), "filter")
        assert reason in message, (bad, message)
    # channels have a description
    await patch(api, "/channels/c1", {"name": "One", "description": "first"})
    assert await ids("description like 'fir*'", "/channels") == ["c1"]
    invalid_detail(await get(api, "/channels", filter="email == 'x'"), "filter")


def test_query_units():
    assert objects_query.encode_cursor(10) == "MTA"
    assert objects_query.decode_cursor("MTU", "start") == 15
    with pytest.raises(QueryError):
        objects_query.decode_cursor("OTk5OTk5OTk5OTk5", "start")  # too large
    page = objects_query.page(list(range(5)), 2, None, "NA")  # end at offset 4
    assert (page.items, page.next, page.prev) == ([2, 3], "NA", "Mg")
    assert objects_query.parse_sort("name:DESC, id", ("name", "id")) == [(("name",), True), (("id",), False)]
    with pytest.raises(QueryError):
        objects_query.parse_sort(",".join(["id"] * 9), ("id",))


# -- members and memberships ----------------------------------------------------------------------


@pytest_twisted.ensureDeferred
async def test_members_set_get_remove_manage(api):
    await patch(api, "/uuids/u2", {"name": "Two", "custom": {"role": "x"}, "status": "active", "type": "bot"})
    body = {"set": [{"uuid": {"id": "u1"}},
                    {"uuid": {"id": "u2"}, "custom": {"role": "admin"}, "status": "active", "type": "QA"}],
            "delete": []}
    reply = await patch(api, "/channels/room/uuids", body, include="custom")
    assert reply.status == 200 and reply.header("Content-Type") == "application/json"
    items = reply.json["data"]
    assert [item["uuid"] for item in items] == [{"id": "u1"}, {"id": "u2"}]
    assert items[0]["custom"] is None and items[1]["custom"] == {"role": "admin"}
    assert set(items[1]) == {"uuid", "custom", "updated", "eTag"}
    assert len(items[1]["eTag"]) == 14

    default = await get(api, "/channels/room/uuids")
    assert [set(item) for item in default.json["data"]] == [{"uuid", "updated", "eTag"}] * 2

    expanded = await get(api, "/channels/room/uuids", include="custom,status,type,totalCount,uuid,uuid.custom,uuid.status")
    assert expanded.json["totalCount"] == 2
    first, second = expanded.json["data"]
    assert first["uuid"] == {"id": "u1"}  # no metadata: the reference only
    assert second["uuid"]["name"] == "Two" and second["uuid"]["custom"] == {"role": "x"}
    assert second["uuid"]["status"] == "active" and "type" not in second["uuid"]
    assert (second["status"], second["type"]) == ("active", "QA")

    # filter and sort on the membership and on the referenced uuid
    async def ids(**query):
        return [i["uuid"]["id"] for i in (await get(api, "/channels/room/uuids", **query)).json["data"]]

    assert await ids(filter="uuid.name == 'Two'") == ["u2"]
    assert await ids(filter="custom.role == 'admin'") == ["u2"]
    assert await ids(filter="status == 'active' && uuid.custom.role == 'x'") == ["u2"]
    assert await ids(filter="uuid.id like 'u*'") == ["u1", "u2"]
    assert await ids(sort="uuid.id:desc") == ["u2", "u1"]
    assert await ids(sort="uuid.name:desc") == ["u1", "u2"]  # u1 has no name: nulls first descending
    assert await ids(limit=1) == ["u1"]
    invalid_detail(await get(api, "/channels/room/uuids", filter="channel.id == 'x'"), "filter")
    invalid_detail(await get(api, "/channels/room/uuids", sort="name"), "sort")

    # a set keeps what it does not mention; manage = set + delete in one PATCH
    manage = {"set": [{"uuid": {"id": "u3"}}, {"uuid": {"id": "u2"}, "status": "away"}],
              "delete": [{"uuid": {"id": "u1"}}]}
    reply = await patch(api, "/channels/room/uuids", manage, include="custom,status")
    assert [(i["uuid"]["id"], i["custom"], i["status"]) for i in reply.json["data"]] == [
        ("u2", {"role": "admin"}, "away"), ("u3", None, None)]

    # memberships show the same links from the uuid's side
    membership = await get(api, "/uuids/u2/channels", include="custom,channel")
    (item,) = membership.json["data"]
    assert item["channel"] == {"id": "room"} and item["custom"] == {"role": "admin"}

    removed = await patch(api, "/channels/room/uuids", {"delete": [{"uuid": {"id": "u2"}}, {"uuid": {"id": "u9"}}]})
    assert [i["uuid"]["id"] for i in removed.json["data"]] == ["u3"]
    assert (await get(api, "/uuids/u2/channels")).json == {"status": 200, "data": []}


@pytest_twisted.ensureDeferred
async def test_memberships_of_a_uuid(api):
    await patch(api, "/channels/ch2", {"name": "Two", "custom": {"c": 1}})
    body = {"set": [{"channel": {"id": "ch1"}}, {"channel": {"id": "ch2"}, "custom": {"a": 1}}]}
    reply = await patch(api, "/uuids/u1/channels", body, include="channel,channel.custom,custom", count="true")
    assert reply.json["totalCount"] == 2
    assert reply.json["data"][0]["channel"] == {"id": "ch1"}
    assert reply.json["data"][1]["channel"]["name"] == "Two"
    assert reply.json["data"][1]["channel"]["custom"] == {"c": 1}
    assert reply.json["data"][1]["custom"] == {"a": 1}
    # paging via prev cursors from the real SDK format ("MjA=" style, padded)
    page = await get(api, "/uuids/u1/channels", limit=1, start="MQ==")
    assert [i["channel"]["id"] for i in page.json["data"]] == ["ch2"] and page.json["prev"] == "MQ"
    members = await get(api, "/channels/ch1/uuids")
    assert [i["uuid"]["id"] for i in members.json["data"]] == ["u1"]

    # removing metadata leaves memberships (no referential integrity)
    await delete(api, "/channels/ch2")
    after = await get(api, "/uuids/u1/channels", include="channel")
    assert [i["channel"] for i in after.json["data"]] == [{"id": "ch1"}, {"id": "ch2"}]


@pytest_twisted.ensureDeferred
async def test_membership_validation(api):
    invalid_detail(await patch(api, "/channels/room/uuids", {"set": {"uuid": {"id": "u"}}}), "set")
    invalid_detail(await patch(api, "/channels/room/uuids", {"set": [{"channel": {"id": "u"}}]}), "set[0]")
    invalid_detail(await patch(api, "/channels/room/uuids", {"set": [{"uuid": {"id": ""}}]}), "set[0].uuid.id")
    invalid_detail(await patch(api, "/channels/room/uuids", {"set": [{"uuid": {"id": "u"}, "custom": 3}]}),
                   "set[0].custom")
    invalid_detail(await patch(api, "/uuids/u/channels", {"delete": [{"channel": {"id": 7}}]}),
                   "delete[0].channel.id")
    many = {"set": [{"uuid": {"id": "u%d" % i}} for i in range(1001)]}
    invalid_detail(await patch(api, "/channels/room/uuids", many), "<root>")
    assert (await get(api, "/channels/room/uuids")).json["data"] == []


# -- events ---------------------------------------------------------------------------------------


async def _events(api, channels, cursor):
    reply = await api.subscribe(channels, tt=cursor)
    assert reply.status == 200
    return reply.json["m"], int(reply.json["t"]["t"])


@pytest_twisted.ensureDeferred
async def test_changes_publish_objects_events(api):
    channels = ["room", "u1"]
    cursor = await handshake(api, channels)

    await patch(api, "/uuids/u1", {"name": "One", "custom": {"a": 1}})
    await patch(api, "/channels/room", {"name": "Room", "description": None})
    await patch(api, "/channels/room/uuids", {"set": [{"uuid": {"id": "u1"}, "custom": {"role": "admin"}}]})
    items, cursor = await _events(api, channels, cursor)
    seen = [(item["c"], item["d"]["type"], item["d"]["event"]) for item in items]
    assert seen == [("u1", "uuid", "set"), ("room", "channel", "set"),
                    ("room", "membership", "set"), ("u1", "membership", "set")]
    for item in items:
        assert item["e"] == 2 and "i" not in item and item["b"] == item["c"]
        assert item["d"]["source"] == "objects" and item["d"]["version"] == "2.0"
    uuid_data = items[0]["d"]["data"]
    assert uuid_data["id"] == "u1" and uuid_data["name"] == "One" and uuid_data["custom"] == {"a": 1}
    assert "email" not in uuid_data and uuid_data["eTag"] and uuid_data["updated"]
    assert items[1]["d"]["data"]["name"] == "Room" and "description" not in items[1]["d"]["data"]
    membership = items[2]["d"]["data"]
    assert membership["channel"] == {"id": "room"} and membership["uuid"] == {"id": "u1"}
    assert membership["custom"] == {"role": "admin"} and membership["eTag"] and membership["updated"]
    assert items[3]["d"]["data"] == membership

    await patch(api, "/uuids/u1/channels", {"delete": [{"channel": {"id": "room"}}, {"channel": {"id": "never"}}]})
    await delete(api, "/channels/room")
    await delete(api, "/uuids/u1")
    await delete(api, "/uuids/u1")  # already gone: no second event
    items, cursor = await _events(api, channels, cursor)
    seen = [(item["c"], item["d"]["type"], item["d"]["event"], item["d"]["data"]) for item in items]
    assert seen == [
        ("room", "membership", "delete", {"channel": {"id": "room"}, "uuid": {"id": "u1"}}),
        ("u1", "membership", "delete", {"channel": {"id": "room"}, "uuid": {"id": "u1"}}),
        ("room", "channel", "delete", {"id": "room"}),
        ("u1", "uuid", "delete", {"id": "u1"}),
    ]
    # events are not stored in history
    fetched = await api.get("/v3/history/sub-key/demo/channel/room,u1")
    assert fetched.json["channels"] == {}


@pytest_twisted.ensureDeferred
async def test_objects_survive_a_restart(tmp_path):
    data = str(tmp_path / "objects.sqlite3")
    first = await start_server(reactor, port=0, data=data)
    api = ApiClient(first.url)
    created = await patch(api, "/uuids/kept", {"name": "Kept", "custom": {"x": 1}}, include="custom")
    await patch(api, "/channels/room/uuids", {"set": [{"uuid": {"id": "kept"}, "status": "s"}]})
    await patch(api, "/channels/room/uuids", {"set": [{"uuid": {"id": "gone"}}]})
    await patch(api, "/uuids/gone/channels", {"delete": [{"channel": {"id": "room"}}]})
    await first.stop()
    second = await start_server(reactor, port=0, data=data)
    try:
        api = ApiClient(second.url)
        again = await get(api, "/uuids/kept", include="custom")
        assert again.json["data"] == created.json["data"]
        members = await get(api, "/channels/room/uuids", include="status")
        assert [(i["uuid"]["id"], i["status"]) for i in members.json["data"]] == [("kept", "s")]
        assert [i["channel"]["id"] for i in (await get(api, "/uuids/kept/channels")).json["data"]] == ["room"]
    finally:
        await second.stop()
