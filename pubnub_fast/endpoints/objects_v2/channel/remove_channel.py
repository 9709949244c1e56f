"""``pubnub.endpoints.objects_v2.channel.remove_channel`` (PubNub SDK 10.8 module path): ``RemoveChannel``."""
from pubnub_fast.endpoints.objects import RemoveChannel
from pubnub_fast.models.consumer.objects_v2.channel import PNRemoveChannelMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["PNRemoveChannelMetadataResultEnvelope", "RemoveChannel"]


class PNRemoveChannelMetadataResultEnvelope(Envelope):
    """A ``PNRemoveChannelMetadataResult`` with its ``PNStatus``."""

    result: PNRemoveChannelMetadataResult
