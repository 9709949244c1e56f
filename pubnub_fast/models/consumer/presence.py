"""Presence results: here_now, where_now, set_state, get_state (``pubnub.models.consumer.presence``)."""
from typing import Any, Dict, List, Optional, Sequence, Union

from pubnub_fast.models import field_repr

__all__ = [
    "PNHereNowResult",
    "PNHereNowChannelData",
    "PNHereNowOccupantsData",
    "PNWhereNowResult",
    "PNSetStateResult",
    "PNGetStateResult",
]


class PNHereNowOccupantsData:
    """One uuid present on a channel, with its presence state when ``include_state`` was asked."""

    def __init__(self, uuid: Optional[str], state: Optional[Any]) -> None:
        self.uuid = uuid
        self.state = state

    @classmethod
    def from_json(cls, entry: Any) -> "PNHereNowOccupantsData":
        """Build from one ``uuids`` entry: a bare uuid string or ``{"uuid": .., "state": ..}``."""
        if isinstance(entry, dict):
            return cls(entry.get("uuid"), entry.get("state"))
        return cls(entry, None)

    def __str__(self) -> str:
        return "uuid: %s, state: %s" % (self.uuid, self.state)

    def __repr__(self) -> str:
        return field_repr(self, ("uuid", "state"))


class PNHereNowChannelData:
    """Occupancy of one channel; ``occupants`` is ``None`` when the server sent no uuid list."""

    def __init__(
        self,
        channel_name: Optional[str],
        occupancy: int,
        occupants: Optional[List[PNHereNowOccupantsData]],
    ) -> None:
        self.channel_name = channel_name
        self.occupancy = occupancy
        self.occupants = occupants

    @classmethod
    def from_json(cls, name: Optional[str], json_input: Dict[str, Any]) -> "PNHereNowChannelData":
        """Build from one ``payload.channels`` entry (``{"uuids": [..], "occupancy": n}``)."""
        if "uuids" in json_input:
            occupants = [PNHereNowOccupantsData.from_json(entry) for entry in json_input["uuids"]]
        else:
            occupants = None
        return cls(name, int(json_input.get("occupancy", 0)), occupants)

    def __str__(self) -> str:
        return "HereNow Channel Data for channel '%s': occupancy: %s, occupants: %s" % (
            self.channel_name,
            self.occupancy,
            self.occupants,
        )

    def __repr__(self) -> str:
        return field_repr(self, ("channel_name", "occupancy", "occupants"))


class PNHereNowResult:
    """Result of ``here_now()``.

    ``channels`` is normally a list of :class:`PNHereNowChannelData`. Quirk kept from PubNub's
    SDK (client-api.md §4.5 variant 2): when the server answers with the multi-channel
    ``payload`` shape, no channel is occupied and not exactly one channel was requested,
    ``channels`` is an empty **dict** ``{}`` (PubNub's SDK returns that; code iterating or
    testing it for emptiness works with either).
    """

    def __init__(
        self,
        total_channels: int,
        total_occupancy: int,
        channels: Union[List[PNHereNowChannelData], Dict[str, PNHereNowChannelData]],
    ) -> None:
        self.total_channels = total_channels
        self.total_occupancy = total_occupancy
        self.channels = channels

    @classmethod
    def from_json(
        cls, envelope: Dict[str, Any], channel_names: Optional[Sequence[str]] = None
    ) -> "PNHereNowResult":
        """Build from a here_now response.

        *channel_names* are the channels of the request: the single-channel response shape
        does not name its channel, so the first requested name is used for it.
        """
        first_channel = channel_names[0] if channel_names else None
        payload = envelope.get("payload")
        if isinstance(payload, dict):
            raw_channels = payload.get("channels") or {}
            total_channels = int(payload.get("total_channels", 0))
            total_occupancy = int(payload.get("total_occupancy", 0))
            if raw_channels:
                channels = [
                    PNHereNowChannelData.from_json(name, raw) for name, raw in raw_channels.items()
                ]
                return cls(total_channels, total_occupancy, channels)
            if channel_names is not None and len(channel_names) == 1:
                return cls(1, 0, [PNHereNowChannelData(first_channel, 0, [])])
            return cls(total_channels, total_occupancy, {})

        occupancy = envelope.get("occupancy")
        if occupancy == 0:
            return cls(1, 0, [PNHereNowChannelData(first_channel, 0, [])])
        occupancy = int(occupancy or 0)
        if "uuids" in envelope:
            occupants = [PNHereNowOccupantsData.from_json(entry) for entry in envelope["uuids"]]
        else:  # disable_uuids: occupancy only
            occupants = []
        return cls(1, occupancy, [PNHereNowChannelData(first_channel, occupancy, occupants)])

    def __str__(self) -> str:
        return "HereNow Result total occupancy: %s, total channels: %s" % (
            self.total_occupancy,
            self.total_channels,
        )

    def __repr__(self) -> str:
        return field_repr(self, ("total_channels", "total_occupancy", "channels"))


class PNWhereNowResult:
    """Result of ``where_now()``: the channels the uuid is present on."""

    def __init__(self, channels: List[str]) -> None:
        self.channels = channels

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNWhereNowResult":
        """Build from ``{"payload": {"channels": [..]}, ..}``."""
        payload = json_input.get("payload") or {}
        return cls(list(payload.get("channels") or []))

    def __str__(self) -> str:
        return "User is currently subscribed to %s" % ", ".join(self.channels)

    def __repr__(self) -> str:
        return field_repr(self, ("channels",))


class PNSetStateResult:
    """Result of ``set_state()``: the state the server stored.

    The endpoint hands back the raw response dict instead when its ``status`` is not 200
    (client-api.md §4.2); this class is only built for a successful response.
    """

    def __init__(self, state: Any) -> None:
        self.state = state

    @classmethod
    def from_json(cls, envelope: Dict[str, Any]) -> "PNSetStateResult":
        """Build from ``{"status": 200, "payload": {state}, ..}``."""
        return cls(envelope.get("payload"))

    def __str__(self) -> str:
        return "New state %s successfully set" % (self.state,)

    def __repr__(self) -> str:
        return field_repr(self, ("state",))


class PNGetStateResult:
    """Result of ``get_state()``: ``channels`` maps each channel name to the uuid's state."""

    def __init__(self, channels: Dict[str, Any]) -> None:
        self.channels = channels

    @classmethod
    def from_json(
        cls, envelope: Dict[str, Any], channel_names: Optional[Sequence[str]] = None
    ) -> "PNGetStateResult":
        """Build from a get_state response.

        One channel: ``{"payload": {state}, "channel": ch, "uuid": ..}``; several channels or
        groups: ``{"payload": {"channels": {ch: state}}}``. *channel_names* (the requested
        channels) names the single-channel form when the server omits ``channel``.
        """
        payload = envelope.get("payload")
        if "channel" in envelope:
            return cls({envelope["channel"]: payload})
        if isinstance(payload, dict) and isinstance(payload.get("channels"), dict):
            return cls(dict(payload["channels"]))
        if channel_names is not None and len(channel_names) == 1:
            return cls({channel_names[0]: payload})
        return cls({})

    def __str__(self) -> str:
        return "Current state is %s" % (self.channels,)

    def __repr__(self) -> str:
        return field_repr(self, ("channels",))
