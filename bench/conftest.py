"""Shared benchmark fixtures: subscribe bodies, keys, and the official SDK as a peer.

The subscribe bodies model a busy channel set: 100 messages (the service's per-response maximum)
on four channels, each a small JSON object, every item shaped like the current service's
(``a f i p k c d b``). The plain body is 25.7 KB. The encrypted body carries the same payloads
encrypted with the legacy cryptor and a random IV (``LegacyCryptoModule``, the default when only a
``cipher_key`` is configured). Both are built once per session, deterministically.

The official SDK (``pubnub==10.8.0``) is only a measuring peer here: ``official_subscribe_parser``
runs its own path from bytes to listener-ready objects — ``SubscribeEnvelope.from_json(json.loads
(body))``, then its worker's ``_process_incoming_payload`` per message with a listener that
collects what it is given. Nothing of it is imported by ``pubnub_fast``.

Two modes:

* full (the default): every benchmark is measured and the compiled rows assert their speed-up
  targets against the official row of the same run;
* quick (``--bench-quick``, what CI runs): every benchmark still executes and every output check
  runs, with a few short rounds only; ratios are recorded but no target is asserted (CI machines
  are noisy).

In both modes a row whose official row did not run first (deselected, skipped, reordered) fails:
it has nothing to compare with. A full run with ``--benchmark-disable`` fails the same way (no
measurement, so no target can be checked); use ``--bench-quick`` to only execute the benchmarks.
"""
import contextlib
import json
import queue
import random
import threading
import types
import warnings

import pytest

from pubnub_fast import _speedups, crypto_core
from pubnub_fast.crypto import LegacyCryptoModule
from pubnub_fast.pnconfiguration import PNConfiguration

MESSAGES = 100
CIPHER_KEY = "myCipherKey"
SUBSCRIBE_KEY = "sub-c-bench-0000000000000000000000000"


def make_subscribe_items(count=MESSAGES, seed=1):
    """``count`` wire-shaped subscribe items (dicts), in publish order, deterministic per ``seed``."""
    rnd = random.Random(seed)
    items = []
    timetoken = 17000000000000000
    for index in range(count):
        timetoken += rnd.randint(1, 5000)
        channel = "bench-channel-%d" % (index % 4)
        items.append({
            "a": "3",
            "f": 514,
            "i": "publisher-%04d" % rnd.randint(0, 9999),
            "p": {"t": str(timetoken), "r": 31},
            "k": SUBSCRIBE_KEY,
            "c": channel,
            "d": {"text": "message number %d xxxxxxxx" % index, "seq": index, "from": "bench",
                  "tags": ["a", "b"], "ok": True},
            "b": channel,
        })
    return items


def subscribe_body(items):
    """The compact response body for ``items`` (the cursor is the last publish timetoken)."""
    envelope = {"t": {"t": items[-1]["p"]["t"] if items else "0", "r": 31}, "m": items}
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


@pytest.fixture(scope="session")
def subscribe_items():
    return make_subscribe_items()


@pytest.fixture(scope="session")
def plain_body(subscribe_items):
    """100 plain messages, 25.7 KB."""
    return subscribe_body(subscribe_items)


@pytest.fixture(scope="session")
def cipher_config():
    """A pubnub_fast configuration with ``CIPHER_KEY`` and random IVs (the default)."""
    config = PNConfiguration(subscribe_key=SUBSCRIBE_KEY, uuid="bench-subscriber")
    config.cipher_key = CIPHER_KEY
    config.use_random_initialization_vector = True
    return config


@pytest.fixture(scope="session")
def encrypted_body(subscribe_items, cipher_config):
    """The same 100 messages with every payload encrypted (legacy cryptor, random IV)."""
    crypto_module = LegacyCryptoModule(cipher_config)
    items = [dict(item, d=crypto_module.encrypt(json.dumps(item["d"]))) for item in subscribe_items]
    return subscribe_body(items)


def _envelope_twin(kind):
    """The envelope twin ``"c"`` or ``"py"``; skips when the compiled one is not built."""
    if kind == "c":
        if _speedups.extensions_disabled():
            pytest.skip("compiled twins disabled (PUBNUB_FAST_NO_EXTENSIONS)")
        try:
            return _speedups.twin("envelope", "c")
        except ImportError as exc:
            pytest.skip("compiled envelope twin not built: %s" % exc)
    return _speedups.twin("envelope", "py")


@pytest.fixture(scope="session")
def envelope_twin():
    """``envelope_twin("c" | "py")`` -> the envelope twin module (skips if the compiled one is missing)."""
    return _envelope_twin


class OfficialSubscribeParser:
    """The official SDK's subscribe path, bytes -> listener-ready objects collected in order."""

    def __init__(self, cipher_key=None, use_random_iv=True):
        pubnub_mod = pytest.importorskip("pubnub", reason="the official pubnub SDK is the benchmark peer")
        from pubnub.callbacks import SubscribeCallback
        from pubnub.managers import ListenerManager
        from pubnub.models.server.subscribe import SubscribeEnvelope
        from pubnub.pnconfiguration import PNConfiguration as OfficialConfiguration
        from pubnub.pubnub import NativeSubscribeMessageWorker, PubNub

        self.version = getattr(pubnub_mod, "__version__", None)
        events = []
        self.events = events

        class Collect(SubscribeCallback):
            def status(self, pubnub, status):
                events.append(("status", status))

            def message(self, pubnub, message):
                events.append(("message", message))

            def presence(self, pubnub, presence):
                events.append(("presence", presence))

            def signal(self, pubnub, signal):
                events.append(("signal", signal))

            def message_action(self, pubnub, message_action):
                events.append(("message_action", message_action))

            def file(self, pubnub, file_message):
                events.append(("file", file_message))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # "Mutable config will be deprecated"
            config = OfficialConfiguration()
            config.subscribe_key = SUBSCRIBE_KEY
            config.user_id = "bench-subscriber"
            config.enable_subscribe = False  # no subscription manager thread: we drive the worker
            if cipher_key:
                config.cipher_key = cipher_key
                config.use_random_initialization_vector = use_random_iv
            self.pubnub = PubNub(config)
        listeners = ListenerManager(self.pubnub)
        listeners.add_listener(Collect())
        self.worker = NativeSubscribeMessageWorker(self.pubnub, listeners, queue.Queue(), threading.Event())
        self._from_json = SubscribeEnvelope.from_json

    def __call__(self, body):
        del self.events[:]
        envelope = self._from_json(json.loads(body))
        process = self.worker._process_incoming_payload
        for message in envelope.messages:
            process(message)
        return envelope.metadata.timetoken, envelope.metadata.region, list(self.events)


@pytest.fixture(scope="session")
def official_subscribe_parser():
    """``parser(body) -> (timetoken, region, events)`` through the official SDK, no cipher."""
    return OfficialSubscribeParser()


@pytest.fixture(scope="session")
def official_encrypted_subscribe_parser():
    """The same with ``CIPHER_KEY`` and random IVs (the SDK's LegacyCryptoModule)."""
    return OfficialSubscribeParser(CIPHER_KEY, use_random_iv=True)


# --- quick mode -------------------------------------------------------------------------------

#: What ``--bench-quick`` changes in every benchmark (whatever its own marker says): a couple of
#: short rounds, no warm-up.
QUICK_OPTIONS = {"min_rounds": 3, "max_time": 2e-3, "min_time": 5e-6, "warmup": False}

_mode = {"quick": False}


def pytest_addoption(parser):
    parser.addoption("--bench-quick", action="store_true", default=False,
                     help="run every benchmark and its output checks with a few short rounds; "
                          "ratios are recorded, speed targets are not asserted (CI mode)")


def pytest_configure(config):
    _mode["quick"] = bool(config.getoption("--bench-quick", default=False))


def pytest_collection_modifyitems(config, items):
    if not _mode["quick"]:
        return
    for item in items:
        marker = item.get_closest_marker("benchmark")
        options = dict(marker.kwargs) if marker else {}
        options.update(QUICK_OPTIONS)
        # the closest marker wins: pytest-benchmark reads only that one
        item.add_marker(pytest.mark.benchmark(**options), append=False)


def quick_mode():
    """True under ``--bench-quick`` (speed targets are then not asserted)."""
    return _mode["quick"]


@pytest.fixture(scope="session")
def bench_quick():
    """True under ``--bench-quick``: record figures, assert no speed target."""
    return quick_mode()


# --- the twins a pubnub_fast row runs on -------------------------------------------------------

@contextlib.contextmanager
def hot_paths_on(kind, crypto=None, envelope=None):
    """Run the public classes of ``pubnub_fast`` (crypto and the JSON decoding of decrypted
    plaintext) on the ``kind`` twins (``"c"`` or ``"py"``) for a while, then restore them.

    A "pubnub_fast-pure" row must be pure Python all the way: a crypto module built from the
    default twins would decrypt with the compiled twin. ``crypto`` / ``envelope`` replace the
    twin modules (tests pass counting wrappers to prove which twin did the work).
    """
    crypto = crypto or _twin_or_skip("crypto", kind)
    envelope = envelope or _twin_or_skip("envelope", kind)
    previous_crypto = crypto_core._impl
    previous_envelope = _speedups.twin("envelope")
    crypto_core._use_twin(crypto)
    _speedups.envelope = envelope  # what crypto_core.decode_plaintext reads per call
    try:
        yield
    finally:
        crypto_core._use_twin(previous_crypto)
        _speedups.envelope = previous_envelope


def _twin_or_skip(hot_path, kind):
    if kind == "c":
        if _speedups.extensions_disabled():
            pytest.skip("compiled twins disabled (PUBNUB_FAST_NO_EXTENSIONS)")
        try:
            return _speedups.twin(hot_path, "c")
        except ImportError as exc:
            pytest.skip("compiled %s twin not built: %s" % (hot_path, exc))
    return _speedups.twin(hot_path, "py")


class CallCounter:
    """``CallCounter(module, *names)``: a stand-in for twin ``module`` counting calls to ``names``."""

    def __init__(self, module, *names):
        self.calls = dict.fromkeys(names, 0)
        self.module = types.SimpleNamespace(**{n: getattr(module, n) for n in dir(module) if not n.startswith("__")})
        for name in names:
            setattr(self.module, name, self._counting(name, getattr(module, name)))

    def _counting(self, name, function):
        def counted(*args, **kwargs):
            self.calls[name] += 1
            return function(*args, **kwargs)
        return counted


@pytest.fixture(scope="session")
def twins_on():
    """``twins_on(kind, crypto=None, envelope=None)``: see ``hot_paths_on``."""
    return hot_paths_on


@pytest.fixture(scope="session")
def call_counter():
    """``call_counter(module, *names)``: see ``CallCounter``."""
    return CallCounter


# --- side-by-side ratios ------------------------------------------------------------------------

_baseline_median = {}  # (group, baseline row) -> median seconds of that row (it runs first)


def _record_ratio(benchmark, group, row, target=None, baseline="official", paired=None):
    """Record ``extra_info["x_vs_<baseline>"]`` for ``row`` of ``group``; in a full run, assert
    the compiled row is at least ``target`` times faster than the ``baseline`` row of the same run.

    Rows are ``"official"``, ``"pubnub_fast-pure"``, ``"pubnub_fast-compiled"``; the baseline row
    of a group (``"official"``, or ``"pubnub_fast-pure"`` where there is no official peer) must run
    before the others (parametrise it first). A missing baseline is a failure, never a silent pass.

    ``paired`` (``peers.PairedRounds`` holding a ``baseline`` peer): the baseline was also measured
    in rounds interleaved with this row's. The ratio of the paired medians is recorded as
    ``extra_info["x_vs_<baseline>_paired"]``, that of the best (lowest) rounds of both sides as
    ``extra_info["x_vs_<baseline>_paired_best"]``, and the target is checked on the latter: on
    this shared virtual machine the noise only ever adds CPU time, in spells (a client that
    sleeps between responses sometimes wakes with cold caches, and a 1.3 us per message client
    pays that far more, relatively, than a 10 us one), so the best round of each side is the
    estimate of what its code costs — as ``timeit``'s documentation advises.
    """
    key = "x_vs_" + ("official" if baseline == "official" else "pure")
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        if quick_mode():
            return
        pytest.fail("%s/%s: nothing was measured (--benchmark-disable?), so its speed cannot be checked; "
                    "run with --bench-quick to execute the benchmarks without targets" % (group, row))
    median = stats.stats.median
    if row == baseline:
        _baseline_median[group, baseline] = median
        benchmark.extra_info[key] = 1.0
        return
    reference = _baseline_median.get((group, baseline))
    if reference is None:
        pytest.fail("%s/%s: the %r row of this group did not run before it (deselected, skipped or "
                    "reordered?), so there is nothing to compare with; run the whole group"
                    % (group, row, baseline))
    ratio = reference / median
    benchmark.extra_info[key] = round(ratio, 2)
    what = "the %s row" % baseline
    if paired is not None and paired.median(baseline) is not None:
        benchmark.extra_info[key + "_paired"] = round(paired.median(baseline) / median, 2)
        reference, median = paired.best(baseline), stats.stats.min
        ratio = reference / median
        benchmark.extra_info[key + "_paired_best"] = round(ratio, 2)
        what = "%s in interleaved rounds (best rounds of both)" % baseline
    if row == "pubnub_fast-compiled" and target is not None and not quick_mode():
        assert ratio >= target, (
            "%s: compiled pubnub_fast is %.2fx faster than %s (%.2f us vs %.2f us per round); "
            "the target is %.1fx" % (group, ratio, what, median * 1e6, reference * 1e6, target))


@pytest.fixture
def record_ratio():
    """``record_ratio(benchmark, group, row, target=None, baseline="official")``: see ``_record_ratio``."""
    return _record_ratio


# -- terminal output: one compact side-by-side table per area (bench/report.py) instead of
# pytest-benchmark's ~250-column table per group; the full data stays in --benchmark-json.
# Passing --benchmark-columns (or --benchmark-compare-fail) brings pytest-benchmark's table back.
@pytest.hookimpl(tryfirst=True)
def pytest_terminal_summary(terminalreporter, config):
    session = getattr(config, "_benchmarksession", None)
    args = [str(a) for a in config.invocation_params.args]
    if (session is None or not session.benchmarks or session.compare_fail
            or any(a.startswith("--benchmark-columns") for a in args)):
        return
    import importlib.util
    import os

    spec = importlib.util.spec_from_file_location(
        "_pnf_bench_report", os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.py"))
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    run = {"benchmarks": [bench.as_dict(include_data=False) for bench in session.benchmarks if bench]}
    terminalreporter.ensure_newline()
    terminalreporter.section("benchmarks: lowest median per row (full data: --benchmark-json)")
    terminalreporter.write_line(report.compact_tables([run], width=min(100, terminalreporter._tw.fullwidth)))
    session.groups = None  # pytest-benchmark's own table is not printed
