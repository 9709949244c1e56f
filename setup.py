"""Build script: compiles the Cython twins in ext/ unless PUBNUB_FAST_NO_EXTENSIONS is set.

Every ``ext/_<name>_c.pyx`` becomes the extension module ``pubnub_fast._<name>_c``; its pure-Python
twin is ``pubnub_fast/_<name>_py.py``. ``PUBNUB_FAST_NO_EXTENSIONS=1`` (also ``true``/``yes``)
builds a pure-Python package on purpose. A compiler error is never swallowed: a normal build
either produces every extension or fails.

Each extension carries the SHA-256 of the ``.pyx`` it was built from (the exported C string
``pnf_pyx_sha256``); ``tests/test_speedups.py`` fails when a ``.pyx`` changed since the build.
"""
import glob
import hashlib
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

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


class build_ext_recording_source_hash(build_ext):
    def build_extension(self, ext):
        pyx = os.path.join("ext", ext.name.rsplit(".", 1)[-1] + ".pyx")
        if os.path.exists(pyx):
            with open(pyx, "rb") as source:
                digest = hashlib.sha256(source.read()).hexdigest()
            stub = os.path.join(self.build_temp, "pnf_source_hash", ext.name.rsplit(".", 1)[-1] + "_hash.c")
            text = '__attribute__((visibility("default"))) const char pnf_pyx_sha256[] = "%s";\n' % digest
            os.makedirs(os.path.dirname(stub), exist_ok=True)
            if not os.path.exists(stub) or open(stub).read() != text:
                with open(stub, "w") as out:
                    out.write(text)
            ext.sources = [s for s in ext.sources if s != stub] + [stub]
        super().build_extension(ext)


setup(ext_modules=extensions(), cmdclass={"build_ext": build_ext_recording_source_hash})
