"""Load for the local server's benchmarks: a server subprocess and raw keep-alive HTTP clients.

The server runs as ``python -m pubnub_fast serve`` (or, for the floor, a bare Twisted protocol
answering a canned response) in its own process; its CPU time (user + system, every thread — the
SQLite worker included) is read from ``/proc/PID/stat`` before and after a bounded load. The load
comes from plain blocking sockets in this process: requests are pre-encoded, ``depth`` of them
are written at once (pipelined on one keep-alive connection) and then their responses read, so
the client costs the server nothing but the bytes.

Run it alone for the numbers without pytest: ``python bench/server_load.py``.
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TICKS = os.sysconf("SC_CLK_TCK")
_SERVING = re.compile(r"serving on http://([^:\s]+):(\d+)")

#: A bare Twisted HTTP/1.1 protocol answering every request with one canned publish response:
#: the floor of any server written on Twisted (parse nothing, route nothing, store nothing).
FLOOR_SERVER = r"""
import sys
from twisted.internet import protocol, reactor
BODY = b'[1,"Sent","17000000000000000"]'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/javascript; charset=\"UTF-8\"\r\n"
            b"Content-Length: %d\r\n\r\n" % len(BODY)) + BODY
class Bare(protocol.Protocol):
    buffer = b""
    def dataReceived(self, data):
        self.buffer += data
        count = self.buffer.count(b"\r\n\r\n")
        if count:
            self.buffer = self.buffer[self.buffer.rindex(b"\r\n\r\n") + 4:]
            self.transport.write(RESPONSE * count)
factory = protocol.Factory.forProtocol(Bare)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print("floor serving on http://127.0.0.1:%d" % port.getHost().port, flush=True)
reactor.run()
"""


def cpu_seconds(pid):
    """User + system CPU seconds of process ``pid`` (all its threads) so far."""
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


class Server:
    """``with Server(["--data", path]) as server: server.port``; ``floor=True`` for the bare one."""

    def __init__(self, args=(), floor=False, timeout=30.0):
        if floor:
            self.argv = [sys.executable, "-c", FLOOR_SERVER]
        else:
            self.argv = [sys.executable, "-m", "pubnub_fast", "serve", "--port", "0",
                         "--log-level", "warning", *args]
        self.timeout = timeout
        self.process = None
        self.port = None

    def __enter__(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = REPO_ROOT + os.pathsep + env.get("PYTHONPATH", "")
        self.process = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env=env, cwd=REPO_ROOT, text=True)
        found = {}

        def watch():
            for line in self.process.stdout:
                match = _SERVING.search(line)
                if match and "port" not in found:
                    found["port"] = int(match.group(2))
                    ready.set()
            ready.set()

        ready = threading.Event()
        threading.Thread(target=watch, daemon=True).start()
        if not ready.wait(self.timeout) or "port" not in found:
            self.__exit__(None, None, None)
            raise RuntimeError("server did not start: %r" % (self.argv,))
        self.port = found["port"]
        return self

    def cpu(self):
        return cpu_seconds(self.process.pid)

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Connection:
    """One keep-alive connection writing pre-encoded requests and reading whole responses."""

    def __init__(self, port, timeout=30.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_response(self):
        """(status, body) of the next response."""
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buffer[:end]
                match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                length = int(match.group(1)) if match else 0
                if len(self.buffer) >= end + 4 + length:
                    body = self.buffer[end + 4:end + 4 + length]
                    self.buffer = self.buffer[end + 4 + length:]
                    return int(head[9:12]), body
            chunk = self.sock.recv(262144)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk

    def close(self):
        self.sock.close()


def request(path, method=b"GET", body=b""):
    head = b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n" % (method, path)
    if body:
        head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return head + b"\r\n" + body


def publish_requests(count, channel=b"bench", store=True, start=0):
    flag = b"" if store else b"&store=0"
    return [request(b"/publish/demo/demo/0/%s/0/%%7B%%22seq%%22%%3A%d%%2C%%22text%%22%%3A%%22hello%%22%%7D"
                    b"?uuid=bench-publisher&pnsdk=bench%s" % (channel, start + index, flag))
            for index in range(count)]


def run_requests(port, requests, depth, conn=None):
    """Send ``requests`` ``depth`` at a time on one connection; returns the response bodies."""
    own = conn is None
    conn = conn or Connection(port)
    bodies = []
    try:
        for start in range(0, len(requests), depth):
            batch = requests[start:start + depth]
            conn.send(b"".join(batch))
            for _ in batch:
                status, body = conn.read_response()
                if status != 200:
                    raise AssertionError("HTTP %d: %r" % (status, body[:200]))
                bodies.append(body)
    finally:
        if own:
            conn.close()
    return bodies


def cpu_per_request(server, requests, depth):
    """Server CPU seconds per request for ``requests`` sent ``depth`` in flight."""
    run_requests(server.port, requests[:50], depth)  # warm up
    before = server.cpu()
    run_requests(server.port, requests, depth)
    return (server.cpu() - before) / len(requests)


class Subscriber(threading.Thread):
    """A long-polling subscriber counting messages until it has ``expected`` (bounded in time)."""

    def __init__(self, port, channel, expected, name, timeout=60.0):
        super().__init__(daemon=True)
        self.port, self.channel, self.expected, self.name_, self.timeout = port, channel, expected, name, timeout
        self.received = 0
        self.connected = threading.Event()
        self.error = None

    def run(self):
        conn = Connection(self.port, timeout=self.timeout)
        deadline = time.monotonic() + self.timeout
        timetoken = b"0"
        try:
            conn.send(request(b"/v2/subscribe/demo/%s/0?uuid=%s&tt=0" % (self.channel, self.name_)))
            status, body = conn.read_response()
            timetoken = re.search(rb'"t":"(\d+)"', body).group(1)
            self.connected.set()
            while self.received < self.expected and time.monotonic() < deadline:
                conn.send(request(b"/v2/subscribe/demo/%s/0?uuid=%s&tt=%s&tr=1&heartbeat=300"
                                  % (self.channel, self.name_, timetoken)))
                status, body = conn.read_response()
                if status != 200:
                    raise AssertionError("subscribe HTTP %d %r" % (status, body[:200]))
                timetoken = re.search(rb'"t":"(\d+)"', body).group(1)
                self.received += body.count(b'"seq"')
        except Exception as exc:  # reported by the caller
            self.error = exc
        finally:
            self.connected.set()
            conn.close()


_fanouts = iter(range(10 ** 9))


def cpu_per_delivery(server, subscribers, messages, depth=16, burst=50):
    """Server CPU per delivered message: ``subscribers`` long-polls on one channel, ``messages``
    publishes (not stored) in bursts of ``burst`` (each burst waits until every subscriber has it
    all, so nobody falls behind the server's 100-message catch-up window). The publish cost
    measured alone is subtracted."""
    run = next(_fanouts)
    channel = b"fan-%d-%d" % (subscribers, run)
    publishes = publish_requests(messages, channel=channel, store=False)
    alone = cpu_per_request(server, publish_requests(messages, channel=b"nobody", store=False), depth)
    threads = [Subscriber(server.port, channel, messages, b"sub-%d-%d" % (run, index))
               for index in range(subscribers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.connected.wait(30)
    conn = Connection(server.port)
    before = server.cpu()
    try:
        for start in range(0, messages, burst):
            run_requests(server.port, publishes[start:start + burst], depth, conn)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(
                    thread.received < min(messages, start + burst) and thread.error is None for thread in threads):
                time.sleep(0.002)
    finally:
        conn.close()
    for thread in threads:
        thread.join(30)
    spent = server.cpu() - before
    delivered = sum(thread.received for thread in threads)
    errors = [thread.error for thread in threads if thread.error]
    if errors:
        raise AssertionError(errors[0])
    if delivered < subscribers * messages:
        raise AssertionError("delivered %d of %d" % (delivered, subscribers * messages))
    return (spent - alone * messages) / delivered, alone


def main():
    import tempfile

    count = int(os.environ.get("BENCH_SERVER_REQUESTS", "3000"))
    with tempfile.TemporaryDirectory() as tmp:
        with Server(floor=True) as floor:
            for depth in (1, 16):
                print("floor      depth %2d: %6.1f µs/request" % (
                    depth, 1e6 * cpu_per_request(floor, publish_requests(count), depth)))
        with Server(["--data", os.path.join(tmp, "bench.sqlite3")]) as server:
            for store in (False, True):
                for depth in (1, 16):
                    cost = cpu_per_request(server, publish_requests(count, store=store), depth)
                    print("publish store=%d depth %2d: %6.1f µs/request" % (store, depth, 1e6 * cost))
            per, alone = cpu_per_delivery(server, 10, count // 5)
            print("delivery (10 subscribers): %6.1f µs/delivered message (publish alone %.1f µs)"
                  % (1e6 * per, 1e6 * alone))


if __name__ == "__main__":
    main()
