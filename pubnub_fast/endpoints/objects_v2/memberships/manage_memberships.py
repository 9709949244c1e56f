"""``pubnub.endpoints.objects_v2.memberships.manage_memberships`` (PubNub SDK 10.8 module path): ``ManageMemberships``."""
from pubnub_fast.endpoints.objects import ManageMemberships
from pubnub_fast.models.consumer.objects_v2.memberships import PNManageMembershipsResult
from pubnub_fast.structures import Envelope

__all__ = ["ManageMemberships", "PNManageMembershipsResultEnvelope"]


class PNManageMembershipsResultEnvelope(Envelope):
    """A ``PNManageMembershipsResult`` with its ``PNStatus``."""

    result: PNManageMembershipsResult
