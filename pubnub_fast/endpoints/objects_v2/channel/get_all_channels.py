"""``pubnub.endpoints.objects_v2.channel.get_all_channels`` (PubNub SDK 10.8 module path): ``GetAllChannels``."""
from pubnub_fast.endpoints.objects import GetAllChannels
from pubnub_fast.models.consumer.objects_v2.channel import PNGetAllChannelMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["GetAllChannels", "PNGetAllChannelMetadataResultEnvelope"]


class PNGetAllChannelMetadataResultEnvelope(Envelope):
    """A ``PNGetAllChannelMetadataResult`` with its ``PNStatus``."""

    result: PNGetAllChannelMetadataResult
