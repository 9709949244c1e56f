"""``pubnub.endpoints.push.add_channels_to_push`` (PubNub SDK 10.8 module path): ``AddChannelsToPush``."""
from pubnub_fast.endpoints.push import AddChannelsToPush
from pubnub_fast.models.consumer.push import PNPushAddChannelResult
from pubnub_fast.structures import Envelope

__all__ = ["AddChannelsToPush", "PNPushAddChannelResultEnvelope"]


class PNPushAddChannelResultEnvelope(Envelope):
    """A ``PNPushAddChannelResult`` with its ``PNStatus``."""

    result: PNPushAddChannelResult
