"""``pubnub.endpoints.presence.where_now`` (PubNub SDK 10.8 module path): ``WhereNow``."""
from pubnub_fast.endpoints.presence import WhereNow
from pubnub_fast.models.consumer.presence import PNWhereNowResult
from pubnub_fast.structures import Envelope

__all__ = ["PNWhereNowResultEnvelope", "WhereNow"]


class PNWhereNowResultEnvelope(Envelope):
    """A ``PNWhereNowResult`` with its ``PNStatus``."""

    result: PNWhereNowResult
