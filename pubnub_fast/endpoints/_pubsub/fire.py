"""``pubnub.endpoints.pubsub.fire`` (PubNub SDK 10.8 module path): ``Fire``."""
from pubnub_fast.endpoints.pubsub import Fire
from pubnub_fast.models.consumer.pubsub import PNFireResult
from pubnub_fast.structures import Envelope

__all__ = ["Fire", "PNFireResultEnvelope"]


class PNFireResultEnvelope(Envelope):
    """A ``PNFireResult`` with its ``PNStatus``."""

    result: PNFireResult
