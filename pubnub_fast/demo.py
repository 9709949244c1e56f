"""``pubnub-fast demo``: pubnub_fast end to end, against the embedded local server or any origin.

What it does (decisions.md §16):

1. starts the local PubNub-compatible server on a free loopback port (unless ``--origin``) — in
   a child process by default, so that on a multi-core machine the server and the clients each
   have a core (``--server-in-process`` runs it on the demo's own reactor instead),
2. connects two subscribers, both with a cipher key and presence: ``all`` receives every
   message, ``urgent`` sets the filter expression ``meta.priority == 'high'`` and must receive
   only the high-priority half,
3. publishes ``--messages`` encrypted messages from a third client, ``--in-flight`` requests at a
   time, streaming (one message is built when a request slot frees up, so any count runs in
   constant memory); on a terminal a live progress line shows how far it got,
4. prints a sample of what arrives and a summary: messages/s, p50/p99 publish→delivery latency,
   lost/duplicated/mis-filtered counts, CPU per message, and which twin (compiled or pure
   Python) each hot path used,
5. exits 0 when every expected message arrived exactly once and the filter held, 1 otherwise,
   and 130 when interrupted (Ctrl-C or SIGTERM: it stops publishing at once, lets the requests
   in flight finish, prints what it measured so far and shuts down cleanly; a second Ctrl-C
   exits immediately).
"""
import argparse
import os
import resource
import signal
import sys
import time
import uuid as uuid_module

from twisted.internet import defer, protocol, task

from pubnub_fast import __version__, _speedups
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNReconnectionPolicy, PNStatusCategory
from pubnub_fast.pnconfiguration import PNConfiguration

__all__ = ["add_arguments", "run", "main", "EXIT_INTERRUPTED"]

CIPHER_KEY = "pubnub-fast-demo-cipher"
FILTER = "meta.priority == 'high'"
DEFAULT_MESSAGES = 5000
DEFAULT_IN_FLIGHT = 32
DEFAULT_TIMEOUT = 60.0
#: exit status after Ctrl-C / SIGTERM (128 + SIGINT, the shell convention)
EXIT_INTERRUPTED = 130
PROGRESS_EVERY = 0.25  # seconds between progress line updates


def add_arguments(parser):
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES,
                        help="messages to publish (default %d)" % DEFAULT_MESSAGES)
    parser.add_argument("--in-flight", type=int, default=DEFAULT_IN_FLIGHT,
                        help="publish requests in flight (default %d)" % DEFAULT_IN_FLIGHT)
    parser.add_argument("--origin", help="use this PubNub-compatible origin (host[:port]) instead of the "
                                         "embedded server")
    parser.add_argument("--sub-key", default="demo", help="subscribe key (default: demo)")
    parser.add_argument("--pub-key", default="demo", help="publish key (default: demo)")
    parser.add_argument("--ssl", action="store_true", help="use https with --origin")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="give up waiting for the subscribers to connect, and for deliveries after "
                             "the last publish, after this many seconds (default %g)" % DEFAULT_TIMEOUT)
    parser.add_argument("--show", type=int, default=5, help="messages to print as they arrive (default 5)")
    parser.add_argument("--server-in-process", action="store_true",
                        help="run the embedded server on the demo's own reactor instead of in a child "
                             "process (the default when the machine has more than one core)")
    parser.epilog = ("Exit status: 0 when every message arrived exactly once and the filter held, 1 "
                     "otherwise, %d when interrupted (Ctrl-C/SIGTERM stops it cleanly; a second "
                     "Ctrl-C exits at once)." % EXIT_INTERRUPTED)


def _percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


class _Stop:
    """Set once by Ctrl-C/SIGTERM; every loop of the demo checks it."""

    def __init__(self):
        self.requested = False

    def request(self):
        self.requested = True


class _Progress:
    """A live status line on a terminal (``\\r``-rewritten); nothing when output is piped."""

    def __init__(self, stream, enabled):
        self._stream = stream
        self.enabled = enabled
        self._width = 0

    def show(self, text):
        if not self.enabled:
            return
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = len(text)

    def clear(self):
        if self.enabled and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


class _Subscriber(SubscribeCallback):
    def __init__(self, name, clock, out, show):
        self.name = name
        self._clock = clock
        self._out = out
        self._show = show
        self.connected = defer.Deferred()
        self.received = {}
        self.duplicates = 0
        self.latencies = []
        self.statuses = []
        self.presence_events = 0
        self.decryption_errors = 0

    def status(self, pubnub, status):
        self.statuses.append(status.category)
        if status.category == PNStatusCategory.PNConnectedCategory and not self.connected.called:
            self.connected.callback(None)
        elif status.category == PNStatusCategory.PNDecryptionErrorCategory:
            self.decryption_errors += 1
        elif status.is_error():
            self._out("[%s] status %s: %s" % (self.name, status.category.name,
                                              status.error_data.information if status.error_data else ""))

    def message(self, pubnub, message):
        body = message.message
        if not isinstance(body, dict) or "seq" not in body:
            return
        seq = body["seq"]
        if seq in self.received:
            self.duplicates += 1
            return
        self.received[seq] = message.user_metadata
        self.latencies.append(self._clock.seconds() - body["sent"])
        if len(self.received) <= self._show:
            self._out("[%s] %s #%d %r (meta %r)" % (self.name, message.channel, seq, body["text"],
                                                    message.user_metadata))

    def presence(self, pubnub, presence):
        self.presence_events += 1


def _client(args, origin, uuid, clock, **settings):
    from pubnub_fast.pubnub_twisted import PubNubTwisted  # here: 'serve' builds this parser too

    config = PNConfiguration(subscribe_key=args.sub_key, publish_key=args.pub_key, uuid=uuid)
    config.origin = origin
    config.ssl = bool(args.ssl and args.origin)
    config.cipher_key = CIPHER_KEY
    config.reconnect_policy = PNReconnectionPolicy.EXPONENTIAL
    for name, value in settings.items():
        setattr(config, name, value)
    return PubNubTwisted(config, reactor=clock)


# -- the embedded server --------------------------------------------------------------------------


class _InProcessServer:
    def __init__(self, running):
        self.running = running
        self.origin = running.origin
        self.pid = None

    def stop(self):
        return self.running.stop()


class _ServerChild(protocol.ProcessProtocol):
    """``python -m pubnub_fast serve`` as a child process; ``ready`` fires with its origin."""

    def __init__(self):
        self.ready = defer.Deferred()
        self.ended = defer.Deferred()
        self.pid = None
        self.origin = None
        self._output = b""

    def outReceived(self, data):  # noqa: N802
        if self.ready.called:
            return
        self._output += data
        marker = b"serving on http://"
        if marker in self._output:
            rest = self._output.split(marker, 1)[1]
            if b"\n" in rest:
                self.origin = rest.split(b"\n", 1)[0].strip().decode("ascii")
                self.ready.callback(self.origin)

    errReceived = outReceived  # the server logs to stderr; it is read only until it is ready

    def processEnded(self, reason):  # noqa: N802
        if not self.ready.called:
            self.ready.errback(RuntimeError("the server process ended before serving:\n%s"
                                            % self._output.decode("utf-8", "replace")[-2000:]))
        self.ended.callback(None)

    def stop(self):
        if not self.ended.called:
            try:
                self.transport.signalProcess("TERM")
            except Exception:  # already gone (a terminal Ctrl-C reaches it too)
                pass
        return self.ended


@defer.inlineCallbacks
def _start_embedded(reactor, args):
    if args.server_in_process or _usable_cores() < 2:
        from pubnub_fast.server import start_server

        running = yield start_server(reactor, host="127.0.0.1", port=0, data=":memory:", long_poll=30.0)
        return _InProcessServer(running)
    child = _ServerChild()
    argv = [sys.executable, "-m", "pubnub_fast", "serve", "--host", "127.0.0.1", "--port", "0",
            "--data", ":memory:", "--long-poll", "30", "--log-level", "warning"]
    env = dict(os.environ)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
    process = reactor.spawnProcess(child, sys.executable, argv, env=env)
    child.pid = process.pid
    timeout = reactor.callLater(max(args.timeout, 1.0), child.stop)
    try:
        yield child.ready
    finally:
        if timeout.active():
            timeout.cancel()
    return child


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _cpu_of(pid):
    """CPU seconds of child ``pid`` so far (Linux ``/proc``), or None."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the demo -------------------------------------------------------------------------------------


@defer.inlineCallbacks
def _wait(reactor, condition, seconds, stop):
    """Poll ``condition()`` every 50 ms until true, ``seconds`` pass or a stop is requested."""
    deadline = time.monotonic() + seconds
    while not condition() and not stop.requested and time.monotonic() < deadline:
        yield task.deferLater(reactor, 0.05, lambda: None)
    return condition()


@defer.inlineCallbacks
def _demo(reactor, args, out, stop, progress):
    server = None
    if args.origin:
        origin = args.origin
    else:
        server = yield _start_embedded(reactor, args)
        origin = server.origin
    where = ("" if args.origin else " (embedded server%s)"
             % ("" if isinstance(server, _InProcessServer) else ", its own process"))
    out("pubnub_fast %s demo — origin %s%s" % (__version__, origin, where))
    run_id = uuid_module.uuid4().hex[:8]
    channel = "demo-%s" % run_id
    everyone = _Subscriber("all", reactor, out, args.show)
    urgent = _Subscriber("urgent", reactor, out, args.show)
    sub_all = _client(args, origin, "demo-all-%s" % run_id, reactor)
    sub_urgent = _client(args, origin, "demo-urgent-%s" % run_id, reactor, filter_expression=FILTER)
    publisher = _client(args, origin, "demo-publisher-%s" % run_id, reactor)
    clients = [sub_all, sub_urgent, publisher]
    ok = False
    try:
        for client, listener in ((sub_all, everyone), (sub_urgent, urgent)):
            client.add_listener(listener)
            client.subscribe().channels([channel]).with_presence().execute()
        connected = yield _wait(reactor, lambda: everyone.connected.called and urgent.connected.called,
                                args.timeout, stop)
        if not connected:
            if not stop.requested:
                out("the subscribers could not connect to %s within %.0f s (statuses: %s)" % (
                    origin, args.timeout,
                    ", ".join(sorted({c.name for c in everyone.statuses + urgent.statuses})) or "none"))
            return False
        out("2 subscribers connected to %r (cipher on; 'urgent' filters with %s)" % (channel, FILTER))

        total = args.messages
        publish_errors = []
        published = [0]
        started = time.monotonic()
        cpu_started = _own_cpu()
        server_cpu_started = _cpu_of(server.pid) if server is not None and server.pid else None

        def publish(seq):
            priority = "high" if seq % 2 == 0 else "low"
            d = publisher.publish().channel(channel).message(
                {"seq": seq, "text": "hello #%d" % seq, "sent": reactor.seconds()}).meta(
                {"priority": priority}).deferred()
            d.addErrback(lambda failure: publish_errors.append(failure.getErrorMessage()))
            return d

        sequence = iter(range(total))

        @defer.inlineCallbacks
        def worker():
            # Streams: the next message is built only when this slot is free again.
            for seq in sequence:
                if stop.requested:
                    return
                yield publish(seq)
                published[0] += 1

        def show_progress():
            elapsed = max(time.monotonic() - started, 1e-9)
            progress.show("  published %d/%d · delivered %d · %.0f msg/s · %.1f s"
                          % (published[0], total, len(everyone.received) + len(urgent.received),
                             published[0] / elapsed, elapsed))

        ticker = None
        if progress.enabled:
            ticker = task.LoopingCall(show_progress)
            ticker.clock = reactor
            ticker.start(PROGRESS_EVERY, now=True)
        try:
            yield defer.gatherResults([worker() for _ in range(max(1, args.in_flight))])
            publish_seconds = time.monotonic() - started
            sent = published[0]
            expected_high = {seq for seq in range(sent) if seq % 2 == 0}
            def all_delivered():
                return len(everyone.received) >= sent and len(urgent.received) >= len(expected_high)

            if stop.requested:  # interrupted: a moment for what is already on its way
                yield _wait(reactor, all_delivered, min(1.0, args.timeout), _Stop())
            else:
                yield _wait(reactor, all_delivered, args.timeout, stop)
        finally:
            if ticker is not None and ticker.running:
                ticker.stop()
            progress.clear()
        delivered_seconds = time.monotonic() - started
        cpu_spent = _own_cpu() - cpu_started
        server_cpu = None
        if server_cpu_started is not None:
            now = _cpu_of(server.pid)
            server_cpu = None if now is None else now - server_cpu_started

        interrupted = stop.requested
        lost_all = sent - len(everyone.received)
        lost_urgent = len(expected_high - set(urgent.received))
        misfiltered = len(set(urgent.received) - expected_high)
        latencies = everyone.latencies + urgent.latencies
        delivered = len(everyone.received) + len(urgent.received)
        report = _speedups.report()
        twins = ", ".join("%s=%s" % (name, report[name] or "absent") for name in _speedups.HOT_PATHS)
        out("")
        out("summary%s" % (" (interrupted after %d of %d messages)" % (sent, total) if interrupted else ""))
        out("  published        %d messages in %.2f s (%.0f msg/s), %d publish errors"
            % (sent, publish_seconds, sent / publish_seconds if publish_seconds else 0.0, len(publish_errors)))
        out("  delivered        %d events to 2 subscribers in %.2f s (%.0f msg/s)"
            % (delivered, delivered_seconds, delivered / delivered_seconds if delivered_seconds else 0.0))
        out("  latency          p50 %.1f ms, p99 %.1f ms (publish call → listener)"
            % (1000 * _percentile(latencies, 0.50), 1000 * _percentile(latencies, 0.99)))
        out("  'all'            %d/%d received, %d lost, %d duplicates"
            % (len(everyone.received), sent, lost_all, everyone.duplicates))
        out("  'urgent'         %d/%d received, %d lost, %d duplicates, %d passed the filter wrongly"
            % (len(urgent.received), len(expected_high), lost_urgent, urgent.duplicates, misfiltered))
        out("  presence events  %d; decryption errors %d"
            % (everyone.presence_events + urgent.presence_events,
               everyone.decryption_errors + urgent.decryption_errors))
        if sent:
            cpu_line = "clients %.0f µs" % (1e6 * cpu_spent / sent)
            capacity = ""
            if server_cpu is not None:
                cpu_line += ", server %.0f µs" % (1e6 * server_cpu / sent)
                busiest = max(cpu_spent, server_cpu) / sent
                if busiest > 0:  # what the CPU figures allow, whatever else runs on the machine
                    capacity = "; ≈ %.0f msg/s with a free core each" % (1 / busiest)
            elif isinstance(server, _InProcessServer):
                cpu_line += " (server included: same process)"
            out("  cpu              %s per message published (3 clients, 2 deliveries each)%s"
                % (cpu_line, capacity))
        out("  twins            %s" % twins)
        ok = (not publish_errors and lost_all == 0 and lost_urgent == 0 and misfiltered == 0
              and everyone.duplicates == 0 and urgent.duplicates == 0
              and everyone.decryption_errors == 0 and urgent.decryption_errors == 0)
        if interrupted:
            out("  result           INTERRUPTED")
        else:
            out("  result           %s" % ("OK" if ok else "FAILED"))
    finally:
        for client in clients:
            yield client.stop()
        if server is not None:
            yield server.stop()
    return ok


def run(args, out=None, stream=None):
    """Run the demo with parsed ``args``; returns the process exit status (0, 1 or 130)."""
    if args.messages < 1:
        raise SystemExit("--messages must be at least 1")
    from twisted.internet import reactor

    stream = stream or sys.stdout
    progress = _Progress(stream, enabled=stream.isatty())

    def default_out(line):
        progress.clear()
        print(line, file=stream, flush=True)

    out = out or default_out
    stop = _Stop()
    outcome = {}

    def interrupted(signum, frame):
        if stop.requested:  # a second Ctrl-C: leave now
            os._exit(EXIT_INTERRUPTED)
        reactor.callFromThread(stop.request)

    def begin():
        # Twisted's own handlers are installed by now (SIGCHLD reaps the server process); ours
        # replace its SIGINT/SIGTERM ones, which would stop the reactor under the demo's feet.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, interrupted)
        d = _demo(reactor, args, out, stop, progress)
        d.addCallback(lambda ok: outcome.setdefault("ok", ok))
        d.addErrback(lambda failure: out("demo failed: %s" % failure.getErrorMessage()))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(begin)
    reactor.run()
    if stop.requested:
        return EXIT_INTERRUPTED
    return 0 if outcome.get("ok") else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="pubnub-fast demo", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
