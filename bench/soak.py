"""Soak test of the local server: bounded mixed traffic, a restart, and growth checks (issue 12).

    python bench/soak.py                 # 10 minutes (the default)
    python bench/soak.py --minutes 2 --clients 8 --json soak.json

Runs ``pubnub-fast serve`` as a child process on a temporary SQLite file and drives it from
``--clients`` threads (plain blocking HTTP/1.1, each with a short pause between requests so the
load stays moderate on a shared machine) with a mix of stored and unstored publishes, signals,
subscribe long-polls (some dropped by the client mid-poll), history and fetch, message counts,
presence (heartbeats, state, here_now, leave), App Context writes and reads, and half-sent
requests whose client goes away. Half way through, the server is stopped with SIGTERM and started
again on the same data file. Every ``--sample`` seconds it records the server's RSS, open file
descriptors and the request latencies (p50/p99) of that interval.

Exit status 0 only when: no request got a 5xx, the server logged no traceback, every stored
publish that was acknowledged is in history at the end (after the restart), and neither RSS nor
open fds keep growing after warm-up — for each server process, the maximum over the last half of
its post-warm-up samples is at most ``--rss-slack`` (10 %) + 8 MiB above the maximum over the
first half (fds: at most 16 more). Every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import quote

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUB = PUB = "soak"
_SERVING = re.compile(r"pubnub-fast serving on http://([^:\s]+):(\d+)")


# -- the server process ---------------------------------------------------------------------------


class Server:
    def __init__(self, data: str, port: int = 0, extra: tuple[str, ...] = ()) -> None:
        env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pubnub_fast", "serve", "--port", str(port), "--data", data,
             "--long-poll", "10", "--log-level", "warning", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO_ROOT,
        )
        self.output: list[str] = []
        self.port = 0
        ready = threading.Event()

        def pump() -> None:
            for line in self.process.stdout:  # type: ignore[union-attr]
                self.output.append(line)
                match = _SERVING.search(line)
                if match:
                    self.port = int(match.group(2))
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(30) or not self.port:
            self.process.kill()
            raise RuntimeError("the server did not start:\n" + "".join(self.output))

    def rss_bytes(self) -> int:
        with open("/proc/%d/status" % self.process.pid) as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def open_fds(self) -> int:
        return len(os.listdir("/proc/%d/fd" % self.process.pid))

    def cpu_seconds(self) -> float:
        with open("/proc/%d/stat" % self.process.pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            return -9


# -- traffic --------------------------------------------------------------------------------------


class Shared:
    """State shared by the client threads and the sampler."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.requests = 0
        self.errors = 0  # connection failures (expected only around the restart)
        self.server_errors: list[str] = []
        self.ledger: dict[str, dict[int, str]] = {}  # channel -> {timetoken: payload} of stored publishes
        self.paused = threading.Event()  # set while the server restarts
        self.stop = threading.Event()

    def record(self, seconds: float, status: int, what: str) -> None:
        with self.lock:
            self.requests += 1
            if what != "subscribe":  # a long-poll is held on purpose: not a latency
                self.latencies.append(seconds)
            if status >= 500:
                self.server_errors.append("%s -> %d" % (what, status))


def request(shared: Shared, method: str, path: str, body: bytes | None = None, timeout: float = 20.0,
            what: str = "") -> tuple[int, bytes]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", shared.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        with shared.lock:
            shared.errors += 1
        return 0, b""
    finally:
        connection.close()
    shared.record(time.perf_counter() - started, response.status, what or path.split("?")[0][:60])
    return response.status, data


def client(shared: Shared, number: int, channels: list[str], seed: int, deadline: float) -> None:
    rng = random.Random(seed)
    uuid = "soak-client-%d" % number
    cursor = "0"
    operations = 0
    while not shared.stop.is_set() and time.monotonic() < deadline and operations < 10_000_000:
        operations += 1
        if shared.paused.is_set():
            time.sleep(0.2)
            continue
        channel = rng.choice(channels)
        roll = rng.random()
        if roll < 0.30:  # stored publish, recorded in the ledger
            payload = "m-%d-%d-%s" % (number, operations, "x" * rng.choice((10, 100, 1000, 8000)))
            status, data = request(shared, "GET", "/publish/%s/%s/0/%s/0/%s?uuid=%s" % (
                PUB, SUB, channel, quote(json.dumps(payload), safe=""), uuid), what="publish")
            if status == 200:
                timetoken = int(json.loads(data)[2])
                with shared.lock:
                    shared.ledger.setdefault(channel, {})[timetoken] = payload
        elif roll < 0.40:  # unstored publish and signal
            request(shared, "GET", "/publish/%s/%s/0/%s/0/%s?store=0&uuid=%s" % (
                PUB, SUB, channel, quote(json.dumps({"n": operations}), safe=""), uuid), what="publish-nostore")
            request(shared, "GET", "/signal/%s/%s/0/%s/0/%s?uuid=%s" % (
                PUB, SUB, channel, quote('"s"', safe=""), uuid), what="signal")
        elif roll < 0.55:  # subscribe long-poll, sometimes dropped by the client
            if rng.random() < 0.3:
                _dropped_subscribe(shared, channel, uuid)
            else:
                status, data = request(shared, "GET", "/v2/subscribe/%s/%s,%s-pnpres/0?tt=%s&uuid=%s&heartbeat=60" % (
                    SUB, channel, channel, cursor, uuid), timeout=30, what="subscribe")
                if status == 200:
                    cursor = json.loads(data)["t"]["t"]
                    if rng.random() < 0.2:
                        cursor = "0"
        elif roll < 0.65:  # history / fetch / counts
            choice = rng.random()
            if choice < 0.4:
                request(shared, "GET", "/v3/history/sub-key/%s/channel/%s?max=25" % (SUB, channel), what="fetch")
            elif choice < 0.7:
                request(shared, "GET", "/v2/history/sub-key/%s/channel/%s?count=50" % (SUB, channel), what="history")
            else:
                request(shared, "GET", "/v3/history/sub-key/%s/message-counts/%s?timetoken=15000000000000000" % (
                    SUB, channel), what="counts")
        elif roll < 0.80:  # presence
            choice = rng.random()
            if choice < 0.4:
                request(shared, "GET", "/v2/presence/sub-key/%s/channel/%s/heartbeat?uuid=%s&heartbeat=30" % (
                    SUB, channel, uuid), what="heartbeat")
            elif choice < 0.6:
                state = quote(json.dumps({"mood": rng.choice(["ok", "busy"]), "n": operations}), safe="")
                request(shared, "GET", "/v2/presence/sub-key/%s/channel/%s/uuid/ghost-%d/data?state=%s&uuid=%s" % (
                    SUB, channel, rng.randrange(100_000), state, uuid), what="state")
            elif choice < 0.85:
                request(shared, "GET", "/v2/presence/sub-key/%s/channel/%s?state=1" % (SUB, channel), what="here_now")
            else:
                request(shared, "GET", "/v2/presence/sub-key/%s/channel/%s/leave?uuid=%s" % (SUB, channel, uuid),
                        what="leave")
        elif roll < 0.93:  # App Context over a bounded id set
            object_id = "obj-%d" % rng.randrange(300)
            if rng.random() < 0.5:
                body = json.dumps({"name": object_id, "custom": {"blob": "c" * rng.choice((10, 500, 4000))}})
                request(shared, "PATCH", "/v2/objects/%s/uuids/%s" % (SUB, object_id), body.encode(), what="objects-set")
            else:
                request(shared, "GET", "/v2/objects/%s/uuids?limit=20&filter=%s" % (
                    SUB, quote("name like 'obj-1*'", safe="")), what="objects-list")
        else:  # a client that sends half a request and goes away
            _half_request(shared)
        time.sleep(rng.uniform(0.02, 0.08))


def _dropped_subscribe(shared: Shared, channel: str, uuid: str) -> None:
    try:
        with socket.create_connection(("127.0.0.1", shared.port), timeout=5) as sock:
            sock.sendall(("GET /v2/subscribe/%s/%s/0?tt=99999999999999999&uuid=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                          % (SUB, channel, uuid)).encode())
            time.sleep(0.2)
    except OSError:
        with shared.lock:
            shared.errors += 1


def _half_request(shared: Shared) -> None:
    try:
        with socket.create_connection(("127.0.0.1", shared.port), timeout=5) as sock:
            sock.sendall(b"POST /publish/soak/soak/0/ch/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"a\":")
    except OSError:
        with shared.lock:
            shared.errors += 1


# -- checks ---------------------------------------------------------------------------------------


def stored_timetokens(shared: Shared, channel: str) -> set[int]:
    """Every stored timetoken of ``channel`` (fetch pages of 100, newest first, bounded)."""
    found: set[int] = set()
    start = ""
    for _ in range(100_000):
        path = "/v3/history/sub-key/%s/channel/%s?max=100%s" % (SUB, channel, "&start=" + start if start else "")
        status, data = request(shared, "GET", path, what="verify")
        if status != 200:
            raise RuntimeError("verify fetch failed: %d" % status)
        items = json.loads(data)["channels"].get(channel, [])
        if not items:
            return found
        found.update(int(item["timetoken"]) for item in items)
        start = items[0]["timetoken"]
    return found


def growth(samples: list[dict], key: str) -> tuple[float, float]:
    """(max over the first half, max over the last half) of ``samples[key]``."""
    half = max(1, len(samples) // 2)
    return max(s[key] for s in samples[:half]), max(s[key] for s in samples[half:] or samples[-1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=0.4, help="fraction of each server's run")
    parser.add_argument("--rss-slack", type=float, default=0.10)
    parser.add_argument("--json", default=None, help="write the samples and verdict here")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--server-args", default="--max-tail-bytes 8M --max-presence-bytes 4M --max-objects-bytes 4M",
        help="extra serve options; the default budgets are small so that they fill during warm-up "
        "(memory growing after that is a leak, not a budget still filling)",
    )
    args = parser.parse_args(argv)

    total = args.minutes * 60
    workdir = tempfile.mkdtemp(prefix="pubnub-fast-soak-")
    data = os.path.join(workdir, "soak.sqlite3")
    extra = tuple(args.server_args.split())
    server = Server(data, extra=extra)
    shared = Shared(server.port)
    channels = ["soak-%d" % index for index in range(args.channels)]
    started = time.monotonic()
    deadline = started + total
    threads = [
        threading.Thread(target=client, args=(shared, n, channels, args.seed * 1000 + n, deadline), daemon=True)
        for n in range(args.clients)
    ]
    for thread in threads:
        thread.start()

    samples: list[dict] = []
    phases: list[list[dict]] = [[]]
    restarted = False
    logs: list[str] = []
    print("%7s %5s %9s %5s %8s %8s %8s %6s" % ("t(s)", "phase", "RSS(MiB)", "fds", "req/s", "p50(ms)", "p99(ms)", "cpu%"),
          "(latency: every request but subscribe long-polls)")
    last_cpu, last_time = server.cpu_seconds(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(min(args.sample, max(0.0, deadline - time.monotonic())))
        now = time.monotonic()
        if not restarted and now - started >= total / 2:
            shared.paused.set()
            time.sleep(0.5)
            logs += server.output
            status = server.stop()
            if status != 0:
                shared.server_errors.append("server exited %d on SIGTERM" % status)
            server = Server(data, port=server.port, extra=extra)
            shared.port = server.port
            shared.paused.clear()
            restarted = True
            phases.append([])
            last_cpu, last_time = server.cpu_seconds(), time.monotonic()
            print("-- restarted on the same data file --")
            continue
        with shared.lock:
            latencies, shared.latencies = shared.latencies, []
        cpu = server.cpu_seconds()
        sample = {
            "t": round(now - started, 1),
            "phase": len(phases),
            "rss": server.rss_bytes(),
            "fds": server.open_fds(),
            "requests_per_s": round(len(latencies) / max(1e-9, now - last_time), 1),
            "p50_ms": round(1000 * statistics.median(latencies), 2) if latencies else None,
            "p99_ms": round(1000 * sorted(latencies)[int(0.99 * (len(latencies) - 1))], 2) if latencies else None,
            "cpu_percent": round(100 * (cpu - last_cpu) / max(1e-9, now - last_time), 1),
        }
        last_cpu, last_time = cpu, now
        samples.append(sample)
        phases[-1].append(sample)
        print("%7.1f %5d %9.1f %5d %8.1f %8s %8s %6.1f" % (
            sample["t"], sample["phase"], sample["rss"] / 2**20, sample["fds"], sample["requests_per_s"],
            sample["p50_ms"], sample["p99_ms"], sample["cpu_percent"]), flush=True)

    shared.stop.set()
    for thread in threads:
        thread.join(40)
    problems: list[str] = []
    # nothing stored and acknowledged may be missing (the restart included)
    lost = 0
    stored = 0
    for channel, entries in sorted(shared.ledger.items()):
        present = stored_timetokens(shared, channel)
        stored += len(entries)
        lost += len(set(entries) - present)
    if lost:
        problems.append("%d of %d acknowledged stored messages are missing" % (lost, stored))
    for number, phase in enumerate(phases, 1):
        steady = phase[int(len(phase) * args.warmup):]
        if len(steady) < 2:
            problems.append("phase %d: too few samples after warm-up (%d)" % (number, len(steady)))
            continue
        early, late = growth(steady, "rss")
        if late > early * (1 + args.rss_slack) + 8 * 2**20:
            problems.append("phase %d: RSS keeps growing after warm-up (%.1f -> %.1f MiB)"
                            % (number, early / 2**20, late / 2**20))
        early_fds, late_fds = growth(steady, "fds")
        if late_fds > early_fds + 16:
            problems.append("phase %d: open fds keep growing (%d -> %d)" % (number, early_fds, late_fds))
    if shared.server_errors:
        problems.append("%d 5xx answers or failed stops, e.g. %s" % (len(shared.server_errors), shared.server_errors[:3]))
    final_status = server.stop()
    logs += server.output
    if final_status != 0:
        problems.append("the server exited %d on SIGTERM" % final_status)
    if any("Traceback" in line for line in logs):
        problems.append("the server logged a traceback")

    all_latencies_p99 = [s["p99_ms"] for s in samples if s["p99_ms"] is not None]
    verdict = {
        "minutes": args.minutes,
        "clients": args.clients,
        "requests": shared.requests,
        "connection_errors": shared.errors,
        "stored_publishes_checked": stored,
        "lost": lost,
        "rss_mib_max": round(max(s["rss"] for s in samples) / 2**20, 1) if samples else None,
        "fds_max": max(s["fds"] for s in samples) if samples else None,
        "p99_ms_median_of_intervals": statistics.median(all_latencies_p99) if all_latencies_p99 else None,
        "problems": problems,
        "samples": samples,
    }
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(verdict, handle, indent=1)
    print("requests %d, connection errors %d (restart window), stored publishes checked %d, lost %d"
          % (shared.requests, shared.errors, stored, lost))
    for number, phase in enumerate(phases, 1):
        if phase:
            print("phase %d: RSS %.1f..%.1f MiB, fds %d..%d" % (
                number, min(s["rss"] for s in phase) / 2**20, max(s["rss"] for s in phase) / 2**20,
                min(s["fds"] for s in phase), max(s["fds"] for s in phase)))
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
