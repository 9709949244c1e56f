"""``pubnub.endpoints.message_count`` (PubNub SDK 10.8 module path): ``MessageCount``."""
from pubnub_fast.endpoints.history import MessageCount
from pubnub_fast.models.consumer.message_count import PNMessageCountResult
from pubnub_fast.structures import Envelope

__all__ = ["MessageCount", "PNMessageCountResultEnvelope"]


class PNMessageCountResultEnvelope(Envelope):
    """A ``PNMessageCountResult`` with its ``PNStatus``."""

    result: PNMessageCountResult
