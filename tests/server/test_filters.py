"""Stream filters evaluated by the server per message per subscriber: every protocol.md §6.6
example (tests/server/vectors/filters_6_6.json), over a real publish and the fan-out."""
import json

import pytest
import pytest_twisted
from twisted.internet.defer import CancelledError

from pubnub_fast.server.fanout import Subscription
from tests.server.conftest import load_filter_vectors

pytestmark = pytest.mark.integration

CASES = load_filter_vectors()["cases"]


async def _delivered(server, api, channel, expression, meta, payload):
    """Publish (meta, payload) on ``channel``; would a subscriber with ``expression`` get it?"""
    app = server.app
    cursor = app.timetokens.cursor()
    query = {} if meta is None else {"meta": json.dumps(meta)}
    assert (await api.publish(channel, payload, **query)).status == 200
    subscription = Subscription(
        sub_key="demo", uuid="filter-test", channels=[channel], filter=app.filters.compile(expression)
    )
    outcome = []
    poll = app.fanout.poll(subscription, cursor)
    poll.addCallbacks(outcome.append, lambda failure: failure.trap(CancelledError))
    if not outcome:  # nothing deliverable: the poll parked
        assert app.fanout.parked_count == 1
        poll.cancel()
        assert app.fanout.parked_count == 0
        return False
    _, envelopes = outcome[0]
    (item,) = [json.loads(envelope) for envelope in envelopes]
    assert item["d"] == payload
    return True


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
@pytest_twisted.ensureDeferred
async def test_protocol_6_6_example(server, api, case):
    delivered = await _delivered(
        server, api, "filter-" + case["id"], case["expression"], case["meta"], case["payload"]
    )
    assert delivered is case["expected"]


@pytest_twisted.ensureDeferred
async def test_filters_apply_to_presence_events_through_their_pn_meta(server, api):
    app = server.app
    cursor = app.timetokens.cursor()
    await api.subscribe(["lobby"], tt=0, uuid="alice")
    await api.subscribe(["lobby"], tt=0, uuid="bob")
    subscription = Subscription(
        sub_key="demo", uuid="watcher", channels=["lobby-pnpres"],
        filter=app.filters.compile("meta.pn_uuid == 'bob'"),
    )
    outcome = []
    app.fanout.poll(subscription, cursor).addCallback(outcome.append)
    (_, envelopes), = outcome
    assert [json.loads(e)["d"]["uuid"] for e in envelopes] == ["bob"]


def test_compiled_filters_are_cached(server):
    filters = server.app.filters
    assert filters.compile("meta.a == 1") is filters.compile("meta.a == 1")
    assert filters.compile("") is None and filters.compile(None) is None
