"""The CBOR codec of Access Manager v3 tokens: RFC 8949 known answers, round trips (with
hypothesis, and against cbor2 as an independent peer), strictness and limits on malformed input."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from pubnub_fast import _cbor
from pubnub_fast._cbor import CBORDecodeError, CBOREncodeError, dumps, loads

try:  # an independent implementation (installed with the official SDK, the interop peer)
    import cbor2
except ImportError:  # pragma: no cover
    cbor2 = None

needs_cbor2 = pytest.mark.skipif(cbor2 is None, reason="cbor2 (the interop peer) is not installed")

# RFC 8949 appendix A (the definite-length, untagged subset) — value, encoding
RFC_EXAMPLES = [
    (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"), (1000, "1903e8"),
    (1000000, "1a000f4240"), (1000000000000, "1b000000e8d4a51000"), (18446744073709551615, "1bffffffffffffffff"),
    (-18446744073709551616, "3bffffffffffffffff"), (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
    (1.1, "fb3ff199999999999a"), (-4.1, "fbc010666666666666"), (1.0e300, "fb7e37e43c8800759c"),
    (False, "f4"), (True, "f5"), (None, "f6"),
    (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"),
    ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ("\"\\", "62225c"), ("\u00fc", "62c3bc"),
    ("\u6c34", "63e6b0b4"), ("\U00010151", "64f0908591"),
    ([], "80"), ([1, 2, 3], "83010203"), ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"), ({1: 2, 3: 4}, "a201020304"), ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
    ({"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}, "a56161614161626142616361436164614461656145"),
]
# decode-only examples (floats the encoder writes as doubles)
RFC_DECODE_ONLY = [
    ("f90000", 0.0), ("f98000", -0.0), ("f93c00", 1.0), ("f93e00", 1.5), ("f97bff", 65504.0),
    ("fa47c35000", 100000.0), ("fa7f7fffff", 3.4028234663852886e38), ("f90001", 5.960464477539063e-8),
    ("f90400", 0.00006103515625), ("f9c400", -4.0), ("f97c00", math.inf), ("f9fc00", -math.inf),
    ("fa7f800000", math.inf), ("fb7ff0000000000000", math.inf),
    # non-shortest heads are accepted
    ("1800", 0), ("190001", 1), ("5800", b""), ("780161", "a"), ("9800", []), ("b800", {}),
]


@pytest.mark.parametrize("value, encoded", RFC_EXAMPLES, ids=[e for _, e in RFC_EXAMPLES])
def test_rfc_examples(value, encoded):
    assert dumps(value).hex() == encoded
    decoded = loads(bytes.fromhex(encoded))
    assert decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize("encoded, value", RFC_DECODE_ONLY, ids=[e for e, _ in RFC_DECODE_ONLY])
def test_rfc_decode_only(encoded, value):
    decoded = loads(bytes.fromhex(encoded))
    assert decoded == value and type(decoded) is type(value)
    if isinstance(value, float):
        assert math.copysign(1, decoded) == math.copysign(1, value)


def test_nan_decodes():
    for encoded in ("f97e00", "fa7fc00000", "fb7ff8000000000000"):
        assert math.isnan(loads(bytes.fromhex(encoded)))
    assert math.isnan(loads(dumps(math.nan)))


def test_tuples_and_bytes_like_encode_as_arrays_and_byte_strings():
    assert loads(dumps((1, (2,)))) == [1, [2]]
    assert loads(dumps(bytearray(b"ab"))) == b"ab"
    assert loads(dumps(memoryview(b"ab"))) == b"ab"
    assert loads(bytearray(dumps([1]))) == [1]
    assert loads(memoryview(dumps([1]))) == [1]


def test_map_keys_keep_their_types_and_order():
    value = {b"v": 1, "v": 2, 3: 4, None: 5, True: 6, 1.5: 7}
    decoded = loads(dumps(value))
    assert list(decoded.items()) == list(value.items())


# --- round trips --------------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 64), max_value=2 ** 64 - 1)
           | st.floats(allow_nan=False) | st.binary(max_size=64) | st.text(max_size=64))
keys = st.text(max_size=16) | st.binary(max_size=16) | st.integers(min_value=-(2 ** 64), max_value=2 ** 64 - 1)
values = st.recursive(scalars, lambda children: st.lists(children, max_size=8)
                      | st.dictionaries(keys, children, max_size=8), max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(values)
def test_round_trip(value):
    assert loads(dumps(value)) == value


@needs_cbor2
@settings(max_examples=300, deadline=None)
@given(values)
def test_round_trip_agrees_with_cbor2(value):
    assert cbor2.loads(dumps(value)) == value
    assert loads(cbor2.dumps(value)) == value


@needs_cbor2
@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2 ** 64), max_value=2 ** 64 - 1))
def test_integers_use_the_shortest_head(number):
    encoded = dumps(number)
    assert encoded == cbor2.dumps(number)
    assert loads(encoded) == number


# --- malformed input ----------------------------------------------------------------------------

MALFORMED = {
    "empty": "",
    "truncated uint8": "18",
    "truncated uint64": "1b0000",
    "truncated bytes": "4401",
    "truncated text": "62c3",
    "truncated array": "830102",
    "truncated map key": "a2010203",
    "truncated map value": "a101",
    "truncated half float": "f900",
    "truncated double": "fb3ff1",
    "indefinite bytes": "5f4101ff",
    "indefinite text": "7f6161ff",
    "indefinite array": "9f01ff",
    "indefinite map": "bf0102ff",
    "lone break": "ff",
    "tag": "c074323031332d30332d32315432303a30343a30305a",
    "bignum tag": "c249010000000000000000",
    "undefined": "f7",
    "simple value": "f0",
    "two-byte simple value": "f820",
    "reserved info 28": "1c",
    "reserved info 29 array": "9d",
    "reserved info 30 simple": "fe",
    "invalid utf-8": "62c328",
    "utf-8 surrogate": "63eda080",
    "trailing byte": "0000",
    "trailing item": "8001",
    "duplicate key": "a2616101616102",
    "array as key": "a1800102",
    "map as key": "a1a00102",
    "huge array": "9bffffffffffffffff",
    "huge map": "bbffffffffffffffff",
    "huge bytes": "5bffffffffffffffff",
    "array longer than input": "9a0000ffff00",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_is_rejected(name):
    with pytest.raises(CBORDecodeError):
        loads(bytes.fromhex(MALFORMED[name]))


def test_error_messages_say_where_and_why():
    with pytest.raises(CBORDecodeError, match="truncated.*offset 0"):
        loads(bytes.fromhex("830102"))
    with pytest.raises(CBORDecodeError, match="tag 0 at offset 0 is not supported"):
        loads(bytes.fromhex(MALFORMED["tag"]))
    with pytest.raises(CBORDecodeError, match="indefinite-length array"):
        loads(bytes.fromhex("9f01ff"))
    with pytest.raises(CBORDecodeError, match="duplicate map key 'a'"):
        loads(bytes.fromhex("a2616101616102"))
    with pytest.raises(CBORDecodeError, match="1 unexpected bytes"):
        loads(bytes.fromhex("0000"))
    with pytest.raises(TypeError):
        loads("not bytes")


def test_every_truncation_of_a_token_is_rejected():
    encoded = dumps({b"v": 2, b"t": 1632335843, b"res": {b"chan": {"ch1": 255}}, b"meta": {"f": 1.5, "n": None},
                     b"sig": bytes(32)})
    for end in range(len(encoded)):
        with pytest.raises(CBORDecodeError):
            loads(encoded[:end])


def test_deep_nesting_is_limited_not_a_recursion_error():
    bomb = b"\x81" * 100000 + b"\x00"
    with pytest.raises(CBORDecodeError, match="nesting deeper than 64"):
        loads(bomb)
    assert loads(b"\x81" * 64 + b"\x00", max_depth=64) is not None
    with pytest.raises(CBORDecodeError):
        loads(b"\x81" * 65 + b"\x00", max_depth=64)
    maps = b"\xa1\x00" * 100000 + b"\x00"
    with pytest.raises(CBORDecodeError):
        loads(maps)
    assert loads(b"\x81" * 500 + b"\x00", max_depth=1000)[0][0][0] is not None


def test_size_limit():
    with pytest.raises(CBORDecodeError, match="limit is 10"):
        loads(dumps(b"x" * 20), max_size=10)
    assert loads(dumps(b"x" * 20), max_size=22) == b"x" * 20


def _same(a, b):
    """``a`` and ``b`` are the same decoded CBOR value (types included; NaN is NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            _same(ka, kb) and _same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    return a == b


def _decodes_like_cbor2(data):
    """What ``loads(data)`` does, checked against cbor2: a value cbor2 reads the same (our decoder
    is the stricter one: it may refuse what cbor2 reads, never the other way round)."""
    try:
        value = loads(data)
    except CBORDecodeError as error:
        assert str(error), data
        return None
    if cbor2 is not None:
        assert _same(value, cbor2.loads(data)), (data, value)
    assert _same(loads(dumps(value)), value), (data, value)  # and it encodes back
    return value


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_decode_like_cbor2_or_raise_cbor_errors(data):
    _decodes_like_cbor2(data)
    if cbor2 is not None:
        try:
            cbor2.loads(data)
        except Exception:  # what cbor2 refuses, we refuse too
            with pytest.raises(CBORDecodeError):
                loads(data)


@settings(max_examples=200, deadline=None)
@given(values, st.data())
def test_corrupted_encodings_decode_like_cbor2_or_raise_cbor_errors(value, data):
    encoded = bytearray(dumps(value))
    index = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    encoded[index] = data.draw(st.integers(min_value=0, max_value=255))
    _decodes_like_cbor2(bytes(encoded))


@needs_cbor2
def test_known_corruptions():
    # a changed head is read as what it now says, or refused; never anything else
    assert _decodes_like_cbor2(bytes.fromhex("8301020304")) is None  # 3 items then a trailing byte
    assert _decodes_like_cbor2(bytes.fromhex("8201020304")) is None
    assert _decodes_like_cbor2(bytes.fromhex("8401020304")) == [1, 2, 3, 4]
    assert _decodes_like_cbor2(bytes.fromhex("a2616101616202")) == {"a": 1, "b": 2}
    assert _decodes_like_cbor2(bytes.fromhex("a2616101616101")) is None  # duplicate key
    assert _decodes_like_cbor2(bytes.fromhex("6261")) is None  # text shorter than declared
    assert _decodes_like_cbor2(bytes.fromhex("62c328")) is None  # invalid UTF-8
    assert _decodes_like_cbor2(bytes.fromhex("1b0000000000000001")) == 1


# --- encoding errors ----------------------------------------------------------------------------

def test_unencodable_values():
    for value in (2 ** 64, -(2 ** 64) - 1, {1, 2}, object(), "\ud800", {(1, 2): 3}, {frozenset(): 1}):
        with pytest.raises(CBOREncodeError):
            dumps(value)
    circular = []
    circular.append(circular)
    with pytest.raises(CBOREncodeError, match="self-referencing"):
        dumps(circular)
    loop = {}
    loop["me"] = loop
    with pytest.raises(CBOREncodeError):
        dumps(loop)


def test_encode_depth_limit_matches_decode_limit():
    nested = 0
    for _ in range(_cbor.DEFAULT_MAX_DEPTH):
        nested = [nested]
    assert loads(dumps(nested)) == nested
    with pytest.raises(CBOREncodeError):
        dumps([nested])
    deep = 0
    for _ in range(5000):
        deep = [deep]
    encoded = dumps(deep, max_depth=6000)  # no Python recursion in either direction
    assert encoded == b"\x81" * 5000 + b"\x00"
    assert dumps(loads(encoded, max_depth=6000), max_depth=6000) == encoded
