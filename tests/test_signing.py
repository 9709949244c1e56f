"""Signing and URL encoding: every vector of tests/vectors/signing.json, against both twins."""
import base64
import hashlib
import hmac
import inspect
from urllib.parse import quote, unquote

import pytest
from hypothesis import given, settings, strategies as st

from pubnub_fast import _signing_py
from tests.conftest import load_vectors

VECTORS = load_vectors("signing.json")["cases"]


def _cases(kind):
    return [pytest.param(c, id=c["id"]) for c in VECTORS if c["kind"] == kind]


def _request_cases():
    return [pytest.param(c, id=c["id"]) for c in VECTORS if c["kind"] in ("sign_v2", "sign_v1_post_publish")]


@pytest.mark.parametrize("case", _cases("encode"))
def test_encode_vectors(signing_impl, case):
    assert signing_impl.url_encode(case["input"]) == case["url_encode"]
    assert signing_impl.pam_encode(case["input"]) == case["pam_encode"]


@pytest.mark.parametrize("case", _cases("join_items_and_encode"))
def test_encode_path_list_vectors(signing_impl, case):
    assert signing_impl.encode_path_list(case["input"]) == case["join_channels"]


@pytest.mark.parametrize("case", _cases("sign_sha256"))
def test_sign_sha256_vector(signing_impl, case):
    assert signing_impl.sign_sha256(case["secret"], case["input"]) == case["output"]


@pytest.mark.parametrize("case", _cases("prepare_pam_arguments"))
def test_canonical_query_of_plain_values(signing_impl, case):
    # The official SDK's prepare_pam_arguments: values rendered with str() and pam-encoded, sorted.
    # Its double encoding of an already-encoded value ("%7E" -> "%257E") is what canonical form
    # means for a value the server decodes as "%7E" too.
    assert signing_impl.canonical_query(case["input"]) == case["output"]


@pytest.mark.parametrize("case", _request_cases())
def test_request_signature_vectors(signing_impl, case):
    """The canonical signature (decisions.md §17) of every recorded request."""
    params = case.get("canonical_signed_params", case["signed_params"])
    expected_query = case.get("canonical_signed_query", case["signed_query"])
    expected_signature = case.get("canonical_signature", case["signature"])
    assert signing_impl.canonical_query(params) == expected_query
    signature = signing_impl.sign_request(
        case["secret_key"], case["subscribe_key"], case["publish_key"], case["method"], case["path"],
        params, case["body"])
    assert signature == expected_signature
    if not case.get("official_sdk_double_encodes"):
        # where no value needs escaping twice, we agree with the official SDK byte for byte
        assert signature == case["signature"]


@pytest.mark.parametrize("case", _request_cases())
def test_signature_recomputed_from_string_to_sign(signing_impl, case):
    string_to_sign = case.get("canonical_string_to_sign", case["string_to_sign"])
    digest = hmac.new(case["secret_key"].encode(), string_to_sign.encode(), hashlib.sha256).digest()
    b64 = base64.urlsafe_b64encode(digest).decode()
    if case["kind"] == "sign_v1_post_publish":
        assert signing_impl.sign_sha256(case["secret_key"], string_to_sign) == b64
    else:
        assert signing_impl.sign_sha256(case["secret_key"], string_to_sign).rstrip("=") == b64.rstrip("=")


def test_encode_query_keeps_order_and_encodes_once(signing_impl):
    params = {"uuid": "a b&c", "pnsdk": "PubNub-Python-Twisted-Fast/1.0", "auth": "x~y", "channel-group": "g,h"}
    assert signing_impl.encode_query(params) == (
        "uuid=a%20b%26c&pnsdk=PubNub-Python-Twisted-Fast%2F1.0&auth=x~y&channel-group=g%2Ch")
    assert signing_impl.encode_query([("a", "1"), ("b", "")]) == "a=1&b="


def test_canonical_query_sorts_and_skips_signature(signing_impl):
    params = [("w", "1"), ("signature", "v2.x"), ("auth", "a~b c"), ("B", "2")]
    assert signing_impl.canonical_query(params) == "B=2&auth=a%7Eb%20c&w=1"


def test_sign_v1_and_v2_forms(signing_impl):
    params = {"uuid": "u", "timestamp": "1"}
    v2 = signing_impl.sign_request("sec", "sub", "pub", "GET", "/time/0", params)
    assert v2.startswith("v2.") and "=" not in v2
    v1 = signing_impl.sign_request("sec", "sub", "pub", "POST", "/publish/pub/sub/0/ch/0", params, '"hi"')
    assert not v1.startswith("v2.") and v1.endswith("=")
    # a POST that is not a publish uses the v2 form, body included
    assert signing_impl.sign_request("sec", "sub", "pub", "POST", "/v3/pam/sub/grant", params, "{}") != \
        signing_impl.sign_request("sec", "sub", "pub", "POST", "/v3/pam/sub/grant", params, "{ }")


def test_signatures_equal(signing_impl):
    assert signing_impl.signatures_equal("v2.abc", "v2.abc")
    assert signing_impl.signatures_equal(b"v2.abc", "v2.abc")
    assert not signing_impl.signatures_equal("v2.abc", "v2.abd")
    assert not signing_impl.signatures_equal("v2.abc", "v2.ab")


def test_non_str_input_is_a_type_error(signing_impl):
    with pytest.raises(TypeError):
        signing_impl.url_encode(5)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(value=text)
def test_url_encode_round_trips_and_matches_quote(signing_impl, value):
    encoded = signing_impl.url_encode(value)
    assert encoded == quote(value, safe="~")
    assert unquote(encoded) == value
    assert signing_impl.pam_encode(value) == encoded.replace("~", "%7E")


@settings(max_examples=200, deadline=None)
@given(params=st.dictionaries(st.text(alphabet="abcdefgh-_", min_size=1, max_size=8), text, max_size=6),
       secret=text, body=st.one_of(st.none(), text))
def test_twins_agree(signing_impl, params, secret, body):
    py = _signing_py
    assert signing_impl.encode_query(params) == py.encode_query(params)
    assert signing_impl.canonical_query(params) == py.canonical_query(params)
    assert signing_impl.sign_v2(secret, "GET", "pub", "/p", params, body) == py.sign_v2(
        secret, "GET", "pub", "/p", params, body)
    assert signing_impl.sign_v1(secret, "sub", "pub", "/publish/x", params) == py.sign_v1(
        secret, "sub", "pub", "/publish/x", params)


def test_twins_export_the_same_api():
    from pubnub_fast import _speedups

    try:
        compiled = _speedups.twin("signing", "c")
    except ImportError:
        pytest.skip("compiled twin not built")
    assert sorted(compiled.__all__) == sorted(_signing_py.__all__)
    for name in _signing_py.__all__:
        py_sig = inspect.signature(getattr(_signing_py, name))
        c_sig = inspect.signature(getattr(compiled, name))
        assert list(py_sig.parameters) == list(c_sig.parameters), name


@pytest.mark.parametrize("secret", ["", "k", "x" * 63, "y" * 64, "z" * 65, "é" * 100, "sec-c-" + "A" * 200])
def test_hmac_matches_stdlib_for_all_key_lengths(signing_impl, secret):
    message = "GET\npub\n/time/0\nuuid=u\n"
    expected = base64.urlsafe_b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()
    assert signing_impl.sign_sha256(secret, message) == expected


def test_many_secrets_stay_correct(signing_impl):
    # more secrets than any internal key cache holds, interleaved
    for round_ in range(2):
        for i in range(40):
            secret = "secret-%d" % i
            expected = base64.urlsafe_b64encode(
                hmac.new(secret.encode(), b"m", hashlib.sha256).digest()).decode()
            assert signing_impl.sign_sha256(secret, "m") == expected
