"""Build script: compiles the Cython twins in ext/ unless PUBNUB_FAST_NO_EXTENSIONS is set.

Every ``ext/_<name>_c.pyx`` becomes the extension module ``pubnub_fast._<name>_c``; its pure-Python
twin is ``pubnub_fast/_<name>_py.py``. ``PUBNUB_FAST_NO_EXTENSIONS=1`` (also ``true``/``yes``)
builds a pure-Python package on purpose.

A normal build either produces every extension or fails loudly — it never falls back to the pure
twins by itself, so a wheel that claims to be compiled always is. Before compiling, the build
checks its prerequisites (a C compiler, the Python headers, OpenSSL's libcrypto headers and
library) and, when one is missing, stops with a message naming it, how to install it, and how to
build the pure-Python package instead.

Objects are compiled without debug information (``-g0``, overriding the ``-g`` of Python's own
build flags) and linked stripped: a release wheel carries ~1 MB of code instead of ~5 MB of DWARF.

Each extension carries the SHA-256 of the ``.pyx`` it was built from (the exported C string
``pnf_pyx_sha256``); ``tests/test_speedups.py`` fails when a ``.pyx`` changed since the build.
"""
import glob
import hashlib
import os
import shutil
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

_FLAG = os.environ.get("PUBNUB_FAST_NO_EXTENSIONS", "").strip().lower()
if _FLAG not in ("", "0", "false", "no", "off", "1", "true", "yes", "on"):
    raise SystemExit("PUBNUB_FAST_NO_EXTENSIONS=%r: use 1/true/yes or 0/false/no" % _FLAG)
NO_EXTENSIONS = _FLAG in ("1", "true", "yes", "on")

PURE_HINT = (
    "To install without compiling, build the pure-Python package instead (same behaviour, slower "
    "hot paths):\n    PUBNUB_FAST_NO_EXTENSIONS=1 pip install pubnub_fast"
)
PACKAGES_HINT = (
    "Debian/Ubuntu: apt-get install gcc python3-dev libssl-dev; "
    "Fedora/RHEL: dnf install gcc python3-devel openssl-devel; Alpine: apk add gcc musl-dev python3-dev openssl-dev"
)


def _uses_libcrypto(source):
    """Whether a twin calls OpenSSL: it cimports the shared declarations or declares its own."""
    with open(source, encoding="utf-8") as f:
        text = f.read()
    return "cimport _pnf_libcrypto" in text or 'extern from "openssl/' in text


def extensions():
    if NO_EXTENSIONS:
        return []
    modules = []
    for source in sorted(glob.glob(os.path.join("ext", "_*_c.pyx"))):
        name = os.path.splitext(os.path.basename(source))[0]
        modules.append(
            Extension(
                "pubnub_fast." + name,
                [source],
                # OpenSSL libcrypto (EVP AES, HMAC) only where the twin declares it
                libraries=["crypto"] if _uses_libcrypto(source) else [],
                extra_compile_args=["-O3", "-g0"],
                extra_link_args=["-Wl,--strip-all"],
            )
        )
    return modules


class BuildError(SystemExit):
    """A missing build prerequisite, reported as one readable message (exit status 1)."""

    def __init__(self, what, detail=""):
        lines = ["", "pubnub_fast: cannot compile the Cython twins: %s." % what]
        if detail:
            lines.append(detail.rstrip())
        lines += ["Install it (%s)." % PACKAGES_HINT, PURE_HINT, ""]
        super().__init__("\n".join(lines))


class checked_build_ext(build_ext):
    """build_ext that cythonizes, checks the compiler, the Python headers and OpenSSL first, and records
    each extension's .pyx hash."""

    def finalize_options(self):
        modules = self.distribution.ext_modules
        if modules and any(source.endswith(".pyx") for ext in modules for source in ext.sources):
            from Cython.Build import cythonize

            modules[:] = cythonize(
                modules,
                include_path=["ext"],
                compiler_directives={"language_level": 3, "embedsignature": True},
            )
        super().finalize_options()

    def run(self):
        if self.extensions:
            self._check_prerequisites()
        super().run()

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

    def _check_prerequisites(self):
        from setuptools._distutils.ccompiler import new_compiler
        from setuptools._distutils.sysconfig import customize_compiler, get_python_inc

        compiler = new_compiler(compiler=self.compiler, force=True)
        customize_compiler(compiler)
        executable = getattr(compiler, "compiler_so", ["cc"])[0]
        if shutil.which(executable) is None:
            raise BuildError(
                "no C compiler (%r, from $CC or Python's build configuration, is not on PATH)" % executable
            )

        def try_build(code, what, link_crypto=False):
            with tempfile.TemporaryDirectory(prefix="pubnub_fast_check_") as tmp:
                source = os.path.join(tmp, "check.c")
                with open(source, "w") as f:
                    f.write(code)
                try:
                    objects = compiler.compile([source], output_dir=tmp,
                                               include_dirs=[get_python_inc()] + list(self.include_dirs or []))
                    if link_crypto:
                        compiler.link_shared_object(objects, os.path.join(tmp, "check.so"),
                                                    libraries=["crypto"],
                                                    library_dirs=list(self.library_dirs or []))
                except Exception as exc:  # CompileError/LinkError (distutils or its setuptools copy)
                    raise BuildError(what, "(%s)" % exc) from None

        try_build("#include <Python.h>\nint pnf_check(void) { return 0; }\n",
                  "the Python headers (Python.h for %s) are missing" % sys.version.split()[0])
        openssl = ("#include <openssl/evp.h>\n#include <openssl/hmac.h>\n"
                   "int pnf_check(void) { return EVP_CIPHER_key_length(EVP_aes_256_cbc()); }\n")
        try_build(openssl, "OpenSSL's headers (openssl/evp.h, openssl/hmac.h) are missing")
        try_build(openssl, "OpenSSL's libcrypto library (-lcrypto) cannot be linked", link_crypto=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": checked_build_ext})
