"""``pubnub.endpoints.objects_v2.channel.get_channel`` (PubNub SDK 10.8 module path): ``GetChannel``."""
from pubnub_fast.endpoints.objects import GetChannel
from pubnub_fast.models.consumer.objects_v2.channel import PNGetChannelMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["GetChannel", "PNGetChannelMetadataResultEnvelope"]


class PNGetChannelMetadataResultEnvelope(Envelope):
    """A ``PNGetChannelMetadataResult`` with its ``PNStatus``."""

    result: PNGetChannelMetadataResult
