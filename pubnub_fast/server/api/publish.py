"""Publish (GET and POST), fire and signal (protocol.md §2.2–§2.4, §8).

A message is JSON, at most 32 KiB (GET: measured on the URL-encoded message plus channel, as
the real service does; POST: the body); a signal at most 64 bytes. ``store``/``ttl`` decide
storage, ``norep`` (sent by fire) keeps the message from subscribers, ``meta`` is an object
echoed as ``u``, ``ptto`` overrides the timetoken, ``seqn`` becomes ``s``, and
``custom_message_type`` (3–50 of ``[A-Za-z0-9_-]``) becomes ``cmt``. The answer
``[1,"Sent","<tt>"]`` is sent once a stored message is durable.

``ptto`` must be a timetoken from 1 up to :data:`PTTO_MAX_AHEAD_SECONDS` ahead of the server's
clock (400 otherwise: a far-future one would stall every subscriber's cursor). A stored message is
never replaced: a ``ptto`` publish whose timetoken already holds a stored message of the channel
is **rejected** with ``409`` (``[0,"Timetoken Already Used","<tt>"]``) and delivered to nobody —
it is written first, and only sent to subscribers once written.
"""
from __future__ import annotations

import re
from typing import Any

from twisted.internet.defer import Deferred

from pubnub_fast.server import responses
from pubnub_fast.server.api import params
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.messages import KIND_MESSAGE, KIND_SIGNAL, MessageRecord, TimetokenTaken
from pubnub_fast.server.responses import HeaderFamily
from pubnub_fast.server.timetokens import TICKS_PER_SECOND, parse_timetoken
from pubnub_fast.server.wire import JsonInputError, load_json, load_json_query

MAX_MESSAGE_BYTES = 32 * 1024
MAX_SIGNAL_BYTES = 64
#: Longest per-message storage ttl, in hours (one year).
MAX_TTL_HOURS = 24 * 366
#: How far ahead of the server's clock a ``ptto`` may be (seconds): clock skew between hosts.
PTTO_MAX_AHEAD_SECONDS = 60

#: 3–50 of ``[A-Za-z0-9_-]``, starting with a letter or digit, not ``pn_``/``pn-`` (reserved).
_CUSTOM_MESSAGE_TYPE = re.compile(r"(?!pn[_-])[A-Za-z0-9][A-Za-z0-9_-]{2,49}\Z")


def routes(app: Any) -> list[Route]:
    def error(status: int, message: str) -> responses.ApiError:
        return responses.publish_error(status, message, app.timetokens.cursor())

    def publish_get(call: ApiCall) -> Deferred:
        return _publish(app, call, KIND_MESSAGE, call.raw_path["message"])

    def publish_post(call: ApiCall) -> Deferred:
        return _publish(app, call, KIND_MESSAGE, None)

    def signal_get(call: ApiCall) -> Deferred:
        return _publish(app, call, KIND_SIGNAL, call.raw_path["message"])

    def signal_post(call: ApiCall) -> Deferred:
        return _publish(app, call, KIND_SIGNAL, None)

    base = "/{operation}/{pub}/{sub}/{signature}/{channel}/{callback}"
    family = HeaderFamily.PUBSUB
    # eager: a publish changes everything it changes before returning (http.Route)
    return [
        Route(["GET"], base.replace("{operation}", "publish") + "/{message}", publish_get, family, error, True),
        Route(["POST"], base.replace("{operation}", "publish"), publish_post, family, error, True),
        Route(["GET"], base.replace("{operation}", "signal") + "/{message}", signal_get, family, error, True),
        Route(["POST"], base.replace("{operation}", "signal"), signal_post, family, error, True),
    ]


def _publish(app: Any, call: ApiCall, kind: int, raw_message: bytes | None) -> Deferred:
    channel = call.path["channel"]
    if "*" in channel:
        raise call.bad_request("Wildcard maximum depth exceeded")
    params.check_name(call, channel, "channel")
    publisher = params.check_uuid(call, call.uuid) or None

    if raw_message is not None:
        size = len(raw_message) + len(call.raw_path["channel"])
        text = call.path["message"]
    else:
        body = call.body()
        size = len(body)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise call.bad_request("Invalid JSON") from None
    if kind == KIND_SIGNAL:  # measured on the JSON text itself
        too_large = len(text.encode("utf-8")) > MAX_SIGNAL_BYTES
    else:
        too_large = size > MAX_MESSAGE_BYTES
    if too_large:
        raise responses.publish_error(413, "Request Entity Too Large", None)
    try:
        message = load_json(text)
    except JsonInputError:
        raise call.bad_request("Invalid JSON") from None

    meta = None
    if kind != KIND_SIGNAL:
        try:
            meta = load_json_query(call.query.get("meta"), call.raw_query.get("meta"))
        except ValueError:  # JsonInputError, or bytes that are not UTF-8
            raise call.bad_request("Invalid JSON in meta") from None
        if meta is not None and not isinstance(meta, dict):
            raise call.bad_request("Invalid meta: must be a JSON object")

    custom_type = call.query.get("custom_message_type") or None
    if custom_type is not None and not _CUSTOM_MESSAGE_TYPE.match(custom_type):
        raise call.bad_request("Invalid custom_message_type")
    seqn = params.integer(call, "seqn", None, 0, 2**31)
    store = kind != KIND_SIGNAL and params.flag(call, "store", True)
    deliver = not params.flag(call, "norep", False)
    ttl = _ttl_hours(call)

    override = call.query.get("ptto")
    if override:
        try:
            timetoken = parse_timetoken(override)
        except ValueError:
            raise call.bad_request("Invalid Arguments: ptto") from None
        latest = app.timetokens.wall() + PTTO_MAX_AHEAD_SECONDS * TICKS_PER_SECOND
        if not 0 < timetoken <= latest:
            raise call.bad_request(
                "Invalid Arguments: ptto must be a timetoken no later than %d s from now"
                % PTTO_MAX_AHEAD_SECONDS
            )
    else:
        timetoken = app.timetokens.issue()
    expires = None
    if store and ttl:
        expires = timetoken + int(ttl * 3600 * TICKS_PER_SECOND)

    record = MessageRecord(
        sub_key=call.path["sub"],
        channel=channel,
        timetoken=timetoken,
        payload=message,
        kind=kind,
        meta=meta,
        publisher=publisher,
        seqn=seqn,
        custom_message_type=custom_type,
        region=app.region,
    )
    sent = responses.ok([1, "Sent", str(timetoken)], HeaderFamily.PUBSUB)
    if not (override and store):
        return app.publish(record, store=store, expires=expires, deliver=deliver).addCallback(
            lambda _: sent
        )

    # A chosen timetoken may collide with a stored message: write first, deliver once written.
    def written(_: Any) -> responses.ApiResponse:
        app.publish(record, store=False, deliver=deliver)
        return sent

    def taken(failure: Any) -> Any:
        failure.trap(TimetokenTaken)
        raise responses.publish_error(409, "Timetoken Already Used", timetoken)

    return app.store.persist(record, expires).addCallbacks(written, taken)


def _ttl_hours(call: ApiCall) -> float:
    value = call.query.get("ttl")
    if value is None or value == "":
        return 0.0
    try:
        hours = float(value)
    except ValueError:
        raise call.bad_request("Invalid Arguments: ttl") from None
    if not 0 <= hours <= MAX_TTL_HOURS:
        raise call.bad_request("Invalid Arguments: ttl")
    return hours
