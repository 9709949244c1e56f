"""``pubnub.endpoints.objects_v2.channel.set_channel`` (PubNub SDK 10.8 module path): ``SetChannel``."""
from pubnub_fast.endpoints.objects import SetChannel
from pubnub_fast.models.consumer.objects_v2.channel import PNSetChannelMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["PNSetChannelMetadataResultEnvelope", "SetChannel"]


class PNSetChannelMetadataResultEnvelope(Envelope):
    """A ``PNSetChannelMetadataResult`` with its ``PNStatus``."""

    result: PNSetChannelMetadataResult
