"""Channel group results (``pubnub.models.consumer.channel_group``)."""
from typing import Any, Dict, List

from pubnub_fast.models import field_repr

__all__ = [
    "PNChannelGroupsAddChannelResult",
    "PNChannelGroupsRemoveChannelResult",
    "PNChannelGroupsRemoveGroupResult",
    "PNChannelGroupsListResult",
]


class PNChannelGroupsAddChannelResult:
    """Result of ``add_channel_to_channel_group()`` (the server only answers OK)."""

    @classmethod
    def from_json(cls, envelope: Dict[str, Any]) -> "PNChannelGroupsAddChannelResult":
        """Build from the ``{"status": 200, "message": "OK", ..}`` response."""
        return cls()

    def __str__(self) -> str:
        return "Channel successfully added"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class PNChannelGroupsRemoveChannelResult:
    """Result of ``remove_channel_from_channel_group()`` (the server only answers OK)."""

    @classmethod
    def from_json(cls, envelope: Dict[str, Any]) -> "PNChannelGroupsRemoveChannelResult":
        """Build from the ``{"status": 200, "message": "OK", ..}`` response."""
        return cls()

    def __str__(self) -> str:
        return "Channel successfully removed"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class PNChannelGroupsRemoveGroupResult:
    """Result of ``remove_channel_group()`` (the server only answers OK)."""

    @classmethod
    def from_json(cls, envelope: Dict[str, Any]) -> "PNChannelGroupsRemoveGroupResult":
        """Build from the ``{"status": 200, "message": "OK", ..}`` response."""
        return cls()

    def __str__(self) -> str:
        return "Group successfully removed"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class PNChannelGroupsListResult:
    """Result of ``list_channels_in_channel_group()``: the group's channel names."""

    def __init__(self, channels: List[str]) -> None:
        self.channels = channels

    @classmethod
    def from_json(cls, envelope: Dict[str, Any]) -> "PNChannelGroupsListResult":
        """Build from ``{"payload": {"channels": [..], "group": ..}}`` (``[]`` when missing)."""
        payload = envelope.get("payload") or {}
        return cls(list(payload.get("channels") or []))

    def __str__(self) -> str:
        return "Group contains following channels: %s" % ", ".join(self.channels)

    def __repr__(self) -> str:
        return field_repr(self, ("channels",))
