"""Run programs written for PubNub's SDK on pubnub_fast without editing them (decisions.md §24).

>>> import pubnub_fast.compat
>>> pubnub_fast.compat.install()
>>> from pubnub.pubnub import PubNub          # is pubnub_fast.pubnub.PubNub

or, for a whole program::

    python -m pubnub_fast.compat script.py [args...]
    python -m pubnub_fast.compat -m package.module [args...]

``install()`` puts a finder first on ``sys.meta_path`` that answers every import of ``pubnub`` or
``pubnub.<x>`` with the module ``pubnub_fast`` / ``pubnub_fast.<x>`` itself (the same object under
both names, so ``isinstance`` checks and module state agree). A ``pubnub.<x>`` that pubnub_fast
does not have fails with ``ModuleNotFoundError`` naming both modules — never silently falls back
to the official package.
"""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

__all__ = ["install", "uninstall", "installed", "main"]

ALIASED = "pubnub"
REAL = "pubnub_fast"


def _real_name(fullname):
    return REAL + fullname[len(ALIASED):]


class _AliasLoader(importlib.abc.Loader):
    """Loads ``pubnub.<x>`` as the already imported (or now imported) ``pubnub_fast.<x>``."""

    def __init__(self, real_name):
        self.real_name = real_name
        self._spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.real_name)
        self._spec = module.__spec__
        return module

    def exec_module(self, module):
        # the import system stamped the alias spec on the module; the module keeps its real one
        if self._spec is not None:
            module.__spec__ = self._spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Answers ``pubnub`` and ``pubnub.*`` imports with pubnub_fast modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != ALIASED and not fullname.startswith(ALIASED + "."):
            return None
        real = _real_name(fullname)
        if real in sys.modules:
            found = True
        else:
            try:
                found = importlib.util.find_spec(real) is not None
            except ModuleNotFoundError:
                found = False
        if not found:
            raise ModuleNotFoundError(
                "No module named %r: pubnub_fast.compat maps it to %r, which pubnub_fast does not have"
                % (fullname, real), name=fullname)
        real_module = sys.modules.get(real)
        is_package = hasattr(real_module, "__path__") if real_module is not None else \
            importlib.util.find_spec(real).submodule_search_locations is not None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real), is_package=is_package)


_finder = None


def installed():
    """Whether ``install()`` is in effect."""
    return _finder is not None and _finder in sys.meta_path


def install():
    """Make ``import pubnub…`` resolve to pubnub_fast. Idempotent.

    Raises ``RuntimeError`` if PubNub's own ``pubnub`` package was already imported (the program
    would then mix the two); call it first thing, or use ``python -m pubnub_fast.compat``.
    """
    global _finder
    if installed():
        return
    loaded = sys.modules.get(ALIASED)
    if loaded is not None and getattr(loaded, "__name__", None) != REAL:
        raise RuntimeError("pubnub_fast.compat.install() must run before PubNub's 'pubnub' package is imported "
                           "(it is already loaded from %s)" % getattr(loaded, "__file__", "?"))
    _finder = _AliasFinder()
    sys.meta_path.insert(0, _finder)


def uninstall():
    """Undo ``install()``: remove the finder and the ``pubnub``/``pubnub.*`` aliases from ``sys.modules``."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [name for name in sys.modules if name == ALIASED or name.startswith(ALIASED + ".")]:
        if getattr(sys.modules[name], "__name__", "").startswith(REAL):
            del sys.modules[name]


_USAGE = """usage: python -m pubnub_fast.compat script.py [args...]
       python -m pubnub_fast.compat -m module [args...]

Runs a program written for PubNub's Python SDK ('import pubnub...') on pubnub_fast."""


def main(argv=None):
    """``python -m pubnub_fast.compat``: run a script or module with ``install()`` in effect."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    install()
    if argv[0] == "-m":
        if len(argv) < 2:
            print(_USAGE, file=sys.stderr)
            return 2
        sys.argv = [argv[1], *argv[2:]]
        sys.path[0:1] = [os.getcwd()]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    sys.argv = [script, *argv[1:]]
    sys.path[0:1] = [os.path.dirname(os.path.abspath(script))]
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    from pubnub_fast import compat as _compat  # the importable module holds the installed state

    sys.exit(_compat.main())
