"""A small TCP proxy on loopback that injects faults between a client and a server.

``FaultProxy(reactor, target_port)`` listens on 127.0.0.1 and forwards every connection to
``127.0.0.1:target_port``. Faults:

* ``reset()`` aborts every open connection (the client sees a reset mid-request),
* ``stall()`` / ``resume()`` stop / restart forwarding bytes in both directions (a half-open,
  black-holed path: connections stay open, nothing arrives),
* while the target is down, new connections are closed at once (the client sees a failure).
"""
from twisted.internet import protocol

__all__ = ["FaultProxy"]


class _Upstream(protocol.Protocol):
    """Proxy → server side of one connection."""

    def __init__(self, downstream):
        self.downstream = downstream

    def connectionMade(self):
        self.downstream.upstream_ready(self)

    def dataReceived(self, data):
        self.downstream.to_client(data)

    def connectionLost(self, reason):
        self.downstream.upstream_lost()


class _Downstream(protocol.Protocol):
    """Client → proxy side of one connection."""

    def __init__(self, proxy):
        self.proxy = proxy
        self.upstream = None
        self.pending_to_server = []
        self.pending_to_client = []

    def connectionMade(self):
        self.proxy.connections.add(self)
        self.proxy.accepted += 1
        factory = protocol.ClientFactory()
        factory.protocol = lambda: _Upstream(self)
        factory.clientConnectionFailed = lambda connector, reason: self.transport.abortConnection()
        self.proxy.reactor.connectTCP("127.0.0.1", self.proxy.target_port, factory, timeout=5)

    def upstream_ready(self, upstream):
        self.upstream = upstream
        self.flush()

    def dataReceived(self, data):
        self.pending_to_server.append(data)
        self.flush()

    def to_client(self, data):
        self.pending_to_client.append(data)
        self.flush()

    def flush(self):
        if self.proxy.stalled:
            return
        if self.upstream is not None and self.pending_to_server:
            self.upstream.transport.write(b"".join(self.pending_to_server))
            self.pending_to_server = []
        if self.pending_to_client:
            self.transport.write(b"".join(self.pending_to_client))
            self.pending_to_client = []

    def upstream_lost(self):
        if not self.proxy.stalled:
            self.flush()
            self.transport.loseConnection()

    def connectionLost(self, reason):
        self.proxy.connections.discard(self)
        if self.upstream is not None:
            self.upstream.transport.abortConnection()

    def abort(self):
        self.transport.abortConnection()
        if self.upstream is not None:
            self.upstream.transport.abortConnection()


class FaultProxy:
    def __init__(self, reactor, target_port):
        self.reactor = reactor
        self.target_port = target_port
        self.connections = set()
        self.stalled = False
        self.accepted = 0
        factory = protocol.Factory()
        factory.protocol = lambda: _Downstream(self)
        self._port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.port = self._port.getHost().port

    @property
    def origin(self):
        return "127.0.0.1:%d" % self.port

    def reset(self):
        """Abort every open connection."""
        for connection in list(self.connections):
            connection.abort()

    def stall(self):
        self.stalled = True

    def resume(self):
        self.stalled = False
        for connection in list(self.connections):
            connection.flush()

    def close(self):
        self.reset()
        return self._port.stopListening()
