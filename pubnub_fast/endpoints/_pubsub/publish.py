"""``pubnub.endpoints.pubsub.publish`` (PubNub SDK 10.8 module path): ``Publish``."""
from pubnub_fast.endpoints.pubsub import Publish
from pubnub_fast.models.consumer.pubsub import PNPublishResult
from pubnub_fast.structures import Envelope

__all__ = ["PNPublishResultEnvelope", "Publish"]


class PNPublishResultEnvelope(Envelope):
    """A ``PNPublishResult`` with its ``PNStatus``."""

    result: PNPublishResult
