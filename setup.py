"""Build script: compiles the Cython twins in ext/ unless PUBNUB_FAST_NO_EXTENSIONS is set.

Every ``ext/_<name>_c.pyx`` becomes the extension module ``pubnub_fast._<name>_c``; its pure-Python
twin is ``pubnub_fast/_<name>_py.py``. ``PUBNUB_FAST_NO_EXTENSIONS=1`` (also ``true``/``yes``)
builds a pure-Python package on purpose. A compiler error is never swallowed: a normal build
either produces every extension or fails.
"""
import glob
import os

from setuptools import Extension, setup

_FLAG = os.environ.get("PUBNUB_FAST_NO_EXTENSIONS", "").strip().lower()
if _FLAG not in ("", "0", "false", "no", "off", "1", "true", "yes", "on"):
    raise SystemExit("PUBNUB_FAST_NO_EXTENSIONS=%r: use 1/true/yes or 0/false/no" % _FLAG)
NO_EXTENSIONS = _FLAG in ("1", "true", "yes", "on")


def extensions():
    if NO_EXTENSIONS:
        return []
    from Cython.Build import cythonize

    modules = []
    for source in sorted(glob.glob(os.path.join("ext", "_*_c.pyx"))):
        name = os.path.splitext(os.path.basename(source))[0]
        modules.append(
            Extension(
                "pubnub_fast." + name,
                [source],
                libraries=["crypto"],  # OpenSSL libcrypto: HMAC, EVP AES
                extra_compile_args=["-O3"],
            )
        )
    return cythonize(
        modules,
        include_path=["ext"],
        compiler_directives={"language_level": 3, "embedsignature": True},
    )


setup(ext_modules=extensions())
