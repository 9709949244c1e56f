"""Realistic programs written against PubNub's SDK run unchanged on pubnub_fast (decisions.md §21, §24).

Every program in ``tests/compat_programs/`` is plain PubNub SDK code (``import pubnub…``). Each runs
twice against the same local server (``pubnub-fast serve`` in a subprocess): once with the
official ``pubnub==10.8.0`` package (the test-only peer) and once through ``python -m
pubnub_fast.compat``. Both must exit 0 and print the same lines once genuinely variable things are
normalised: the run's unique suffix of channel names, timetokens (17 digits) and uuids (and two
diagnostics the official SDK prints to stdout on its own are dropped).

All runs start at once (bounded pool of subprocesses) so that the module stays within its time
budget; each run is bounded by ``RUN_TIMEOUT``.
"""
import os
import re
import subprocess
import sys
import uuid as uuid_module
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.server.server_process import REPO_ROOT, ServerProcess

pytest.importorskip("pubnub.pubnub")  # the official SDK (the `test` extra)

PROGRAMS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compat_programs")
PROGRAMS = sorted(name[:-3] for name in os.listdir(PROGRAMS_DIR) if name.endswith(".py") and not name.startswith("_"))
RUN_TIMEOUT = 60
PARALLEL = 8

_TIMETOKEN = re.compile(r"\b1\d{16}\b")
_UUID = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b")

#: Diagnostics PubNub's SDK 10.8 itself prints to stdout (its asyncio event engine, when stop()
#: cuts a long-poll short), depending on timing: not the program's output.
_OFFICIAL_NOISE = re.compile(r"^(Recieve messages failed: .*|EventEngine is not enabled)\n", re.MULTILINE)


def normalise(output, run_id):
    output = _OFFICIAL_NOISE.sub("", output)
    output = output.replace(run_id, "<RUN>")
    output = _TIMETOKEN.sub("<TT>", output)
    return _UUID.sub("<UUID>", output)


def run_program(program, mode, origin):
    run_id = "%s%s" % (mode[0], uuid_module.uuid4().hex[:10])
    env = dict(os.environ, PN_ORIGIN=origin, PN_RUN=run_id, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    script = os.path.join(PROGRAMS_DIR, program + ".py")
    command = [sys.executable, script] if mode == "official" else [sys.executable, "-m", "pubnub_fast.compat", script]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env,
                              cwd=PROGRAMS_DIR)
    except subprocess.TimeoutExpired as exc:
        return None, normalise(exc.stdout or "", run_id) if isinstance(exc.stdout, str) else "", "timed out"
    return done.returncode, normalise(done.stdout, run_id), done.stderr


@pytest.fixture(scope="module")
def outputs():
    """``{(program, mode): (exit code, normalised stdout, stderr)}`` for every program and mode."""
    with ServerProcess("--long-poll", "3", "--keyset", "demo:demo", "--keyset", "pam:pampub:pamsecret") as server:
        jobs = [(program, mode) for program in PROGRAMS for mode in ("official", "fast")]
        with ThreadPoolExecutor(PARALLEL) as pool:
            results = list(pool.map(lambda job: run_program(job[0], job[1], server.origin), jobs))
    return dict(zip(jobs, results))


def test_there_are_at_least_ten_programs():
    assert len(PROGRAMS) >= 10, PROGRAMS


@pytest.mark.parametrize("program", PROGRAMS)
def test_program_gives_the_same_output(outputs, program):
    official_code, official_out, official_err = outputs[(program, "official")]
    assert official_code == 0, "the program fails with PubNub's own SDK:\n%s\n%s" % (official_out, official_err)
    assert official_out.strip(), "the program printed nothing"
    code, out, err = outputs[(program, "fast")]
    assert code == 0, "the program fails on pubnub_fast:\n%s\n%s" % (out, err)
    assert out.splitlines() == official_out.splitlines()
