"""Fixtures for the local server tests: a server on a free loopback port and an HTTP client.

``server`` is started in-process on the pytest-twisted reactor with an in-memory store and a
short long-poll; ``api`` talks to it over real loopback HTTP with non-persistent connections
(nothing is left open between tests).
"""
import json
from urllib.parse import quote

import pytest
import pytest_twisted
import treq
from treq.client import HTTPClient
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool

from pubnub_fast.server import start_server

#: Long-poll used by the default ``server`` fixture (seconds); tests never wait for it on purpose
#: except where they say so.
LONG_POLL = 3.0


class Reply:
    """A decoded HTTP response."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        values = self.headers.getRawHeaders(name)  # str in, str out
        return values[0] if values else None

    def __repr__(self):
        return "<Reply %d %r>" % (self.status, self.raw[:200])


class ApiClient:
    """Minimal HTTP client for the server under test; query values are encoded once."""

    def __init__(self, base_url):
        self.base_url = base_url
        self._pool = HTTPConnectionPool(reactor, persistent=False)
        self._http = HTTPClient(Agent(reactor, pool=self._pool))

    def url(self, path, query=None):
        url = self.base_url + path
        if query:
            url += "?" + "&".join(
                "%s=%s" % (quote(str(k), safe=""), quote(str(v), safe="")) for k, v in query.items()
            )
        return url

    def request(self, method, path, query=None, body=None, headers=None):
        """Fires with a :class:`Reply`; the returned Deferred can be cancelled."""
        d = self._http.request(method, self.url(path, query).encode("ascii"), data=body, headers=headers)
        return d.addCallback(self._read)

    @staticmethod
    def _read(response):
        return treq.content(response).addCallback(
            lambda body: Reply(response.code, response.headers, body)
        )

    def get(self, path, **query):
        return self.request("GET", path, query)

    # -- PubNub shortcuts --------------------------------------------------------------------------

    def publish(self, channel, message, sub="demo", pub="demo", **query):
        payload = quote(json.dumps(message), safe="")
        return self.get("/publish/%s/%s/0/%s/0/%s" % (pub, sub, quote(channel, safe=""), payload), **query)

    def subscribe(self, channels, tt=0, sub="demo", uuid="subscriber", **query):
        path = "/v2/subscribe/%s/%s/0" % (sub, ",".join(quote(c, safe="") for c in channels) or ",")
        return self.get(path, tt=tt, uuid=uuid, **query)


@pytest_twisted.async_yield_fixture
async def server():
    running = await start_server(reactor, port=0, data=":memory:", long_poll=LONG_POLL)
    yield running
    await running.stop()


@pytest.fixture
def api(server):
    return ApiClient(server.url)


async def handshake(api, channels, **query):
    """Subscribe with ``tt=0``; returns the cursor to poll from."""
    reply = await api.subscribe(channels, tt=0, **query)
    assert reply.status == 200, reply
    return int(reply.json["t"]["t"])


def sleep(seconds):
    """A Deferred firing after ``seconds`` on the real reactor (used sparingly)."""
    from twisted.internet import task

    return task.deferLater(reactor, seconds, lambda: None)


async def wait_until(condition, timeout=5.0, step=0.01):
    """Poll ``condition()`` on the reactor until true (bounded); fail after ``timeout`` seconds."""
    for _ in range(int(timeout / step)):
        if condition():
            return
        await sleep(step)
    raise AssertionError("condition not reached within %ss" % timeout)


def parked(server):
    return server.app.fanout.parked_count


def load_filter_vectors():
    """``tests/server/vectors/filters_6_6.json``: protocol.md §6.6 cases and malformed ones."""
    import os

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors", "filters_6_6.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
