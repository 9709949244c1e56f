"""Unit tests of the server's building blocks: wire parsing, the SQLite worker, message tails."""
import sqlite3

import pytest
import pytest_twisted
from twisted.internet import reactor
from twisted.internet.defer import gatherResults

from pubnub_fast.server.database import Database, DatabaseClosed
from pubnub_fast.server.messages import TAIL_LENGTH, ChannelTail, MessageRecord, wildcard_prefix
from pubnub_fast.server.wire import (
    JsonInputError,
    decode_component,
    dump_json,
    load_json,
    parse_bool,
    parse_query,
    split_names,
)


def test_load_json_is_strict():
    assert load_json(' {"a": [1, 2.5, "x"]} ') == {"a": [1, 2.5, "x"]}
    assert load_json("12345678901234567890123") == 12345678901234567890123
    for bad in ("", "{", "NaN", "-Infinity", "1e400", '"a" "b"', "[1,]", "[" * 100000):
        with pytest.raises(JsonInputError):
            load_json(bad)


def test_dump_json_is_compact_utf8_and_survives_lone_surrogates():
    assert dump_json({"a": "é", "b": [1]}) == '{"a":"é","b":[1]}'.encode("utf-8")
    assert dump_json("\ud800") == b'"\\ud800"'


def test_query_and_path_decoding():
    decoded, raw = parse_query(b"a=1&b=x%20y&c=p+q&d&e=%E2%9C%93&a=2")
    assert decoded == {"a": "2", "b": "x y", "c": "p+q", "d": "", "e": "✓"}
    assert raw["c"] == b"p+q"
    assert decode_component(b"ch%201%2Fa") == "ch 1/a"
    with pytest.raises(ValueError):
        decode_component(b"%FF")


def test_parse_bool_and_split_names():
    assert [parse_bool(v) for v in ("true", "True", "1", "false", "0", "")] == [True, True, True, False, False, False]
    assert parse_bool(None, True) is True
    with pytest.raises(ValueError):
        parse_bool("maybe")
    assert split_names(",") == [] and split_names(None) == []
    assert split_names("a,b,a,,c") == ["a", "b", "c"]


def test_wildcard_prefix():
    assert wildcard_prefix("a.*") == "a." and wildcard_prefix("a.b.*") == "a.b."
    assert wildcard_prefix("a*") is None and wildcard_prefix(".*") is None and wildcard_prefix("*.*") is None


def record(timetoken):
    return MessageRecord(sub_key="k", channel="c", timetoken=timetoken, payload=timetoken)


def test_channel_tail_keeps_the_newest_and_says_what_it_vouches_for():
    tail = ChannelTail(complete_after=10)
    for timetoken in range(11, 11 + TAIL_LENGTH + 5):
        tail.add(record(timetoken))
    assert len(tail.records) == TAIL_LENGTH
    assert tail.complete_after == 15
    assert [r.timetoken for r in tail.after(110)] == list(range(111, 116))
    tail.add(record(5))  # older than what the tail vouches for: ignored
    assert tail.records[0].timetoken == 16
    sparse = ChannelTail(complete_after=0)
    for timetoken in (10, 20, 30):
        sparse.add(record(timetoken))
    sparse.add(record(25))  # a ptto override inside the window: kept in order
    assert [r.timetoken for r in sparse.after(0)] == [10, 20, 25, 30]


def test_envelope_is_cached_and_b_spliced_per_subscription():
    item = MessageRecord(sub_key="k", channel="c", timetoken=17000000000000000, payload={"x": 1},
                         meta={"m": 1}, publisher="p", seqn=2, custom_message_type="t-1", kind=1)
    assert item.envelope("c") == (
        b'{"a":"1","f":0,"e":1,"i":"p","s":2,"p":{"t":"17000000000000000","r":1},"k":"k","c":"c",'
        b'"u":{"m":1},"d":{"x":1},"cmt":"t-1","b":"c"}'
    )
    assert item.envelope("cg").endswith(b',"b":"cg"}')


@pytest_twisted.ensureDeferred
async def test_database_runs_in_order_commits_batches_and_isolates_failures(tmp_path):
    database = Database(reactor, str(tmp_path / "db.sqlite3"))
    await database.open()

    def insert(value):
        return lambda connection: connection.execute(
            "INSERT INTO channel_groups VALUES ('k', 'g', ?, 1)", (value,)
        ).rowcount

    def failing(connection):
        connection.execute("INSERT INTO channel_groups VALUES ('k', 'g', 'doomed', 1)")
        raise RuntimeError("boom")

    def read(connection):
        return [row[0] for row in connection.execute("SELECT channel FROM channel_groups ORDER BY channel")]

    results = [database.run(insert("a")), database.run(failing), database.run(insert("b")), database.run(read)]
    cancelled = database.run(read)
    cancelled.cancel()  # the caller went away: its result is dropped, not an AlreadyCalledError
    cancelled.addErrback(lambda failure: None)
    first, second, third, fourth = results
    assert await first == 1
    with pytest.raises(RuntimeError):
        await second
    assert await third == 1
    assert await fourth == ["a", "b"]  # the failed operation's own write was rolled back
    pending = database.run(insert("c"))
    closing = database.close()
    with pytest.raises(DatabaseClosed):
        database.run(read)
    await gatherResults([pending, closing])
    with sqlite3.connect(str(tmp_path / "db.sqlite3")) as check:
        assert [row[0] for row in check.execute("SELECT channel FROM channel_groups ORDER BY channel")] == ["a", "b", "c"]
    await database.close()  # closing twice is fine
