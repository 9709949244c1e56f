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
    assert "(embedded server" in out
    assert "\r" not in out  # no live progress line when piped
    assert "cpu              clients" in out
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


def _spawn_demo(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "pubnub_fast", "demo", *args], text=True, **kwargs)


def test_ctrl_c_stops_the_demo_at_once_and_quietly():
    """200,000 messages are streamed, not built up front: Ctrl-C while publishing ends the demo
    within seconds, with the interrupted summary, exit status 130 and no generator noise."""
    import signal
    import time

    process = _spawn_demo("--messages", "200000", "--show", "0", "--server-in-process",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = []
        for line in process.stdout:  # wait until publishing has started
            seen.append(line)
            if "subscribers connected" in line:
                break
        time.sleep(0.5)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        reacted = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    out = "".join(seen) + out
    assert process.returncode == 130, out + err
    assert reacted < 10, reacted
    assert "summary (interrupted after" in out and "result           INTERRUPTED" in out
    assert "GeneratorExit" not in err and "Traceback" not in err and "Unhandled" not in err, err


def test_progress_line_on_a_terminal_only():
    import pty

    master, slave = pty.openpty()
    try:
        process = _spawn_demo("--messages", "400", "--in-flight", "4", "--show", "0",
                              "--server-in-process", stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        output = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is gone: the process ended
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=120)
    finally:
        os.close(master)
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, text
    assert "\r  published " in text and " msg/s" in text  # the live line, rewritten in place
    assert "result           OK" in text


def test_demo_help_states_defaults_and_exit_codes():
    result = subprocess.run([sys.executable, "-m", "pubnub_fast", "demo", "--help"], capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, COLUMNS="200"))
    text = " ".join(result.stdout.split())
    assert "(default 60)" in text  # --timeout
    assert "(default 32)" in text  # --in-flight
    assert "130 when interrupted" in text
