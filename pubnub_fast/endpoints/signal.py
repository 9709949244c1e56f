"""``pubnub.endpoints.signal`` (PubNub SDK 10.8 module path): ``Signal``."""
from pubnub_fast.endpoints.pubsub import Signal
from pubnub_fast.models.consumer.signal import PNSignalResult
from pubnub_fast.structures import Envelope

__all__ = ["Signal", "SignalResultEnvelope"]


class SignalResultEnvelope(Envelope):
    """A ``PNSignalResult`` with its ``PNStatus``."""

    result: PNSignalResult
