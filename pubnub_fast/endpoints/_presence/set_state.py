"""``pubnub.endpoints.presence.set_state`` (PubNub SDK 10.8 module path): ``SetState``."""
from pubnub_fast.endpoints.presence import SetState
from pubnub_fast.models.consumer.presence import PNSetStateResult
from pubnub_fast.structures import Envelope

__all__ = ["PNSetStateResultEnvelope", "SetState"]


class PNSetStateResultEnvelope(Envelope):
    """A ``PNSetStateResult`` with its ``PNStatus``."""

    result: PNSetStateResult
