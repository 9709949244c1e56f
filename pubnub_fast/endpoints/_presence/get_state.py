"""``pubnub.endpoints.presence.get_state`` (PubNub SDK 10.8 module path): ``GetState``."""
from pubnub_fast.endpoints.presence import GetState
from pubnub_fast.models.consumer.presence import PNGetStateResult
from pubnub_fast.structures import Envelope

__all__ = ["GetState", "PNGetStateResultEnvelope"]


class PNGetStateResultEnvelope(Envelope):
    """A ``PNGetStateResult`` with its ``PNStatus``."""

    result: PNGetStateResult
