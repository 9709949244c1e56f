"""mypy passes on the package and on ``tests/typed_example.py`` — and it does catch mistakes.

The second test is what makes the first mean something: a program that misuses the public API
(wrong attribute types, a builder chain assigned to the wrong builder type, a setter that does
not exist) must be reported, so the public surface is typed, not ``Any``. mypy is a test-only
dependency (the ``test`` extra). It does not depend on the twins, so it runs in the compiled pass
only; ``.ci/run`` also runs it once on its own.
"""
import os
import re
import subprocess
import sys

import pytest

from pubnub_fast import _speedups

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_speedups.extensions_disabled(), reason="mypy runs once, in the compiled pass"),
]


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("mypy_cache"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache, "--no-error-summary",
                               "--hide-error-context", *args], cwd=ROOT, capture_output=True, text=True)
    return run


def test_package_and_typed_example_pass_mypy(mypy):
    done = mypy()  # the files of [tool.mypy]: pubnub_fast and tests/typed_example.py
    assert done.returncode == 0, done.stdout + done.stderr


MISUSE = '''\
from pubnub_fast.endpoints.pubsub import Fire
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted

config = PNConfiguration()
port: str = config.port
key: int = config.subscribe_key
pubnub = PubNubTwisted(config)
fire: Fire = pubnub.publish().channel("c").message(1)
pubnub.publish().channel("c").no_such_setter()
pubnub.time().deferred().addCallback(lambda envelope: envelope.no_such_attribute)
pubnub.publish().channel("c").message(1).should_store("yes").ttl(1.5)
ok = pubnub.publish().channel("c").should_store(True).meta({}).deferred()
from pubnub_fast.pubnub import PubNub, NonSubscribeListener
timetoken: int = PubNub(config).time().sync()
NonSubscribeListener().pn_await(timeout="soon")
'''


def test_mypy_reports_misuse_of_the_public_api(mypy, tmp_path):
    program = tmp_path / "misuse.py"
    program.write_text(MISUSE)
    done = mypy(str(program))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = sorted({int(m.group(1)) for m in re.finditer(r"misuse\.py:(\d+): error", done.stdout)})
    assert lines == [6, 7, 9, 10, 11, 12, 15, 16], done.stdout  # each mistake; nothing on the correct lines 13, 14
