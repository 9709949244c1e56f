"""Subscribe envelope parsing (client-api.md §9.2, protocol.md §3.3) against real bodies.

Every 200 body of ``subscribe_envelopes.json`` (cassettes 2016–2025 plus synthetic e=1..5 items)
is parsed and compared with the vector's ``expected`` view, using the dispatch rules of §9.3
for the parts the envelope models carry.
"""
import json

import pytest

from pubnub_fast.models.server.subscribe import (
    MalformedSubscribeResponse,
    PresenceEnvelope,
    PublishMetadata,
    SubscribeEnvelope,
    SubscribeMessage,
    SubscribeMetadata,
)
from tests.models.samples import load_subscribe_cases

CASES = load_subscribe_cases(status=200)
PNPRES = "-pnpres"


def _strip(name):
    return name[: -len(PNPRES)] if name is not None and name.endswith(PNPRES) else name


def _subscription(message):
    if message.subscription_match is None or message.subscription_match == message.channel:
        return None
    return message.subscription_match


def _event(expected):
    """The listener event of an expected item (drop the decryption-error status of 'multiple')."""
    if expected["type"] != "multiple":
        return expected
    return [event for event in expected["events"] if event["type"] != "status"][0]


def test_vectors_cover_every_kind():
    kinds = {_event(m)["type"] for case in CASES for m in case["expected"]["messages"]}
    assert kinds >= {"message", "signal", "presence", "objects", "message_action", "file"}
    assert len(CASES) >= 80


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["id"])
def test_envelope_against_vector(case):
    expected = case["expected"]
    envelope = SubscribeEnvelope.from_json(json.loads(case["raw_body"]))
    assert isinstance(envelope.metadata, SubscribeMetadata)
    assert envelope.metadata.timetoken == expected["timetoken"]
    assert envelope.metadata.region == expected["region"]
    assert len(envelope.messages) == len(expected["messages"])
    encrypted = bool(case.get("cipher_key"))
    for message, want in zip(envelope.messages, expected["messages"]):
        want = _event(want)
        assert isinstance(message, SubscribeMessage)
        assert message.publish_metadata.publish_timetoken == want["timetoken"]
        kind = want["type"]
        if kind == "presence":
            assert PNPRES in message.channel
            assert _strip(message.channel) == want["channel"]
            assert _strip(_subscription(message)) == want["subscription"]
            presence = PresenceEnvelope.from_json_payload(message.payload)
            assert (presence.action, presence.uuid, presence.timestamp, presence.occupancy) == (
                want["event"], want["uuid"], want["timestamp"], want["occupancy"])
            assert (presence.data, presence.join, presence.leave, presence.timeout) == (
                want["state"], want["join"], want["leave"], want["timeout"])
            continue
        assert message.channel == want["channel"]
        if "subscription" in want:
            assert _subscription(message) == want["subscription"]
        if kind == "objects":
            assert message.type == 2
            assert (message.payload["type"], message.payload["event"], message.payload["data"]) == (
                want["objects_type"], want["event"], want["data"])
        elif kind == "message_action":
            assert message.type == 3
            data = message.payload["data"]
            assert (data["type"], data["value"], data["messageTimetoken"], data["actionTimetoken"]) == (
                want["action_type"], want["action_value"], want["message_timetoken"], want["action_timetoken"])
            assert data.get("uuid", message.issuing_client_id) == want["uuid"]
            assert message.payload.get("event") == want["action_event"]
        else:
            if kind == "message":  # absent/0 and unknown types (5, 99) are delivered as messages
                assert message.type not in (1, 2, 3, 4)
            else:
                assert message.type == {"signal": 1, "file": 4}[kind]
            assert message.issuing_client_id == want["publisher"]
            assert message.user_metadata == want["user_metadata"]
            assert message.custom_message_type == want["custom_message_type"]
            if not encrypted and not (kind == "file" and isinstance(message.payload, str)):
                payload = message.payload["message"] if kind == "file" else message.payload
                assert payload == want["payload"]
            if kind == "file" and isinstance(message.payload, dict):
                assert (message.payload["file"]["id"], message.payload["file"]["name"]) == (
                    want["file_id"], want["file_name"])


def test_message_fields():
    body = {"t": {"t": "17000000000000003", "r": 2}, "m": [
        {"a": "5", "f": 514, "i": "pub-uuid", "s": 7, "o": {"t": "16999999999999999", "r": 1},
         "p": {"t": "17000000000000003", "r": 2}, "k": "sub-c-demo", "c": "ch", "d": [1, "two", None],
         "u": {"m": 1}, "cmt": "chat", "b": "cg"}]}
    message = SubscribeEnvelope.from_json(body).messages[0]
    assert (message.shard, message.flags, message.issuing_client_id, message.sequence_number) == ("5", 514,
                                                                                                  "pub-uuid", 7)
    assert (message.subscribe_key, message.channel, message.subscription_match) == ("sub-c-demo", "ch", "cg")
    assert message.payload == [1, "two", None]
    assert (message.user_metadata, message.custom_message_type, message.type) == ({"m": 1}, "chat", 0)
    assert isinstance(message.origination_timetoken, PublishMetadata)
    assert (message.origination_timetoken.publish_timetoken, message.origination_timetoken.region) == (
        16999999999999999, 1)
    assert (message.publish_metadata.publish_timetoken, message.publish_metadata.region) == (17000000000000003, 2)
    assert message.only_channel_subscription is False
    assert all(hasattr(message, name) for name in SubscribeMessage.__slots__)
    assert "ch" in str(message) and "channel='ch'" in repr(message)


def test_empty_and_missing_message_list():
    assert SubscribeEnvelope.from_json({"t": {"t": "1", "r": 1}, "m": []}).messages == []
    assert SubscribeEnvelope.from_json({"t": {"t": "1", "r": 1}}).messages == []


def test_type_given_as_string():
    body = {"t": {"t": "1", "r": 1}, "m": [{"e": "4", "f": 0, "p": {"t": "2", "r": 1}, "k": "k", "c": "c",
                                             "d": {"message": None, "file": {"id": "i", "name": "n"}}}]}
    assert SubscribeEnvelope.from_json(body).messages[0].type == 4


def test_missing_flags_and_key_are_tolerated():
    body = {"t": {"t": "1", "r": 1}, "m": [{"p": {"t": "2", "r": 1}, "c": "c", "d": "x"}]}
    message = SubscribeEnvelope.from_json(body).messages[0]
    assert (message.flags, message.subscribe_key, message.shard) == (None, None, 0)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"m": []},
        {"t": {"r": 1}, "m": []},
        {"t": {"t": "1", "r": 1}, "m": [{"c": "c", "d": 1}]},
        {"t": {"t": "1", "r": 1}, "m": [{"p": {"t": "2"}, "d": 1}]},
        {"t": {"t": "1", "r": 1}, "m": [{"p": {"t": "2"}, "c": "c"}]},
        {"t": {"t": "1", "r": 1}, "m": [{"p": {"t": "x"}, "c": "c", "d": 1}]},
        {"t": {"t": "1", "r": 1}, "m": [{"p": {"t": "2"}, "c": "c", "d": 1, "e": "signal"}]},
        {"t": {"t": "1", "r": 1}, "m": ["not an object"]},
    ],
)
def test_malformed_bodies_raise_value_error(body):
    with pytest.raises(MalformedSubscribeResponse):
        SubscribeEnvelope.from_json(body)
    assert issubclass(MalformedSubscribeResponse, ValueError)


def test_forbidden_body_is_malformed_envelope():
    case = [c for c in load_subscribe_cases(status=403)][0]
    with pytest.raises(MalformedSubscribeResponse):
        SubscribeEnvelope.from_json(json.loads(case["raw_body"]))


def test_presence_envelope_constructor():
    event = PresenceEnvelope("join", "u", 1, 1470846025)
    assert (event.action, event.uuid, event.occupancy, event.timestamp, event.data) == ("join", "u", 1,
                                                                                         1470846025, None)
    assert (event.join, event.leave, event.timeout) == (None, None, None)
    assert PresenceEnvelope.extract_value({"a": 1}, "a") == 1
    assert PresenceEnvelope.extract_value({}, "a") is None
    assert "join" in str(event)
    with pytest.raises(MalformedSubscribeResponse):
        PresenceEnvelope.from_json_payload("hey")


def test_constructors_defaults():
    assert (SubscribeEnvelope().messages, SubscribeEnvelope().metadata) == (None, None)
    assert (SubscribeMetadata().timetoken, PublishMetadata().publish_timetoken) == (None, None)
    assert "timetoken 1" in str(SubscribeMetadata("1", 2))
