"""``pubnub.endpoints.push.list_push_provisions`` (PubNub SDK 10.8 module path): ``ListPushProvisions``."""
from pubnub_fast.endpoints.push import ListPushProvisions
from pubnub_fast.models.consumer.push import PNPushListProvisionsResult
from pubnub_fast.structures import Envelope

__all__ = ["ListPushProvisions", "PNPushListProvisionsResultEnvelope"]


class PNPushListProvisionsResultEnvelope(Envelope):
    """A ``PNPushListProvisionsResult`` with its ``PNStatus``."""

    result: PNPushListProvisionsResult
