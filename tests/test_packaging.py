"""sdist → wheel → install: the wheel built from the sdist imports with compiled twins active.

Builds with ``python -m build --no-isolation`` (the test environment already has setuptools,
wheel and Cython), which builds the sdist first and the wheel from that sdist — so a file missing
from the sdist (e.g. ``ext/*.pyx``) breaks this test.
"""
import glob
import json
import os
import subprocess
import sys
import tarfile

import pytest

from pubnub_fast import _speedups

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ)
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), ROOT],
                   check=True, capture_output=True, env=env)
    return out


def test_sdist_contains_sources(built):
    sdist, = glob.glob(str(built / "*.tar.gz"))
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    for required in ("ext/_signing_c.pyx", "setup.py", "pyproject.toml", "README.md", "LICENSE",
                     "pubnub_fast/_signing_py.py", "pubnub_fast/py.typed", "MANIFEST.in"):
        assert any(n.endswith("/" + required) for n in names), required
    assert not any(n.endswith(".so") for n in names)


@pytest.mark.c_extension
def test_wheel_from_sdist_imports_compiled(built, tmp_path):
    if _speedups.extensions_disabled():
        pytest.skip("pure-Python run requested")
    wheel, = glob.glob(str(built / "*.whl"))
    assert "-cp3" in os.path.basename(wheel), "expected a platform wheel with compiled twins: %s" % wheel
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                    "--target", str(target), wheel], check=True)
    code = ("import json, pubnub_fast, pubnub_fast._speedups as s; "
            "print(json.dumps([pubnub_fast.__file__, s.report()]))")
    env = dict(os.environ, PYTHONPATH=str(target))
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), env=env, capture_output=True,
                            text=True, check=True)
    location, report = json.loads(result.stdout)
    assert location.startswith(str(target))
    assert report["signing"] == "c"
    assert report["fallback_errors"] == {}
    for pyx in glob.glob(os.path.join(ROOT, "ext", "_*_c.pyx")):
        name = os.path.basename(pyx)[1:-len("_c.pyx")]
        assert report[name] == "c", (name, report)


def test_pure_wheel_when_extensions_disabled(tmp_path):
    env = dict(os.environ, PUBNUB_FAST_NO_EXTENSIONS="1")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path), ROOT],
                   check=True, capture_output=True, env=env)
    wheel, = glob.glob(str(tmp_path / "*.whl"))
    assert os.path.basename(wheel).endswith("-py3-none-any.whl"), wheel
