"""``pubnub-fast demo``: pubnub_fast end to end, against the embedded local server or any origin.

What it does (decisions.md §16):

1. starts the local PubNub-compatible server on a free loopback port (unless ``--origin``),
2. connects two subscribers, both with a cipher key and presence: ``all`` receives every
   message, ``urgent`` sets the filter expression ``meta.priority == 'high'`` and must receive
   only the high-priority half,
3. publishes ``--messages`` encrypted messages from a third client (a few requests in flight),
4. prints a sample of what arrives and a summary: messages/s, p50/p99 publish→delivery latency,
   lost/duplicated/mis-filtered counts, and which twin (compiled or pure Python) each hot path used,
5. exits 0 when every expected message arrived exactly once and the filter held, 1 otherwise.
"""
import argparse
import sys
import time
import uuid as uuid_module

from twisted.internet import defer, task

from pubnub_fast import __version__, _speedups
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.enums import PNReconnectionPolicy, PNStatusCategory
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted

__all__ = ["add_arguments", "run", "main"]

CIPHER_KEY = "pubnub-fast-demo-cipher"
FILTER = "meta.priority == 'high'"


def add_arguments(parser):
    parser.add_argument("--messages", type=int, default=500, help="messages to publish (default 500)")
    parser.add_argument("--in-flight", type=int, default=3, help="publish requests in flight (default 3)")
    parser.add_argument("--origin", help="use this PubNub-compatible origin (host[:port]) instead of the "
                                         "embedded server")
    parser.add_argument("--sub-key", default="demo", help="subscribe key (default: demo)")
    parser.add_argument("--pub-key", default="demo", help="publish key (default: demo)")
    parser.add_argument("--ssl", action="store_true", help="use https with --origin")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds")
    parser.add_argument("--show", type=int, default=5, help="messages to print as they arrive (default 5)")


def _percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


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
    config = PNConfiguration(subscribe_key=args.sub_key, publish_key=args.pub_key, uuid=uuid)
    config.origin = origin
    config.ssl = bool(args.ssl and args.origin)
    config.cipher_key = CIPHER_KEY
    config.reconnect_policy = PNReconnectionPolicy.EXPONENTIAL
    for name, value in settings.items():
        setattr(config, name, value)
    return PubNubTwisted(config, reactor=clock)


@defer.inlineCallbacks
def _demo(reactor, args, out):
    server = None
    if args.origin:
        origin = args.origin
    else:
        from pubnub_fast.server import start_server

        server = yield start_server(reactor, host="127.0.0.1", port=0, data=":memory:", long_poll=30.0)
        origin = server.origin
    out("pubnub_fast %s demo — origin %s%s" % (__version__, origin, "" if args.origin else " (embedded server)"))
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
        deadline = time.monotonic() + args.timeout
        while not (everyone.connected.called and urgent.connected.called) and time.monotonic() < deadline:
            yield task.deferLater(reactor, 0.05, lambda: None)
        if not (everyone.connected.called and urgent.connected.called):
            out("the subscribers could not connect to %s within %.0f s (statuses: %s)" % (
                origin, args.timeout, ", ".join(sorted({c.name for c in everyone.statuses + urgent.statuses}))
                or "none"))
            return False
        out("2 subscribers connected to %r (cipher on; 'urgent' filters with %s)" % (channel, FILTER))

        total = args.messages
        expected_high = {seq for seq in range(total) if seq % 2 == 0}
        semaphore = defer.DeferredSemaphore(max(1, args.in_flight))
        publish_errors = []
        started = time.monotonic()

        def publish(seq):
            priority = "high" if seq in expected_high else "low"
            d = publisher.publish().channel(channel).message(
                {"seq": seq, "text": "hello #%d" % seq, "sent": reactor.seconds()}).meta(
                {"priority": priority}).deferred()
            d.addErrback(lambda failure: publish_errors.append(failure.getErrorMessage()))
            return d

        yield defer.gatherResults([semaphore.run(publish, seq) for seq in range(total)])
        publish_seconds = time.monotonic() - started

        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and (len(everyone.received) < total
                                               or len(urgent.received) < len(expected_high)):
            yield task.deferLater(reactor, 0.05, lambda: None)
        delivered_seconds = time.monotonic() - started

        lost_all = total - len(everyone.received)
        lost_urgent = len(expected_high - set(urgent.received))
        misfiltered = len(set(urgent.received) - expected_high)
        latencies = everyone.latencies + urgent.latencies
        delivered = len(everyone.received) + len(urgent.received)
        report = _speedups.report()
        twins = ", ".join("%s=%s" % (name, report[name] or "absent") for name in _speedups.HOT_PATHS)
        out("")
        out("summary")
        out("  published        %d messages in %.2f s (%.0f msg/s), %d publish errors"
            % (total, publish_seconds, total / publish_seconds if publish_seconds else 0.0, len(publish_errors)))
        out("  delivered        %d events to 2 subscribers in %.2f s (%.0f msg/s)"
            % (delivered, delivered_seconds, delivered / delivered_seconds if delivered_seconds else 0.0))
        out("  latency          p50 %.1f ms, p99 %.1f ms (publish call → listener)"
            % (1000 * _percentile(latencies, 0.50), 1000 * _percentile(latencies, 0.99)))
        out("  'all'            %d/%d received, %d lost, %d duplicates"
            % (len(everyone.received), total, lost_all, everyone.duplicates))
        out("  'urgent'         %d/%d received, %d lost, %d duplicates, %d passed the filter wrongly"
            % (len(urgent.received), len(expected_high), lost_urgent, urgent.duplicates, misfiltered))
        out("  presence events  %d; decryption errors %d"
            % (everyone.presence_events + urgent.presence_events,
               everyone.decryption_errors + urgent.decryption_errors))
        out("  twins            %s" % twins)
        ok = (not publish_errors and lost_all == 0 and lost_urgent == 0 and misfiltered == 0
              and everyone.duplicates == 0 and urgent.duplicates == 0
              and everyone.decryption_errors == 0 and urgent.decryption_errors == 0)
        out("  result           %s" % ("OK" if ok else "FAILED"))
    finally:
        for client in clients:
            yield client.stop()
        if server is not None:
            yield server.stop()
    return ok


def run(args, out=None):
    """Run the demo with parsed ``args``; returns the process exit code."""
    if args.messages < 1:
        raise SystemExit("--messages must be at least 1")
    out = out or (lambda line: print(line, flush=True))
    outcome = {}

    def main(reactor):
        d = _demo(reactor, args, out)
        d.addCallback(lambda ok: outcome.setdefault("ok", ok))
        return d

    try:
        task.react(main)
    except SystemExit as exc:
        if exc.code not in (0, None):
            return int(exc.code) if isinstance(exc.code, int) else 1
    return 0 if outcome.get("ok") else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="pubnub-fast demo", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
