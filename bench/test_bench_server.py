"""The local server's CPU per publish and per delivered message, next to the floor of Twisted.

Run: ``python -m pytest bench/test_bench_server.py --benchmark-only``. Each server runs in its own
process (``bench/server_load.py``); the load is pre-encoded requests on one keep-alive loopback
connection, 1 or 16 pipelined at a time. What counts is the **server's CPU time** (all its
threads, the SQLite worker included, from ``/proc``) per request, recorded in
``extra_info["server_cpu_us"]`` (lowest of the rounds) with its ratio to the floor of the same
run (``x_floor``): a bare Twisted protocol answering a canned response without parsing, routing or
storing anything. The benchmark's own time is the client's wall clock and means little on a
shared machine.

Rows: publish not stored / stored (committed to SQLite before the 200), 1 and 16 in flight; and a
fan-out to 10 long-polling subscribers, per delivered message (the publish cost measured alone is
subtracted).
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_load  # noqa: E402  (bench/ helper, not a package)

if not os.path.exists("/proc/self/stat"):  # pragma: no cover
    pytest.skip("server CPU is read from /proc", allow_module_level=True)

COUNT = int(os.environ.get("BENCH_SERVER_REQUESTS", "4000"))
ROUNDS = 3
QUICK_COUNT, QUICK_ROUNDS = 300, 1  # --bench-quick (CI): every row runs, briefly, and no figure is judged
_floor_cpu = {}  # depth -> floor CPU seconds per request (the floor rows run first)


@pytest.fixture(scope="module")
def floor_server():
    with server_load.Server(floor=True) as server:
        yield server


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("bench-server") / "bench.sqlite3")
    with server_load.Server(["--data", data]) as server:
        yield server


def _measure(benchmark, server, requests, depth, rounds):
    server_load.run_requests(server.port, requests[:100], depth)  # warm up
    spent = []

    def once():
        before = server.cpu()
        server_load.run_requests(server.port, requests, depth)
        spent.append(server.cpu() - before)

    benchmark.pedantic(once, rounds=rounds, iterations=1)
    return min(spent) / len(requests)


@pytest.mark.benchmark(group="server-publish")
@pytest.mark.parametrize("row", ["floor-1", "floor-16", "plain-1", "plain-16", "stored-1", "stored-16"])
def test_server_cpu_per_publish(benchmark, request, row, bench_quick):
    kind, depth = row.split("-")
    depth = int(depth)
    base, rounds = (QUICK_COUNT, QUICK_ROUNDS) if bench_quick else (COUNT, ROUNDS)
    if kind == "floor":
        server = request.getfixturevalue("floor_server")
    else:
        server = request.getfixturevalue("real_server")
    count = base * (5 if kind == "floor" else 1)  # the floor is cheap: more requests for the 10 ms CPU ticks
    requests = server_load.publish_requests(count, channel=b"bench-%s" % row.encode(), store=kind == "stored")
    per_request = _measure(benchmark, server, requests, depth, rounds)
    benchmark.extra_info["server_cpu_us"] = round(per_request * 1e6, 1)
    if kind == "floor":
        _floor_cpu[depth] = per_request
        return
    floor = _floor_cpu.get(depth)
    if floor is None:
        pytest.fail("server-publish/%s: the floor-%d row did not run before it (deselected or reordered?), "
                    "so there is no floor to compare with; run the whole group" % (row, depth))
    if floor > 0:
        benchmark.extra_info["x_floor"] = round(per_request / floor, 1)
    elif not bench_quick:  # CPU is read in 10 ms ticks: a full run must measure enough to see the floor
        pytest.fail("server-publish/floor-%d measured no CPU time; raise BENCH_SERVER_REQUESTS" % depth)


@pytest.mark.benchmark(group="server-delivery")
def test_server_cpu_per_delivered_message(benchmark, real_server, bench_quick):
    base, rounds = (QUICK_COUNT, QUICK_ROUNDS) if bench_quick else (COUNT, ROUNDS)
    results = []

    def once():
        results.append(server_load.cpu_per_delivery(real_server, 10, max(200, base // 10)))

    benchmark.pedantic(once, rounds=rounds, iterations=1)
    per_delivery, alone = min(results)
    benchmark.extra_info["server_cpu_us"] = round(per_delivery * 1e6, 1)
    benchmark.extra_info["publish_alone_cpu_us"] = round(alone * 1e6, 1)
