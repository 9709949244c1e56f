"""Filter-expression compiler: both twins (``filters_impl``) and the public ``pubnub_fast.filters``.

Known answers come from ``tests/vectors/filters.json`` (protocol.md §6.6 plus derived cases);
the semantics table below pins the choices documented in ``pubnub_fast.filters``; hypothesis
checks that ``matches`` never raises, that the compiled closures agree with the reference
interpreter, and that the compiled twin agrees with the pure one.
"""

import inspect
import json
import math
import pickle
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pubnub_fast import _speedups, filters
from pubnub_fast.filters import FilterSyntaxError

from .conftest import load_vectors

VECTORS = load_vectors("filters.json")
HYPOTHESIS = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300
)


PY = _speedups.twin("filters", "py")


@pytest.fixture
def c_twin(request):
    """The compiled twin, for tests comparing it with the pure one (skipped like ``c`` runs)."""
    if request.config.getoption("--no-c-extensions") or _speedups.extensions_disabled():
        pytest.skip("compiled twins disabled")
    try:
        return _speedups.twin("filters", "c")
    except ImportError as exc:
        pytest.skip("compiled twin of filters not built: %s" % exc)


def _reference_position(case):
    return int(re.search(r"at (\d+)", case["reference_parser"]).group(1))


# ---------------------------------------------------------------------------------------------
# filters.json
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["id"] for c in VECTORS["cases"]])
def test_vector_cases(filters_impl, case):
    compiled = filters_impl.compile_filter(case["expression"])
    assert compiled.matches(case["meta"], case["payload"]) is case["expected"]


@pytest.mark.parametrize("case", VECTORS["malformed"], ids=lambda c: c["expression"])
def test_vector_malformed(filters_impl, case):
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter(case["expression"])
    assert info.value.expression == case["expression"]
    assert info.value.position == _reference_position(case)
    assert info.value.reason


@pytest.mark.parametrize("case", VECTORS["not_malformed"], ids=lambda c: c["expression"])
def test_vector_not_malformed(filters_impl, case):
    assert filters_impl.compile_filter(case["expression"]).expression == case["expression"]


# The readings decisions.md dictates: §18 (grammar: '!' covers the comparison) and protocol.md
# §6.3 (an unquoted right-hand word is a meta path).
AMBIGUOUS_CHOICE = {
    "!meta.a == 1": "protocol.md §6.5 suggested grammar (not := '!' not | cmp): !(meta.a == 1)",
    "such=wow": "unquoted right-hand word is a meta path (protocol.md §6.3, inferred)",
}


@pytest.mark.parametrize("case", VECTORS["ambiguous"], ids=lambda c: c["expression"])
def test_vector_ambiguous_reading(filters_impl, case):
    expected = case["readings"][AMBIGUOUS_CHOICE[case["expression"]]]
    compiled = filters_impl.compile_filter(case["expression"])
    assert compiled.matches(case["meta"], case["payload"]) is expected


SYNTAX_SEEN_ERRORS = {  # the 'in' operator is not in the grammar
    '(region in ("east","west"))': 8,
    '("east" in region)': 8,
    '(!("central" in region))': 13,
}


@pytest.mark.parametrize("case", VECTORS["syntax_seen"], ids=lambda c: c["expression"])
def test_vector_syntax_seen(filters_impl, case):
    expression = case["expression"]
    if expression in SYNTAX_SEEN_ERRORS:
        with pytest.raises(FilterSyntaxError) as info:
            filters_impl.compile_filter(expression)
        assert info.value.position == SYNTAX_SEEN_ERRORS[expression]
    else:
        filters_impl.compile_filter(expression)


# ---------------------------------------------------------------------------------------------
# Semantics choices (pubnub_fast.filters docstring)
# ---------------------------------------------------------------------------------------------

NAN = float("nan")
INF = float("inf")

SEMANTICS = [
    # == / != across types
    ("meta.a == 1", {"a": 1.0}, None, True),
    ("meta.a == '7'", {"a": 7}, None, True),
    ("meta.a == 7", {"a": "7"}, None, True),
    ("meta.a == 7", {"a": "7.0"}, None, True),
    ("meta.a == 700", {"a": "7e2"}, None, True),
    ("meta.a == 7", {"a": " 7"}, None, False),
    ("meta.a == 7", {"a": "+7"}, None, False),
    ("meta.a == 7", {"a": "7_0"}, None, False),
    ("meta.a == 'NaN'", {"a": NAN}, None, False),
    ("data == meta.a", {"a": NAN}, NAN, False),  # the same NaN object: still not equal
    ("data != meta.a", {"a": NAN}, NAN, True),
    ("meta.a == meta.a", {"a": NAN}, None, False),
    ("meta.a == '1.0'", {"a": "1"}, None, False),
    ("meta.a == meta.b", {"a": "1.0", "b": 1}, None, True),
    ("meta.a == meta.b", {"a": "1.0", "b": "1"}, None, False),
    ("meta.a == 'East'", {"a": "east"}, None, False),
    ("meta.f == 'true'", {"f": True}, None, True),
    ("meta.f == 'false'", {"f": False}, None, True),
    ("meta.f == 'True'", {"f": True}, None, False),
    ("meta.f == 1", {"f": True}, None, True),
    ("meta.f == 0", {"f": False}, None, True),
    ("meta.f == meta.g", {"f": True, "g": True}, None, True),
    ("meta.f == meta.g", {"f": True, "g": 1}, None, True),
    ("meta.f == meta.g", {"f": True, "g": "1"}, None, False),
    ("meta.n == meta.m", {"n": None, "m": None}, None, True),
    ("meta.n == 'null'", {"n": None}, None, False),
    ("meta.n != 'x'", {"n": None}, None, True),
    ("meta.o == data", {"o": {"x": [1, "a"]}}, {"x": [1, "a"]}, True),
    ("meta.o == data", {"o": {"x": [1, "a"]}}, {"x": [1, "b"]}, False),
    ("meta.o == data", {"o": [1]}, {"0": 1}, False),
    ("meta.o == 'x'", {"o": ["x"]}, None, False),
    ("meta.x == meta.y", {}, None, False),
    ("meta.x != meta.y", {}, None, True),
    ("meta.a != 1", None, None, True),
    ("'x' == meta.a", {"a": "x"}, None, True),
    ("1 == 1", None, None, True),
    ("1 == 2", None, None, False),
    ("'a' != 'b'", None, None, True),
    ("(meta.a == 1) == 'true'", {"a": 1}, None, True),
    ("(!meta.a) == 1", {"a": 0}, None, True),
    ("!meta.a == 1", {"a": 0}, None, True),
    ("!meta.a == 1", {"a": 1}, None, False),
    # ordering: numbers and numeric strings only
    ("meta.f > 0", {"f": True}, None, False),
    ("meta.a < 'b'", {"a": "a"}, None, False),
    ("meta.a < meta.b", {"a": "2", "b": "10"}, None, True),
    ("5 < meta.a", {"a": 7}, None, True),
    ("5 >= meta.a", {"a": 7}, None, False),
    ("meta.a > 5", {"a": 10**1000}, None, True),
    ("meta.a > 5", {"a": "1" * 5000}, None, True),
    ("meta.a < 99999999999999999999999999999999999999999999999", {"a": 10**30}, None, True),
    ("meta.a > 1", {"a": NAN}, None, False),
    ("meta.a <= 1", {"a": NAN}, None, False),
    ("meta.a < 1", {"a": -INF}, None, True),
    ("meta.a >= -1", {"a": None}, None, False),
    ("meta.a >= 1", {"a": [2]}, None, False),
    ("meta.a > 'x'", {"a": 2}, None, False),
    # arithmetic
    ("7 / 2 == 3.5", None, None, True),
    ("6 / 3 == 2", None, None, True),
    ("-7 % 3 == -1", None, None, True),
    ("7 % -3 == 1", None, None, True),
    ("meta.a % 2 == -1", {"a": -7.0}, None, True),
    ("meta.a % 2 == 1", {"a": "7"}, None, True),
    ("0.1 + 0.2 == 0.3", None, None, False),
    ("meta.a / 0 == 1", {"a": 1}, None, False),
    ("meta.a / 0 != 1", {"a": 1}, None, True),
    ("meta.a / 0", {"a": 1}, None, False),
    ("meta.a % 0 > -1", {"a": 1}, None, False),
    ("meta.a / meta.b < 1", {"a": 1, "b": 0.0}, None, False),
    ("meta.a % 2 == 0", {"a": INF}, None, False),
    ("meta.a % 2 != 0", {"a": INF}, None, True),
    ("meta.a % meta.b == 1", {"a": 1, "b": INF}, None, True),
    ("meta.a - meta.a == 0", {"a": INF}, None, False),
    ("meta.a + 1 == 2", {"a": True}, None, False),
    ("meta.a + 1 != 2", {"a": True}, None, True),
    ("meta.a + 1 == 2", {"a": "1"}, None, True),
    ("meta.a + 1 == 2", {"a": "x"}, None, False),
    ("meta.a + meta.b > 0", {"a": 1}, None, False),
    ("meta.a * meta.a > 100", {"a": 10**30}, None, True),
    ("meta.a * meta.a * meta.a * meta.a * meta.a > 0", {"a": 10**4000}, None, True),
    ("meta.a * meta.a == meta.b", {"a": 10**200, "b": 10**400}, None, False),
    ("meta.a + 1 > meta.a", {"a": 2**62}, None, True),
    ("meta.a * 2 == 18446744073709551616", {"a": 2**63}, None, True),
    ("-meta.a == -5", {"a": "5"}, None, True),
    ("-meta.a == 5", {"a": "x"}, None, False),
    ("--5 == 5", None, None, True),
    ("- 5 + 10 == 5", None, None, True),
    ("meta.a + meta.b * 2 == 7", {"a": 1, "b": 3}, None, True),
    ("meta.a - meta.b - meta.c == 0", {"a": 6, "b": 3, "c": 3}, None, True),
    ("meta.a / meta.b * meta.c == 6", {"a": 6, "b": 3, "c": 3}, None, True),
    # truthiness of a bare operand
    ("meta.a", {"a": 0}, None, False),
    ("meta.a", {"a": 0.0}, None, False),
    ("meta.a", {"a": NAN}, None, False),
    ("meta.a", {"a": ""}, None, False),
    ("meta.a", {"a": None}, None, False),
    ("meta.a", {"a": False}, None, False),
    ("meta.a", {}, None, False),
    ("meta.a", {"a": "0"}, None, True),
    ("meta.a", {"a": "false"}, None, True),
    ("meta.a", {"a": []}, None, True),
    ("meta.a", {"a": {}}, None, True),
    ("meta.a", {"a": True}, None, True),
    ("meta.a", {"a": -1}, None, True),
    ("meta.a", {"a": INF}, None, True),
    ("meta", None, None, False),
    ("!meta", None, None, True),
    ("meta", {}, None, True),
    ("data", None, None, False),
    ("data", None, "x", True),
    ("'x'", None, None, True),
    ("''", None, None, False),
    ("0", None, None, False),
    # logic
    ("meta.a && meta.b", {"a": 1, "b": 0}, None, False),
    ("meta.a || meta.b", {"a": 1, "b": 0}, None, True),
    ("meta.a && meta.b && meta.c", {"a": 1, "b": 1, "c": 1}, None, True),
    ("meta.a || meta.b || meta.c", {"a": 0, "b": 0, "c": 0}, None, False),
    ("!meta.a", {"a": 0}, None, True),
    ("!!meta.a", {"a": "x"}, None, True),
    ("meta.a == 1 || meta.b == 1 && meta.c == 1", {"a": 0, "b": 1, "c": 0}, None, False),
    ("(meta.a == 1 || meta.b == 1) && meta.c == 1", {"a": 1, "b": 0, "c": 0}, None, False),
    ("!meta.a && meta.b", {"a": 0, "b": 1}, None, True),
    # paths
    ("data == 'hello'", None, "hello", True),
    ("data.a", None, "str", False),
    ("data[0] == 'x'", None, ["x"], True),
    ("data[1] == 'x'", None, ["x"], False),
    ("data[0] == 'x'", None, {"0": "x"}, True),
    ("data['0'] == 'x'", None, ["x"], False),
    ("data[0] == 'x'", None, "xyz", False),
    ("data[99999999999999999999999999] == 'x'", None, ["x"], False),
    ("data.a.b.c == 1", None, {"a": {"b": {"c": 1}}}, True),
    ("data.a.b.c == 1", None, {"a": {"b": [1]}}, False),
    ("data.a[0][1] == 2", None, {"a": [[1, 2]]}, True),
    ("data.a[0][1] == 2", None, {"a": ((1, 2),)}, True),
    ("meta.a[0].b == 'x'", {"a": [{"b": "x"}]}, None, True),
    ("meta['k-1'] == 1", {"k-1": 1}, None, True),
    ('meta["clé"] == "v"', {"clé": "v"}, None, True),
    ("meta.meta == 1", {"meta": 1}, None, True),
    ("meta.data == 1", {"data": 1}, None, True),
    ("data.meta == 1", {"meta": 1}, {"meta": 2}, False),
    ("meta.like == 1 && meta.CONTAINS == 2", {"like": 1, "CONTAINS": 2}, None, True),
    ("foo.bar == 1", {"foo": {"bar": 1}}, None, True),
    ("foo.bar == 1", "not an object", None, False),
    ("Meta.x == 1", {"Meta": {"x": 1}}, None, True),
    ("meta == 'm'", "m", None, True),
    # LIKE
    ("meta.s LIKE 'a*c'", {"s": "ABC"}, None, True),
    ("meta.s LIKE 'a*c'", {"s": "ac"}, None, True),
    ("meta.s LIKE 'a*c'", {"s": "acb"}, None, False),
    ("meta.s LIKE 'a*'", {"s": "A"}, None, True),
    ("meta.s LIKE 'a*'", {"s": "ba"}, None, False),
    ("meta.s LIKE '*'", {"s": ""}, None, True),
    ("meta.s LIKE ''", {"s": ""}, None, True),
    ("meta.s LIKE ''", {"s": "x"}, None, False),
    ("meta.s LIKE 'abc'", {"s": "aBc"}, None, True),
    ("meta.s LIKE 'ab*ba'", {"s": "aba"}, None, False),
    ("meta.s LIKE 'ab*ba'", {"s": "abba"}, None, True),
    ("meta.s LIKE 'a*b*b'", {"s": "abb"}, None, True),
    ("meta.s LIKE 'a*b*b'", {"s": "ab"}, None, False),
    ("meta.s LIKE '*a*b*c*'", {"s": "xxAxxbxxcxx"}, None, True),
    ("meta.s LIKE '*a*b*c*'", {"s": "xxcxxbxxaxx"}, None, False),
    ("meta.s LIKE '**'", {"s": "q"}, None, True),
    (r"meta.s LIKE 'a\*'", {"s": "a*"}, None, True),
    (r"meta.s LIKE 'a\*'", {"s": "ab"}, None, False),
    (r"meta.s LIKE 'a\\*'", {"s": "a*"}, None, True),  # the literal's \\ is \, then \* is *
    (r"meta.s LIKE 'a\\\\*'", {"s": "a\\xyz"}, None, True),
    (r"meta.s LIKE 'a\\\\*'", {"s": "axyz"}, None, False),
    (r"meta.s LIKE 'a\x'", {"s": "ax"}, None, True),
    (r"meta.s LIKE 'a\\'", {"s": "a\\"}, None, True),  # trailing lone backslash: literal
    ("meta.s LIKE 'STRASSE'", {"s": "straße"}, None, True),
    ("meta.s LIKE '1*'", {"s": 12}, None, False),
    ("meta.s LIKE 5", {"s": "5"}, None, False),
    ("meta.s LIKE meta.p", {"s": "abc", "p": "A*"}, None, True),
    ("meta.s LIKE meta.p", {"s": "abc"}, None, False),
    ("meta.s like 'x' || meta.s LiKe 'y'", {"s": "Y"}, None, True),
    ("'ABC' LIKE 'a*'", None, None, True),
    ("meta.s LIKE '.*'", {"s": "abc"}, None, False),  # no regular expressions
    ("meta.s LIKE 'a?c'", {"s": "abc"}, None, False),
    ("meta.s LIKE 'EAST%'", {"s": "east1"}, None, False),
    # CONTAINS
    ("meta.t CONTAINS 'b'", {"t": "abc"}, None, True),
    ("meta.t CONTAINS 'B'", {"t": "abc"}, None, False),
    ("meta.t CONTAINS ''", {"t": "abc"}, None, True),
    ("meta.t CONTAINS 2", {"t": ["1", "2"]}, None, True),
    ("meta.t CONTAINS '2'", {"t": [2]}, None, True),
    ("meta.t CONTAINS 'true'", {"t": [True]}, None, True),
    ("meta.t CONTAINS 2", {"t": "123"}, None, False),
    ("meta.t CONTAINS 'a'", {"t": {"a": 1}}, None, False),
    ("meta.t CONTAINS meta.x", {"t": [1]}, None, False),
    ("meta.t CONTAINS meta.x", {"t": [1], "x": "1"}, None, True),
    ("meta.t CONTAINS data", {"t": [[1, 2]]}, [1, 2], True),
    ("meta.t contains 'x'", {"t": ("x",)}, None, True),
    ("meta.t CONTAINS 'x'", {}, None, False),
    ("'abc' CONTAINS meta.x", {"x": "b"}, None, True),
    # '=' is '==', bare words are paths
    ("a=1", {"a": 1}, None, True),
    ("such=wow", {"such": "wow"}, None, False),
    ("such=wow", {"such": "x", "wow": "x"}, None, True),
    ("language!=spanish", None, "Hello!", True),
    ("meta.a == true", {"a": True}, None, False),
    ("meta.a == true", {"a": True, "true": True}, None, True),
    # string literals
    ('meta.a == "say \\"hi\\""', {"a": 'say "hi"'}, None, True),
    (r"meta.a == 'a\\b'", {"a": "a\\b"}, None, True),
    (r"meta.a == 'a\nb'", {"a": "a\\nb"}, None, True),
    (r"meta.a == 'a\nb'", {"a": "a\nb"}, None, False),
    ("meta.a == '\u00e9\u4e2d'", {"a": "\u00e9\u4e2d"}, None, True),
    # whitespace
    ("\tmeta.a\n==\r\n'x'\f", {"a": "x"}, None, True),
    ("meta . a [ 0 ] == 1", {"a": [1]}, None, True),
    # empty filter: everything passes
    ("", None, None, True),
    ("  \n\t", {"a": 1}, "x", True),
]


@pytest.mark.parametrize(
    "expression,meta,payload,expected", SEMANTICS, ids=[repr(s[0]) for s in SEMANTICS]
)
def test_semantics(filters_impl, expression, meta, payload, expected):
    assert filters_impl.compile_filter(expression).matches(meta, payload) is expected


def test_deeply_nested_values_do_not_crash(filters_impl):
    deep_a = []
    deep_b = []
    for _ in range(100000):
        deep_a = [deep_a]
        deep_b = [deep_b]
    compiled = filters_impl.compile_filter("meta.a == data")
    assert compiled.matches({"a": deep_a}, deep_b) is False
    # comparing them exhausts the stack: "not equal", so the array does not contain it
    assert filters_impl.compile_filter("meta.a CONTAINS data").matches({"a": [deep_a]}, deep_b) is False
    assert filters_impl.compile_filter("meta.a CONTAINS 1").matches({"a": [deep_a, 1]}, None) is True
    assert filters_impl.compile_filter("meta.a[0][0][0]").matches({"a": deep_a}, None) is True


def test_non_json_objects_do_not_crash(filters_impl):
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("boom")

        __hash__ = object.__hash__

    weird = {"a": Weird(), "b": [Weird()], "c": b"bytes", "d": object()}
    for expression, expected in (
        ("meta.a == 1", False),  # not a JSON value: equal to nothing
        ("meta.a != data", True),
        ("meta.b == data", False),  # two arrays whose elements' == raises: not equal
        ("meta.b CONTAINS 'x'", False),
        ("meta.c LIKE 'b*'", False),  # bytes are not a string
        ("meta.c CONTAINS 'b'", False),
        ("meta.d > 1", False),  # not a number
        ("meta.d + 1 == 2", False),
        ("meta.d + 1 != 2", True),  # arithmetic on it is missing
        ("meta.a", True),  # any other value is truthy
        ("!meta.d", False),
        ("-meta.c", False),
    ):
        assert filters_impl.compile_filter(expression).matches(weird, [Weird()]) is expected, expression


# ---------------------------------------------------------------------------------------------
# Errors: positions, messages, limits
# ---------------------------------------------------------------------------------------------

ERRORS = [
    ("meta.a == 'b' == 'c'", 14, "chained"),
    ("meta.a < 1 < 2", 11, "chained"),
    ("meta.a LIKE 'x' LIKE 'y'", 16, "chained"),
    ("meta.a[1.5] == 1", 7, "whole number"),
    ("meta.a['x' == 1", 11, "expected ']'"),
    ("meta.a.", 7, "after '.'"),
    ("meta.a.1 == 2", 7, "after '.'"),
    ("meta.a == 'it''s'", 14, "missing && or ||"),
    ("meta.a[-1] == 2", 7, "index"),
    ("meta.a[meta.b] == 2", 7, "index"),
    ("(meta.a)[0] == 1", 8, "unexpected '['"),
    ("'abc'.x == 1", 5, "unexpected '.'"),
    ("meta.a == 'x' 'y'", 14, "missing && or ||"),
    ("meta.a == 1 (meta.b)", 12, "missing && or ||"),
    ("meta.a == 1 !meta.b", 12, "missing && or ||"),
    ("meta.a == !meta.b", 10, "unexpected '!'"),
    ("-!meta.a", 1, "unexpected '!'"),
    ("meta.a !== 1", 9, "unexpected '='"),
    ("meta.a = = 1", 9, "unexpected '='"),
    ("meta.a <> 1", 8, "unexpected '>'"),
    ("meta.a => 1", 8, "unexpected '>'"),
    ("LIKE 'x'", 0, "unexpected 'LIKE'"),
    ("contains == 1", 0, "unexpected 'contains'"),
    ("meta.a == 1.", 11, "unexpected '.'"),
    ("meta.a == .5", 10, "unexpected '.'"),
    ("meta.a == 1e5", 11, "missing && or ||"),
    ("meta.a in ('x')", 7, "missing && or ||"),
    ("meta.a == 'x' and meta.b == 'y'", 14, "missing && or ||"),
    ("meta.a == 'x' ; 1", 14, "unexpected character ';'"),
    ('meta.a == "x\\"', 10, "unterminated"),
    ("meta.a == 'x' || meta.b == 'y", 27, "unterminated"),
    ("x == 1 ) || (y == 2", 7, "unexpected ')'"),
    ("((meta.a == 1)", 14, "close the '(' at position 0"),
    ("ü == 1", 0, "unexpected character 'ü'"),
    ("meta.é == 1", 5, "unexpected character 'é'"),
    ("'é' == meta.a meta.b", 14, "missing && or ||"),
    ("meta.a == 1 &&", 14, "end of input"),
    ("meta.a == 1 ||\n", 15, "end of input"),
    ("   ==", 3, "unexpected '=='"),
    ("#", 0, "unexpected character '#'"),
    ("meta.a\x00 == 1", 6, "unexpected character"),
    ("'x' ==", 6, "end of input"),
    ("meta.a == 1 # ( unclosed", 12, "unexpected character '#'"),
    ("meta.a == 1 ) # later problem", 12, "unexpected ')'"),
]


@pytest.mark.parametrize("expression,position,fragment", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_positions(filters_impl, expression, position, fragment):
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter(expression)
    error = info.value
    assert (error.position, fragment in error.reason) == (position, True), error.reason
    assert error.expression == expression
    assert isinstance(error, ValueError)


def test_error_message_shows_the_position(filters_impl):
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter("meta.a == 'b' meta.c == 'd'")
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "invalid filter expression: unexpected 'meta' (missing && or || before it?) at position 14"
    )
    assert lines[1] == "  meta.a == 'b' meta.c == 'd'"
    assert lines[2] == "  " + " " * 14 + "^"


def test_error_message_window_and_control_characters(filters_impl):
    expression = "meta.a == 1 &&\n\t" + " meta.b == 2 &&" * 20 + " )"
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter(expression)
    position = info.value.position
    assert position == len(expression) - 1
    _, shown, caret = str(info.value).split("\n")
    assert shown.startswith("  ...") and len(shown) < 80
    assert shown[caret.index("^")] == ")"
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter("a ==\n\t#")
    _, shown, caret = str(info.value).split("\n")
    assert shown == "  a ==  #" and caret.index("^") == shown.index("#")


def test_error_pickles(filters_impl):
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter("a ==")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.expression, copy.position, copy.reason) == ("a ==", 4, info.value.reason)
    assert str(copy) == str(info.value)


def test_not_a_string(filters_impl):
    for value in (None, b"a == 1", 1, ["a"]):
        with pytest.raises(TypeError):
            filters_impl.compile_filter(value)


def test_size_limit(filters_impl):
    limit = filters.MAX_EXPRESSION_LENGTH
    assert limit == 4096
    fits = "meta.a == '" + "x" * (limit - 12) + "'"
    assert len(fits) == limit
    assert filters_impl.compile_filter(fits).matches({"a": "x" * (limit - 12)}, None) is True
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter(fits + " ")
    assert info.value.position == limit and "longer than 4096" in info.value.reason
    with pytest.raises(FilterSyntaxError):
        filters_impl.compile_filter("x" * 10**6)


@pytest.mark.parametrize("opener,closer", [("(", ")"), ("!", ""), ("-", ""), ("!(", ")")])
def test_nesting_limit(filters_impl, opener, closer):
    # Every '(', '!' and unary '-' opens one level (so "!(" opens two).
    depth = filters.MAX_NESTING_DEPTH
    assert depth == 32
    repeats = depth // len(opener)
    filters_impl.compile_filter(opener * repeats + "meta.a" + closer * repeats)
    too_deep = opener * (repeats + 1) + "meta.a" + closer * (repeats + 1)
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter(too_deep)
    assert info.value.position == depth  # the 33rd opener
    assert "nested more than 32" in info.value.reason


def test_nesting_limit_exact_position(filters_impl):
    expression = "(" * 10 + "!" * 10 + "-" * 12 + "(meta.a)" + ")" * 10
    with pytest.raises(FilterSyntaxError) as info:
        filters_impl.compile_filter(expression)
    assert info.value.position == 32
    filters_impl.compile_filter("(" * 10 + "!" * 10 + "-" * 12 + "meta.a" + ")" * 10)


@pytest.mark.parametrize("depth", [100, 1000, 2000, 10000, 100000])
def test_deep_nesting_is_a_syntax_error_not_a_recursion_error(filters_impl, depth):
    for expression in (
        "(" * depth + "meta.a" + ")" * depth,
        "!" * depth + "meta.a",
        "-" * depth + "1 == 1",
        "(!" * depth + "meta.a" + ")" * depth,
        "(" * depth,
    ):
        with pytest.raises(FilterSyntaxError):
            filters_impl.compile_filter(expression)


def test_long_flat_chains_compile_and_evaluate(filters_impl):
    # Chains are flat: their length (up to the size limit) is never stack depth.
    meta = {"a": 1, "b": 2}
    ors = "a==2||" * 600 + "b==2"
    ands = "a==1&&" * 600 + "b==3"
    sums = "a" + "+a" * 2000 + "==2001"
    prods = "a" + "*b" * 2000 + ">0"  # 2**2000: continues as a float (inf)
    mixed = "a" + "+a*b-a/b" * 400 + "==601"
    for expression, expected in (
        (ors, True),
        (ands, False),
        (sums, True),
        (prods, True),
        (mixed, True),
    ):
        assert len(expression) <= filters.MAX_EXPRESSION_LENGTH
        assert filters_impl.compile_filter(expression).matches(meta, None) is expected


def test_compiled_filter_object(filters_impl):
    compiled = filters_impl.compile_filter("such=wow")
    assert compiled.expression == "such=wow"
    assert isinstance(compiled, filters_impl.CompiledFilter)
    assert repr(compiled) == "CompiledFilter(expression='such=wow')"
    with pytest.raises(AttributeError):
        compiled.expression = "other"
    direct = filters_impl.CompiledFilter(expression="meta.a == 1")
    assert direct.matches({"a": 1}, None) is True
    with pytest.raises(TypeError):
        filters_impl.CompiledFilter("meta.a == 1")  # keyword-only
    with pytest.raises(FilterSyntaxError):
        filters_impl.CompiledFilter(expression="meta.a ==")
    copy = pickle.loads(pickle.dumps(direct))
    assert copy.expression == "meta.a == 1" and copy.matches({"a": "1"}, None) is True
    assert compiled.matches(meta={"such": "x", "wow": "x"}, payload=None) is True


def test_twin_exports(filters_impl):
    for name in filters.__all__:
        assert hasattr(filters_impl, name), name
    assert filters_impl.FilterSyntaxError is FilterSyntaxError
    assert filters_impl.MAX_EXPRESSION_LENGTH == filters.MAX_EXPRESSION_LENGTH
    assert filters_impl.MAX_NESTING_DEPTH == filters.MAX_NESTING_DEPTH


@pytest.mark.c_extension
def test_twin_signatures_match(c_twin):
    assert inspect.signature(c_twin.compile_filter) == inspect.signature(PY.compile_filter)
    assert inspect.signature(c_twin.CompiledFilter.matches) == inspect.signature(
        PY.CompiledFilter.matches
    )
    assert sorted(c_twin.__all__) == sorted(PY.__all__)


# ---------------------------------------------------------------------------------------------
# The public module
# ---------------------------------------------------------------------------------------------


def test_public_module():
    compiled = filters.compile_filter("meta.priority == 'high' && data.score > 80")
    assert compiled.matches({"priority": "high"}, {"score": 90}) is True
    assert compiled.matches({"priority": "high"}, {"score": 80}) is False
    assert isinstance(compiled, filters.CompiledFilter)
    assert filters.CompiledFilter is _speedups.twin("filters").CompiledFilter
    with pytest.raises(FilterSyntaxError) as info:
        filters.compile_filter("meta.a == ")
    assert info.value.position == 10
    assert str(info.value).startswith("invalid filter expression: unexpected end of input at ")
    assert issubclass(filters.FilterSyntaxError, ValueError)
    with pytest.raises(AttributeError):
        filters.NoSuchThing  # noqa: B018
    namespace = {}
    exec("from pubnub_fast.filters import *", namespace)  # noqa: S102 - checks __all__
    assert set(filters.__all__) <= set(namespace)


def test_public_module_uses_the_selected_twin():
    selected = _speedups.twin("filters")
    assert filters._impl is selected
    assert _speedups.report()["filters"] == selected.__name__.rsplit("_", 1)[1]


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------

KEYS = ["a", "b", "c", "x", "0", "1", "such", "wow", "tags", "s"]
TEXTS = [
    "",
    "a",
    "A",
    "abc",
    "ABC",
    "7",
    "-3",
    "1.5",
    "1e3",
    "007",
    "true",
    "false",
    "x*y",
    "a*",
    "é",
    "ß",
    "SS",
    " 7",
    "null",
    "1" * 50,
]
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10),
    st.integers(),
    st.sampled_from([2**63, -(2**63), 10**30, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TEXTS),
    st.text(max_size=6),
)
json_values = st.recursive(
    leaf,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=4)
    ),
    max_leaves=12,
)
metas = st.one_of(
    st.none(), st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6), json_values
)

PATHS = [
    "meta.a",
    "meta.b",
    "a",
    "b",
    "c",
    "x",
    "tags",
    "s",
    "meta",
    "data",
    "data.a",
    "data.b[0]",
    "data[1]",
    "meta.c['x']",
    "data['a']",
    "meta.tags[0]",
    "c.x",
    "meta[0]",
    "data.b[0].a",
    "meta.a[1]",
    "meta.wow",
    "such",
]
LITERALS = [
    "0",
    "1",
    "2",
    "7",
    "10",
    "3.5",
    "0.5",
    "100",
    "99999999999999999999999",
    "1" * 45,
    "'a'",
    "'A'",
    "'abc'",
    '"7"',
    "'1.5'",
    "'true'",
    "'false'",
    "''",
    "'a*'",
    "'*B*'",
    r"'a\*'",
    r"'\\'",
    "'*'",
    '"x\\"y"',
    "'é'",
    "'ss'",
    "'null'",
    "'-3'",
]
atoms = st.sampled_from(PATHS + LITERALS)
values = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%"]), inner).map(" ".join),
        inner.map(lambda v: "-" + v),
        inner.map(lambda v: "(" + v + ")"),
    ),
    max_leaves=4,
)
CMP_OPS = ["==", "=", "!=", "<", "<=", ">", ">=", "LIKE", "like", "CONTAINS", "contains"]
comparisons = st.tuples(values, st.sampled_from(CMP_OPS), values).map(" ".join)
expressions = st.recursive(
    comparisons | values,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["&&", "||"]), inner).map(" ".join),
        inner.map(lambda e: "!" + e),
        inner.map(lambda e: "!(" + e + ")"),
        inner.map(lambda e: "(" + e + ")"),
    ),
    max_leaves=6,
)
FIXED_EXPRESSIONS = [c["expression"] for c in VECTORS["cases"]] + [s[0] for s in SEMANTICS]
# Text built from the language's own characters, to reach every error path.
noise = st.text(alphabet="metadx.[]()'\"\\ =!<>&|+-*/%019LIKEcontains_é#\t\n", max_size=40)


@HYPOTHESIS
@given(expression=st.sampled_from(FIXED_EXPRESSIONS) | expressions, meta=metas, payload=json_values)
def test_matches_never_raises(filters_impl, expression, meta, payload):
    result = filters_impl.compile_filter(expression).matches(meta, payload)
    assert result is True or result is False


@HYPOTHESIS
@given(expression=noise | st.text(max_size=30))
def test_compile_raises_only_filter_syntax_error(filters_impl, expression):
    try:
        compiled = filters_impl.compile_filter(expression)
    except FilterSyntaxError as error:
        assert 0 <= error.position <= len(expression)
        assert error.reason and str(error)
    else:
        assert compiled.matches({"a": 1}, {"a": [1]}) in (True, False)


@HYPOTHESIS
@given(expression=expressions, meta=metas, payload=json_values)
def test_compiled_closures_agree_with_the_reference_interpreter(expression, meta, payload):
    ast = PY._parse(expression)
    expected = PY._truthy(PY._interpret(ast, meta, payload))
    assert PY.compile_filter(expression).matches(meta, payload) is expected


def _outcome(module, expression):
    try:
        return module.compile_filter(expression)
    except FilterSyntaxError as error:
        return (error.position, error.reason)


@pytest.mark.c_extension
@HYPOTHESIS
@given(expression=expressions | st.sampled_from(FIXED_EXPRESSIONS), meta=metas, payload=json_values)
def test_c_twin_matches_like_the_pure_twin(c_twin, expression, meta, payload):
    py_result = PY.compile_filter(expression).matches(meta, payload)
    assert c_twin.compile_filter(expression).matches(meta, payload) is py_result


@pytest.mark.c_extension
@HYPOTHESIS
@given(expression=noise | st.text(max_size=30) | expressions)
def test_c_twin_errors_like_the_pure_twin(c_twin, expression):
    py_outcome = _outcome(PY, expression)
    c_outcome = _outcome(c_twin, expression)
    if isinstance(py_outcome, tuple):
        assert c_outcome == py_outcome
    else:
        assert not isinstance(c_outcome, tuple), c_outcome
        assert c_outcome.matches({"a": 1}, None) is py_outcome.matches({"a": 1}, None)


@HYPOTHESIS
@given(value=json_values | metas)
def test_equality_is_reflexive_for_non_nan_scalars(filters_impl, value):
    compiled = filters_impl.compile_filter("data == meta.v")
    result = compiled.matches({"v": value}, value)
    if isinstance(value, float) and math.isnan(value):
        assert result is False
    elif value is None or isinstance(value, (bool, int, float, str)):
        assert result is True
    else:
        assert result in (True, False)


def test_vectors_file_is_the_shared_copy():
    # tests/vectors/filters.json is copied verbatim from /work/shared/vectors.
    assert VECTORS["generated_by"] == "vectorgen/gen_filters.py"
    assert len(VECTORS["malformed"]) == 22 and len(VECTORS["cases"]) >= 62
    json.dumps(VECTORS)


# ---------------------------------------------------------------------------------------------
# Ordering: an independent oracle
# ---------------------------------------------------------------------------------------------
# The reference-interpreter property above reads the same operator table (``_ORDER_OPS``) as the
# compiler, so a wrong entry there is wrong on both sides, and the random c-vs-pure comparison
# cannot see a bug both twins share. This oracle shares nothing with either twin: every pair of
# operands below is labelled by hand with how its two values relate ("lt", "eq", "gt", or
# "none" when ordering does not apply), and ORDER_TRUTH says by hand what each operator answers
# for each label. The pairs are then written into expressions of every shape the compilers
# treat differently (two paths, a path and a constant on either side, two constants, arithmetic
# on a side, data vs meta), so an operator swap in any one of them (say ``<`` <-> ``<=``) fails
# here in the pure pass as well as in the compiled one.

ORDER_TRUTH = {
    #        lt     eq     gt     none
    "<": (True, False, False, False),
    "<=": (True, True, False, False),
    ">": (False, False, True, False),
    ">=": (False, True, True, False),
}
RELATIONS = ("lt", "eq", "gt", "none")

# (left value, right value, relation of left to right)
ORDER_PAIRS = [
    # equal values: numbers, numeric strings, mixed
    (7, 7, "eq"),
    (7, 7.0, "eq"),
    (7.0, 7, "eq"),
    (0, 0, "eq"),
    (-3, -3, "eq"),
    (0.5, 0.5, "eq"),
    (7, "7", "eq"),
    ("7", 7, "eq"),
    ("7.0", 7, "eq"),
    (7, "7.0", "eq"),
    ("1e1", 10, "eq"),
    ("-0", 0, "eq"),
    (0.5, "0.5", "eq"),
    ("7", "7", "eq"),
    ("10", "1e1", "eq"),
    ("-2", "-2.0", "eq"),
    (10**20, 10**20, "eq"),
    (2**63, 2**63, "eq"),
    (10**30, "1" + "0" * 30, "eq"),
    # one step apart either way
    (6, 7, "lt"),
    (7, 8, "lt"),
    (-1, 0, "lt"),
    ("6", 7, "lt"),
    (6.5, "7", "lt"),
    ("2", "10", "lt"),  # numerically, not as text
    (6.999, 7, "lt"),
    (8, 7, "gt"),
    ("8", 7, "gt"),
    (7, "6.5", "gt"),
    ("10", "9", "gt"),
    (0, -1, "gt"),
    (10**20 + 1, 10**20, "gt"),
    # ordering does not apply: booleans, non-numeric strings, null, containers, NaN
    (True, 1, "none"),
    (1, True, "none"),
    (False, 0, "none"),
    ("abc", "abc", "none"),
    ("b", "a", "none"),
    (None, None, "none"),
    (None, 0, "none"),
    ([1], [1], "none"),
    ({"x": 1}, 1, "none"),
    ("7 ", 7, "none"),
    ("+7", 7, "none"),
    ("NaN", 1, "none"),
    ("", 0, "none"),
]


def _order_literal(value):
    """``value`` written as a filter literal, or None when the language has no literal for it."""
    if value is True or value is False or value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, str):
        return "'%s'" % value
    if isinstance(value, int):
        return str(value) if value >= 0 else "-%d" % -value
    text = repr(value)
    if "e" in text or "inf" in text or "nan" in text:
        return None
    return text if value >= 0 else "-" + text[1:]


def _order_cases():
    cases = []
    for left, right, relation in ORDER_PAIRS:
        meta = {"a": left, "b": right}
        for op, truth in ORDER_TRUTH.items():
            expected = truth[RELATIONS.index(relation)]
            shapes = [
                ("meta.a %s meta.b" % op, meta, None),
                ("a %s b" % op, meta, None),
                ("data.a %s meta.b" % op, {"b": right}, {"a": left}),
                ("(meta.a) %s (meta.b)" % op, meta, None),
            ]
            left_literal, right_literal = _order_literal(left), _order_literal(right)
            if right_literal is not None:
                shapes.append(("meta.a %s %s" % (op, right_literal), meta, None))
            if left_literal is not None:
                shapes.append(("%s %s meta.b" % (left_literal, op), meta, None))
            if left_literal is not None and right_literal is not None:
                shapes.append(("%s %s %s" % (left_literal, op, right_literal), None, None))
            if relation != "none" and max(abs(float(left)), abs(float(right))) < 2**53:
                # arithmetic keeps the relation of numeric operands (beyond 2**63 it goes float)
                shapes.append(("meta.a * 1 %s meta.b + 0" % op, meta, None))
                shapes.append(("meta.a - 0 %s meta.b" % op, meta, None))
            for expression, m, p in shapes:
                cases.append(pytest.param(expression, m, p, expected, id="%s|%r|%r" % (expression, m, p)))
    return cases


ORDER_CASES = _order_cases()


@pytest.mark.parametrize("expression,meta,payload,expected", ORDER_CASES)
def test_ordering_oracle(filters_impl, expression, meta, payload, expected):
    assert filters_impl.compile_filter(expression).matches(meta, payload) is expected


def test_ordering_oracle_covers_every_operator_at_equal_values():
    seen = {(case.values[0].split()[1] if len(case.values[0].split()) == 3 else None) for case in ORDER_CASES}
    assert {"<", "<=", ">", ">="} <= seen
    # every operator sees at least one equal pair as a constant on the right, on the left and
    # between two paths (the three ways the compilers build a comparison)
    for op in ORDER_TRUTH:
        for shape in ("meta.a %s meta.b", "meta.a %s 7", "7 %s meta.b", "7 %s 7"):
            assert any(case.values[0] == shape % op for case in ORDER_CASES), shape % op


@pytest.mark.parametrize("op", sorted(ORDER_TRUTH))
def test_ordering_missing_operands_are_false(filters_impl, op):
    for expression, meta in (
        ("meta.a %s meta.b" % op, {"a": 1}),
        ("meta.a %s meta.b" % op, {"b": 1}),
        ("meta.a %s 1" % op, {}),
        ("1 %s meta.a" % op, None),
        ("meta.a / 0 %s 1" % op, {"a": 1}),
        ("data %s 1" % op, None),
    ):
        assert filters_impl.compile_filter(expression).matches(meta, None) is False, expression
