"""Release packaging: sdist → wheel → (repair) → install in a fresh venv with no compiler.

The release script ``.ci/build_wheels.py`` builds the sdist, then the wheel *from the sdist* (so a
file missing from the sdist, e.g. ``ext/*.pyx``, breaks this test). One build per suite pass:
the compiled pass builds the platform wheel and ``auditwheel repair``s it (vendored libcrypto,
manylinux tag, stripped); the pure pass (``PUBNUB_FAST_NO_EXTENSIONS=1``) builds the
``py3-none-any`` wheel. ``--no-isolation`` reuses this environment's setuptools/wheel/Cython
instead of downloading them into a throw-away one.

The fresh venv gets the wheel only (``--no-deps --no-index``: nothing can be compiled or fetched);
its third-party dependencies (twisted, ujson, cryptography…) are made visible from this test
environment by a ``.pth`` line — that file adds a directory but does not run the ``.pth`` files
in it, so this checkout's editable ``pubnub_fast`` stays invisible, and the test asserts the
package really is imported from the fresh venv. ``PATH`` holds only the venv's ``bin`` and ``CC``
points to a missing compiler.
"""
import glob
import io
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

import pytest

import pubnub_fast
from pubnub_fast import _speedups

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, ".ci", "build_wheels.py")
TWINS = sorted(os.path.basename(p)[1:-len("_c.pyx")] for p in glob.glob(os.path.join(ROOT, "ext", "_*_c.pyx")))

pytestmark = pytest.mark.slow

PURE_RUN = _speedups.extensions_disabled()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, SCRIPT, "--no-isolation", "--out", str(out)]
    cmd += ["--pure"] if PURE_RUN else ["--no-pure", "--python", sys.executable]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _wheel(release):
    wheel, = glob.glob(str(release / "*.whl"))
    return wheel


def test_sdist_contains_sources(release):
    sdist, = glob.glob(str(release / "*.tar.gz"))
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    for required in ("ext/_signing_c.pyx", "setup.py", "pyproject.toml", "README.md", "LICENSE",
                     "pubnub_fast/_signing_py.py", "pubnub_fast/py.typed", "MANIFEST.in"):
        assert any(n.endswith("/" + required) for n in names), required
    assert not any(n.endswith(".so") for n in names)


def test_release_metadata(release):
    """PEP 639 license (no deprecated table or classifier), URLs incl. the changelog, classifiers."""
    sdist, = glob.glob(str(release / "*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member, = [m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
        fields = tar.extractfile(member).read().decode("utf-8").split("\n\n", 1)[0].splitlines()
    values = {}
    for line in fields:
        key, _, value = line.partition(": ")
        values.setdefault(key, []).append(value)
    assert values["Version"] == [pubnub_fast.__version__]
    assert values["License-Expression"] == ["MIT"] and values["License-File"] == ["LICENSE"]
    assert "License" not in values
    classifiers = values["Classifier"]
    assert not [c for c in classifiers if c.startswith("License ::")], classifiers
    assert "Development Status :: 4 - Beta" in classifiers and "Typing :: Typed" in classifiers
    minor = "Programming Language :: Python :: %d.%d" % sys.version_info[:2]
    assert minor in classifiers, classifiers
    assert values["Requires-Python"] == [">=3.9"]
    urls = dict(u.split(", ", 1) for u in values["Project-URL"])
    assert urls["Changelog"].endswith("#changelog")
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert "\n## Changelog\n" in f.read()  # what the Changelog URL points at


def _elf(data):
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(data))
    sections = [s.name for s in elf.iter_sections()]
    dynamic = next(s for s in elf.iter_sections() if isinstance(s, DynamicSection))
    tags = {}
    for tag in dynamic.iter_tags():
        if tag.entry.d_tag == "DT_NEEDED":
            tags.setdefault("needed", []).append(tag.needed)
        elif tag.entry.d_tag in ("DT_RUNPATH", "DT_RPATH"):
            tags["runpath"] = getattr(tag, "runpath", None) or getattr(tag, "rpath", None)
    return sections, tags


@pytest.mark.c_extension
@pytest.mark.skipif(PURE_RUN, reason="the pure pass builds the pure wheel")
def test_repaired_wheel_is_manylinux_stripped_and_vendors_libcrypto(release):
    wheel = _wheel(release)
    name = os.path.basename(wheel)
    tag = "cp%d%d" % sys.version_info[:2]
    assert name.startswith("pubnub_fast-%s-%s-%s-manylinux_2_" % (pubnub_fast.__version__, tag, tag)), name
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        vendored = [n for n in names if n.startswith("pubnub_fast.libs/libcrypto")]
        assert len(vendored) == 1, names
        modules = {n.split("/")[-1].split(".")[0]: n for n in names if n.startswith("pubnub_fast/_") and n.endswith(".so")}
        assert sorted(modules) == sorted("_%s_c" % t for t in TWINS)
        for member in list(modules.values()) + vendored:
            sections, tags = _elf(zf.read(member))
            debug = [s for s in sections if s.startswith((".debug", ".zdebug"))]
            assert not debug and ".symtab" not in sections, (member, debug)
        sections, tags = _elf(zf.read(modules["_crypto_c"]))
        assert os.path.basename(vendored[0]) in tags["needed"], tags
        assert "$ORIGIN/../pubnub_fast.libs" in tags["runpath"], tags
        assert "pubnub_fast/py.typed" in names


def _fresh_venv(tmp_path, wheel):
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
                    "--no-index", "--no-compile", wheel], check=True)
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    paths = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    with open(os.path.join(purelib, "_test_dependencies.pth"), "w") as f:
        f.write("\n".join(sorted(paths)) + "\n")
    env = {"PATH": str(venv / "bin"), "CC": "/nonexistent/cc", "HOME": str(tmp_path),
           "LANG": "C.UTF-8"}
    return venv, python, env


CHILD = """
import json, sys
import pubnub_fast, pubnub_fast._speedups as s
from pubnub_fast.crypto import AesCbcCryptoModule
from pubnub_fast.pnconfiguration import PNConfiguration
report = s.report()
config = PNConfiguration()
config.cipher_key = "secret-key"
module = AesCbcCryptoModule(config)
secret = module.encrypt("hello wheel")
assert module.decrypt(secret) == "hello wheel"
with open("/proc/self/maps") as f:
    crypto = sorted({line.split()[-1] for line in f if "libcrypto" in line})
print(json.dumps({"file": pubnub_fast.__file__, "report": report, "crypto_file": s.crypto.__file__,
                  "libcrypto": crypto}))
"""


@pytest.mark.c_extension
@pytest.mark.skipif(PURE_RUN, reason="the pure pass builds the pure wheel")
def test_repaired_wheel_runs_compiled_in_fresh_venv_without_compiler(release, tmp_path):
    venv, python, env = _fresh_venv(tmp_path, _wheel(release))
    done = subprocess.run([python, "-c", CHILD], cwd=str(tmp_path), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["file"].startswith(str(venv)), found
    assert found["report"]["fallback_errors"] == {}, found
    for name in TWINS:
        assert found["report"][name] == "c", (name, found)
    assert found["crypto_file"].startswith(str(venv)) and found["crypto_file"].endswith(".so")
    # the compiled crypto twin runs on the vendored copy, not on the system's libcrypto
    assert any("/pubnub_fast.libs/libcrypto-" in path and path.startswith(str(venv))
               for path in found["libcrypto"]), found["libcrypto"]
    version = subprocess.run([str(venv / "bin" / "pubnub-fast"), "--version"], env=env, capture_output=True,
                             text=True, check=True).stdout
    assert version.strip() == "pubnub-fast %s" % pubnub_fast.__version__


@pytest.mark.skipif(not PURE_RUN, reason="the compiled pass builds the platform wheel")
def test_pure_wheel_installs_and_runs_pure(release, tmp_path):
    wheel = _wheel(release)
    assert os.path.basename(wheel) == "pubnub_fast-%s-py3-none-any.whl" % pubnub_fast.__version__
    with zipfile.ZipFile(wheel) as zf:
        assert not [n for n in zf.namelist() if n.endswith(".so")]
    venv, python, env = _fresh_venv(tmp_path, wheel)
    done = subprocess.run([python, "-c", CHILD], cwd=str(tmp_path), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["file"].startswith(str(venv)), found
    for name in TWINS:
        assert found["report"][name] == "py", (name, found)


# -- a clear message when the compiled build cannot work ---------------------------------------

def _build_ext(tmp_path, **env_changes):
    env = dict(os.environ, **env_changes)
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    return subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--build-temp", str(tmp_path / "t"),
                           "--build-lib", str(tmp_path / "l")], cwd=ROOT, env=env, capture_output=True,
                          text=True)


def _assert_clear_failure(done, tmp_path, missing):
    assert done.returncode != 0
    assert "pubnub_fast: cannot compile the Cython twins: %s" % missing in done.stderr, done.stderr
    assert "PUBNUB_FAST_NO_EXTENSIONS=1 pip install pubnub_fast" in done.stderr
    assert "libssl-dev" in done.stderr  # how to install what is missing
    assert not glob.glob(str(tmp_path / "l" / "**" / "*.so"), recursive=True)  # no partial build


def test_build_without_compiler_says_what_is_missing(tmp_path):
    done = _build_ext(tmp_path, CC="/nonexistent/bin/cc")
    _assert_clear_failure(done, tmp_path, "no C compiler ('/nonexistent/bin/cc'")


def test_build_without_openssl_headers_says_what_is_missing(tmp_path):
    # headers "missing": an include directory first on the path whose openssl/evp.h cannot be
    # compiled, exactly as the compiler sees a missing header
    fake = tmp_path / "include" / "openssl"
    fake.mkdir(parents=True)
    (fake / "evp.h").write_text('#include "openssl_headers_not_installed.h"\n')
    done = _build_ext(tmp_path, CFLAGS="-I%s" % (tmp_path / "include"))
    _assert_clear_failure(done, tmp_path, "OpenSSL's headers (openssl/evp.h, openssl/hmac.h) are missing")
