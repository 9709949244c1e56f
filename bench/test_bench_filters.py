"""Stream filter expressions: compile and evaluate, pubnub_fast compiled twin vs pure twin.

The official SDK has no filter evaluator (the service evaluates ``filter-expr``), so there is no
official row: these groups give absolute numbers and the compiled/pure ratio.

* ``filter-compile``: ``compile_filter(expression)`` — what the local server does once per
  subscriber filter (and the client to validate ``filter_expression``).
* ``filter-evaluate``: ``CompiledFilter.matches(meta, payload)`` over the example messages of
  the expression (matching and non-matching ones, from the worked examples of
  ``spec/protocol.md`` §6.6), one pass over them per call — what the server does per message
  and subscriber. ``extra_info["per_message_ns"]`` is the median divided by the message count.

Expressions (§6.6 numbers): E1 classic bare-key syntax, E9 array index and bracket member with
``||``, E12 ``LIKE``, E14 ``CONTAINS`` (array and substring), E17 a grouped ``||`` inside ``&&``
with ``!=``, E18 arithmetic (``%``). Every row first checks the expected results of §6.6 on its
twin. Rows are ``pubnub_fast-pure`` then ``pubnub_fast-compiled`` per expression; the compiled
row records ``extra_info["x_vs_pure"]``. No target is asserted.

    python -m pytest bench/test_bench_filters.py --benchmark-only -q -p no:cacheprovider
"""
import pytest

from pubnub_fast import _speedups

#: name -> (expression, [(meta, payload, expected)]), from protocol.md §6.6
EXPRESSIONS = {
    "E1-classic": ("(foo=='bar')", [
        ({"foo": "bar"}, {"text": "hello"}, True),
        ({"foo": "baz"}, {"text": "hello"}, False),
        (None, {"text": "hello"}, False),
    ]),
    "E9-index-or": ("data.colors[0] == 'blue' || data.config['enabled'] == \"true\"", [
        (None, {"colors": ["blue", "red", "green"]}, True),
        (None, {"config": {"enabled": "true", "version": 2}}, True),
        (None, {"name": "Tom"}, False),
    ]),
    "E12-like": ('meta.version LIKE "2.*"', [
        ({"version": "2.1.0"}, {"text": "release"}, True),
        ({"version": "12.0"}, {"text": "release"}, False),
    ]),
    "E14-contains": ('meta.tags CONTAINS "urgent"', [
        ({"tags": ["a", "urgent"]}, "x", True),
        ({"tags": "very urgent"}, "x", True),
        ({"tags": ["a", "b", "c"]}, "x", False),
    ]),
    "E17-compound": ('(meta.priority == "high" || meta.priority == "critical") && meta.region != "test"', [
        ({"priority": "critical", "region": "eu"}, {"text": "alert"}, True),
        ({"priority": "high", "region": "test"}, {"text": "alert"}, False),
        ({"priority": "low", "region": "eu"}, {"text": "alert"}, False),
    ]),
    "E18-arith": ("meta.eventId % 100 == 0", [
        ({"eventId": 300}, {"n": 1}, True),
        ({"eventId": 301}, {"n": 1}, False),
    ]),
}

ROWS = ("pubnub_fast-pure", "pubnub_fast-compiled")
CASES = [(name, row) for name in EXPRESSIONS for row in ROWS]
IDS = ["%s-%s" % (name, row) for name, row in CASES]

def _filters_twin(row):
    if row == "pubnub_fast-compiled":
        if _speedups.extensions_disabled():
            pytest.skip("compiled twins disabled (PUBNUB_FAST_NO_EXTENSIONS)")
        try:
            return _speedups.twin("filters", "c")
        except ImportError as exc:
            pytest.skip("compiled filters twin not built: %s" % exc)
    return _speedups.twin("filters", "py")


def _check(compiled, examples):
    for meta, payload, expected in examples:
        assert compiled.matches(meta, payload) is expected, (compiled.expression, meta, payload)


# Sub-microsecond calls: time many per round so the timer overhead does not count; half a second
# per row keeps the suite short (the spread of these rows is small).
@pytest.mark.benchmark(group="filter-compile", min_time=20e-6, max_time=0.5)
@pytest.mark.parametrize("name,row", CASES, ids=IDS)
def test_filter_compile(benchmark, record_ratio, name, row):
    twin = _filters_twin(row)
    expression, examples = EXPRESSIONS[name]
    benchmark.extra_info["expression"] = expression
    _check(twin.compile_filter(expression), examples)  # also warms up before calibration
    compiled = benchmark(twin.compile_filter, expression)
    _check(compiled, examples)
    record_ratio(benchmark, "filter-compile-" + name, row, baseline="pubnub_fast-pure")


@pytest.mark.benchmark(group="filter-evaluate", min_time=20e-6, max_time=0.5)
@pytest.mark.parametrize("name,row", CASES, ids=IDS)
def test_filter_evaluate(benchmark, record_ratio, name, row):
    twin = _filters_twin(row)
    expression, examples = EXPRESSIONS[name]
    compiled = twin.compile_filter(expression)
    _check(compiled, examples)
    metas = [meta for meta, _, _ in examples]
    payloads = [payload for _, payload, _ in examples]
    expected = [result for _, _, result in examples]
    matches = compiled.matches

    def evaluate_all():
        return list(map(matches, metas, payloads))

    benchmark.extra_info["expression"] = expression
    benchmark.extra_info["messages"] = len(examples)
    assert benchmark(evaluate_all) == expected
    record_ratio(benchmark, "filter-evaluate-" + name, row, baseline="pubnub_fast-pure")
    if benchmark.stats is not None:
        benchmark.extra_info["per_message_ns"] = round(benchmark.stats.stats.median / len(examples) * 1e9, 1)
