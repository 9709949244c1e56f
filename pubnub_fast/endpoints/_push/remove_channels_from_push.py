"""``pubnub.endpoints.push.remove_channels_from_push`` (PubNub SDK 10.8 module path): ``RemoveChannelsFromPush``."""
from pubnub_fast.endpoints.push import RemoveChannelsFromPush
from pubnub_fast.models.consumer.push import PNPushRemoveChannelResult
from pubnub_fast.structures import Envelope

__all__ = ["PNPushRemoveChannelResultEnvelope", "RemoveChannelsFromPush"]


class PNPushRemoveChannelResultEnvelope(Envelope):
    """A ``PNPushRemoveChannelResult`` with its ``PNStatus``."""

    result: PNPushRemoveChannelResult
