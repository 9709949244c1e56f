"""Mobile push provisioning: add/remove channels, list, remove device (v1 and APNS2 paths)."""
import pytest

from pubnub_fast import errors
from pubnub_fast.enums import PNOperationType, PNPushEnvironment, PNPushType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.push import (PNPushAddChannelResult, PNPushListProvisionsResult,
                                              PNPushRemoveAllChannelsResult, PNPushRemoveChannelResult)
from pubnub_fast.pnconfiguration import PNConfiguration
from tests.client_stub import StubbedClient, failureResultOf
from tests.endpoint_vectors import (answered, decoded_query, rejected, request_vector_test, request_vectors, send,
                                    signing_vector_test, signing_vectors, via_pn_async)

FACTORIES = ("add_channels_to_push", "remove_channels_from_push", "list_push_channels", "remove_device_from_push")


test_request_matches_vector = request_vector_test(*FACTORIES, encoded_once_path=True)
test_signature_matches_vector = signing_vector_test(*FACTORIES)


def test_every_push_vector_is_covered():
    assert {p.id for p in request_vectors(*FACTORIES)} == {"push-add-apns", "push-list-fcm", "push-remove-gcm",
                                                           "push-remove-device-apns2", "push-add-apns2"}
    assert {p.id for p in signing_vectors(*FACTORIES)} == {"gen-push-add-apns2"}


@pytest.mark.parametrize("push_type, wire", [(PNPushType.APNS, "apns"), (PNPushType.GCM, "gcm"),
                                             (PNPushType.FCM, "fcm"), (PNPushType.MPNS, "mpns")])
def test_v1_paths_and_types(push_type, wire):
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.add_channels_to_push().channels(["a", "b c"]).device_id("dev/1").push_type(push_type))
    assert request.raw_path == "/v1/push/sub-key/sub-c-demo/devices/dev%2F1"
    assert decoded_query(request.query) == [("add", "a,b c"), ("type", wire)]
    request = send(client, pubnub.remove_channels_from_push().channels("x").device_id("d").push_type(push_type))
    assert decoded_query(request.query) == [("remove", "x"), ("type", wire)]
    request = send(client, pubnub.list_push_channels().device_id("d").push_type(push_type))
    assert request.raw_path == "/v1/push/sub-key/sub-c-demo/devices/d"
    assert decoded_query(request.query) == [("type", wire)]
    request = send(client, pubnub.remove_device_from_push().device_id("d").push_type(push_type))
    assert request.raw_path == "/v1/push/sub-key/sub-c-demo/devices/d/remove"
    assert request.method == "GET"


def test_apns2_environment_and_topic():
    client = StubbedClient()
    pubnub = client.pubnub
    request = send(client, pubnub.list_push_channels().device_id("tok").push_type(PNPushType.APNS2)
                   .topic("com.example.app"))
    assert request.raw_path == "/v2/push/sub-key/sub-c-demo/devices-apns2/tok"
    assert decoded_query(request.query) == [("environment", "development"), ("topic", "com.example.app")]
    request = send(client, pubnub.remove_channels_from_push().channels(["c"]).device_id("tok")
                   .push_type(PNPushType.APNS2).topic("t").environment(PNPushEnvironment.PRODUCTION))
    assert decoded_query(request.query) == [("environment", "production"), ("remove", "c"), ("topic", "t")]
    request = send(client, pubnub.remove_device_from_push().device_id("tok").push_type(4).topic("t")
                   .environment("production"))
    assert request.raw_path == "/v2/push/sub-key/sub-c-demo/devices-apns2/tok/remove"


def test_keyword_factories_and_auth():
    client = StubbedClient(auth_key="my auth")
    request = send(client, client.pubnub.add_channels_to_push(channels="a,b", device_id="d", push_type=PNPushType.FCM))
    assert decoded_query(request.query) == [("add", "a,b"), ("auth", "my auth"), ("type", "fcm")]
    request = send(client, client.pubnub.list_push_channels(device_id="d", push_type=PNPushType.APNS2, topic="t",
                                                            environment=PNPushEnvironment.PRODUCTION))
    assert request.params["environment"] == "production"
    with pytest.raises(TypeError, match="unexpected keyword argument 'device'"):
        client.pubnub.remove_device_from_push(device="d")


def test_validation_order():
    config = PNConfiguration(uuid="u")
    client = StubbedClient(config=config)
    add = client.pubnub.add_channels_to_push
    rejected(client, add().channels("c").device_id("d").push_type(PNPushType.APNS), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    config.subscribe_key = "sub"
    rejected(client, add().device_id("d").push_type(PNPushType.APNS), errors.PNERR_CHANNEL_MISSING)
    rejected(client, add().channels([]).device_id("d").push_type(PNPushType.APNS), errors.PNERR_CHANNEL_MISSING)
    rejected(client, add().channels("c").push_type(PNPushType.APNS), errors.PNERR_PUSH_DEVICE_MISSING)
    rejected(client, add().channels("c").device_id("").push_type(PNPushType.APNS), errors.PNERR_PUSH_DEVICE_MISSING)
    rejected(client, add().channels("c").device_id(5).push_type(PNPushType.APNS), errors.PNERR_PUSH_DEVICE_MISSING)
    rejected(client, add().channels("c").device_id("d"), errors.PNERROR_PUSH_TYPE_MISSING)
    rejected(client, add().channels("c").device_id("d").push_type(PNPushType.APNS2), errors.PNERR_PUSH_TOPIC_MISSING)
    rejected(client, client.pubnub.list_push_channels().push_type(PNPushType.FCM), errors.PNERR_PUSH_DEVICE_MISSING)
    rejected(client, client.pubnub.remove_device_from_push().device_id("d"), errors.PNERROR_PUSH_TYPE_MISSING)
    rejected(client, client.pubnub.remove_channels_from_push().device_id("d").push_type(PNPushType.GCM),
             errors.PNERR_CHANNEL_MISSING)
    with pytest.raises(PubNubException, match="PNPushType"):
        add().push_type("apns")
    with pytest.raises(PubNubException, match="PNPushEnvironment"):
        add().environment("staging")


def test_results():
    client = StubbedClient()
    pubnub = client.pubnub

    def registered():
        return pubnub.add_channels_to_push().channels("c").device_id("d").push_type(PNPushType.APNS)

    envelope = answered(client, registered(), [1, "Modified Channels"])
    assert isinstance(envelope.result, PNPushAddChannelResult)
    assert envelope.status.operation == PNOperationType.PNAddPushNotificationsOnChannelsOperation
    assert envelope.status.affected_channels == ["c"]
    result = answered(client, pubnub.remove_channels_from_push().channels("c").device_id("d")
                      .push_type(PNPushType.APNS), [1, "Modified Channels"]).result
    assert isinstance(result, PNPushRemoveChannelResult)
    result = answered(client, pubnub.list_push_channels().device_id("d").push_type(PNPushType.APNS),
                      ["ch_3", "ch_4", "channel_1"]).result
    assert isinstance(result, PNPushListProvisionsResult) and result.channels == ["ch_3", "ch_4", "channel_1"]
    result = answered(client, pubnub.list_push_channels().device_id("d").push_type(PNPushType.APNS), []).result
    assert result.channels == []
    result, status = via_pn_async(client, pubnub.remove_device_from_push().device_id("d").push_type(PNPushType.FCM),
                                  [1, "Removed Device"])
    assert isinstance(result, PNPushRemoveAllChannelsResult)
    assert status.operation == PNOperationType.PNRemoveAllPushNotificationsOperation
    client.server.respond((400, {"error": "Invalid type argument"}))
    failure = failureResultOf(client.call(registered()), PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNBadRequestCategory
    assert failure.value.status.error_data.exception.get_error_message() == "Invalid type argument"
    client.server.respond((200, {"not": "a list"}))
    failure = failureResultOf(client.call(pubnub.list_push_channels().device_id("d").push_type(PNPushType.APNS)),
                              PubNubTwistedException)
    assert failure.value.status.category == PNStatusCategory.PNMalformedResponseCategory
