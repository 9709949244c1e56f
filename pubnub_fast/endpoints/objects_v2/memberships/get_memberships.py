"""``pubnub.endpoints.objects_v2.memberships.get_memberships`` (PubNub SDK 10.8 module path): ``GetMemberships``."""
from pubnub_fast.endpoints.objects import GetMemberships
from pubnub_fast.models.consumer.objects_v2.memberships import PNGetMembershipsResult
from pubnub_fast.structures import Envelope

__all__ = ["GetMemberships", "PNGetMembershipsResultEnvelope"]


class PNGetMembershipsResultEnvelope(Envelope):
    """A ``PNGetMembershipsResult`` with its ``PNStatus``."""

    result: PNGetMembershipsResult
