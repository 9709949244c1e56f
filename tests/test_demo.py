"""``pubnub-fast demo`` — the README's main job — runs end to end and says what it measured."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_demo_against_the_embedded_server():
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-m", "pubnub_fast", "demo", "--messages", "60", "--show", "2"],
                            capture_output=True, text=True, timeout=120, env=env)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "(embedded server)" in out
    assert "60/60 received, 0 lost, 0 duplicates" in out
    assert "30/30 received, 0 lost, 0 duplicates, 0 passed the filter wrongly" in out
    assert "latency          p50" in out and "p99" in out
    assert "result           OK" in out
    twins = [line for line in out.splitlines() if line.strip().startswith("twins")][0]
    # a normal install runs every compiled twin (tests/test_speedups.py checks they are built);
    # PUBNUB_FAST_NO_EXTENSIONS=1 runs every pure one
    pure = os.environ.get("PUBNUB_FAST_NO_EXTENSIONS", "").strip().lower() in ("1", "true", "yes", "on")
    reported = dict(item.split("=", 1) for item in twins.split(None, 1)[1].split(", "))
    assert reported == dict.fromkeys(("signing", "crypto", "envelope", "filters"), "py" if pure else "c"), twins


def test_demo_reports_failure_when_the_origin_is_unreachable():
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run([sys.executable, "-m", "pubnub_fast", "demo", "--messages", "5",
                             "--origin", "127.0.0.1:%d" % port, "--timeout", "3"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
