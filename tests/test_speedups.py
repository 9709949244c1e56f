"""The twin selection point: environment flag, report(), no silent fallback, no stale build.

A compiled twin counts only when it was loaded from the package that is being tested (not from
another checkout or install that happens to be importable) and was built from the ``.pyx`` now in
``ext/``: ``setup.py`` compiles the SHA-256 of each ``.pyx`` into its extension (the exported C
string ``pnf_pyx_sha256``), and ``test_compiled_twins_are_not_stale`` compares it with the source.
"""
import ctypes
import glob
import hashlib
import importlib.machinery
import json
import os
import subprocess
import sys

import pytest

import pubnub_fast
from pubnub_fast import _speedups

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = os.path.dirname(os.path.realpath(pubnub_fast.__file__))
REBUILD = "rebuild it: pip install -e '.[test]' (or: python setup.py build_ext --inplace)"


def compiled_hot_paths():
    """Hot paths whose Cython source exists in ext/ (these must be compiled on a normal install)."""
    return sorted(os.path.basename(p)[1:-len("_c.pyx")] for p in glob.glob(os.path.join(ROOT, "ext", "_*_c.pyx")))


@pytest.mark.parametrize("value, expected", [
    ("", False), ("0", False), ("false", False), ("No", False), ("off", False),
    ("1", True), ("true", True), ("YES", True), (" on ", True),
])
def test_flag_parsing(value, expected):
    assert _speedups.extensions_disabled({"PUBNUB_FAST_NO_EXTENSIONS": value}) is expected
    assert _speedups.extensions_disabled({}) is False


def test_unknown_flag_value_is_an_error():
    with pytest.raises(ValueError, match="PUBNUB_FAST_NO_EXTENSIONS"):
        _speedups.extensions_disabled({"PUBNUB_FAST_NO_EXTENSIONS": "maybe"})


def test_twin_lookup_errors():
    with pytest.raises(ValueError):
        _speedups.twin("nonsense")
    with pytest.raises(ValueError):
        _speedups.twin("signing", "fortran")
    assert _speedups.twin("signing", "py").__name__ == "pubnub_fast._signing_py"


def _report_in_subprocess(env_value):
    """``_speedups.report()`` of a fresh interpreter, plus where its package and twins came from."""
    env = dict(os.environ)
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    if env_value is not None:
        env["PUBNUB_FAST_NO_EXTENSIONS"] = env_value
    code = (
        "import json, os, pubnub_fast; from pubnub_fast import _speedups\n"
        "report = _speedups.report()\n"
        "report['package_dir'] = os.path.dirname(os.path.realpath(pubnub_fast.__file__))\n"
        "report['files'] = {n: os.path.realpath(_speedups.twin(n).__file__) for n in _speedups.HOT_PATHS}\n"
        "print(json.dumps(report))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_environment_flag_forces_pure_twins():
    report = _report_in_subprocess("1")
    for name in compiled_hot_paths():
        assert report[name] == "py", report
    assert report["fallback_errors"] == {}


def test_normal_install_did_not_fall_back_to_pure_python(request):
    """Fails when a normal (compiled) install silently uses pure-Python twins, or compiled twins
    of some other copy of the package.

    The check runs in a fresh interpreter without ``PUBNUB_FAST_NO_EXTENSIONS``, so it also runs in
    the pure-twin pass when the extensions are built (CI builds them once for both passes); a
    pure-Python build has nothing to check there.
    """
    names = compiled_hot_paths()
    if _speedups.extensions_disabled() or request.config.getoption("--no-c-extensions"):
        names = [name for name in names if built_extension(name) is not None]
        if not names:
            pytest.skip("pure-Python build: no compiled twin to check")
    report = _report_in_subprocess(None)
    assert report["fallback_errors"] == {}, report
    # a fresh interpreter imports the package under test, not another checkout or install
    assert report["package_dir"] == PACKAGE_DIR, report
    for name in names:
        assert report[name] == "c", "hot path %r runs pure Python on a normal install: %r" % (name, report)
        loaded = report["files"][name]
        assert os.path.dirname(loaded) == PACKAGE_DIR, (
            "the compiled twin of %r was loaded from %s, outside the package under test (%s)"
            % (name, loaded, PACKAGE_DIR))
        assert os.path.basename(loaded).startswith("_%s_c." % name), loaded


def test_twins_in_use_come_from_the_package_under_test():
    for name in _speedups.HOT_PATHS:
        module = _speedups.twin(name)
        assert os.path.dirname(os.path.realpath(module.__file__)) == PACKAGE_DIR, (name, module.__file__)
        assert _speedups.report()[name] == ("c" if module.__file__.endswith(tuple(
            importlib.machinery.EXTENSION_SUFFIXES)) else "py"), (name, module.__file__)


def built_extension(name):
    """The built extension file of hot path ``name`` in the package directory, or None."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(PACKAGE_DIR, "_%s_c%s" % (name, suffix))
        if os.path.exists(path):
            return path
    return None


def recorded_source_hash(path):
    """The ``pnf_pyx_sha256`` string compiled into extension ``path`` (None if it has none)."""
    library = ctypes.CDLL(path)
    try:
        return (ctypes.c_char * 65).in_dll(library, "pnf_pyx_sha256").value.decode("ascii")
    except ValueError:  # no such symbol
        return None


@pytest.mark.parametrize("name", compiled_hot_paths())
def test_compiled_twins_are_not_stale(name):
    """A ``.pyx`` edited after the last build must not go unnoticed (the old ``.so`` would run)."""
    path = built_extension(name)
    if path is None:
        pytest.skip("the compiled twin of %s is not built (test_normal_install_... checks that)" % name)
    with open(os.path.join(ROOT, "ext", "_%s_c.pyx" % name), "rb") as source:
        current = hashlib.sha256(source.read()).hexdigest()
    recorded = recorded_source_hash(path)
    assert recorded is not None, (
        "%s records no source hash (built by an older setup.py); %s" % (os.path.relpath(path, ROOT), REBUILD))
    assert recorded == current, (
        "%s is stale: it was built from another version of ext/_%s_c.pyx (sha256 %s..., the source is now "
        "%s...); %s" % (os.path.relpath(path, ROOT), name, recorded[:12], current[:12], REBUILD))


def test_report_shape():
    report = _speedups.report()
    assert set(report) == set(_speedups.HOT_PATHS) | {"fallback_errors"}
    assert report["signing"] in ("c", "py")
