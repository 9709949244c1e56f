"""``pubnub.endpoints.access.grant_token`` (PubNub SDK 10.8 module path): ``GrantToken``."""
from pubnub_fast.endpoints.access import GrantToken
from pubnub_fast.models.consumer.v3.access_manager import PNGrantTokenResult
from pubnub_fast.structures import Envelope

__all__ = ["GrantToken", "PNGrantTokenResultEnvelope"]


class PNGrantTokenResultEnvelope(Envelope):
    """A ``PNGrantTokenResult`` with its ``PNStatus``."""

    result: PNGrantTokenResult
