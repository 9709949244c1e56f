"""``pubnub.endpoints.push.remove_device`` (PubNub SDK 10.8 module path): ``RemoveDeviceFromPush``."""
from pubnub_fast.endpoints.push import RemoveDeviceFromPush
from pubnub_fast.models.consumer.push import PNPushRemoveAllChannelsResult
from pubnub_fast.structures import Envelope

__all__ = ["PNPushRemoveAllChannelsResultEnvelope", "RemoveDeviceFromPush"]


class PNPushRemoveAllChannelsResultEnvelope(Envelope):
    """A ``PNPushRemoveAllChannelsResult`` with its ``PNStatus``."""

    result: PNPushRemoveAllChannelsResult
