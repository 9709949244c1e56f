"""time, publish (GET/POST and options), fire and signal over loopback HTTP."""
import gzip
import json
from urllib.parse import quote

import pytest
import pytest_twisted

from pubnub_fast.server.timetokens import TimetokenClock, parse_timetoken
from tests.server.conftest import handshake

pytestmark = pytest.mark.integration


class FixedTime:
    def __init__(self, now):
        self.now = now

    def seconds(self):
        return self.now


def test_timetokens_are_17_digits_in_100ns_units_and_strictly_increasing():
    clock = TimetokenClock(FixedTime(1481896370.7386265))
    first = clock.issue()
    assert first == 14818963707386264 or first == 14818963707386265
    assert [clock.issue() for _ in range(3)] == [first + 1, first + 2, first + 3]
    cursor = clock.cursor()
    assert cursor == first + 3  # a cursor never equals a later message timetoken
    assert clock.issue() == cursor + 1


def test_timetoken_clock_survives_a_clock_going_backwards_and_observed_timetokens():
    source = FixedTime(1700000000.0)
    clock = TimetokenClock(source)
    issued = clock.issue()
    source.now -= 10
    assert clock.issue() == issued + 1
    clock.observe(issued + 1000)
    assert clock.issue() == issued + 1001


def test_parse_timetoken_rejects_garbage():
    assert parse_timetoken("0") == 0
    assert parse_timetoken("17000000000000000") == 17000000000000000
    for bad in ("", "-1", "1e5", "abc", "1" * 20, "١٢"):
        try:
            parse_timetoken(bad)
        except ValueError:
            continue
        raise AssertionError("accepted %r" % bad)


@pytest_twisted.ensureDeferred
async def test_time_is_a_number_in_a_one_element_array(api):
    reply = await api.get("/time/0")
    assert reply.status == 200
    assert reply.header("Content-Type") == 'text/javascript; charset="UTF-8"'
    assert reply.header("Access-Control-Allow-Origin") == "*"
    (timetoken,) = reply.json
    assert isinstance(timetoken, int) and len(str(timetoken)) == 17


@pytest_twisted.ensureDeferred
async def test_publish_get_answers_sent_with_a_string_timetoken(api):
    before = (await api.get("/time/0")).json[0]
    reply = await api.publish("ch", {"text": "hello", "n": 1}, uuid="publisher")
    assert reply.status == 200
    assert reply.json[:2] == [1, "Sent"]
    assert isinstance(reply.json[2], str) and len(reply.json[2]) == 17
    assert int(reply.json[2]) > before


@pytest_twisted.ensureDeferred
async def test_publish_timetokens_strictly_increase(api):
    tokens = []
    for n in range(20):
        tokens.append(int((await api.publish("ch", n)).json[2]))
    assert tokens == sorted(set(tokens))


@pytest_twisted.ensureDeferred
async def test_publish_post_and_every_json_type(api):
    for message in ("hi", 5, True, None, ["hi", "hi2"], {"name": "Alex", "online": True}, 1.5):
        reply = await api.request(
            "POST", "/publish/demo/demo/0/post-ch/0", {"uuid": "p"}, json.dumps(message).encode(),
            {"Content-Type": ["application/json"]},
        )
        assert reply.status == 200, reply
    history = await api.get("/v2/history/sub-key/demo/channel/post-ch")
    assert history.json[0] == ["hi", 5, True, None, ["hi", "hi2"], {"name": "Alex", "online": True}, 1.5]


@pytest_twisted.ensureDeferred
async def test_publish_post_gzip_body(api):
    body = gzip.compress(json.dumps({"zipped": True}).encode())
    reply = await api.request(
        "POST", "/publish/demo/demo/0/gz/0", {}, body,
        {"Content-Type": ["application/json"], "Content-Encoding": ["gzip"]},
    )
    assert reply.status == 200, reply
    history = await api.get("/v2/history/sub-key/demo/channel/gz")
    assert history.json[0] == [{"zipped": True}]


@pytest_twisted.ensureDeferred
async def test_publish_reserializes_spaced_json_and_keeps_big_integers(api):
    raw = quote('{"a" :  [1, 2] , "big": 123456789012345678901234567890}', safe="")
    reply = await api.get("/publish/demo/demo/0/big/0/" + raw)
    assert reply.status == 200
    history = await api.get("/v2/history/sub-key/demo/channel/big")
    assert b'"big":123456789012345678901234567890' in history.raw
    assert history.json[0] == [{"a": [1, 2], "big": 123456789012345678901234567890}]


@pytest_twisted.ensureDeferred
async def test_publish_options_reach_subscribers(api):
    cursor = await handshake(api, ["opts"])
    reply = await api.publish(
        "opts", [1, 2, 3], uuid="pub-uuid", seqn=7, meta='{"lang": "en"}',
        custom_message_type="chat-msg", store="1", ttl=10,
    )
    assert reply.status == 200
    polled = await api.subscribe(["opts"], tt=cursor)
    (item,) = polled.json["m"]
    assert item["d"] == [1, 2, 3]
    assert item["i"] == "pub-uuid"
    assert item["s"] == 7
    assert item["u"] == {"lang": "en"}
    assert item["cmt"] == "chat-msg"
    assert item["c"] == item["b"] == "opts"
    assert item["p"] == {"t": reply.json[2], "r": 1}
    assert item["k"] == "demo" and item["a"] and item["f"] == 0
    assert "e" not in item


@pytest_twisted.ensureDeferred
async def test_meta_encoded_with_plus_for_spaces_is_accepted(api):
    reply = await api.get(
        "/publish/demo/demo/0/plus/0/%22x%22?meta=%7B%22a%22%3A+2%2C+%22b%22%3A+%22qwer%22%7D"
    )
    assert reply.status == 200, reply
    history = await api.get("/v2/history/sub-key/demo/channel/plus", include_meta="true")
    assert history.json[0] == [{"message": "x", "meta": {"a": 2, "b": "qwer"}}]


@pytest_twisted.ensureDeferred
async def test_meta_null_is_no_meta_and_non_objects_are_refused(api):
    assert (await api.publish("m", 1, meta="null")).status == 200
    reply = await api.publish("m", 1, meta="[1]")
    assert reply.status == 400 and reply.json[0] == 0
    reply = await api.publish("m", 1, meta="{bad")
    assert reply.status == 400 and reply.json[0] == 0


@pytest_twisted.ensureDeferred
async def test_store_0_is_delivered_but_not_stored(api):
    cursor = await handshake(api, ["nostore"])
    assert (await api.publish("nostore", "gone", store="0")).status == 200
    assert (await api.publish("nostore", "kept", store="true")).status == 200
    history = await api.get("/v2/history/sub-key/demo/channel/nostore")
    assert history.json[0] == ["kept"]
    polled = await api.subscribe(["nostore"], tt=cursor)
    assert [item["d"] for item in polled.json["m"]] == ["gone", "kept"]


@pytest_twisted.ensureDeferred
async def test_fire_is_acknowledged_but_neither_delivered_nor_stored(api):
    cursor = await handshake(api, ["fired"])
    fired = await api.publish("fired", {"alert": 1}, store="0", norep="1")
    assert fired.status == 200 and fired.json[1] == "Sent"
    marker = await api.publish("fired", "marker")
    polled = await api.subscribe(["fired"], tt=cursor)
    assert [item["d"] for item in polled.json["m"]] == ["marker"]
    history = await api.get("/v2/history/sub-key/demo/channel/fired")
    assert history.json[0] == ["marker"]
    assert int(marker.json[2]) > int(fired.json[2])


@pytest_twisted.ensureDeferred
async def test_ptto_overrides_the_timetoken(api):
    reply = await api.publish("ptto", "old", ptto="16057799474000000")
    assert reply.json == [1, "Sent", "16057799474000000"]
    history = await api.get("/v2/history/sub-key/demo/channel/ptto", include_token="true")
    assert history.json[0] == [{"message": "old", "timetoken": 16057799474000000}]


@pytest_twisted.ensureDeferred
async def test_signal_is_delivered_with_e_1_and_never_stored(api):
    cursor = await handshake(api, ["sig"])
    reply = await api.get(
        "/signal/demo/demo/0/sig/0/%22typing%22", uuid="typist", custom_message_type="typing-sig"
    )
    assert reply.status == 200 and reply.json[:2] == [1, "Sent"]
    assert (await api.get("/signal/demo/demo/0/sig/0/null")).status == 200
    polled = await api.subscribe(["sig"], tt=cursor)
    first, second = polled.json["m"]
    assert first["e"] == 1 and first["d"] == "typing" and first["i"] == "typist"
    assert first["cmt"] == "typing-sig" and "u" not in first
    assert second["d"] is None
    history = await api.get("/v2/history/sub-key/demo/channel/sig")
    assert history.json == [[], 0, 0]


@pytest_twisted.ensureDeferred
async def test_signal_over_64_bytes_is_413(api):
    reply = await api.get("/signal/demo/demo/0/sig/0/" + quote(json.dumps("x" * 63), safe=""))
    assert reply.status == 413
    assert reply.json == [0, "Request Entity Too Large"]


@pytest_twisted.ensureDeferred
async def test_message_over_32_kib_is_refused_get_and_post(api):
    big = "x" * (32 * 1024)
    reply = await api.publish("big", big)  # over the 32 KiB URL limit before the message limit
    assert reply.status == 414 and reply.json["message"] == "Request URI Too Long"
    reply = await api.request("POST", "/publish/demo/demo/0/big/0", {}, json.dumps(big).encode())
    assert reply.status == 413 and reply.json == [0, "Request Entity Too Large"]
    fits = "x" * (32 * 1024 - 200)
    assert (await api.request("POST", "/publish/demo/demo/0/big/0", {}, json.dumps(fits).encode())).status == 200


@pytest_twisted.ensureDeferred
async def test_invalid_json_message_is_400_array_shape(api):
    reply = await api.get("/publish/demo/demo/0/ch/0/%7Bnot-json")
    assert reply.status == 400
    assert reply.json[:2] == [0, "Invalid JSON"] and len(reply.json[2]) == 17
    for bad in ("NaN", "Infinity", "1e999", "%22a%22%20x", "%FF"):
        assert (await api.get("/publish/demo/demo/0/ch/0/" + bad)).status == 400, bad


@pytest_twisted.ensureDeferred
async def test_publishing_to_a_wildcard_channel_is_refused(api):
    reply = await api.publish("a.*", "x")
    assert reply.status == 400
    assert reply.json[:2] == [0, "Wildcard maximum depth exceeded"]


@pytest_twisted.ensureDeferred
async def test_bad_custom_message_type_ttl_seqn_and_channel(api):
    for query in ({"custom_message_type": "ab"}, {"custom_message_type": "has space"},
                  {"custom_message_type": "pn_reserved"}, {"custom_message_type": "-leading"},
                  {"ttl": "-1"}, {"ttl": "x"}, {"seqn": "x"}, {"store": "maybe"}):
        reply = await api.publish("ch", 1, **query)
        assert reply.status == 400 and reply.json[0] == 0, (query, reply)
    assert (await api.publish("c" * 93, 1)).status == 400
    assert (await api.publish("c" * 92, 1)).status == 200


@pytest_twisted.ensureDeferred
async def test_channel_names_with_spaces_slashes_and_unicode(api):
    for channel in ("ch 1/a", "my-ch- |. $", "канал", "a:b"):
        cursor = await handshake(api, [channel])
        assert (await api.publish(channel, channel)).status == 200
        polled = await api.subscribe([channel], tt=cursor)
        assert [(m["c"], m["d"]) for m in polled.json["m"]] == [(channel, channel)]
