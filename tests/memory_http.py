"""In-memory HTTP connections for ``HTTP11Transport``: the lean-transport counterpart of treq's StubTreq.

``MemoryHTTP(resource)`` is an ``endpoint_factory``: every connection the transport opens is an
``iosim`` pair of fake transports between an ``HTTP11ClientProtocol`` and a ``twisted.web`` Site
serving ``resource``; ``flush()`` moves bytes both ways until nothing moves (as
``StubTreq.flush()``). Nothing touches the network or the global reactor.
"""
from twisted.internet import defer, error
from twisted.internet.testing import MemoryReactorClock
from twisted.test import iosim
from twisted.python.failure import Failure
from twisted.web.server import Site


class _ClientTransport(iosim.FakeTransport):
    """The client end closes at once when the client closes it (as a socket does, from the
    client's point of view): what it wrote is delivered, then both ends see the connection lost."""

    peer = None

    def _close_now(self, reason):
        if self.disconnected:
            return
        pending = self.getOutBuffer()
        if pending:
            self.peer.bufferReceived(pending)
        self.disconnecting = self.disconnected = True
        self.peer.disconnecting = self.peer.disconnected = True
        self.protocol.connectionLost(Failure(reason))
        self.peer.protocol.connectionLost(Failure(error.ConnectionLost("the client closed the connection")))

    def loseConnection(self):
        self._close_now(error.ConnectionDone("closed by the client"))

    def abortConnection(self):
        self._close_now(error.ConnectionAborted("aborted by the client"))


class _Endpoint:
    def __init__(self, owner):
        self._owner = owner

    def connect(self, factory):
        return defer.succeed(self._owner._connect(factory))


class MemoryHTTP:
    """An ``endpoint_factory`` connecting to ``resource`` in memory; ``flush()`` delivers bytes."""

    def __init__(self, resource):
        self._reactor = MemoryReactorClock()
        self._site = Site(resource, reactor=self._reactor)
        self.pumps = []
        self.connections = 0

    def __call__(self, scheme, host, port):
        return _Endpoint(self)

    def _connect(self, factory):
        client = factory.buildProtocol(None)
        server = self._site.buildProtocol(None)
        server_io = iosim.FakeTransport(server, isServer=True)
        client_io = _ClientTransport(client, isServer=False)
        client_io.peer = server_io
        pump = iosim.connect(server, server_io, client, client_io, greet=False, clock=self._reactor)
        self.pumps.append(pump)
        self.connections += 1
        return client

    def flush(self):
        """Pump every connection until no byte and no disconnection is pending."""
        moved = True
        while moved:
            moved = False
            for pump in list(self.pumps):
                if pump.flush():
                    moved = True
                if pump.clientIO.disconnected and pump.serverIO.disconnected:
                    self.pumps.remove(pump)
