"""Result, status, exception and configuration shapes of PubNub SDK 10.8 (decisions §21–§22).

Compared with the official SDK (``pubnub==10.8.0``, a test-only peer) wherever it can run
offline: error messages, enum printing, the ``utils`` helpers, AES-GCM ciphertexts both ways.
"""
import binascii
import logging
import warnings

import pytest
from twisted.trial.unittest import SynchronousTestCase

from pubnub_fast.enums import PNStatusCategory
from pubnub_fast.exceptions import PubNubAsyncioException, PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.common import PNErrorData, PNStatus
from pubnub_fast.pnconfiguration import PNConfiguration
from tests.client_stub import StubbedClient

pubnub = pytest.importorskip("pubnub")

_case = SynchronousTestCase()
successResultOf, failureResultOf = _case.successResultOf, _case.failureResultOf


# --- statuses and exceptions ------------------------------------------------------------------------

def test_status_original_response_is_the_decoded_json():
    client = StubbedClient()
    client.server.respond((200, [1, "Sent", "17000000000000000"]))
    envelope = successResultOf(client.call(client.pubnub.publish("ch", "hi")))
    status = envelope.status
    assert status.original_response == [1, "Sent", "17000000000000000"]
    assert len(status.original_response) == 3
    assert status.client_response.code == 200  # the HTTP response stays reachable
    assert status.error is None and not status.is_error()


def test_failure_is_a_pubnub_exception_with_the_json_error():
    client = StubbedClient()
    body = {"status": 403, "message": "Forbidden", "payload": {"channels": ["ch"]}, "error": True,
            "service": "Access Manager"}
    client.server.respond((403, body))
    failure = failureResultOf(client.call(client.pubnub.publish("ch", "hi")), PubNubException)
    exc = failure.value
    assert isinstance(exc, PubNubTwistedException) and isinstance(exc, PubNubException)
    assert exc.get_status_code() == 403 and exc.pn_error == "HTTP Client Error"
    assert exc.status.category == PNStatusCategory.PNAccessDeniedCategory
    assert exc.status.original_response == body and exc.result == body
    assert exc.status.error is True
    assert str(exc) == str(exc.status.error_data.exception)
    stale = {"status": 412, "error": {"message": "User to update has been modified after it was read.",
                                      "source": "objects"}}
    client.server.respond((412, stale))
    failure = failureResultOf(client.call(client.pubnub.set_uuid_metadata("u", name="n").if_matches_etag("e")),
                              PubNubException)
    assert failure.value.get_error_message().get("message") == stale["error"]["message"]


@pytest.mark.parametrize("body", [
    '{"status":412,"error":{"message":"Precondition failed","source":"objects"}}',
    '{"status":400,"error":{"message":"Invalid token","details":[{"message":"expired"}]}}',
    '{"message":"x"}',
    "plain text",
    "",
    '{"error": "Invalid type argument"}',
])
def test_get_error_message_matches_the_official_sdk(body):
    from pubnub.exceptions import PubNubException as Official

    ours = PubNubException(errormsg=body, status_code=400, pn_error="HTTP Client Error")
    theirs = Official(errormsg=body, status_code=400, pn_error="HTTP Client Error")
    assert ours.get_error_message() == theirs.get_error_message()
    assert str(ours) == str(theirs)


def test_get_error_message_where_10_8_tells_nothing():
    # 10.8 gives True for {"error": true} and crashes on arrays: pubnub_fast gives the message
    flagged = PubNubException(errormsg='{"status":400,"message":"Too many","error":true}', status_code=400)
    assert flagged.get_error_message() == "Too many"
    assert PubNubException(errormsg='[0, "Invalid Key", "1"]', status_code=400).get_error_message() == "Invalid Key"


def test_asyncio_exception_shape():
    status = PNStatus()
    inner = PubNubException(errormsg="x", status_code=403, pn_error="HTTP Client Error")
    status.error, status.error_data = True, PNErrorData(str(inner), inner)
    exc = PubNubAsyncioException(None, status)
    assert exc.is_error() and exc.value() is inner and (exc.result, exc.status) == (None, status)


def test_status_category_prints_like_10_8():
    from pubnub.enums import PNStatusCategory as Official

    for member in PNStatusCategory:
        assert str(member) == str(Official[member.name])
        assert "%s" % member == "{}".format(member) == str(Official[member.name])
    assert PNStatusCategory.PNConnectedCategory == 6  # still an int for older code


def test_history_keeps_the_underlying_base64_error():
    client = StubbedClient(cipher_key="testKey")
    client.server.respond((200, [["not base64!", "abc"], 1, 2]))
    result = successResultOf(client.call(client.pubnub.history().channel("c"))).result
    assert [type(m.error) for m in result.messages] == [binascii.Error, binascii.Error]


# --- configuration --------------------------------------------------------------------------------

def test_config_locking_keeps_the_uuid_on_the_wire():
    config = PNConfiguration(subscribe_key="sub-c-demo", publish_key="pub-c-demo", uuid="first", ssl=False)
    config.disable_config_locking = False
    client = StubbedClient(config=config)
    assert client.pubnub.config is not config
    config.uuid = "second"  # the client keeps its locked copy (PubNub SDK 10.8)
    successResultOf(client.call(client.pubnub.publish("ch", "hi")))
    assert client.last.params["uuid"] == "first"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.pubnub.config.uuid = "third"
    assert client.pubnub.config.uuid == "first" and "locked" in str(caught[0].message)


def test_mutable_config_by_default():
    config = PNConfiguration(subscribe_key="sub-c-demo", publish_key="pub-c-demo", uuid="first", ssl=False)
    client = StubbedClient(config=config)
    config.uuid = "second"
    successResultOf(client.call(client.pubnub.publish("ch", "hi")))
    assert client.last.params["uuid"] == "second"


def test_ssl_defaults_to_true_and_origin_may_carry_the_scheme():
    assert PNConfiguration().ssl is True
    config = PNConfiguration(uuid="u", subscribe_key="s", origin="http://127.0.0.1:1")
    client = StubbedClient(config=config)
    options = client.pubnub._pipeline.prepare(client.pubnub.time(), client.pubnub.time().options())
    assert options.url.startswith("http://127.0.0.1:1/time/0?")


def test_crypto_property_and_token_manager():
    client = StubbedClient(cipher_key="testKey")
    from pubnub_fast.crypto import LegacyCryptoModule

    assert isinstance(client.pubnub.crypto, LegacyCryptoModule)
    assert StubbedClient().pubnub.crypto is None
    client.pubnub.set_token("tok")
    assert client.pubnub._token_manager.get_token() == "tok" and client.pubnub._get_token() == "tok"
    successResultOf(client.call(client.pubnub.publish("ch", "hi")))
    assert client.last.params["auth"] == "tok"


# --- AES-GCM (cipher_mode = 11), interoperable with the official SDK ---------------------------------

def _official_module(cipher_key, random_iv, mode=11):
    from pubnub.crypto import LegacyCryptoModule
    from pubnub.pnconfiguration import PNConfiguration as Official

    config = Official()
    config.user_id, config.cipher_key, config.use_random_initialization_vector = "u", cipher_key, random_iv
    config.cipher_mode = mode
    return LegacyCryptoModule(config)


def _our_module(cipher_key, random_iv, mode=11, fallback=None):
    from pubnub_fast.crypto import LegacyCryptoModule

    config = PNConfiguration(uuid="u", cipher_key=cipher_key, use_random_initialization_vector=random_iv,
                             cipher_mode=mode)
    config.fallback_cipher_mode = fallback
    return LegacyCryptoModule(config)


@pytest.mark.parametrize("random_iv", [False, True])
@pytest.mark.parametrize("plaintext", ['"hi"', '{"a": "' + "x" * 40 + '"}', '[1, 2, 3]', '"\\u00fcber"'])
def test_gcm_interop_both_ways(random_iv, plaintext):
    ours, theirs = _our_module("testKey", random_iv), _official_module("testKey", random_iv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert theirs.decrypt(ours.encrypt(plaintext)) == ours.decrypt(ours.encrypt(plaintext))
        assert ours.decrypt(theirs.encrypt(plaintext)) == theirs.decrypt(theirs.encrypt(plaintext))
    if not random_iv:  # deterministic: byte-identical ciphertexts
        assert ours.encrypt(plaintext) == theirs.encrypt(plaintext)


def test_gcm_known_answer_and_fallback():
    assert _our_module("testKey", False).encrypt('"hi"') == "O0MrhNIcpiHxNs0DXm8WPw=="
    cbc_text = _our_module("testKey", False, mode=2).encrypt('"hi"')
    assert cbc_text == "Dt7qBesIhJT2DweUJc2HRQ=="
    with pytest.raises(PubNubException, match="decryption error"):
        _our_module("testKey", False).decrypt(cbc_text)
    assert _our_module("testKey", False, fallback=2).decrypt(cbc_text) == "hi"
    from pubnub_fast.crypto import PubNubCryptodome

    config = PNConfiguration(uuid="u", cipher_key="testKey", use_random_initialization_vector=False, cipher_mode=11)
    assert PubNubCryptodome(config).encrypt("testKey", '"hi"') == "O0MrhNIcpiHxNs0DXm8WPw=="
    assert PubNubCryptodome(config).decrypt("testKey", "O0MrhNIcpiHxNs0DXm8WPw==") == "hi"


def test_gcm_messages_on_the_wire():
    client = StubbedClient(cipher_key="testKey", cipher_mode=11, use_random_initialization_vector=False)
    successResultOf(client.call(client.pubnub.publish("ch", "hi")))
    assert client.last.raw_path.endswith("/%22O0MrhNIcpiHxNs0DXm8WPw%3D%3D%22")


# --- pubnub_fast.utils against pubnub.utils ------------------------------------------------------------

def test_utils_match_the_official_helpers():
    import pubnub.utils as theirs
    from pubnub.enums import PNPushType as OfficialPush
    from pubnub.models.consumer.v3.channel import Channel as OfficialChannel

    import pubnub_fast.utils as ours
    from pubnub_fast.enums import PNPushType
    from pubnub_fast.models.consumer.v3.channel import Channel

    same = [
        ("get_data_for_user", ({"message": "m", "payload": {"a": 1}, "x": 1},)),
        ("get_data_for_user", ({"a": 1},)), ("get_data_for_user", (5,)),
        ("write_value_as_string", ({"a": "\u00e9", "b": [1, None]},)),
        ("url_encode", ("a/b c~\u00e9",)), ("url_write", ({"a": "b c"},)),
        ("split_items", ("a,b,,c",)), ("split_items", ("",)),
        ("join_items", (["b", "a"], True)), ("join_items_and_encode", (["a/b", "c d"],)),
        ("join_channels", ([],)), ("join_channels", (["b", "a"], True)),
        ("build_url", ("https", "ps.pndsn.com", "/time/0", "a=1&b=2")), ("build_url", ("http", "h", "/p")),
        ("prepare_pam_arguments", ({"abc": True, "poq": 4, "def": False},)),
        ("pam_encode", ("a b~*",)), ("sign_sha256", ("my_key", "abc")),
        ("strip_right", ("ch-pnpres", "-pnpres")), ("strip_right", ("ch", "-pnpres")),
        ("decode_utf8_dict", ({b"a": b"b", "c": {b"d": 1}},)),
        ("parse_pam_permissions", ({"ch1": 255, "ch2": 1, "ch3": 96},)),
        ("has_permission", (3, 2)), ("has_read_permission", (1,)), ("has_write_permission", (1,)),
        ("has_get_permission", (32,)), ("has_update_permission", (64,)), ("has_join_permission", (128,)),
        ("has_manage_permission", (4,)), ("has_delete_permission", (8,)),
    ]
    for name, args in same:
        assert getattr(ours, name)(*args) == getattr(theirs, name)(*args), name
    for member in PNPushType:
        if hasattr(OfficialPush, member.name):
            assert ours.push_type_to_string(member) == theirs.push_type_to_string(getattr(OfficialPush, member.name))
    assert ours.calculate_bitmask(Channel.id("a").get().update().join().delete().manage()) == \
        theirs.calculate_bitmask(OfficialChannel.id("a").get().update().join().delete().manage()) == 236
    mine, official = ({}, {}), ({}, {})
    ours.parse_resources([Channel.id("a").read(), Channel.pattern("b.*").write()], "channels", *mine)
    theirs.parse_resources([OfficialChannel.id("a").read(), OfficialChannel.pattern("b.*").write()], "channels",
                           *official)
    assert mine == official
    left, right = ["x"], ["x"]
    ours.extend_list(left, "a,b")
    theirs.extend_list(right, "a,b")
    assert left == right
    assert len(ours.uuid()) == 36 and len(ours.datetime_now()) == len(theirs.datetime_now())


def test_utils_sign_request_and_deprecated():
    import pubnub_fast.utils as ours
    from pubnub_fast._speedups import signing

    client = StubbedClient(secret_key="sec")
    endpoint = client.pubnub.time()
    params = {"uuid": "u"}
    ours.sign_request(endpoint, client.pubnub, params, endpoint.http_method(), None)
    expected = signing.sign_request("sec", "sub-c-demo", "pub-c-demo", "GET", "/time/0",
                                    {"uuid": "u", "timestamp": params["timestamp"]}, None)
    assert params["signature"] == expected

    @ours.deprecated(alternative="new_thing")
    def old_thing():
        return 1

    with pytest.warns(DeprecationWarning, match="new_thing"):
        assert old_thing() == 1
    assert ours.is_subscribed_event(type("S", (), {"category": PNStatusCategory.PNConnectedCategory})())


def test_set_stream_logger_filter(caplog):
    import io

    from pubnub_fast import set_stream_logger

    stream = io.StringIO()
    logger = set_stream_logger("pubnub_fast.test-filter", logging.DEBUG, stream=stream, filter_warning="secret")
    logger.warning("a secret here")
    logger.warning("plain")
    assert stream.getvalue().count("\n") == 1 and "plain" in stream.getvalue()
    logger.handlers.clear()
