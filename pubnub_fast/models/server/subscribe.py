"""The subscribe response envelope (``pubnub.models.server.subscribe``).

A ``/v2/subscribe`` response is ``{"t": {"t": "<timetoken>", "r": <region>}, "m": [item, ..]}``.
:meth:`SubscribeEnvelope.from_json` turns it into :class:`SubscribeMetadata` plus one
:class:`SubscribeMessage` per item; presence items' payloads become :class:`PresenceEnvelope`
via :meth:`PresenceEnvelope.from_json_payload`. The envelope timetoken (``t.t``) stays the
server's string; message timetokens (``p``, ``o``) become ints in :class:`PublishMetadata`.
A body that lacks a required field raises :class:`MalformedSubscribeResponse` (a ``ValueError``).

Item keys: ``a`` shard, ``b`` subscription match, ``c`` channel, ``d`` payload, ``e`` type
(0/absent message, 1 signal, 2 objects, 3 message action, 4 file), ``f`` flags, ``i`` publisher,
``k`` subscribe key, ``o`` origination timetoken, ``p`` publish timetoken, ``s`` sequence,
``u`` user metadata (publish ``meta``), ``cmt`` custom message type.
"""
from typing import Any, Dict, List, Optional

from pubnub_fast.models import field_repr

__all__ = [
    "SubscribeEnvelope",
    "SubscribeMessage",
    "SubscribeMetadata",
    "PresenceEnvelope",
    "PublishMetadata",
    "MalformedSubscribeResponse",
]


class MalformedSubscribeResponse(ValueError):
    """A subscribe response lacks a required field or has one of the wrong type."""


def _required(json_input: Dict[str, Any], key: str, what: str) -> Any:
    try:
        return json_input[key]
    except KeyError:
        raise MalformedSubscribeResponse("subscribe %s has no %r field: %r" % (what, key, json_input)) from None
    except TypeError:
        raise MalformedSubscribeResponse("subscribe %s is not an object: %r" % (what, json_input)) from None


class PublishMetadata:
    """Publish (``p``) or origination (``o``) timetoken of a message (an int) and its region."""

    __slots__ = ("publish_timetoken", "region")

    def __init__(self, publish_timetoken: Optional[int] = None, region: Optional[int] = None) -> None:
        self.publish_timetoken = publish_timetoken
        self.region = region

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PublishMetadata":
        """Build from ``{"t": "<timetoken>", "r": <region>}``; the timetoken becomes an int."""
        timetoken = _required(json_input, "t", "publish metadata")
        try:
            timetoken = int(timetoken)
        except (TypeError, ValueError):
            raise MalformedSubscribeResponse("publish timetoken is not an integer: %r" % (timetoken,)) from None
        return cls(timetoken, json_input.get("r"))

    def __str__(self) -> str:
        return "timetoken %s, region %s" % (self.publish_timetoken, self.region)

    def __repr__(self) -> str:
        return field_repr(self, self.__slots__)


class SubscribeMetadata:
    """The envelope's ``t``: the timetoken to resume from and the region to send back as ``tr``."""

    __slots__ = ("timetoken", "region")

    def __init__(self, timetoken: Optional[str] = None, region: Optional[int] = None) -> None:
        self.timetoken = timetoken
        self.region = region

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "SubscribeMetadata":
        """Build from ``{"t": "<timetoken>", "r": <region>}``."""
        return cls(_required(json_input, "t", "metadata"), json_input.get("r"))

    def __str__(self) -> str:
        return "timetoken %s, region %s" % (self.timetoken, self.region)

    def __repr__(self) -> str:
        return field_repr(self, self.__slots__)


class SubscribeMessage:
    """One item of the envelope's ``m`` list, field by field.

    ``subscription_match`` is ``b`` as sent (the dispatcher treats ``b == c`` as no
    subscription); ``type`` is ``e`` as an int (0 when absent). Missing ``c``, ``d`` or ``p``
    raise :class:`MalformedSubscribeResponse` (a ``ValueError``); ``f`` and ``k``, which PubNub's
    SDK also requires, are tolerated (``None``) because nothing depends on them.
    """

    __slots__ = (
        "shard",
        "subscription_match",
        "channel",
        "payload",
        "flags",
        "issuing_client_id",
        "subscribe_key",
        "sequence_number",
        "origination_timetoken",
        "publish_metadata",
        "only_channel_subscription",
        "type",
        "user_metadata",
        "custom_message_type",
    )

    def __init__(self) -> None:
        self.shard: Any = 0
        self.subscription_match: Optional[str] = None
        self.channel: Optional[str] = None
        self.payload: Any = None
        self.flags: Optional[int] = None
        self.issuing_client_id: Optional[str] = None
        self.subscribe_key: Optional[str] = None
        self.sequence_number: Optional[int] = None
        self.origination_timetoken: Optional[PublishMetadata] = None
        self.publish_metadata: Optional[PublishMetadata] = None
        self.only_channel_subscription = False
        self.type = 0
        self.user_metadata: Any = None
        self.custom_message_type: Optional[str] = None

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "SubscribeMessage":
        """Build from one ``m`` item."""
        message = cls.__new__(cls)  # every slot is assigned below; skips __init__'s defaults
        try:
            get = json_input.get
            message.channel = json_input["c"]
            message.payload = json_input["d"]
            publish = json_input["p"]
            message.publish_metadata = PublishMetadata(int(publish["t"]), publish.get("r"))
            message_type = get("e")
            message.type = 0 if message_type is None else int(message_type)  # docs once show "e": "4"
            origination = get("o")
            message.origination_timetoken = (
                None if origination is None else PublishMetadata(int(origination["t"]), origination.get("r"))
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedSubscribeResponse(
                "subscribe message %r is malformed (%s: %s)" % (json_input, type(exc).__name__, exc)
            ) from None
        message.shard = get("a", 0)
        message.subscription_match = get("b")
        message.flags = get("f")
        message.issuing_client_id = get("i")
        message.subscribe_key = get("k")
        message.sequence_number = get("s")
        message.only_channel_subscription = False
        message.user_metadata = get("u")
        message.custom_message_type = get("cmt")
        return message

    def __str__(self) -> str:
        return "message on %s (type %s, tt %s): %r" % (
            self.channel,
            self.type,
            self.publish_metadata.publish_timetoken if self.publish_metadata else None,
            self.payload,
        )

    def __repr__(self) -> str:
        return field_repr(self, self.__slots__)


class SubscribeEnvelope:
    """A parsed subscribe response: ``messages`` and ``metadata`` (next timetoken and region)."""

    __slots__ = ("messages", "metadata")

    def __init__(
        self, messages: Optional[List[SubscribeMessage]] = None, metadata: Optional[SubscribeMetadata] = None
    ) -> None:
        self.messages = messages
        self.metadata = metadata

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "SubscribeEnvelope":
        """Build from a decoded ``/v2/subscribe`` response body."""
        if not isinstance(json_input, dict):
            raise MalformedSubscribeResponse("subscribe response is not an object: %r" % (json_input,))
        metadata = SubscribeMetadata.from_json(_required(json_input, "t", "response"))
        raw_messages = json_input.get("m") or ()
        return cls([SubscribeMessage.from_json(raw) for raw in raw_messages], metadata)

    def __str__(self) -> str:
        return "subscribe envelope with %d message(s), next %s" % (len(self.messages or ()), self.metadata)

    def __repr__(self) -> str:
        return field_repr(self, self.__slots__)


class PresenceEnvelope:
    """The payload of a presence event (an item on a ``-pnpres`` channel).

    ``data`` is the state (state-change events); ``join``/``leave``/``timeout`` are the uuid
    lists of interval events with presence deltas; ``uuid`` is ``None`` for interval events.
    """

    __slots__ = ("action", "uuid", "occupancy", "timestamp", "data", "join", "leave", "timeout")

    def __init__(
        self,
        action: Optional[str],
        uuid: Optional[str],
        occupancy: Optional[int],
        timestamp: Optional[int],
        data: Any = None,
        join: Optional[List[str]] = None,
        leave: Optional[List[str]] = None,
        timeout: Optional[List[str]] = None,
    ) -> None:
        self.action = action
        self.uuid = uuid
        self.occupancy = occupancy
        self.timestamp = timestamp
        self.data = data
        self.join = join
        self.leave = leave
        self.timeout = timeout

    @classmethod
    def extract_value(cls, json: Dict[str, Any], key: str) -> Any:
        """``json[key]``, or ``None`` when absent."""
        return json.get(key)

    @classmethod
    def from_json_payload(cls, json: Dict[str, Any]) -> "PresenceEnvelope":
        """Build from ``{"action", "uuid", "occupancy", "timestamp", ["data"], ["join"], ["leave"], ["timeout"]}``."""
        if not isinstance(json, dict):
            raise MalformedSubscribeResponse("presence event payload is not an object: %r" % (json,))
        get = json.get
        return cls(
            action=get("action"),
            uuid=get("uuid"),
            occupancy=get("occupancy"),
            timestamp=get("timestamp"),
            data=get("data"),
            join=get("join"),
            leave=get("leave"),
            timeout=get("timeout"),
        )

    def __str__(self) -> str:
        return "presence %s of %s (occupancy %s)" % (self.action, self.uuid, self.occupancy)

    def __repr__(self) -> str:
        return field_repr(self, self.__slots__)
