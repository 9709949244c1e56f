"""Shared fixtures.

Hot-path tests take one of the ``*_impl`` fixtures below: each runs the test once against the
pure-Python twin (id ``py``) and once against the compiled twin (id ``c``, marked
``c_extension``). ``--no-c-extensions`` or ``PUBNUB_FAST_NO_EXTENSIONS=1`` skips the compiled
runs; a compiled twin that is not built is skipped too (``tests/test_speedups.py`` fails
separately when a normal install silently fell back to pure Python).
"""
import json
import os

import pytest

from pubnub_fast import _speedups

# The helpers shared by test modules are not test modules: have pytest rewrite their asserts too.
pytest.register_assert_rewrite("tests.endpoint_vectors", "tests.e2e_support", "tests.server.interop_support")

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors")


def pytest_addoption(parser):
    parser.addoption(
        "--transport",
        choices=["http11", "treq"],
        default=os.environ.get("PUBNUB_FAST_TEST_TRANSPORT", "http11"),
        help="the transport clients use when a test does not choose one: the default lean "
             "HTTP11Transport, or TreqTransport (the whole suite passes on both)",
    )
    parser.addoption(
        "--no-c-extensions",
        action="store_true",
        default=False,
        help="run hot-path tests against the pure-Python twins only",
    )


def pytest_configure(config):
    # read by tests/client_stub.py and by the fixture below, without importing the reactor here
    os.environ["PUBNUB_FAST_TEST_TRANSPORT"] = config.getoption("--transport")


@pytest.fixture(autouse=True, scope="session")
def _default_transport_of_the_run(request):
    """With ``--transport treq``, clients created without ``transport=`` use ``TreqTransport``."""
    if request.config.getoption("--transport") != "treq":
        yield
        return
    from pubnub_fast import pubnub_core
    from pubnub_fast.transport import TreqTransport

    original = pubnub_core._default_transport

    def treq_transport(reactor, clock, config, pool):
        return TreqTransport(reactor, pool=pool, connect_timeout=config.connect_timeout, clock=clock,
                             idle_timeout=config.subscribe_request_timeout)

    pubnub_core._default_transport = treq_transport
    yield
    pubnub_core._default_transport = original


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run synchronous hypothesis tests directly, not through pytest-twisted.

    pytest-twisted rewraps ``hypothesis.inner_test`` on the shared function object for every
    parametrisation, so the second parameter of a parametrised ``@given`` test re-enters its
    greenlet and fails. Synchronous property tests need no reactor anyway.
    """
    if getattr(pyfuncitem.obj, "hypothesis", None) is None:
        return None
    funcargs = pyfuncitem.funcargs
    pyfuncitem.obj(**{name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames})
    return True


def load_vectors(name):
    """Load ``tests/vectors/<name>`` (JSON)."""
    with open(os.path.join(VECTORS, name), encoding="utf-8") as fh:
        return json.load(fh)


def _twin(request, hot_path):
    kind = request.param
    if kind == "c":
        if request.config.getoption("--no-c-extensions") or _speedups.extensions_disabled():
            pytest.skip("compiled twins disabled")
        try:
            return _speedups.twin(hot_path, "c")
        except ImportError as exc:
            pytest.skip("compiled twin of %s not built: %s" % (hot_path, exc))
    return _speedups.twin(hot_path, "py")


_TWIN_PARAMS = [
    pytest.param("py", id="py"),
    pytest.param("c", id="c", marks=pytest.mark.c_extension),
]


@pytest.fixture(scope="session", params=_TWIN_PARAMS)
def signing_impl(request):
    """The signing/encoding twin (``_signing_py`` then ``_signing_c``)."""
    return _twin(request, "signing")


@pytest.fixture(scope="session", params=_TWIN_PARAMS)
def crypto_impl(request):
    """The AES crypto twin (``_crypto_py`` then ``_crypto_c``)."""
    return _twin(request, "crypto")


@pytest.fixture(scope="session", params=_TWIN_PARAMS)
def envelope_impl(request):
    """The envelope-parsing twin (``_envelope_py`` then ``_envelope_c``)."""
    return _twin(request, "envelope")


@pytest.fixture(scope="session", params=_TWIN_PARAMS)
def filters_impl(request):
    """The filter-compiler twin (``_filters_py`` then ``_filters_c``)."""
    return _twin(request, "filters")


@pytest.fixture
def make_client(server):
    """``make_client(uuid="client", origin=None, **settings)``: pubnub_fast clients of the ``server``
    fixture in scope (its ``origin``), stopped after the test (``tests/e2e_support.py``)."""
    from tests.e2e_support import clients_of  # not at the top: it imports the reactor, pytest-twisted installs it

    with clients_of(server.origin) as make:
        yield make
