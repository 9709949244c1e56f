"""Every ```python block of README.md runs, as written, so that the README cannot rot.

Each block is run as its own program (``python snippet.py``, nothing shared between blocks)
against a local server (``pubnub-fast serve`` on a free loopback port). The one substitution,
documented in the README's "Tests for contributors": every ``PNConfiguration`` starts with
``origin`` set to that server (``ssl`` off), since the snippets use the service's default origin
(``demo`` keys) — a snippet that sets ``config.origin`` itself keeps its own. A block passes when
it exits 0 within the time limit with no traceback or unhandled error on stderr; the blocks named
in ``EXPECTED`` must also print what they promise. Also runs the doctest of ``pubnub_twisted``.
"""
import os
import re
import subprocess
import sys

import pytest

from tests.server.server_process import ServerProcess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
TIMEOUT = 60

PRELUDE = """\
import os
from pubnub_fast.pnconfiguration import PNConfiguration

_readme_init = PNConfiguration.__init__


def _readme_local_origin(self, *args, **kwargs):
    _readme_init(self, *args, **kwargs)
    self.origin = os.environ["PUBNUB_FAST_README_ORIGIN"]
    self.ssl = False


PNConfiguration.__init__ = _readme_local_origin
"""

#: heading of the section → text the block must print (beyond running cleanly)
EXPECTED = {
    "Quick start (Twisted)": ["published at timetoken"],
    "Subscribing": ["chat my-device-2 I'm here"],
    "The local server": ["stored at timetoken"],
}


def python_blocks(text):
    """``[(heading, line number, code)]`` for every fenced ```python block."""
    blocks, heading = [], ""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.strip() == "```python":
            start = index + 1
            end = start
            while lines[end].strip() != "```":
                end += 1
            blocks.append((heading, start + 1, "\n".join(lines[start:end]) + "\n"))
            index = end
        index += 1
    return blocks


with open(README, encoding="utf-8") as _f:
    BLOCKS = python_blocks(_f.read())


def test_readme_has_the_blocks_this_test_expects():
    headings = {heading for heading, _, _ in BLOCKS}
    assert set(EXPECTED) <= headings, headings
    assert len(BLOCKS) >= 4


@pytest.fixture(scope="module")
def origin():
    with ServerProcess("--long-poll", "5") as server:
        yield server.origin


@pytest.mark.integration
@pytest.mark.parametrize("heading,line,code", BLOCKS, ids=["README.md:%d" % line for _, line, _ in BLOCKS])
def test_readme_python_block_runs(heading, line, code, origin, tmp_path):
    prelude = tmp_path / "readme_prelude.py"
    prelude.write_text(PRELUDE)
    snippet = tmp_path / "snippet.py"
    snippet.write_text(code)
    runner = ("import runpy, sys; sys.path.insert(0, %r); import readme_prelude; "
              "runpy.run_path(%r, run_name='__main__')" % (str(tmp_path), str(snippet)))
    env = dict(os.environ, PUBNUB_FAST_README_ORIGIN=origin, PYTHONPATH=ROOT)
    try:
        done = subprocess.run([sys.executable, "-c", runner], cwd=str(tmp_path), env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail("README.md:%d (%s) did not end within %d s; output: %s" % (line, heading, TIMEOUT, exc.stdout))
    where = "README.md:%d (%s)\nstdout:\n%s\nstderr:\n%s" % (line, heading, done.stdout, done.stderr)
    assert done.returncode == 0, where
    assert "Traceback" not in done.stderr and "Unhandled" not in done.stderr, where
    for text in EXPECTED.get(heading, []):
        assert text in done.stdout, where


def test_pubnub_twisted_docstring_example_runs():
    code = ("import doctest, pubnub_fast.pubnub_twisted as m; r = doctest.testmod(m); "
            "print(r.attempted, r.failed)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    attempted, failed = map(int, done.stdout.split()[-2:])
    assert attempted >= 4 and failed == 0, done.stdout
