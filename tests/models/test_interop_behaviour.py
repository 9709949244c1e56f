"""Results built from the same server JSON agree with PubNub's SDK (``pubnub==10.8.0`` as a peer).

The spec-based tests in the other modules are the reference; this module only guards against
drifting from what existing user code observes (attribute values of the official models).
"""
import pytest

pytest.importorskip("pubnub")

from pubnub.models.consumer import access_manager as their_pam  # noqa: E402
from pubnub.models.consumer import history as their_history  # noqa: E402
from pubnub.models.consumer import presence as their_presence  # noqa: E402
from pubnub.models.consumer.objects_v2 import uuid as their_uuid_objects  # noqa: E402
from pubnub.models.server import subscribe as their_subscribe  # noqa: E402

from pubnub_fast.models.consumer import access_manager as our_pam  # noqa: E402
from pubnub_fast.models.consumer import history as our_history  # noqa: E402
from pubnub_fast.models.consumer import presence as our_presence  # noqa: E402
from pubnub_fast.models.consumer.objects_v2 import uuid as our_uuid_objects  # noqa: E402
from pubnub_fast.models.server import subscribe as our_subscribe  # noqa: E402

from tests.models.samples import HERE_NOW_CASES, PAM_PAYLOADS, load_subscribe_cases  # noqa: E402


def _here_now_view(result):
    channels = result.channels
    if isinstance(channels, dict):
        listed = ("dict", sorted(channels))
    else:
        listed = (
            "list",
            [
                (
                    c.channel_name,
                    c.occupancy,
                    None if c.occupants is None else [(o.uuid, o.state) for o in c.occupants],
                )
                for c in channels
            ],
        )
    return result.total_channels, result.total_occupancy, listed


@pytest.mark.parametrize("case_id", sorted(HERE_NOW_CASES))
def test_here_now_matches_official(case_id):
    envelope, channel_names, _expected = HERE_NOW_CASES[case_id]
    ours = our_presence.PNHereNowResult.from_json(envelope, channel_names)
    theirs = their_presence.PNHereNowResult.from_json(envelope, channel_names)
    assert _here_now_view(ours) == _here_now_view(theirs)


def _entity_view(entity):
    keys = None
    if entity.auth_keys is not None:
        keys = {name: vars(key) for name, key in entity.auth_keys.items()}
    return {
        "name": entity.name,
        "auth_keys": keys,
        "flags": [entity.read_enabled, entity.write_enabled, entity.manage_enabled, entity.delete_enabled,
                  entity.get, entity.update, entity.join, entity.ttl],
    }


def _pam_view(result):
    return {
        "top": [result.level, result.subscribe_key, result.ttl, result.read_enabled, result.write_enabled,
                result.manage_enabled, result.delete_enabled],
        "channels": {name: _entity_view(e) for name, e in result.channels.items()},
        "groups": {name: _entity_view(e) for name, e in result.groups.items()},
        "uuids": {name: _entity_view(e) for name, e in result.uuids.items()},
    }


@pytest.mark.parametrize("case_id", sorted(PAM_PAYLOADS))
def test_pam_v2_matches_official(case_id):
    payload = PAM_PAYLOADS[case_id]
    ours = our_pam.PNAccessManagerGrantResult.from_json(payload)
    theirs = their_pam.PNAccessManagerGrantResult.from_json(payload)
    assert _pam_view(ours) == _pam_view(theirs)


FETCH_BODY = {
    "status": 200,
    "error": False,
    "error_message": "",
    "channels": {
        "ch": [
            {"message": "hey", "timetoken": "16075182590271497", "uuid": "u1", "message_type": None,
             "meta": {"a": 1}},
            {"message": {"b": 2}, "timetoken": "16075182590271498",
             "actions": {"reaction": {"smile": [{"uuid": "u2", "actionTimetoken": "16075182590271499"}]}}},
        ]
    },
}


@pytest.mark.parametrize("with_actions", [False, True])
def test_fetch_messages_matches_official(with_actions):
    ours = our_history.PNFetchMessagesResult.from_json(FETCH_BODY, with_actions, 1, 2)
    theirs = their_history.PNFetchMessagesResult.from_json(FETCH_BODY, with_actions, 1, 2)
    assert (ours.start_timetoken, ours.end_timetoken) == (theirs.start_timetoken, theirs.end_timetoken)
    for our_item, their_item in zip(ours.channels["ch"], theirs.channels["ch"]):
        for name, value in vars(their_item).items():
            assert getattr(our_item, name) == value, name


def test_history_matches_official():
    body = [[{"message": "m1", "timetoken": 15, "meta": {"x": 1}}, {"message": "m2", "timetoken": 16}], 15, 16]
    ours = our_history.PNHistoryResult.from_json(body, include_timetoken=True, include_meta=True)
    theirs = their_history.PNHistoryResult.from_json(body, None, include_timetoken=True, include_meta=True)
    assert [(i.entry, i.timetoken, i.meta) for i in ours.messages] == [
        (i.entry, i.timetoken, i.meta) for i in theirs.messages
    ]
    assert (ours.start_timetoken, ours.end_timetoken) == (theirs.start_timetoken, theirs.end_timetoken)


def test_objects_page_matches_official():
    body = {"status": 200, "data": [{"id": "u1"}], "totalCount": 3, "next": "MQ", "prev": "MA"}
    ours = our_uuid_objects.PNGetAllUUIDMetadataResult(body)
    theirs = their_uuid_objects.PNGetAllUUIDMetadataResult(body)
    assert (ours.data, ours.status, ours.total_count) == (theirs.data, theirs.status, theirs.total_count)
    assert (ours.next.hash, ours.prev.hash) == (theirs.next.hash, theirs.prev.hash)


MESSAGE_FIELDS = [
    "shard", "subscription_match", "channel", "payload", "flags", "issuing_client_id", "subscribe_key",
    "only_channel_subscription", "type", "user_metadata", "custom_message_type",
]


@pytest.mark.parametrize("case", load_subscribe_cases(status=200), ids=lambda case: case["id"])
def test_subscribe_envelope_matches_official(case):
    import json

    body = json.loads(case["raw_body"])
    ours = our_subscribe.SubscribeEnvelope.from_json(body)
    theirs = their_subscribe.SubscribeEnvelope.from_json(body)
    assert (ours.metadata.timetoken, ours.metadata.region) == (theirs.metadata.timetoken, theirs.metadata.region)
    assert len(ours.messages) == len(theirs.messages)
    for our_message, their_message in zip(ours.messages, theirs.messages):
        for name in MESSAGE_FIELDS:
            assert getattr(our_message, name) == getattr(their_message, name, None), name
        assert vars(their_message.publish_metadata) == {
            "publish_timetoken": our_message.publish_metadata.publish_timetoken,
            "region": our_message.publish_metadata.region,
        }
        if "-pnpres" in our_message.channel:
            our_presence_event = our_subscribe.PresenceEnvelope.from_json_payload(our_message.payload)
            their_presence_event = their_subscribe.PresenceEnvelope.from_json_payload(their_message.payload)
            for name, value in vars(their_presence_event).items():
                assert getattr(our_presence_event, name) == value, name


def test_subscribe_message_attribute_names_match_official():
    body = {"t": {"t": "1", "r": 1}, "m": [{"a": "1", "f": 0, "p": {"t": "2", "r": 1}, "k": "k", "c": "c", "d": 1}]}
    theirs = their_subscribe.SubscribeEnvelope.from_json(body).messages[0]
    ours = our_subscribe.SubscribeEnvelope.from_json(body).messages[0]
    missing = [name for name in vars(theirs) if not hasattr(ours, name)]
    assert missing == []
