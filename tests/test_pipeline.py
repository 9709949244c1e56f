"""The request pipeline: statuses of every outcome, timeouts, cancellation, invocation styles."""
import gzip
import json
import logging

import pytest
from OpenSSL import SSL
from twisted.internet import defer, error as net_error
from twisted.python.failure import Failure
from twisted.web import client as web_client

from pubnub_fast import errors
from pubnub_fast.enums import PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.pubnub_twisted import PubNubTwisted, TwistedEnvelope
from pubnub_fast.transport import TreqTransport
from tests.client_stub import HOLD, StubbedClient, assertNoResult, failureResultOf, make_config, successResultOf


@pytest.fixture
def client():
    return StubbedClient()


def publish(client, message="hi"):
    return client.call(client.pubnub.publish().channel("ch1").message(message))


def failed_status(d):
    failure = failureResultOf(d, PubNubTwistedException)
    return failure.value, failure.value.status


def test_success_envelope_and_ack_status(client):
    envelope = successResultOf(publish(client))
    assert isinstance(envelope, TwistedEnvelope)
    assert envelope.result.timetoken == 17000000000000000
    assert envelope.raw_result == [1, "Sent", "17000000000000000"]
    status = envelope.status
    assert status.category == PNStatusCategory.PNAcknowledgmentCategory
    assert status.operation == PNOperationType.PNPublishOperation
    assert status.status_code == 200
    assert not status.is_error()
    assert status.uuid == "vector-uuid"
    assert status.origin == "ps.pndsn.com"
    assert status.tls_enabled is False
    assert status.affected_channels == ["ch1"]
    assert status.client_response.code == 200
    # PubNub SDK 10.8 shapes (decisions §22): decoded JSON, error None on success
    assert status.original_response == [1, "Sent", "17000000000000000"]
    assert status.error is None


def test_request_line_headers_and_url(client):
    successResultOf(publish(client))
    request = client.last
    assert request.method == "GET"
    assert request.raw_path == "/publish/pub-c-demo/sub-c-demo/0/ch1/0/%22hi%22"
    assert request.query == [("pnsdk", client.pubnub.sdk_name), ("uuid", "vector-uuid")]
    assert request.header("User-Agent") == client.pubnub.sdk_name
    assert client.pubnub.sdk_name.startswith("PubNub-Python-Twisted-Fast/")


@pytest.mark.parametrize("code, body, category, pn_error", [
    (400, [0, "Invalid Key", "14767989321048626"], PNStatusCategory.PNBadRequestCategory, errors.PNERR_CLIENT_ERROR),
    (403, {"status": 403, "message": "Forbidden", "payload": {"channels": ["ch1"]}, "service": "Access Manager",
           "error": True}, PNStatusCategory.PNAccessDeniedCategory, errors.PNERR_CLIENT_ERROR),
    (481, {"status": 481, "error": True, "service": "Balancer", "message": "Invalid filter expression"},
     PNStatusCategory.PNMalformedFilterExpressionCategory, errors.PNERR_CLIENT_ERROR),
    (404, {"status": 404, "error": True, "message": "Not Found"}, PNStatusCategory.PNUnknownCategory,
     errors.PNERR_CLIENT_ERROR),
    (413, {"status": 413, "error": True, "message": "Request Entity Too Large"},
     PNStatusCategory.PNBadRequestCategory, errors.PNERR_CLIENT_ERROR),
    (500, {"status": 500, "error": True, "message": "Internal Server Error"}, PNStatusCategory.PNUnknownCategory,
     errors.PNERR_SERVER_ERROR),
    (503, b"upstream unavailable", PNStatusCategory.PNUnknownCategory, errors.PNERR_SERVER_ERROR),
    (504, b"gateway timeout", PNStatusCategory.PNTimeoutCategory, errors.PNERR_SERVER_ERROR),
])
def test_http_errors_map_to_categories(client, code, body, category, pn_error):
    client.server.respond((code, body))
    exc, status = failed_status(publish(client))
    assert status.category == category
    assert status.status_code == code
    assert status.is_error()
    assert status.operation == PNOperationType.PNPublishOperation
    inner = status.error_data.exception
    assert isinstance(inner, PubNubException)
    assert inner.pn_error == pn_error
    assert inner.get_status_code() == code
    text = body.decode() if isinstance(body, bytes) else json.dumps(body)
    assert str(exc) == "%s (%d): %s" % (pn_error, code, text)
    assert exc.result == (None if isinstance(body, bytes) else body)


def test_error_message_is_extracted_from_the_body(client):
    client.server.respond((400, [0, "Invalid Key", "14767989321048626"]))
    exc, status = failed_status(publish(client))
    assert status.error_data.exception.get_error_message() == "Invalid Key"
    client.server.respond((403, {"status": 403, "message": "Forbidden", "error": True}))
    exc, status = failed_status(publish(client))
    assert status.error_data.exception.get_error_message() == "Forbidden"


def test_non_json_success_body_is_a_malformed_response(client):
    client.server.respond((200, b"<html>captive portal</html>"))
    exc, status = failed_status(publish(client))
    assert status.category == PNStatusCategory.PNMalformedResponseCategory
    assert status.error_data.exception.pn_error == errors.PNERR_JSON_DECODING_FAILED
    assert exc.result is None


def test_unexpected_json_shape_is_a_malformed_response(client):
    client.server.respond((200, {"unexpected": True}))
    exc, status = failed_status(publish(client))
    assert status.category == PNStatusCategory.PNMalformedResponseCategory
    assert exc.result == {"unexpected": True}


def test_gzip_body_is_decoded_by_the_transport(client):
    # StubTreq bypasses the decoder agent, so check the real agent chain elsewhere (integration);
    # here: a gzip body without decoding is not JSON, and that is reported, not raised.
    client.server.respond((200, gzip.compress(b'[1,"Sent","1"]')))
    _, status = failed_status(publish(client))
    assert status.category == PNStatusCategory.PNMalformedResponseCategory


def test_request_timeout_is_enforced_with_the_clock(client):
    client.server.respond(HOLD)
    d = publish(client)
    assertNoResult(d)
    client.clock.advance(client.config.non_subscribe_request_timeout - 0.1)
    assertNoResult(d)
    client.clock.advance(0.2)
    exc, status = failed_status(d)
    assert status.category == PNStatusCategory.PNTimeoutCategory
    assert status.error_data.exception.pn_error == errors.PNERR_CLIENT_TIMEOUT
    assert status.status_code == 0
    assert client.clock.getDelayedCalls() == []
    assert client.pubnub._pipeline.in_flight == 0


def test_custom_timeout_setting_is_used():
    client = StubbedClient(non_subscribe_request_timeout=2.5)
    client.server.respond(HOLD)
    d = publish(client)
    client.clock.advance(2.4)
    assertNoResult(d)
    client.clock.advance(0.2)
    assert failed_status(d)[1].category == PNStatusCategory.PNTimeoutCategory


def test_cancel_gives_a_cancelled_status(client):
    client.server.respond(HOLD)
    d = publish(client)
    d.cancel()
    exc, status = failed_status(d)
    assert status.category == PNStatusCategory.PNCancelledCategory
    assert client.clock.getDelayedCalls() == []


class FailingHTTP:
    """A treq-shaped client whose requests fail with ``error``."""

    def __init__(self, error):
        self.error = error
        self.calls = 0

    def request(self, method, url, **kwargs):
        self.calls += 1
        return defer.fail(self.error)


def client_with_failure(error, **settings):
    config = make_config(**settings)
    from twisted.internet import task

    clock = task.Clock()
    transport = TreqTransport(clock, http_client=FailingHTTP(error), clock=clock)
    return PubNubTwisted(config, reactor=clock, transport=transport)


@pytest.mark.parametrize("error, category", [
    (net_error.ConnectionRefusedError("refused"), PNStatusCategory.PNNetworkIssuesCategory),
    (net_error.DNSLookupError("no such host"), PNStatusCategory.PNNetworkIssuesCategory),
    (net_error.ConnectionLost("reset"), PNStatusCategory.PNNetworkIssuesCategory),
    (web_client.ResponseNeverReceived([Failure(net_error.ConnectionDone())]),
     PNStatusCategory.PNNetworkIssuesCategory),
    (net_error.TimeoutError("connect timeout"), PNStatusCategory.PNTimeoutCategory),
    (web_client.ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "certificate verify failed")]))]),
     PNStatusCategory.PNTLSUntrustedCertificateCategory),
    (web_client.ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "wrong version number")]))]),
     PNStatusCategory.PNTLSConnectionFailedCategory),
    (RuntimeError("surprise"), PNStatusCategory.PNUnknownCategory),
])
def test_transport_failures_map_to_categories(error, category):
    pubnub = client_with_failure(error)
    d = pubnub.publish().channel("ch1").message("hi").deferred()
    exc, status = failed_status(d)
    assert status.category == category
    assert status.status_code == 0
    assert status.is_error()
    assert exc.result is None
    if category == PNStatusCategory.PNNetworkIssuesCategory:
        assert status.error_data.exception.pn_error == errors.PNERR_CONNECTION_ERROR


def test_pn_async_success(client):
    calls = []
    d = client.pubnub.publish().channel("ch1").message("hi").pn_async(lambda r, s: calls.append((r, s)))
    client.stub.flush()
    successResultOf(d)
    (result, status), = calls
    assert result.timetoken == 17000000000000000
    assert status.category == PNStatusCategory.PNAcknowledgmentCategory


def test_pn_async_failure(client):
    client.server.respond((403, {"status": 403, "error": True, "message": "Forbidden"}))
    calls = []
    client.pubnub.publish().channel("ch1").message("hi").pn_async(lambda r, s: calls.append((r, s)))
    client.stub.flush()
    (result, status), = calls
    assert result == {"status": 403, "error": True, "message": "Forbidden"}
    assert status.category == PNStatusCategory.PNAccessDeniedCategory


def test_pn_async_validation_error_is_reported_synchronously(client):
    calls = []
    client.pubnub.publish().channel("ch1").pn_async(lambda r, s: calls.append((r, s)))
    (result, status), = calls
    assert result is None
    assert status.category == PNStatusCategory.PNBadRequestCategory
    assert status.error_data.exception.pn_error == errors.PNERR_MESSAGE_MISSING
    assert client.server.requests == []


def test_pn_async_callback_exception_is_logged_not_raised(client, caplog):
    def broken(result, status):
        raise ValueError("user bug")

    with caplog.at_level(logging.ERROR, logger="pubnub_fast"):
        d = client.pubnub.publish().channel("ch1").message("hi").pn_async(broken)
        client.stub.flush()
    successResultOf(d)
    assert "user bug" in caplog.text


def test_stop_cancels_requests_in_flight(client):
    client.server.respond(HOLD)
    d = publish(client)
    successResultOf(client.pubnub.stop())
    _, status = failed_status(d)
    assert status.category == PNStatusCategory.PNCancelledCategory
    assert client.clock.getDelayedCalls() == []
    successResultOf(client.pubnub.stop())  # idempotent


def test_auth_key_and_token(client):
    client.config.auth_key = "my auth&key"
    successResultOf(publish(client))
    assert client.last.params["auth"] == "my auth&key"
    assert "auth=my%20auth%26key" in client.last.raw_query
    client.pubnub.set_token("tok-1")
    successResultOf(publish(client))
    assert client.last.params["auth"] == "tok-1"
    successResultOf(client.call(client.pubnub.time()))
    assert "auth" not in client.last.params  # time() needs no auth


def test_uuid_is_encoded_once_in_the_url():
    client = StubbedClient(uuid="a b&c=d/é")
    successResultOf(publish(client))
    assert client.last.params["uuid"] == "a b&c=d/é"
    assert "uuid=a%20b%26c%3Dd%2F%C3%A9" in client.last.raw_query


def test_listener_registry():
    from pubnub_fast.callbacks import SubscribeCallback

    client = StubbedClient()
    listener = SubscribeCallback()
    client.pubnub.add_listener(listener)
    client.pubnub.add_listener(listener)
    assert len(client.pubnub._listeners) == 1
    with pytest.raises(TypeError):
        client.pubnub.add_listener(object())
    client.pubnub.remove_listener(listener)
    assert len(client.pubnub._listeners) == 0
    disabled = StubbedClient(enable_subscribe=False)
    with pytest.raises(Exception, match="Subscription manager is not enabled"):
        disabled.pubnub.add_listener(listener)


def test_constructor_arguments():
    from twisted.internet import task

    clock = task.Clock()
    config = make_config()
    pubnub = PubNubTwisted(config, custom_ioloop=clock)
    assert pubnub.reactor is clock and pubnub.clock is clock
    with pytest.raises(ValueError):
        PubNubTwisted(config, reactor=clock, custom_ioloop=task.Clock())
    with pytest.raises(TypeError):
        PubNubTwisted({"subscribe_key": "x"})
    successResultOf(pubnub.stop())


def test_generated_uuid_warns():
    from pubnub_fast.pnconfiguration import PNConfiguration
    from twisted.internet import task

    config = PNConfiguration()
    config.subscribe_key = "sub"
    with pytest.warns(UserWarning, match="uuid is not set"):
        PubNubTwisted(config, reactor=task.Clock())
    assert config.uuid.startswith("pn-")


def test_cancel_stops_the_timer_even_if_the_http_client_ignores_it():
    from twisted.internet import task

    class Deaf:
        def request(self, method, url, **kwargs):
            return defer.Deferred()  # never fires, cannot be cancelled

    clock = task.Clock()
    pubnub = PubNubTwisted(make_config(), reactor=clock, transport=TreqTransport(clock, http_client=Deaf(),
                                                                                clock=clock))
    d = pubnub.publish().channel("ch1").message("hi").deferred()
    assert clock.getDelayedCalls()
    d.cancel()
    exc, status = failed_status(d)
    assert status.category == PNStatusCategory.PNCancelledCategory
    assert clock.getDelayedCalls() == []
