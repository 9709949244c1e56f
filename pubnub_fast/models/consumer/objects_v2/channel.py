"""Channel metadata results (``pubnub.models.consumer.objects_v2.channel``).

``data`` is the server's channel object: ``{"id", "name", "description", "custom", "status",
"type", "updated", "eTag"}`` (fields present as the server sends them).
"""
from pubnub_fast.models.consumer.objects_v2.common import (
    PNObjectsEventResult,
    PNObjectsResult,
    PNPageableObjectsResult,
)

__all__ = [
    "PNSetChannelMetadataResult",
    "PNGetChannelMetadataResult",
    "PNRemoveChannelMetadataResult",
    "PNGetAllChannelMetadataResult",
    "PNChannelMetadataResult",
]


class PNSetChannelMetadataResult(PNObjectsResult):
    """Result of ``set_channel_metadata()``: the stored channel object."""


class PNGetChannelMetadataResult(PNObjectsResult):
    """Result of ``get_channel_metadata()``: the channel object."""


class PNRemoveChannelMetadataResult(PNObjectsResult):
    """Result of ``remove_channel_metadata()`` (``data`` is ``None``)."""


class PNGetAllChannelMetadataResult(PNPageableObjectsResult):
    """Result of ``get_all_channel_metadata()``: a page of channel objects."""


class PNChannelMetadataResult(PNObjectsEventResult):
    """Subscribe event: channel metadata was set or deleted (``event``, ``data``)."""
