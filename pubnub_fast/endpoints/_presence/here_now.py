"""``pubnub.endpoints.presence.here_now`` (PubNub SDK 10.8 module path): ``HereNow``."""
from pubnub_fast.endpoints.presence import HereNow
from pubnub_fast.models.consumer.presence import PNHereNowResult
from pubnub_fast.structures import Envelope

__all__ = ["HereNow", "PNHereNowResultEnvelope"]


class PNHereNowResultEnvelope(Envelope):
    """A ``PNHereNowResult`` with its ``PNStatus``."""

    result: PNHereNowResult
