"""The one place that chooses between the compiled and the pure-Python twin of each hot path.

Each hot path ``x`` has a compiled module ``pubnub_fast._x_c`` (built from ``ext/_x_c.pyx``) and a
pure-Python twin ``pubnub_fast._x_py`` with the same names and behaviour. Code that needs a hot
path asks this module (``from pubnub_fast._speedups import signing``); it never imports a twin
directly.

``PUBNUB_FAST_NO_EXTENSIONS`` forces the pure twins: ``1``/``true``/``yes``/``on`` turn it on,
unset, empty, ``0``/``false``/``no``/``off`` leave it off; anything else is an error (a typo must
not silently change what runs). Without the variable the compiled twin is used when it imports;
if it does not (a pure build, or a broken one) the pure twin is used and ``report()`` says so,
with the import error.
"""
import importlib
import os
from typing import Any, Dict

__all__ = ["HOT_PATHS", "extensions_disabled", "report", "twin"]

#: Hot paths in the order they are reported. A path whose twins are not (yet) part of the
#: package is reported as ``None``.
HOT_PATHS = ("signing", "crypto", "envelope", "filters")

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

_loaded: Dict[str, Any] = {}
_fallback_errors: Dict[str, BaseException] = {}


def extensions_disabled(environ=None):
    """Whether ``PUBNUB_FAST_NO_EXTENSIONS`` asks for the pure-Python twins."""
    value = (os.environ if environ is None else environ).get("PUBNUB_FAST_NO_EXTENSIONS", "")
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        "PUBNUB_FAST_NO_EXTENSIONS=%r is not understood: use 1/true/yes to force the pure-Python "
        "twins, or 0/false/no (or leave it unset) to use the compiled ones" % value
    )


def twin(name, kind=None):
    """Return the module implementing hot path ``name``.

    ``kind`` is ``"c"`` or ``"py"`` to ask for one twin explicitly (tests use this to run the same
    test against both); ``None`` picks the compiled twin unless extensions are disabled.
    """
    if name not in HOT_PATHS:
        raise ValueError("unknown hot path %r (known: %s)" % (name, ", ".join(HOT_PATHS)))
    if kind == "c":
        return importlib.import_module("pubnub_fast._%s_c" % name)
    if kind == "py":
        return importlib.import_module("pubnub_fast._%s_py" % name)
    if kind is not None:
        raise ValueError("kind must be 'c', 'py' or None, not %r" % (kind,))
    module = _loaded.get(name)
    if module is None:
        module = _select(name)
        _loaded[name] = module
        # from now on ``_speedups.<name>`` is a plain module attribute: no __getattr__ per use
        globals()[name] = module
    return module


def _select(name):
    if not extensions_disabled():
        module_name = "pubnub_fast._%s_c" % name
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:  # the compiled twin exists but needs something missing
                _fallback_errors[name] = exc
        except ImportError as exc:  # e.g. built against another Python or a missing libcrypto
            _fallback_errors[name] = exc
    return importlib.import_module("pubnub_fast._%s_py" % name)


def report():
    """Which twin each hot path uses: ``{"signing": "c", "crypto": "py", ...}``.

    A hot path that this version of the package does not have yet maps to ``None``. The key
    ``"fallback_errors"`` lists, per hot path, why a compiled twin that is present could not be
    imported (empty on a healthy install). A compiled twin that was not built at all is simply
    reported as ``"py"``; ``tests/test_speedups.py`` checks that every ``ext/*.pyx`` was built.
    """
    result = {}
    for name in HOT_PATHS:
        try:
            module = twin(name)
        except ImportError:
            result[name] = None
            continue
        result[name] = "c" if module.__name__.endswith("_c") else "py"
    result["fallback_errors"] = {k: str(v) for k, v in _fallback_errors.items()}
    return result


def __getattr__(name):
    # ``from pubnub_fast._speedups import signing`` loads the twin on first use only, so a
    # module that needs one hot path does not pay for importing the others.
    if name in HOT_PATHS:
        return twin(name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
