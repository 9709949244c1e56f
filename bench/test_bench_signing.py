"""Signing a publish request: pubnub_fast compiled vs pure vs the official SDK, side by side.

Run: ``python -m pytest bench/test_bench_signing.py --benchmark-only``. Each row signs the same
publish (same keys, path and query parameters, timestamp included) and produces the same
``v2.`` signature; the official row is ``pubnub.utils.sign_request`` on a real publish endpoint.
"""
import pytest

from pubnub_fast import _speedups

PUB = "pub-c-98863562-19a6-4760-bf0b-d537d1f5c582"
SUB = "sub-c-7ba2ac4c-4836-11e6-85a4-0619f8945a4f"
SECRET = "sec-c-MGFkMjQxYjMtNTUxZC00YzE3LWFiZGYtNzUwMjdjNmM3NDhk"
PATH = "/publish/%s/%s/0/ch1/0/%%7B%%22a%%22%%3A%%20%%22b%%20c%%22%%7D" % (PUB, SUB)
PARAMS = {"store": "1", "meta": '{"lang": "en"}', "pnsdk": "PubNub-Python/10.4.0", "uuid": "my_uuid",
          "timestamp": "1234567890"}


def _twin(kind):
    try:
        return _speedups.twin("signing", kind)
    except ImportError:
        pytest.skip("compiled twin not built")


@pytest.mark.benchmark(group="sign-publish")
@pytest.mark.parametrize("kind", ["c", "py"], ids=["pubnub_fast-compiled", "pubnub_fast-pure"])
def test_sign_publish_pubnub_fast(benchmark, kind):
    signing = _twin(kind)
    params = dict(PARAMS)
    signature = benchmark(signing.sign_request, SECRET, SUB, PUB, "GET", PATH, params, None)
    assert signature.startswith("v2.")


@pytest.mark.benchmark(group="sign-publish")
def test_sign_publish_official(benchmark):
    pubnub_pkg = pytest.importorskip("pubnub")
    from pubnub.enums import HttpMethod
    from pubnub.pnconfiguration import PNConfiguration
    from pubnub.pubnub import PubNub
    from pubnub.utils import sign_request

    config = PNConfiguration()
    config.publish_key, config.subscribe_key, config.secret_key, config.user_id = PUB, SUB, SECRET, "my_uuid"
    pn = PubNub(config)
    pn.timestamp = lambda: 1234567890
    endpoint = pn.publish().channel("ch1").message({"a": "b c"}).meta({"lang": "en"}).should_store(True)
    base = {"store": "1", "meta": '{"lang": "en"}', "pnsdk": "PubNub-Python/10.4.0", "uuid": "my_uuid"}

    def sign():
        params = dict(base)
        sign_request(endpoint, pn, params, HttpMethod.GET, None)
        return params["signature"]

    try:
        signature = benchmark(sign)
    finally:
        pn.stop()
    assert signature == _speedups.twin("signing", "py").sign_request(SECRET, SUB, PUB, "GET", PATH, PARAMS, None)
    assert pubnub_pkg
