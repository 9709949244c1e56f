"""time/publish/fire/signal: the exact requests of tests/vectors/requests.json and signing.json,
bad input rejected before anything is sent, and encryption."""
import gzip
import json
from collections import Counter

import pytest
from twisted.internet import task

from pubnub_fast import errors
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.pubsub import PNFireResult, PNPublishResult
from pubnub_fast.models.consumer.signal import PNSignalResult
from pubnub_fast.models.consumer.time import PNTimeResponse
from pubnub_fast.pnconfiguration import PNConfiguration
from tests.client_stub import StubbedClient, failureResultOf, successResultOf
from tests.conftest import load_vectors
from tests.endpoint_vectors import PinnedSDKName, build_config

FACTORIES = ("publish", "fire", "signal", "time")
REQUESTS = [c for c in load_vectors("requests.json")["cases"] if c["call"].get("factory") in FACTORIES]
SIGNED = [c for c in load_vectors("signing.json")["cases"]
          if c["kind"] in ("sign_v2", "sign_v1_post_publish") and c["call"].get("factory") in FACTORIES
          and not any(name == "seqn" for name, _ in c["signed_params"])]
VOLATILE = {"pnsdk", "uuid", "timestamp", "signature"}


def apply_call(pubnub, call):
    builder = getattr(pubnub, call["factory"])(*call.get("args", []))
    for setter, args in call.get("chain", []):
        builder = getattr(builder, setter)(*args)
    return builder


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in REQUESTS])
def test_request_matches_vector(case):
    client = StubbedClient(config=build_config(case["config"]))
    successResultOf(client.call(apply_call(client.pubnub, case["call"])))
    request = client.last
    assert request.method == case["method"]
    assert request.raw_path == case["path"]
    ours = Counter((k, v) for k, v in request.query if k not in VOLATILE)
    assert ours == Counter((k, v) for k, v in case["query"] if k not in VOLATILE)
    assert request.params["uuid"] == case["volatile_params"]["uuid"]
    body = case["body"]
    assert request.body == (body.encode() if body is not None else b"")
    if case["method"] == "POST":
        assert request.header("Content-Type") == "application/json"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in SIGNED])
def test_signature_matches_vector(case):
    class Client(PinnedSDKName):
        recorded_sdk_name = case["pnsdk"]

    clock = task.Clock()
    clock.advance(int(case["timestamp"]))
    client = StubbedClient(config=build_config(case["config"]), pubnub_class=Client, clock=clock)
    successResultOf(client.call(apply_call(client.pubnub, case["call"])))
    request = client.last
    assert request.raw_path == case["path"]
    assert request.params["timestamp"] == case["timestamp"]
    assert request.params["signature"] == case.get("canonical_signature", case["signature"])
    signed = sorted((k, v) for k, v in request.query if k != "signature")
    assert signed == sorted(map(tuple, case.get("canonical_signed_params", case["signed_params"])))


def test_time_result():
    client = StubbedClient()
    client.server.respond((200, [17000000000000000]))
    envelope = successResultOf(client.call(client.pubnub.time()))
    assert isinstance(envelope.result, PNTimeResponse)
    assert int(envelope.result) == 17000000000000000
    assert str(envelope.result) == "17000000000000000"
    assert envelope.result.date_time().year >= 2023
    assert client.last.raw_path == "/time/0"


def test_result_models():
    client = StubbedClient()
    client.server.respond((200, [1, "Sent", "17000000000000001"]), (200, [1, "Sent", "17000000000000002"]),
                          (200, [1, "Sent", "17000000000000003"]))
    publish = successResultOf(client.call(client.pubnub.publish().channel("c").message(1))).result
    fire = successResultOf(client.call(client.pubnub.fire().channel("c").message(1))).result
    signal = successResultOf(client.call(client.pubnub.signal().channel("c").message(1))).result
    assert isinstance(publish, PNPublishResult) and publish.timetoken == 17000000000000001
    assert isinstance(fire, PNFireResult) and fire.timetoken == 17000000000000002
    assert isinstance(signal, PNSignalResult) and signal.timetoken == "17000000000000003"


def test_v10_keyword_factories():
    client = StubbedClient()
    successResultOf(client.call(client.pubnub.publish(channel="k", message={"a": 1}, should_store=False)))
    assert client.last.raw_path.endswith("/0/k/0/%7B%22a%22%3A%201%7D")
    assert client.last.params["store"] == "0"
    with pytest.raises(TypeError, match="unexpected keyword argument 'chanel'"):
        client.pubnub.publish(chanel="k")
    with pytest.raises(TypeError, match="deferred"):
        client.pubnub.publish(deferred=True)


def test_post_with_compression():
    client = StubbedClient(secret_key="sec")
    successResultOf(client.call(client.pubnub.publish().channel("c").message({"big": "x" * 100})
                                .use_post(True).use_compression(True)))
    request = client.last
    assert request.header("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(request.body)) == {"big": "x" * 100}
    # signed over the uncompressed body: recompute it
    from pubnub_fast import _signing_py

    params = [(k, v) for k, v in request.query]
    expected = _signing_py.sign_request("sec", "sub-c-demo", "pub-c-demo", "POST", request.raw_path, params,
                                        '{"big": "%s"}' % ("x" * 100))
    assert request.params["signature"] == expected


def rejected(builder, pn_error):
    with pytest.raises(PubNubException) as info:
        builder.deferred()
    assert info.value.pn_error == pn_error
    return info.value


@pytest.mark.parametrize("factory", ["publish", "fire"])
def test_publish_and_fire_reject_bad_input(factory):
    client = StubbedClient()
    pubnub = client.pubnub
    rejected(getattr(pubnub, factory)().message("hi"), errors.PNERR_CHANNEL_MISSING)
    rejected(getattr(pubnub, factory)().channel("").message("hi"), errors.PNERR_CHANNEL_MISSING)
    rejected(getattr(pubnub, factory)().channel("c"), errors.PNERR_MESSAGE_MISSING)
    rejected(getattr(pubnub, factory)().channel("c").message(None), errors.PNERR_MESSAGE_MISSING)
    for bad in (object(), {1, 2}, b"bytes", float("nan"), {"x": float("inf")}, {"k": object()}):
        exc = rejected(getattr(pubnub, factory)().channel("c").message(bad), errors.PNERR_JSON_NOT_SERIALIZABLE)
        assert "JSON" in str(exc)
    rejected(getattr(pubnub, factory)().channel("c").message("x").meta("not a dict"),
             errors.PNERR_PUBLISH_META_WRONG_TYPE)
    rejected(getattr(pubnub, factory)().channel("c").message("x").meta({"k": object()}),
             errors.PNERR_JSON_NOT_SERIALIZABLE)
    circular = []
    circular.append(circular)
    rejected(getattr(pubnub, factory)().channel("c").message(circular), errors.PNERR_JSON_NOT_SERIALIZABLE)
    assert client.server.requests == []


def test_publish_setter_types():
    client = StubbedClient()
    with pytest.raises(PubNubException, match="should_store"):
        client.pubnub.publish().should_store("yes")
    with pytest.raises(PubNubException, match="ttl"):
        client.pubnub.publish().ttl(-1)
    with pytest.raises(PubNubException, match="ptto"):
        client.pubnub.publish().ptto("soon")


def test_missing_keys_are_rejected():
    config = PNConfiguration(uuid="u")
    client = StubbedClient(config=config)
    rejected(client.pubnub.publish().channel("c").message(1), errors.PNERR_SUBSCRIBE_KEY_MISSING)
    config.subscribe_key = "sub"
    rejected(client.pubnub.publish().channel("c").message(1), errors.PNERR_PUBLISH_KEY_MISSING)
    rejected(client.pubnub.signal().channel("c").message(1), errors.PNERR_PUBLISH_KEY_MISSING)
    config.publish_key = "pub"
    rejected(client.pubnub.signal().message(1), errors.PNERR_CHANNEL_MISSING)
    rejected(client.pubnub.signal().channel("c"), errors.PNERR_MESSAGE_MISSING)
    rejected(client.pubnub.signal().channel("c").message(object()), errors.PNERR_JSON_NOT_SERIALIZABLE)
    assert client.server.requests == []


def test_bad_channel_type_is_rejected():
    client = StubbedClient()
    exc = rejected(client.pubnub.signal().channel(None).message(1), errors.PNERR_CHANNEL_MISSING)
    assert exc.get_error_message() == errors.PNERR_CHANNEL_MISSING


def test_strings_are_valid_json_on_the_wire():
    client = StubbedClient()
    message = 'quote " backslash \\ unicode é ✓'
    successResultOf(client.call(client.pubnub.publish().channel("c").message(message)))
    from urllib.parse import unquote

    payload = unquote(client.last.raw_path.rsplit("/", 1)[1])
    assert json.loads(payload) == message


def test_encrypted_publish_round_trips():
    from pubnub_fast.crypto import LegacyCryptoModule

    client = StubbedClient(cipher_key="testKey")
    message = {"text": "secret", "n": [1, 2]}
    successResultOf(client.call(client.pubnub.publish().channel("c").message(message).use_post(True)))
    body = json.loads(client.last.body)
    assert isinstance(body, str) and "secret" not in body
    assert LegacyCryptoModule(client.config).decrypt(body) == message
    # random IVs: the same message encrypts differently each time
    successResultOf(client.call(client.pubnub.publish().channel("c").message(message).use_post(True)))
    assert json.loads(client.last.body) != body


def test_signals_are_never_encrypted():
    client = StubbedClient(cipher_key="testKey")
    successResultOf(client.call(client.pubnub.signal().channel("c").message("typing")))
    assert client.last.raw_path.endswith("/%22typing%22")


def test_malformed_publish_response():
    client = StubbedClient()
    client.server.respond((200, [1, "Sent"]))
    from pubnub_fast.exceptions import PubNubTwistedException

    failure = failureResultOf(client.call(client.pubnub.publish().channel("c").message(1)), PubNubTwistedException)
    assert failure.value.status.error_data.exception.pn_error == errors.PNERR_JSON_DECODING_FAILED
