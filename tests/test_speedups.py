"""The twin selection point: environment flag, report(), and no silent fallback."""
import glob
import os
import subprocess
import sys

import pytest

from pubnub_fast import _speedups

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    env = dict(os.environ)
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    if env_value is not None:
        env["PUBNUB_FAST_NO_EXTENSIONS"] = env_value
    code = "import json; from pubnub_fast import _speedups; print(json.dumps(_speedups.report()))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    import json

    return json.loads(out.stdout)


def test_environment_flag_forces_pure_twins():
    report = _report_in_subprocess("1")
    for name in compiled_hot_paths():
        assert report[name] == "py", report
    assert report["fallback_errors"] == {}


@pytest.mark.c_extension
def test_normal_install_did_not_fall_back_to_pure_python(request):
    """Fails when a normal (compiled) install silently uses pure-Python twins."""
    if _speedups.extensions_disabled() or request.config.getoption("--no-c-extensions"):
        pytest.skip("pure-Python run requested")
    report = _report_in_subprocess(None)
    assert report["fallback_errors"] == {}, report
    for name in compiled_hot_paths():
        assert report[name] == "c", "hot path %r runs pure Python on a normal install: %r" % (name, report)


def test_report_shape():
    report = _speedups.report()
    assert set(report) == set(_speedups.HOT_PATHS) | {"fallback_errors"}
    assert report["signing"] in ("c", "py")
