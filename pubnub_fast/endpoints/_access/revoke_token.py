"""``pubnub.endpoints.access.revoke_token`` (PubNub SDK 10.8 module path): ``RevokeToken``."""
from pubnub_fast.endpoints.access import RevokeToken
from pubnub_fast.models.consumer.v3.access_manager import PNRevokeTokenResult
from pubnub_fast.structures import Envelope

__all__ = ["PNRevokeTokenResultEnvelope", "RevokeToken"]


class PNRevokeTokenResultEnvelope(Envelope):
    """A ``PNRevokeTokenResult`` with its ``PNStatus``."""

    result: PNRevokeTokenResult
