"""Subscribe v2 long-poll: ``GET /v2/subscribe/{sub}/{channels}/0`` (protocol.md §2.5, §3).

``tt=0`` (or no ``tt``) is the handshake: it answers at once with the current timetoken and
makes the uuid present on the subscribed channels (groups expanded). Any other ``tt`` returns
the messages published after it — at once when there are some, else as soon as one arrives or
after the long-poll time. Every request refreshes the uuid's presence; a parked poll holds it,
so dropping a poll (a channel change) neither times the uuid out nor makes it leave.
"""
from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred

from pubnub_fast import _speedups
from pubnub_fast.server import responses
from pubnub_fast.server.api import params
from pubnub_fast.server.fanout import Subscription, is_presence, split_wildcard, strip_presence
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.presence import presence_timeout
from pubnub_fast.server.responses import HeaderFamily, RawJson

#: Channel groups one subscribe may name (protocol.md §8; ``-pnpres`` twins not counted).
MAX_GROUPS_PER_SUBSCRIBE = 10


def routes(app: Any) -> list[Route]:
    def subscribe(call: ApiCall) -> responses.ApiResponse | Deferred:
        return _subscribe(app, call)

    return [
        Route(["GET"], "/v2/subscribe/{sub}/{channels}/{callback}", subscribe, HeaderFamily.PUBSUB)
    ]


def cursor_body(timetoken: int, region: int, envelopes: list[bytes]) -> RawJson:
    """``{"t":{"t":"<tt>","r":R},"m":[…]}`` with already serialised envelopes."""
    return RawJson(_speedups.envelope.frame_subscribe(timetoken, region, envelopes))


def _subscribe(app: Any, call: ApiCall) -> responses.ApiResponse | Deferred:
    sub_key = call.path["sub"]
    names = params.name_list(call, call.path["channels"], "channel", wildcard_ok=True)
    groups = params.name_list(call, call.query.get("channel-group"), "channel group")
    if not names and not groups:
        raise call.bad_request("Invalid Arguments: no channels or channel groups")
    if len({strip_presence(group) for group in groups}) > MAX_GROUPS_PER_SUBSCRIBE:
        raise call.bad_request("Maximum channel group count exceeded.")
    wildcards = [name for name in names if "*" in name]
    for pattern in wildcards:
        parsed = split_wildcard(pattern)
        if parsed is None or parsed[0].count(".") > 2:
            raise call.bad_request("Invalid Arguments: wildcard %r" % pattern[:100])
    channels = [name for name in names if "*" not in name]
    cursor = params.timetoken(call, "tt") or 0
    subscription = Subscription(
        sub_key=sub_key,
        uuid=params.check_uuid(call, call.uuid),
        channels=channels,
        wildcards=wildcards,
        groups=groups,
        filter=app.filters.compile(call.query.get("filter-expr")),
    )
    try:
        timeout = presence_timeout(call.query.get("heartbeat"))
    except ValueError:
        raise call.bad_request("Invalid Arguments: heartbeat") from None
    states = params.channel_states(call)

    present_on = _presence_channels(app, subscription)
    hold = cursor != 0
    # The handshake cursor is taken before the join is announced, so a subscriber that also
    # listens on -pnpres receives its own join (as on the real service).
    handshake_cursor = 0 if hold else max(cursor, app.timetokens.cursor())
    if subscription.uuid and present_on:
        app.presence.touch(sub_key, subscription.uuid, present_on, timeout, states, hold=hold)
    if not hold:
        return responses.ok(cursor_body(handshake_cursor, app.region, []), HeaderFamily.PUBSUB)

    def answered(result: tuple[int, list[bytes]]) -> responses.ApiResponse:
        next_cursor, envelopes = result
        return responses.ok(cursor_body(next_cursor, app.region, envelopes), HeaderFamily.PUBSUB)

    def released(outcome: Any) -> Any:
        if subscription.uuid and present_on:
            app.presence.release(sub_key, subscription.uuid, present_on)
        return outcome

    return app.fanout.poll(subscription, cursor).addCallback(answered).addBoth(released)


def _presence_channels(app: Any, subscription: Subscription) -> list[str]:
    """Channels the subscriber becomes present on: plain channels and plain groups' members."""
    present = [name for name in subscription.channels if not is_presence(name)]
    for group in subscription.groups:
        if not is_presence(group):
            present.extend(app.registry.channels(subscription.sub_key, group))
    return list(dict.fromkeys(present))
