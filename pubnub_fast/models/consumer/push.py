"""Mobile push provisioning results (``pubnub.models.consumer.push``)."""
from typing import Any, List

from pubnub_fast.models import field_repr

__all__ = [
    "PNPushAddChannelResult",
    "PNPushRemoveChannelResult",
    "PNPushRemoveAllChannelsResult",
    "PNPushListProvisionsResult",
]


class PNPushAddChannelResult:
    """Result of ``add_channels_to_push()`` (server answers ``[1, "Modified Channels"]``)."""

    @classmethod
    def from_json(cls, envelope: Any) -> "PNPushAddChannelResult":
        """Build from the ``[1, "Modified Channels"]`` response."""
        return cls()

    def __str__(self) -> str:
        return "Channel successfully added"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class PNPushRemoveChannelResult:
    """Result of ``remove_channels_from_push()`` (server answers ``[1, "Modified Channels"]``)."""

    @classmethod
    def from_json(cls, envelope: Any) -> "PNPushRemoveChannelResult":
        """Build from the ``[1, "Modified Channels"]`` response."""
        return cls()

    def __str__(self) -> str:
        return "Channel successfully removed"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class PNPushRemoveAllChannelsResult:
    """Result of ``remove_device_from_push()`` (server answers ``[1, "Removed Device"]``)."""

    @classmethod
    def from_json(cls, envelope: Any) -> "PNPushRemoveAllChannelsResult":
        """Build from the ``[1, "Removed Device"]`` response."""
        return cls()

    def __str__(self) -> str:
        return "All channels successfully removed"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


class PNPushListProvisionsResult:
    """Result of ``list_push_channels()``: the channels the device is registered on."""

    def __init__(self, channels: List[str]) -> None:
        self.channels = channels

    @classmethod
    def from_json(cls, envelope: Any) -> "PNPushListProvisionsResult":
        """Build from the ``["ch1", "ch2"]`` response (anything but a list gives ``[]``)."""
        return cls(list(envelope) if isinstance(envelope, list) else [])

    def __str__(self) -> str:
        return "Push notification enabled on following channels: %s" % ", ".join(self.channels)

    def __repr__(self) -> str:
        return field_repr(self, ("channels",))
