"""A PubNubTwisted wired to an in-memory HTTP server and a task.Clock.

The client talks HTTP to the server through the transport of the run (``--transport``): the
lean ``HTTP11Transport`` over in-memory connections (``tests/memory_http.py``), or
``TreqTransport`` over treq's StubTreq; ``client.stub.flush()`` delivers bytes either way.

``StubServer`` records every request (method, path, decoded query, headers, body) and answers
from a queue of canned responses; ``HOLD`` leaves a request unanswered (to test timeouts).
"""
import json
import os
from urllib.parse import parse_qsl, urlsplit

from treq.testing import StubTreq
from twisted.internet import task
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.http11 import HTTP11Transport
from pubnub_fast.transport import TreqTransport
from tests.memory_http import MemoryHTTP

HOLD = object()
SENT = (200, [1, "Sent", "17000000000000000"])


class RecordedRequest:
    def __init__(self, request):
        self.method = request.method.decode()
        raw_uri = request.uri.decode()
        split = urlsplit(raw_uri)
        self.raw_path = split.path
        self.raw_query = split.query
        self.query = parse_qsl(split.query, keep_blank_values=True)
        self.params = dict(self.query)
        self.headers = request.requestHeaders
        self.body = request.content.read()
        self.request = request

    def header(self, name):
        values = self.headers.getRawHeaders(name)
        return values[0] if values else None

    def __repr__(self):
        return "<%s %s?%s>" % (self.method, self.raw_path, self.raw_query)


class StubServer(Resource):
    isLeaf = True

    def __init__(self):
        super().__init__()
        self.requests = []
        self.responses = []
        self.held = []
        self.routes = {}  # path prefix -> [queued responses, default response]

    def respond(self, *responses):
        """Queue responses: ``(code, json_value)``, ``(code, bytes, headers)`` or ``HOLD``."""
        self.responses.extend(responses)

    def route(self, prefix, *responses, default=SENT):
        """Answer requests whose path starts with ``prefix`` from this queue, then ``default``."""
        self.routes.setdefault(prefix, [[], default])
        self.routes[prefix][0].extend(responses)
        self.routes[prefix][1] = default

    def requests_to(self, prefix):
        return [r for r in self.requests if r.raw_path.startswith(prefix)]

    def _next_response(self, recorded):
        for prefix, (queue, default) in self.routes.items():
            if recorded.raw_path.startswith(prefix):
                return queue.pop(0) if queue else default
        return self.responses.pop(0) if self.responses else SENT

    def render(self, request):
        recorded = RecordedRequest(request)
        self.requests.append(recorded)
        response = self._next_response(recorded)
        if response is HOLD:
            self.held.append(request)
            return NOT_DONE_YET
        code, body = response[0], response[1]
        headers = response[2] if len(response) > 2 else {}
        request.setResponseCode(code)
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
            request.setHeader("Content-Type", "application/json")
        for name, value in headers.items():
            request.setHeader(name, value)
        return body


class _BothStubs:
    """``flush()`` both the in-memory connections and the StubTreq that carries redirects/uploads."""

    def __init__(self, memory, treq_stub):
        self.memory = memory
        self.treq_stub = treq_stub

    def flush(self):
        self.memory.flush()
        self.treq_stub.flush()
        self.memory.flush()


def make_config(**settings):
    config = PNConfiguration()
    config.subscribe_key = settings.pop("subscribe_key", "sub-c-demo")
    config.publish_key = settings.pop("publish_key", "pub-c-demo")
    config.uuid = settings.pop("uuid", "vector-uuid")
    config.ssl = settings.pop("ssl", False)  # the stub answers file uploads on plain-http URLs
    for name, value in settings.items():
        setattr(config, name, value)
    return config


class StubbedClient:
    """``client.pubnub`` talks to ``client.server`` through StubTreq; time is ``client.clock``."""

    def __init__(self, config=None, pubnub_class=PubNubTwisted, clock=None, **settings):
        self.config = config if config is not None else make_config(**settings)
        self.clock = clock if clock is not None else task.Clock()
        self.server = StubServer()
        self.transport_kind = os.environ.get("PUBNUB_FAST_TEST_TRANSPORT", "http11")
        self.treq_stub = StubTreq(self.server)
        treq_transport = TreqTransport(self.clock, http_client=self.treq_stub, clock=self.clock)
        if self.transport_kind == "treq":
            self.stub = self.treq_stub
            self.transport = treq_transport
        else:
            memory = MemoryHTTP(self.server)
            self.stub = _BothStubs(memory, self.treq_stub)
            self.transport = HTTP11Transport(self.clock, clock=self.clock, endpoint_factory=memory,
                                             fallback=treq_transport)
        self.pubnub = pubnub_class(self.config, reactor=self.clock, transport=self.transport)

    def call(self, builder):
        """Send ``builder.deferred()`` and let the stub answer; returns the Deferred."""
        d = builder.deferred()
        self.stub.flush()
        return d

    @property
    def last(self):
        return self.server.requests[-1]


def _sync_case():
    from twisted.trial.unittest import SynchronousTestCase

    class _Case(SynchronousTestCase):
        def runTest(self):  # pragma: no cover - never run
            pass

    return _Case()


_case = _sync_case()
#: ``successResultOf(d)`` / ``failureResultOf(d, *types)`` / ``assertNoResult(d)`` from trial.
successResultOf = _case.successResultOf
failureResultOf = _case.failureResultOf
assertNoResult = _case.assertNoResult
