"""``pubnub.endpoints.objects_v2.memberships.set_memberships`` (PubNub SDK 10.8 module path): ``SetMemberships``."""
from pubnub_fast.endpoints.objects import SetMemberships
from pubnub_fast.models.consumer.objects_v2.memberships import PNSetMembershipsResult
from pubnub_fast.structures import Envelope

__all__ = ["PNSetMembershipsResultEnvelope", "SetMemberships"]


class PNSetMembershipsResultEnvelope(Envelope):
    """A ``PNSetMembershipsResult`` with its ``PNStatus``."""

    result: PNSetMembershipsResult
