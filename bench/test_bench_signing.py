"""Signing a publish request: official SDK vs pubnub_fast pure vs compiled, side by side.

Run: ``python -m pytest bench/test_bench_signing.py --benchmark-only``. Each row signs the same
publish (same keys, path and query parameters, timestamp included) and produces the same
``v2.`` signature; the official row is ``pubnub.utils.sign_request`` on a real publish endpoint.
The compiled row must be at least ``TARGET`` times faster than the official row of the same run.
"""
import pytest

from pubnub_fast import _speedups

PUB = "pub-c-98863562-19a6-4760-bf0b-d537d1f5c582"
SUB = "sub-c-7ba2ac4c-4836-11e6-85a4-0619f8945a4f"
SECRET = "sec-c-MGFkMjQxYjMtNTUxZC00YzE3LWFiZGYtNzUwMjdjNmM3NDhk"
PATH = "/publish/%s/%s/0/ch1/0/%%7B%%22a%%22%%3A%%20%%22b%%20c%%22%%7D" % (PUB, SUB)
PARAMS = {"store": "1", "meta": '{"lang": "en"}', "pnsdk": "PubNub-Python/10.4.0", "uuid": "my_uuid",
          "timestamp": "1234567890"}
GROUP = "sign-publish"
TARGET = 5.0
ROWS = ["official", "pubnub_fast-pure", "pubnub_fast-compiled"]


def _official_signer():
    pytest.importorskip("pubnub")
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

    return sign, pn.stop


@pytest.mark.benchmark(group=GROUP)
@pytest.mark.parametrize("row", ROWS)
def test_sign_publish(benchmark, record_ratio, row):
    expected = _speedups.twin("signing", "py").sign_request(SECRET, SUB, PUB, "GET", PATH, PARAMS, None)
    if row == "official":
        sign, stop = _official_signer()
        try:
            signature = benchmark(sign)
        finally:
            stop()
    else:
        try:
            signing = _speedups.twin("signing", "c" if row == "pubnub_fast-compiled" else "py")
        except ImportError:
            pytest.skip("compiled twin not built")
        params = dict(PARAMS)
        signature = benchmark(signing.sign_request, SECRET, SUB, PUB, "GET", PATH, params, None)
    assert signature == expected
    record_ratio(benchmark, GROUP, row, TARGET)
