"""Subscribe parsing: response bytes -> listener-ready result objects.

Groups ``subscribe-parse-plain`` and ``subscribe-parse-encrypted`` (100 messages; bodies from
``bench/conftest.py``), rows: the official ``pubnub`` SDK (10.8.0), pubnub_fast pure, pubnub_fast
compiled — all measured from the same bytes to the same end result. Each row first checks its
output (100 message results with the original payloads, no error), then is timed.

The pubnub_fast rows decrypt on the crypto twin of their row (pure row: pure AES and pure JSON
decoding of each plaintext), checked by counting the calls each twin receives.

Targets, checked in the compiled row against the official row of the same run (the official row
runs first): compiled >= 2.5x faster plain, >= 8x faster encrypted (median times). Every row
records its ratio in ``extra_info["x_vs_official"]`` (see ``--benchmark-json``).

    python -m pytest bench/test_bench_envelope.py --benchmark-only -q -p no:cacheprovider
"""
import pytest

from pubnub_fast import _speedups
from pubnub_fast.crypto import LegacyCryptoModule

TARGETS = {"subscribe-parse-plain": 2.5, "subscribe-parse-encrypted": 8.0}
ROWS = ["official", "pubnub_fast-pure", "pubnub_fast-compiled"]

def _check_official(result, subscribe_items):
    _, _, events = result
    assert [method for method, _ in events] == ["message"] * len(subscribe_items), "unexpected events"
    assert [event.message for _, event in events] == [item["d"] for item in subscribe_items]


def _check_ours(result, subscribe_items):
    _, _, events = result
    assert [method for method, _ in events] == ["message"] * len(subscribe_items)
    assert [event.message for _, event in events] == [item["d"] for item in subscribe_items]
    assert all(event.error is None for _, event in events)
    assert [event.timetoken for _, event in events] == [int(item["p"]["t"]) for item in subscribe_items]


def _twin(row, envelope_twin):
    return envelope_twin("c" if row == "pubnub_fast-compiled" else "py")


@pytest.mark.benchmark(group="subscribe-parse-plain")
@pytest.mark.parametrize("row", ROWS)
def test_subscribe_parse_plain(benchmark, record_ratio, row, plain_body, subscribe_items, official_subscribe_parser,
                               envelope_twin):
    group = "subscribe-parse-plain"
    benchmark.extra_info["body_bytes"] = len(plain_body)
    benchmark.extra_info["messages"] = len(subscribe_items)
    if row == "official":
        parse = official_subscribe_parser
        _check_official(parse(plain_body), subscribe_items)
        benchmark(parse, plain_body)
    else:
        parse = _twin(row, envelope_twin).parse_subscribe
        _check_ours(parse(plain_body), subscribe_items)
        benchmark(parse, plain_body)
    record_ratio(benchmark, group, row, TARGETS[group])


@pytest.mark.benchmark(group="subscribe-parse-encrypted")
@pytest.mark.parametrize("row", ROWS)
def test_subscribe_parse_encrypted(benchmark, record_ratio, row, encrypted_body, subscribe_items, cipher_config,
                                   official_encrypted_subscribe_parser, envelope_twin, twins_on, call_counter):
    group = "subscribe-parse-encrypted"
    benchmark.extra_info["body_bytes"] = len(encrypted_body)
    benchmark.extra_info["messages"] = len(subscribe_items)
    if row == "official":
        parse = official_encrypted_subscribe_parser
        _check_official(parse(encrypted_body), subscribe_items)
        benchmark(parse, encrypted_body)
    else:
        kind = "c" if row == "pubnub_fast-compiled" else "py"
        parse = _twin(row, envelope_twin).parse_subscribe
        # The row's crypto work (AES and the JSON of each plaintext) runs on the same twins as
        # its parsing: a crypto module of the default twins would make the pure row half compiled.
        crypto = call_counter(_speedups.twin("crypto", kind), "decrypt_b64")
        envelope = call_counter(_speedups.twin("envelope", kind), "loads_strict")
        with twins_on(kind, crypto.module, envelope.module):
            decrypt = LegacyCryptoModule(cipher_config).decrypt
            _check_ours(parse(encrypted_body, decrypt), subscribe_items)
        assert crypto.calls == {"decrypt_b64": len(subscribe_items)}, "decrypted by another twin"
        if kind == "py":  # (the compiled twin decodes plaintext with its own decoder, inside)
            assert envelope.calls == {"loads_strict": len(subscribe_items)}, "plaintext decoded by another twin"
        with twins_on(kind):
            decrypt = LegacyCryptoModule(cipher_config).decrypt
            _check_ours(parse(encrypted_body, decrypt), subscribe_items)
            benchmark(parse, encrypted_body, decrypt)
    record_ratio(benchmark, group, row, TARGETS[group])
