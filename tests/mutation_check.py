"""Mutation self-check: does the suite catch known bugs? Run by hand, not part of the suite.

    python tests/mutation_check.py              # every mutation, both twin passes
    python tests/mutation_check.py A1 O5        # some of them
    python tests/mutation_check.py --list       # what is in the list
    python tests/mutation_check.py --no-baseline --count A3   # how many tests catch it

Each mutation is one deliberate bug: an exact piece of code (``old``) in one or more files
replaced by ``new``. For every mutation the script makes it in a scratch copy of this checkout
(a temporary directory; the checkout is never touched), rebuilds the compiled twins when a
``.pyx`` changed (``python setup.py build_ext --inplace`` in the copy), and runs the test files
mapped to it twice: once as the README's test command runs them (compiled twins) and once with
``PUBNUB_FAST_NO_EXTENSIONS=1`` (pure twins). A mutation is *caught* in a pass when that run
fails. Mapping each mutation to the tests that should catch it keeps a full run to minutes.
Before the mutations, the union of the mapped tests runs unmutated in both passes (the
baseline): a failure there would make every "caught" meaningless, so the script stops.

A mutation only in a compiled twin cannot be seen by the pure pass (it does not run that twin):
its pure-pass column says ``n/a``. A mutation whose ``old`` text is no longer in its file is
reported as ``STALE`` (the code moved on: update the list), never silently skipped.

The list: A1-A6 reproduce the holes issue 14 describes, O1-O13 are bugs on other hot paths
(client transport, pipeline and subscription loop, server permissions and fan-out, signing,
envelope, filters), C1-C4
are bugs in a compiled twin alone (the compiled pass must see them without the pure twin's help).

The exit status is 0 only when every mutation was caught in every pass that can see it.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FILTERS_TESTS = ["tests/test_filters.py"]
CRYPTO_TESTS = ["tests/test_crypto.py"]
SUBSCRIPTION_TESTS = ["tests/test_subscription.py", "tests/test_subscription_faults.py"]
ACCESS_TESTS = ["tests/server/test_access_manager.py", "tests/test_access_e2e.py"]


class Mutation:
    def __init__(self, ident, description, edits, tests, origin="own"):
        self.ident = ident
        self.description = description
        self.edits = edits  # [(path relative to the checkout, old, new)]
        self.tests = tests
        self.origin = origin

    @property
    def compiled_only(self):
        return all(path.endswith(".pyx") for path, _, _ in self.edits)

    @property
    def needs_build(self):
        return any(path.endswith(".pyx") for path, _, _ in self.edits)


MUTATIONS = [
    # --- A: the holes issue 14's audit describes (its own list of six was not recorded; these
    # reproduce the bugs the issue names: the '<'/'<=' swap, in one and in both twins, the weaker
    # PKCS#7 check, the fault test's loop promises, the twin selection) ------------------------
    Mutation("A1", "filters: '<' and '<=' swapped in the pure twin's operator table",
             [("pubnub_fast/_filters_py.py",
               '_ORDER_OPS = {"<": operator.lt, "<=": operator.le,',
               '_ORDER_OPS = {"<": operator.le, "<=": operator.lt,')],
             FILTERS_TESTS, origin="issue"),
    Mutation("A2", "filters: the same '<'/'<=' swap in both twins (the random c-vs-pure check cannot see it)",
             [("pubnub_fast/_filters_py.py",
               '_ORDER_OPS = {"<": operator.lt, "<=": operator.le,',
               '_ORDER_OPS = {"<": operator.le, "<=": operator.lt,'),
              ("ext/_filters_c.pyx", "_RICH[O_LT] = Py_LT\n_RICH[O_LE] = Py_LE\n",
               "_RICH[O_LT] = Py_LE\n_RICH[O_LE] = Py_LT\n")],
             FILTERS_TESTS, origin="issue"),
    Mutation("A3", "crypto: PKCS#7 check one byte weaker (the first byte of the run is not checked), both twins",
             [("pubnub_fast/_crypto_py.py",
               "padded[-pad:] != bytes((pad,)) * pad",
               "padded[len(padded) - pad + 1:] != bytes((pad,)) * (pad - 1)"),
              ("ext/_crypto_c.pyx", "    for i in range(16 - pad, 16):\n        bad |=",
               "    for i in range(17 - pad, 16):\n        bad |=")],
             CRYPTO_TESTS, origin="issue"),
    Mutation("A4", "subscription loop: a failing streak never ends (_failing not reset on success)",
             [("pubnub_fast/subscription.py",
               "            self._failing = False\n            self._attempt = 0\n"
               "            self._announce(PNStatusCategory.PNReconnectedCategory, status)",
               "            self._attempt = 0\n"
               "            self._announce(PNStatusCategory.PNReconnectedCategory, status)")],
             SUBSCRIPTION_TESTS, origin="issue"),
    Mutation("A5", "subscription loop: no dedupe of events already delivered",
             [("pubnub_fast/_envelope_py.py",
               "            if key in keys:\n                keys.move_to_end(key)",
               "            if key in keys and False:\n                keys.move_to_end(key)"),
              ("ext/_envelope_c.pyx",
               "            if key in keys:\n                move_to_end(key)",
               "            if key in keys and False:\n                move_to_end(key)")],
             SUBSCRIPTION_TESTS + ["tests/test_deliver.py"], origin="issue"),
    Mutation("A6", "twin selection: a normal install silently uses the pure twins",
             [("pubnub_fast/_speedups.py", "    if not extensions_disabled():\n        module_name",
               "    if False:\n        module_name")],
             ["tests/test_speedups.py"], origin="issue"),
    # --- other hot paths ------------------------------------------------------------------------
    Mutation("O1", "pipeline: a subscribe cut by the network is NetworkIssues, not UnexpectedDisconnect",
             [("pubnub_fast/pipeline.py",
               "        if operation == PNOperationType.PNSubscribeOperation:\n"
               "            return PNStatusCategory.PNUnexpectedDisconnectCategory",
               "        if operation != PNOperationType.PNSubscribeOperation:\n"
               "            return PNStatusCategory.PNUnexpectedDisconnectCategory")],
             ["tests/test_pipeline.py", "tests/test_subscription_faults.py"]),
    Mutation("O2", "pipeline: HTTP 403 mapped to PNBadRequestCategory",
             [("pubnub_fast/pipeline.py", "    403: PNStatusCategory.PNAccessDeniedCategory,",
               "    403: PNStatusCategory.PNBadRequestCategory,")],
             ["tests/test_pipeline.py", "tests/test_access_e2e.py"]),
    Mutation("O3", "subscription loop: the cursor follows an older timetoken backwards",
             [("pubnub_fast/subscription.py", "        if timetoken >= self._timetoken:",
               "        if True:")],
             SUBSCRIPTION_TESTS),
    Mutation("O4", "subscription loop: Retry-After of a 429/503 ignored",
             [("pubnub_fast/subscription.py", "        delay = max(delay, _retry_after(status))",
               "        delay = delay")],
             SUBSCRIPTION_TESTS),
    Mutation("O5", "server permissions: publish (GET) needs read instead of write",
             [("pubnub_fast/server/permissions.py",
               '    _PUBLISH.replace("{operation}", "publish") + "/{message}": {\n'
               '        "GET": _rule((CHANNEL, path("channel"), R.WRITE)),',
               '    _PUBLISH.replace("{operation}", "publish") + "/{message}": {\n'
               '        "GET": _rule((CHANNEL, path("channel"), R.READ)),')],
             ACCESS_TESTS),
    Mutation("O6", "server permissions: a v2 grant of any permission allows every operation",
             [("pubnub_fast/server/access.py", "            if not held & need.permission:",
               "            if not held:")],
             ACCESS_TESTS),
    Mutation("O7", "server signatures: timestamps from the past are never too old",
             [("pubnub_fast/server/access.py", "        if abs(skew) > self.window:",
               "        if skew > self.window:")],
             ACCESS_TESTS),
    Mutation("O8", "signing: the canonical query is not sorted, both twins",
             [("pubnub_fast/_signing_py.py",
               '    pairs = sorted((name, value) for name, value in _items(params) if name != "signature")',
               '    pairs = list((name, value) for name, value in _items(params) if name != "signature")'),
              ("ext/_signing_c.pyx", "        names = sorted(params)\n", "        names = list(params)\n")],
             ["tests/test_signing.py"]),
    Mutation("O9", "envelope: a subscription equal to the channel is reported as a subscription, both twins",
             [("pubnub_fast/_envelope_py.py",
               "        if subscription == channel:\n            subscription = None",
               "        if False:\n            subscription = None"),
              ("ext/_envelope_c.pyx", "        if subscription == channel:\n            subscription = None",
               "        if False:\n            subscription = None")],
             ["tests/test_envelope.py"]),
    Mutation("O10", "server fan-out: a subscriber's filter expression inverted",
             [("pubnub_fast/server/fanout.py",
               "return self.filter is None or self.filter.matches(record.meta, record.payload)",
               "return self.filter is None or not self.filter.matches(record.meta, record.payload)")],
             ["tests/server/test_filters.py"]),
    Mutation("O11", "filters: a constant on the left of '<' flips to '>=' instead of '>'",
             [("pubnub_fast/_filters_py.py", '_FLIPPED = {"<": ">", "<=": ">=",', '_FLIPPED = {"<": ">=", "<=": ">=",')],
             FILTERS_TESTS),
    Mutation("O12", "transport: a request whose answer was cut after its first bytes is sent again (a "
             "truncated body hidden)",
             [("pubnub_fast/http11.py", "            elif self._received:", "            elif False:")],
             ["tests/test_transport.py", "tests/test_subscription_faults.py"]),
    Mutation("O13", "transport: a publish on a reused connection closed before any answer byte is sent again",
             [("pubnub_fast/http11.py",
               "            elif self.uses > 1 and exchange.idempotent and not exchange.resent:",
               "            elif self.uses > 1 and not exchange.resent:")],
             ["tests/test_transport.py"]),
    # --- the compiled twins alone (the pure pass cannot run them: n/a there) -------------------
    Mutation("C1", "filters, compiled twin only: '<' and '<=' swapped",
             [("ext/_filters_c.pyx", "_RICH[O_LT] = Py_LT\n_RICH[O_LE] = Py_LE\n",
               "_RICH[O_LT] = Py_LE\n_RICH[O_LE] = Py_LT\n")],
             FILTERS_TESTS),
    Mutation("C2", "crypto, compiled twin only: PKCS#7 check one byte weaker",
             [("ext/_crypto_c.pyx", "    for i in range(16 - pad, 16):\n        bad |=",
               "    for i in range(17 - pad, 16):\n        bad |=")],
             CRYPTO_TESTS),
    Mutation("C3", "signing, compiled twin only: the canonical query is not sorted",
             [("ext/_signing_c.pyx", "        names = sorted(params)\n", "        names = list(params)\n")],
             ["tests/test_signing.py"]),
    Mutation("C4", "envelope, compiled twin only: a subscription equal to the channel is kept",
             [("ext/_envelope_c.pyx", "        if subscription == channel:\n            subscription = None",
               "        if False:\n            subscription = None")],
             ["tests/test_envelope.py"]),
]

_IGNORE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache",
                                 ".hypothesis", ".benchmarks", "*.egg-info", "*.sqlite3")


def scratch_copy(directory):
    """A copy of the checkout (built extensions included; mtimes kept, so builds are incremental)."""
    target = os.path.join(directory, "repo")
    shutil.copytree(ROOT, target, ignore=_IGNORE, symlinks=True)
    return target


def build(repo, log):
    done = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=repo,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        log("build failed:\n" + done.stdout[-2000:] + done.stderr[-2000:])
        return False
    return True


def run_tests(repo, tests, pure, timeout, stop_first=True):
    """Run ``tests`` in ``repo``; (passed, summary line, first failure, number of failures)."""
    env = dict(os.environ, PYTHONPATH=repo, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    if pure:
        env["PUBNUB_FAST_NO_EXTENSIONS"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"] + (["-x"] if stop_first else [])
    try:
        done = subprocess.run(command + list(tests), cwd=repo, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "timed out after %d s" % timeout, "(timeout)", 0
    out = done.stdout
    lines = out.strip().splitlines()
    summary = lines[-1] if lines else done.stderr.strip()[-200:]
    failed = re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", out, re.MULTILINE)
    return done.returncode == 0, summary, (failed[0] if failed else ""), len(failed)


def apply(repo, mutation):
    """Make ``mutation`` in ``repo``; the original texts (to restore), or None when it no longer applies."""
    originals = {}
    for path, old, new in mutation.edits:
        full = os.path.join(repo, path)
        with open(full, encoding="utf-8") as f:
            text = f.read()
        originals.setdefault(path, text)
        if text.count(old) != 1:
            restore(repo, originals)
            return None
        with open(full, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))
    return originals


def restore(repo, originals):
    for path, text in originals.items():
        with open(os.path.join(repo, path), "w", encoding="utf-8") as f:
            f.write(text)


def check_copy_is_imported(repo):
    """The tests in the copy must import the copy's package, not the checkout's."""
    env = dict(os.environ, PYTHONPATH=repo)
    out = subprocess.run([sys.executable, "-c", "import pubnub_fast, os; print(os.path.realpath(pubnub_fast.__file__))"],
                         cwd=repo, env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not out.startswith(os.path.realpath(repo) + os.sep):
        raise SystemExit("the scratch copy imports pubnub_fast from %s, not from the copy" % out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="mutation ids (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated baseline run")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per test run (default 600)")
    parser.add_argument("--count", action="store_true",
                        help="run the mapped tests to the end and report how many fail (slower)")
    args = parser.parse_args(argv)

    chosen = [m for m in MUTATIONS if not args.ids or m.ident in args.ids]
    if args.list:
        for m in chosen:
            print("%-4s %-5s %s\n      files: %s\n      tests: %s" % (
                m.ident, m.origin, m.description, ", ".join(sorted({p for p, _, _ in m.edits})), " ".join(m.tests)))
        return 0
    if not chosen:
        parser.error("no such mutation: %s" % " ".join(args.ids))

    def log(text):
        print(text, flush=True)

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="pnf_mutation_") as tmp:
        repo = scratch_copy(tmp)
        check_copy_is_imported(repo)
        if not args.no_baseline:
            union = sorted({t for m in chosen for t in m.tests})
            for pure in (False, True):
                ok, summary, failure, _ = run_tests(repo, union, pure, args.timeout * 2, stop_first=False)
                log("baseline (%s twins): %s" % ("pure" if pure else "compiled", summary))
                if not ok:
                    log("the unmutated suite fails (%s): fix that first" % failure)
                    return 2
        rows = []
        for mutation in chosen:
            t0 = time.time()
            originals = apply(repo, mutation)
            if originals is None:
                rows.append((mutation, "STALE", "STALE", "the code to mutate is gone: update the list"))
                log("%s: STALE" % mutation.ident)
                continue
            binaries = {}
            try:
                if mutation.needs_build:
                    binaries = {name: open(os.path.join(repo, "pubnub_fast", name), "rb").read()
                                for name in os.listdir(os.path.join(repo, "pubnub_fast")) if name.endswith(".so")}
                    if not build(repo, log):
                        rows.append((mutation, "BUILD FAILED", "BUILD FAILED", ""))
                        continue
                results = []
                for pure in (False, True):
                    if pure and mutation.compiled_only:
                        results.append(("n/a", ""))
                        continue
                    ok, summary, failure, count = run_tests(repo, mutation.tests, pure, args.timeout,
                                                            stop_first=not args.count)
                    verdict = "MISSED" if ok else ("caught by %d" % count if args.count else "caught")
                    results.append((verdict, failure or summary))
                rows.append((mutation, results[0][0], results[1][0], results[0][1] or results[1][1]))
                log("%s: compiled %s, pure %s (%s; %.0f s)" % (mutation.ident, results[0][0], results[1][0],
                                                              results[0][1] or results[1][1], time.time() - t0))
            finally:
                restore(repo, originals)
                for name, data in binaries.items():  # the unmutated build, byte for byte
                    with open(os.path.join(repo, "pubnub_fast", name), "wb") as f:
                        f.write(data)

    log("")
    log("| id | mutation | compiled pass | pure pass | first failing test |")
    log("|---|---|---|---|---|")
    for mutation, compiled, pure, detail in rows:
        log("| %s | %s | %s | %s | %s |" % (mutation.ident, mutation.description, compiled, pure, detail))
    log("\n%d mutations in %.0f s" % (len(rows), time.time() - started))
    bad = [m.ident for m, c, p, _ in rows if not c.startswith("caught") or not (p.startswith("caught") or p == "n/a")]
    if bad:
        log("NOT caught everywhere: %s" % ", ".join(bad))
        return 1
    log("every mutation was caught in every pass that runs the mutated code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
