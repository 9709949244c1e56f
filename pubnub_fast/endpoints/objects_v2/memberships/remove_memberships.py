"""``pubnub.endpoints.objects_v2.memberships.remove_memberships`` (PubNub SDK 10.8 module path): ``RemoveMemberships``."""
from pubnub_fast.endpoints.objects import RemoveMemberships
from pubnub_fast.models.consumer.objects_v2.memberships import PNRemoveMembershipsResult
from pubnub_fast.structures import Envelope

__all__ = ["PNRemoveMembershipsResultEnvelope", "RemoveMemberships"]


class PNRemoveMembershipsResultEnvelope(Envelope):
    """A ``PNRemoveMembershipsResult`` with its ``PNStatus``."""

    result: PNRemoveMembershipsResult
