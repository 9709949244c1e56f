"""Pure-Python twin of the subscribe-envelope hot path (``ext/_envelope_c.pyx`` is the compiled twin).

Subscribe response bytes in, listener-ready result objects out — and the reverse, the compact
response body the local server sends. Code outside the twins asks ``pubnub_fast._speedups``
(``twin("envelope")``) or the facade ``pubnub_fast.envelope``; both twins export exactly the names
in ``__all__`` with the same signatures and behaviour (``tests/test_envelope.py`` checks it).

The response (client-api.md §9.2, protocol.md §3.3)
---------------------------------------------------
``{"t": {"t": "<timetoken>", "r": <region>}, "m": [item, ...]}``. ``t.t`` is the cursor for the
next request and stays the server's string (17 digits); ``t.r`` the region to send back as ``tr``.
Each item carries ``c`` (channel), ``d`` (payload), ``p`` (``{"t": "<publish tt>", "r": ..}``),
optionally ``b`` (the subscription that matched: a wildcard, a channel group, or — on the current
service — the channel itself), ``e`` (type: absent/0 message, 1 signal, 2 App Context event,
3 message action, 4 file), ``i`` (publisher uuid), ``u`` (publish ``meta``), ``cmt`` (custom
message type), and keys nobody downstream needs (``a`` shard, ``f`` flags, ``k`` subscribe key,
``o`` origination timetoken, ``s`` sequence).

Dispatch, in the official SDK's order (client-api.md §9.3)
----------------------------------------------------------
``subscription`` is ``None`` when ``b`` equals ``c``; every ``timetoken`` is ``int(p.t)``.

1. a channel containing ``-pnpres`` → ``("presence", PNPresenceEventResult)``: ``-pnpres`` is
   stripped from the channel and the subscription, ``d`` gives action/uuid/timestamp/occupancy,
   ``data`` (the state) and the interval deltas ``join``/``leave``/``timeout``. Presence events
   never carry ``user_metadata`` (the ``pn_*`` keys in ``u`` are there for stream filters).
2. ``e == 2`` → ``("uuid" | "channel" | "membership", PN*Result(event, data))`` by ``d.type``.
3. ``e == 4`` → ``("file", PNFileMessageResult)``: ``d`` (decrypted when a cipher is set) is
   ``{"message": .., "file": {"id", "name"}}``; ``file_url`` is ``file_url(channel, id, name)``
   (``None`` — and a logged warning — if that raises).
4. ``e == 0`` → ``("message", PNMessageResult)`` with ``d`` decrypted when a cipher is set;
   ``e == 1`` → ``("signal", PNSignalMessageResult)``; ``e == 3`` →
   ``("message_action", PNMessageActionResult)`` from ``d.data`` (``uuid`` filled from ``i``
   when missing; ``event`` = ``d.event``, ``added``/``removed``).

Decryption (client-api.md §7.1, decisions.md §19)
-------------------------------------------------
``decrypt`` is ``None`` or a callable ``value -> decrypted value`` that raises on failure. It is
applied to message payloads (``e`` 0) and file payloads (``e`` 4) only — never to signals, message
actions, App Context events or presence (the official 10.8 SDK tries signals and actions too and
reports false decryption errors; we do not). When it raises (any ``Exception``) the event is still
delivered, with the undecrypted payload and ``result.error`` set to the exception; the
subscription loop announces a ``PNDecryptionErrorCategory`` status for it. A file event whose
payload cannot be decrypted has ``message`` = the raw payload and no file id, name or url.

What is skipped, and why a bad item never kills a subscription
--------------------------------------------------------------
A body that is not JSON, or not the ``{"t": {"t", "r"}, "m": [...]}`` shape, raises
``MalformedSubscribeResponse`` (a ``ValueError``): without a valid cursor the loop cannot go on
and must treat the response as failed. A single odd *item* is different: the official SDK raises
in its worker and the rest of the batch is lost. Here the item is skipped and everything else is
delivered:

* malformed — not an object, no string ``c``, no ``d``, no ``p`` with a digit-string or integer
  ``t``, a non-string ``b``, a non-integer ``e``, a presence / App Context / message-action
  payload that is not an object (an action's ``data`` too), a file payload without a ``file``
  object (after successful decryption);
* unknown — an ``e`` this SDK does not know (5 is data-sync, anything newer), or an App Context
  event of an unknown ``type``. This is not an error (the official SDK hands such items to
  ``message()``; a future event type delivered as a chat message would be worse than silence).

Each skipped item is reported to ``on_skip(item, reason)`` when given (``reason`` is a short
text starting with ``"malformed"`` or ``"unknown"``), else logged on the ``pubnub_fast.envelope``
logger: a warning for malformed items, debug for unknown types.

JSON
----
Bodies are decoded by :func:`loads`: ``ujson`` first, the standard library's ``json`` when
``ujson`` refuses (``json.loads`` is what the official SDK uses; on valid JSON both give equal
values — the tests check it). ``ujson`` is a little more lenient than ``json`` on invalid JSON
(leading zeros, raw control characters in strings); that only ever matters for broken bodies.
The compiled twin parses valid JSON with its own decoder and falls back to exactly this function
for anything it does not accept, so both twins give equal results for every input.

Result objects
--------------
Built with the models' own constructors here. The compiled twin creates the same objects without
calling ``__init__`` (same attributes, set in the same order — the tests compare ``vars()``).

Encoding (the server side)
--------------------------
:func:`encode_subscribe` writes the compact body (no whitespace, item keys in dict order,
non-ASCII and control characters as ``\\uXXXX`` escapes so the body is 7-bit ASCII, ``/`` not
escaped). NaN and infinities are not JSON and are refused.
"""
import json
import logging

import ujson

from pubnub_fast.models.consumer.objects_v2.channel import PNChannelMetadataResult
from pubnub_fast.models.consumer.objects_v2.memberships import PNMembershipResult
from pubnub_fast.models.consumer.objects_v2.uuid import PNUUIDMetadataResult
from pubnub_fast.models.consumer.pubsub import (
    PNFileMessageResult,
    PNMessageActionResult,
    PNMessageResult,
    PNPresenceEventResult,
    PNSignalMessageResult,
)
from pubnub_fast.listeners import Listeners
from pubnub_fast.models.server.subscribe import MalformedSubscribeResponse

__all__ = [
    "MalformedSubscribeResponse",
    "EVENT_METHODS",
    "loads",
    "loads_strict",
    "parse_subscribe",
    "deliver",
    "encode_subscribe",
    "encode_item",
    "frame_subscribe",
]

logger = logging.getLogger("pubnub_fast.envelope")
_listener_logger = logging.getLogger("pubnub_fast")

#: Every listener method name ``parse_subscribe`` can put in an event pair.
EVENT_METHODS = ("message", "signal", "presence", "message_action", "file", "uuid", "channel", "membership")

_PRESENCE_SUFFIX = "-pnpres"

# App Context event type (``d.type``) -> (listener method, result class)
_OBJECTS_EVENTS = {
    "uuid": ("uuid", PNUUIDMetadataResult),
    "channel": ("channel", PNChannelMetadataResult),
    "membership": ("membership", PNMembershipResult),
}

_ujson_loads = ujson.loads
_json_loads = json.loads


def loads(body):
    """Decode a JSON document (bytes, bytearray or str): ``ujson``, else ``json`` (see the module doc).

    Raises ``ValueError`` (``json.JSONDecodeError``, ``UnicodeDecodeError``) when neither accepts
    it, ``RecursionError`` for absurdly deep nesting, ``TypeError`` for another type of input.
    """
    if not isinstance(body, (bytes, bytearray, str)):
        raise TypeError("a JSON document must be bytes or str, not %s" % type(body).__name__)
    try:
        return _ujson_loads(body)
    except (ValueError, OverflowError, RecursionError):
        return _json_loads(body)


def loads_strict(body):
    """Decode a JSON document exactly as ``json.loads`` does (no ujson leniency such as ``01``).

    Raises like ``json.loads`` (``ValueError``, ``RecursionError``; ``TypeError`` for another type
    of input).
    """
    if not isinstance(body, (bytes, bytearray, str)):
        raise TypeError("a JSON document must be bytes or str, not %s" % type(body).__name__)
    return _json_loads(body)


def _is_digits(text):
    return text.isascii() and text.isdigit()


def _load_envelope(body):
    """``(timetoken, region, items)`` of a response body, or ``MalformedSubscribeResponse``."""
    try:
        envelope = loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedSubscribeResponse("subscribe response is not JSON (%s: %s)" % (type(exc).__name__, exc)) \
            from None
    if type(envelope) is not dict:
        raise MalformedSubscribeResponse("subscribe response is not a JSON object: %.200r" % (envelope,))
    metadata = envelope.get("t")
    if type(metadata) is not dict:
        raise MalformedSubscribeResponse('subscribe response has no "t" object: %.200r' % (envelope,))
    timetoken = metadata.get("t")
    if type(timetoken) is int and timetoken >= 0:
        timetoken = str(timetoken)
    elif type(timetoken) is not str or not _is_digits(timetoken):
        raise MalformedSubscribeResponse("subscribe response timetoken t.t is not a digit string: %.200r"
                                         % (timetoken,))
    region = metadata.get("r")
    if type(region) is str and _is_digits(region):
        region = int(region)
    elif type(region) is not int:
        raise MalformedSubscribeResponse("subscribe response region t.r is not an integer: %.200r" % (region,))
    items = envelope.get("m")
    if type(items) is not list:
        raise MalformedSubscribeResponse('subscribe response has no "m" list: %.200r' % (items,))
    return timetoken, region, items


def _skip(on_skip, item, reason):
    if on_skip is not None:
        on_skip(item, reason)
    elif reason.startswith("malformed"):
        logger.warning("subscribe: skipped an item (%s): %.300r", reason, item)
    else:
        logger.debug("subscribe: skipped an item (%s): %.300r", reason, item)


def _decrypted(decrypt, payload):
    """``(value, error)``: the decrypted payload, or the payload itself and what ``decrypt`` raised."""
    try:
        return decrypt(payload), None
    except Exception as exc:  # noqa: BLE001 - any failure of the user's cipher is reported, not raised
        return payload, exc


def _file_url(file_url, channel, file_id, file_name):
    """``file_url(...)``, or None (logged) when it raises: one odd file name must not fail the batch."""
    try:
        return file_url(channel, file_id, file_name)
    except Exception:  # noqa: BLE001 - reported, and the event is still delivered
        logger.warning("subscribe: could not build the download URL of file %r (%r) on %r", file_id, file_name,
                       channel, exc_info=True)
        return None


def _item_event(item, decrypt, file_url):
    """``(method, result)`` for one item, or ``(None, reason)`` when it is skipped."""
    if type(item) is not dict:
        return None, "malformed: the item is not an object"
    get = item.get
    channel = get("c")
    if type(channel) is not str:
        return None, "malformed: no channel (c)"
    if "d" not in item:
        return None, "malformed: no payload (d)"
    payload = item["d"]
    publish = get("p")
    if type(publish) is not dict:
        return None, "malformed: no publish timetoken (p)"
    timetoken = publish.get("t")
    if type(timetoken) is str and _is_digits(timetoken):
        timetoken = int(timetoken)
    elif type(timetoken) is not int:
        return None, "malformed: the publish timetoken p.t is not an integer"
    subscription = get("b")
    if subscription is not None:
        if type(subscription) is not str:
            return None, "malformed: the subscription (b) is not a string"
        if subscription == channel:
            subscription = None
    message_type = get("e")
    if message_type is None:
        message_type = 0
    elif type(message_type) is str and _is_digits(message_type):  # the docs once show "e": "4"
        message_type = int(message_type)
    elif type(message_type) is not int:
        return None, "malformed: the type (e) is not an integer"

    if _PRESENCE_SUFFIX in channel:
        if type(payload) is not dict:
            return None, "malformed: the presence payload is not an object"
        if channel.endswith(_PRESENCE_SUFFIX):
            channel = channel[:-7]
        if subscription is not None and subscription.endswith(_PRESENCE_SUFFIX):
            subscription = subscription[:-7]
        event = payload.get
        return "presence", PNPresenceEventResult(
            event=event("action"),
            uuid=event("uuid"),
            timestamp=event("timestamp"),
            occupancy=event("occupancy"),
            subscription=subscription,
            channel=channel,
            timetoken=timetoken,
            state=event("data"),
            join=event("join"),
            leave=event("leave"),
            timeout=event("timeout"),
        )

    if message_type == 2:
        if type(payload) is not dict:
            return None, "malformed: the App Context payload is not an object"
        kind = _OBJECTS_EVENTS.get(payload.get("type"))
        if kind is None:
            return None, "unknown App Context event type %.50r" % (payload.get("type"),)
        return kind[0], kind[1](payload.get("event"), payload.get("data"))

    if message_type == 4:
        value, error = (payload, None) if decrypt is None else _decrypted(decrypt, payload)
        file_info = value.get("file") if type(value) is dict else None
        if type(file_info) is dict:
            message = value.get("message")
            file_id = file_info.get("id")
            file_name = file_info.get("name")
            url = None
            if file_url is not None and type(file_id) is str and type(file_name) is str:
                url = _file_url(file_url, channel, file_id, file_name)
        elif error is not None:
            message, file_id, file_name, url = payload, None, None, None
        else:
            return None, "malformed: the file payload has no file object"
        return "file", PNFileMessageResult(
            message, subscription, channel, timetoken, get("i"), url, file_id, file_name,
            user_metadata=get("u"), error=error, custom_message_type=get("cmt"),
        )

    if message_type == 0:
        value, error = (payload, None) if decrypt is None else _decrypted(decrypt, payload)
        return "message", PNMessageResult(
            value, subscription, channel, timetoken, user_metadata=get("u"), publisher=get("i"),
            error=error, custom_message_type=get("cmt"),
        )

    if message_type == 1:
        return "signal", PNSignalMessageResult(
            payload, subscription, channel, timetoken, user_metadata=get("u"), publisher=get("i"),
            custom_message_type=get("cmt"),
        )

    if message_type == 3:
        action = payload.get("data") if type(payload) is dict else None
        if type(action) is not dict:
            return None, "malformed: the message action payload has no data object"
        if "uuid" not in action:
            action = dict(action)
            action["uuid"] = get("i")
        return "message_action", PNMessageActionResult(
            action, subscription=subscription, channel=channel, event=payload.get("event"),
        )

    return None, "unknown message type e=%d" % message_type


def parse_subscribe(body, decrypt=None, file_url=None, on_skip=None):
    """Parse a ``/v2/subscribe`` response body into ``(timetoken, region, events)``.

    ``body`` is the raw response (bytes or str). ``timetoken`` is ``t.t`` (a digit string),
    ``region`` ``t.r`` (an int), ``events`` the list of ``(listener_method_name, result)`` pairs in
    envelope order. ``decrypt`` (``value -> value``, raising on failure) decrypts message and file
    payloads; ``file_url(channel, file_id, file_name) -> str`` builds file download URLs (else
    ``file_url`` is ``None``); ``on_skip(item, reason)`` is told about every skipped item.

    Raises ``MalformedSubscribeResponse`` (a ``ValueError``) when the body is not JSON or not the
    ``{"t": {"t", "r"}, "m": [...]}`` shape.
    """
    timetoken, region, items = _load_envelope(body)
    events = []
    append = events.append
    for item in items:
        method, result = _item_event(item, decrypt, file_url)
        if method is None:
            _skip(on_skip, item, result)
        else:
            append((method, result))
    return timetoken, region, events


def deliver(loop, events, status, event_key):
    """Deliver the ``events`` of one subscribe response (``parse_subscribe``'s pairs) for the
    ``SubscriptionLoop`` ``loop``: the per-message path from parsed results to listener calls.

    For each ``(method, result)`` in order:

    1. drop it if its key is in ``loop._recent`` (a bounded ``OrderedDict`` of delivered keys, most
       recent last; a duplicate is moved to the end), else remember it, forgetting the oldest key
       beyond ``loop._recent._size``. A plain message's key is ``(channel, timetoken)``; any other
       event's is ``event_key(method, result)`` (a longer tuple, or None: never deduplicated);
    2. a message or file whose payload could not be decrypted (``result.error``) is announced with
       ``loop._announce_decryption_error(error, result, status)`` — and still delivered;
    3. ``listener.<method>(pubnub, result)`` for every listener of ``loop._listeners`` (its
       ``_listeners`` list is replaced, never changed, when listeners are added or removed, so it
       is read per event without a copy); an exception in a listener is logged, never raised.
       A ``Listeners`` subclass that overrides ``announce`` (the sync and asyncio client styles
       hop to another thread or loop) gets ``announce(method, result)`` instead — or, if it has
       ``announce_all``, the events in batches, ``announce_all([(method, result), ...])``: one
       for the whole response, split only around a decryption-error status (so that the status
       still comes between the events before and after it).
    """
    recent = loop._recent
    keys = recent._keys
    size = recent._size
    holder = loop._listeners
    pubnub = loop._pubnub
    announce = None if type(holder).announce is Listeners.announce else holder.announce
    announce_all = None if announce is None else getattr(holder, "announce_all", None)
    batch = [] if announce_all is not None else None
    for method, result in events:
        if type(result) is PNMessageResult:
            key = (result.channel, result.timetoken)
        else:
            key = event_key(method, result)
        if key is not None:
            if key in keys:
                keys.move_to_end(key)
                continue
            keys[key] = None
            if len(keys) > size:
                keys.popitem(False)
        if method == "message" or method == "file":
            error = getattr(result, "error", None)
            if error is not None:
                if batch:
                    announce_all(batch)
                    batch = []
                loop._announce_decryption_error(error, result, status)
        if announce is not None:
            if announce_all is not None:
                batch.append((method, result))
            else:
                announce(method, result)
            continue
        for listener in holder._listeners:
            try:
                getattr(listener, method)(pubnub, result)
            except Exception:
                _listener_logger.exception("listener %r raised in %s()", listener, method)
    if batch:
        announce_all(batch)


def _check_items(items):
    if not isinstance(items, (list, tuple)):
        raise TypeError("items must be a list of dicts, not %s" % type(items).__name__)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise TypeError("items[%d] must be a dict, not %s" % (index, type(item).__name__))
        if not isinstance(item.get("c"), str):
            raise ValueError("items[%d] has no channel name (c)" % index)
        if "d" not in item:
            raise ValueError("items[%d] has no payload (d)" % index)
        publish = item.get("p")
        if not isinstance(publish, dict) or "t" not in publish:
            raise ValueError("items[%d] has no publish timetoken (p.t)" % index)


def _dumps(value):
    """Compact ASCII JSON of a client payload. ujson is fast but refuses integers beyond 64 bits
    and lone surrogates, which JSON (and the server) accept: those fall back to ``json``.
    NaN and Infinity are refused either way (they are not JSON)."""
    try:
        return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False, allow_nan=False)
    except (OverflowError, UnicodeError, TypeError):
        try:
            return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        except ValueError as exc:  # NaN / Infinity
            raise ValueError("not JSON-serialisable: %s" % exc) from None


def encode_item(item):
    """One wire item (a dict) as the compact JSON bytes ``encode_subscribe`` writes for it.

    The server serialises each published message once with this and reuses the bytes for every
    subscriber (``frame_subscribe`` puts them in a body).
    """
    return _dumps(item).encode("ascii")


def frame_subscribe(timetoken, region, encoded_items):
    """The ``/v2/subscribe`` body around items already encoded by ``encode_item`` (bytes)."""
    if type(timetoken) is int and timetoken >= 0:
        timetoken = str(timetoken)
    elif not isinstance(timetoken, str) or not (timetoken.isascii() and timetoken.isdigit()):
        raise ValueError("timetoken must be a digit string or a non-negative int, not %r" % (timetoken,))
    if type(region) is not int:
        raise TypeError("region must be an int, not %s" % type(region).__name__)
    return b'{"t":{"t":"%s","r":%d},"m":[%s]}' % (timetoken.encode("ascii"), region, b",".join(encoded_items))


def encode_subscribe(timetoken, region, items):
    """The compact ``/v2/subscribe`` response body (bytes) for ``items`` (wire-shaped dicts).

    ``timetoken`` is the next cursor (a digit string or a non-negative int), ``region`` an int.
    ``items`` are dicts with at least ``c``, ``d`` and ``p`` (``{"t": "<tt>", "r": <region>}``),
    plus any of ``a, b, e, f, i, k, o, s, u, cmt``; their keys are written in dict order.
    Raises ``TypeError`` / ``ValueError`` for arguments that would not make a valid body.
    """
    _check_items(items)
    return frame_subscribe(timetoken, region, [encode_item(item) for item in items])
