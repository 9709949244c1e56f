"""A small TCP proxy on loopback that injects faults between a client and a server, and reports
what each fault actually hit.

``FaultProxy(reactor, target_port)`` listens on 127.0.0.1 and forwards every connection to
``127.0.0.1:target_port``. Faults:

* ``reset(blackout=0)`` aborts every open connection and returns a ``Cut`` per connection it
  aborted (whether a request was in flight, i.e. forwarded to the server and not yet answered);
  for ``blackout`` seconds after it, new connections are aborted at once as well;
* ``cut_next_response_mid_body(min_body)`` arms a cut: the next response whose body has at least
  ``min_body`` bytes reaches the client with its headers and only part of its body, then the
  connection is aborted; the returned Deferred fires with that ``Cut`` (``body_sent`` /
  ``body_length``), and can be followed by a blackout too;
* ``stall()`` / ``resume()`` stop / restart forwarding bytes in both directions (a half-open,
  black-holed path: connections stay open, nothing arrives); ``resume()`` returns the number of
  connections that had bytes held back;
* while the target is down, new connections are closed at once (the client sees a failure);
  ``refused`` counts them (and those of a blackout), and ``server_closed`` lists the ``Cut``s of
  connections the server closed while a request was in flight.

``when_request_in_flight()`` fires once some connection has a request forwarded to the server
and not yet answered (a long-poll parked on the server): inject a fault after it, and the fault
cannot miss a live request. Every cut is also appended to ``cuts``.
"""
import re

from twisted.internet import defer, protocol

__all__ = ["Cut", "FaultProxy"]

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


class Cut:
    """What one injected fault did to one connection."""

    def __init__(self, kind, connection, body_sent=None, body_length=None):
        self.kind = kind  # "reset", "mid-body", "server-closed"
        self.in_flight = connection.in_flight
        self.bytes_to_server = connection.bytes_to_server
        self.bytes_to_client = connection.bytes_to_client
        self.requests = connection.requests
        self.body_sent = body_sent
        self.body_length = body_length
        self.flushed = None  # mid-body: the partial response reached the socket before the abort

    def __repr__(self):
        return "Cut(%s, in_flight=%s, up=%d, down=%d, body=%s/%s)" % (
            self.kind, self.in_flight, self.bytes_to_server, self.bytes_to_client, self.body_sent,
            self.body_length)


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
        self.bytes_to_server = 0
        self.bytes_to_client = 0
        self.requests = 0  # writes towards the server that followed a response (or began)
        self.in_flight = False  # request bytes forwarded to the server, no response byte back yet
        self.cut = False
        self.response = None  # bytes of the current response held back by an armed mid-body cut
        self.passing = 0  # bytes of the current response still to let through unexamined

    def connectionMade(self):
        if self.proxy.reactor.seconds() < self.proxy.refusing_until:  # inside a reset's blackout
            self.cut = True
            self.proxy.refused += 1
            self.transport.abortConnection()
            return
        self.proxy.connections.add(self)
        self.proxy.accepted += 1
        factory = protocol.ClientFactory()
        factory.protocol = lambda: _Upstream(self)
        factory.clientConnectionFailed = lambda connector, reason: self.refuse()
        self.proxy.reactor.connectTCP("127.0.0.1", self.proxy.target_port, factory, timeout=5)

    def refuse(self):
        self.proxy.refused += 1
        self.transport.abortConnection()

    def upstream_ready(self, upstream):
        self.upstream = upstream
        self.flush()

    def dataReceived(self, data):
        self.pending_to_server.append(data)
        self.flush()

    def to_client(self, data):
        if self.passing > 0:  # the rest of a response an armed cut let through
            self.passing -= len(data)
        elif self.proxy.mid_body_cut is not None or self.response is not None:
            self._hold_response(data)
            return
        self.pending_to_client.append(data)
        self.flush()

    def _hold_response(self, data):
        # An armed mid-body cut: hold the response back until its headers and at least the
        # cut's minimum of body bytes are here, then send the headers and half of the body.
        self.response = (self.response or b"") + data
        head_end = self.response.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head, body = self.response[:head_end + 4], self.response[head_end + 4:]
        match = _CONTENT_LENGTH.search(head)
        length = int(match.group(1)) if match else None
        armed = self.proxy.mid_body_cut
        if armed is None or (length is not None and length < armed[0]) or (
                length is None and body.endswith(b"0\r\n\r\n") and len(body) < armed[0]):
            # not a response to cut: let it through
            self.response = None
            if length is not None:
                self.passing = max(0, length - len(body))
            self.pending_to_client.append(head + body)
            self.flush()
            return
        min_body, waiter = armed
        if len(body) < min_body:
            return  # wait for more of the body
        self.proxy.mid_body_cut = None
        sent = max(1, min(len(body), length or len(body)) // 2)
        self.response = None
        self.transport.write(head + body[:sent])
        self.bytes_to_client += len(head) + sent
        self.cut = True  # nothing more goes either way
        self._abort_when_flushed(Cut("mid-body", self, body_sent=sent, body_length=length), waiter)

    def _abort_when_flushed(self, cut, waiter, tries=0):
        # abortConnection() drops what is still in Twisted's write buffer: wait until the partial
        # response has gone to the socket, so that the client really receives part of the body.
        transport = self.transport
        unsent = getattr(transport, "_tempDataLen", 0) + len(getattr(transport, "dataBuffer", b""))
        if unsent and tries < 200:
            self.proxy.reactor.callLater(0.005, self._abort_when_flushed, cut, waiter, tries + 1)
            return
        cut.flushed = not unsent
        self.proxy.cuts.append(cut)
        waiter.callback(cut)  # (starts its blackout) before the client can see the abort
        self.abort()

    def flush(self):
        if self.proxy.stalled or self.cut:
            return
        if self.upstream is not None and self.pending_to_server:
            data = b"".join(self.pending_to_server)
            self.pending_to_server = []
            if not self.in_flight:
                self.requests += 1
            self.in_flight = True
            self.bytes_to_server += len(data)
            self.upstream.transport.write(data)
            self.proxy._changed()
        if self.pending_to_client:
            data = b"".join(self.pending_to_client)
            self.pending_to_client = []
            self.in_flight = False
            self.bytes_to_client += len(data)
            self.transport.write(data)

    def held(self):
        return bool(self.pending_to_server or self.pending_to_client)

    def upstream_lost(self):
        if self.proxy.stalled or self.cut:
            return
        self.flush()
        if self.in_flight:  # the server went away with a request unanswered
            self.proxy.server_closed.append(Cut("server-closed", self))
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self.proxy.connections.discard(self)
        if self.upstream is not None:
            self.upstream.transport.abortConnection()

    def abort(self):
        self.cut = True
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
        self.refused = 0
        self.cuts = []
        self.server_closed = []
        self.mid_body_cut = None  # (min_body, Deferred) while armed
        self.refusing_until = 0.0
        self._waiters = []
        factory = protocol.Factory()
        factory.protocol = lambda: _Downstream(self)
        self._port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.port = self._port.getHost().port

    @property
    def origin(self):
        return "127.0.0.1:%d" % self.port

    def in_flight(self):
        """The connections with a request forwarded to the server and not yet answered."""
        return [c for c in self.connections if c.in_flight and not c.cut]

    def when_request_in_flight(self, timeout=10):
        """A Deferred firing once some connection has a request in flight (at once if one has)."""
        waiter = defer.Deferred()
        if self.in_flight():
            waiter.callback(None)
        else:
            self._waiters.append(waiter)
            waiter.addTimeout(timeout, self.reactor)
        return waiter

    def _changed(self):
        if self.in_flight():
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.called:
                    waiter.callback(None)

    def reset(self, blackout=0.0):
        """Abort every open connection; a ``Cut`` per connection aborted. For ``blackout`` seconds
        after it, new connections are aborted at once too (a network blip: a client that retries
        a cut request at once on a new connection cannot hide the fault)."""
        self.refusing_until = self.reactor.seconds() + blackout
        cuts = []
        for connection in list(self.connections):
            if connection.cut:
                continue
            cuts.append(Cut("reset", connection))
            connection.abort()
        self.cuts.extend(cuts)
        return cuts

    def cut_next_response_mid_body(self, min_body=1, blackout=0.0):
        """Arm a cut of the next response with at least ``min_body`` body bytes; fires with its
        ``Cut``. ``blackout``: as for ``reset``, counted from the cut."""
        if self.mid_body_cut is not None:
            raise RuntimeError("a mid-body cut is already armed")
        waiter = defer.Deferred()
        self.mid_body_cut = (min_body, waiter)

        def blackout_from_now(cut):
            self.refusing_until = self.reactor.seconds() + blackout
            return cut

        return waiter.addCallback(blackout_from_now)

    def stall(self):
        self.stalled = True

    def resume(self):
        """Forward what was held back; the number of connections that had bytes held."""
        self.stalled = False
        held = 0
        for connection in list(self.connections):
            if connection.held():
                held += 1
            connection.flush()
        return held

    def close(self):
        self.reset()
        return self._port.stopListening()
