"""Presence results from the server JSON of client-api.md §4.2/§4.5 and protocol.md §2.8–2.10."""
import pytest

from pubnub_fast.models.consumer.presence import (
    PNGetStateResult,
    PNHereNowChannelData,
    PNHereNowOccupantsData,
    PNHereNowResult,
    PNSetStateResult,
    PNWhereNowResult,
)
from tests.models.samples import HERE_NOW_CASES


def _view(result):
    if isinstance(result.channels, dict):
        return result.total_channels, result.total_occupancy, ("dict", sorted(result.channels))
    channels = [
        (c.channel_name, c.occupancy, None if c.occupants is None else [(o.uuid, o.state) for o in c.occupants])
        for c in result.channels
    ]
    return result.total_channels, result.total_occupancy, ("list", channels)


@pytest.mark.parametrize("case_id", sorted(HERE_NOW_CASES))
def test_here_now_variants(case_id):
    envelope, channel_names, expected = HERE_NOW_CASES[case_id]
    result = PNHereNowResult.from_json(envelope, channel_names)
    assert _view(result) == expected


def test_here_now_types():
    envelope, names, _ = HERE_NOW_CASES["payload-state"]
    result = PNHereNowResult.from_json(envelope, names)
    channel = result.channels[0]
    assert isinstance(channel, PNHereNowChannelData)
    assert all(isinstance(o, PNHereNowOccupantsData) for o in channel.occupants)
    assert isinstance(channel.occupancy, int)


def test_here_now_single_channel_without_requested_name():
    result = PNHereNowResult.from_json({"status": 200, "uuids": ["u"], "occupancy": 1}, None)
    assert result.channels[0].channel_name is None
    assert result.channels[0].occupancy == 1


def test_here_now_occupancy_string_is_int():
    envelope = {"payload": {"channels": {"c": {"uuids": [], "occupancy": "4"}}, "total_channels": "1",
                            "total_occupancy": "4"}}
    result = PNHereNowResult.from_json(envelope, ["c"])
    assert (result.total_channels, result.total_occupancy, result.channels[0].occupancy) == (1, 4, 4)


def test_here_now_constructor_and_text():
    data = PNHereNowChannelData("ch", 1, [PNHereNowOccupantsData("u1", {"a": 1})])
    result = PNHereNowResult(1, 1, [data])
    assert (result.total_channels, result.total_occupancy, result.channels) == (1, 1, [data])
    assert "total occupancy: 1" in str(result)
    assert "ch" in str(data) and "u1" in str(data.occupants[0])
    assert repr(result).startswith("PNHereNowResult(total_channels=1")


def test_occupant_from_plain_uuid_and_dict():
    assert vars(PNHereNowOccupantsData.from_json("u1")) == {"uuid": "u1", "state": None}
    assert vars(PNHereNowOccupantsData.from_json({"uuid": "u2", "state": {"s": 1}})) == {"uuid": "u2",
                                                                                          "state": {"s": 1}}


def test_where_now():
    body = {"status": 200, "message": "OK", "payload": {"channels": ["ch1", "ch2"]}, "service": "Presence"}
    result = PNWhereNowResult.from_json(body)
    assert result.channels == ["ch1", "ch2"]
    assert "ch1, ch2" in str(result)
    assert PNWhereNowResult.from_json({"status": 200, "payload": {}}).channels == []


def test_set_state():
    body = {"status": 200, "message": "OK", "payload": {"count": 5, "name": "Alex"}, "service": "Presence"}
    result = PNSetStateResult.from_json(body)
    assert result.state == {"count": 5, "name": "Alex"}
    assert PNSetStateResult({"a": 1}).state == {"a": 1}
    assert "Alex" in str(result)


def test_get_state_single_channel():
    body = {"status": 200, "uuid": "u", "service": "Presence", "message": "OK",
            "payload": {"count": 5, "name": "Alex"}, "channel": "ch"}
    assert PNGetStateResult.from_json(body, ["ch"]).channels == {"ch": {"count": 5, "name": "Alex"}}


def test_get_state_several_channels():
    body = {"status": 200, "message": "OK",
            "payload": {"channels": {"ch1": {"count": 5}, "ch2": {"count": 6}}}, "service": "Presence", "uuid": "u"}
    assert PNGetStateResult.from_json(body, ["ch1", "ch2"]).channels == {"ch1": {"count": 5}, "ch2": {"count": 6}}


def test_get_state_single_channel_without_channel_key_uses_request():
    body = {"status": 200, "payload": {"mood": "ok"}}
    assert PNGetStateResult.from_json(body, ["only"]).channels == {"only": {"mood": "ok"}}


def test_get_state_text():
    result = PNGetStateResult({"ch": {"a": 1}})
    assert "ch" in str(result) and "channels=" in repr(result)
