"""Run ``python -m pubnub_fast serve`` as a subprocess for CLI and interop tests.

``ServerProcess`` waits (bounded) for the ``pubnub-fast serving on http://HOST:PORT`` line and
always kills the process on exit, whatever happened.
"""
import os
import queue
import re
import signal
import subprocess
import sys
import threading

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SERVING = re.compile(r"pubnub-fast serving on http://([^:\s]+):(\d+)")


class ServerProcess:
    """Context manager: ``with ServerProcess("--long-poll", "5") as proc: proc.origin``."""

    def __init__(self, *args, startup_timeout=20.0, env=None):
        self.args = ["--port", "0", "--data", ":memory:", *args]
        self.startup_timeout = startup_timeout
        self.env = dict(os.environ if env is None else env)
        self.env["PYTHONPATH"] = REPO_ROOT + os.pathsep + self.env.get("PYTHONPATH", "")
        self.process = None
        self.origin = None
        self.port = None
        self.lines = queue.Queue()
        self.output = []

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pubnub_fast", "serve", *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env, cwd=REPO_ROOT, text=True,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        try:
            while True:
                line = self.lines.get(timeout=self.startup_timeout)
                if line is None:
                    raise RuntimeError("server exited early:\n" + "".join(self.output))
                match = _SERVING.search(line)
                if match:
                    self.port = int(match.group(2))
                    self.origin = "%s:%d" % (match.group(1), self.port)
                    return self
        except BaseException:
            self.kill()
            raise

    def _pump(self):
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def terminate(self, sig=signal.SIGTERM, timeout=15.0):
        """Send ``sig`` and wait for the exit status (killed after ``timeout``)."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __exit__(self, *exc):
        self.kill()
        return False
