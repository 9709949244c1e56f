"""``pubnub.endpoints.objects_v2.members.remove_channel_members`` (PubNub SDK 10.8 module path): ``RemoveChannelMembers``."""
from pubnub_fast.endpoints.objects import RemoveChannelMembers
from pubnub_fast.models.consumer.objects_v2.channel_members import PNRemoveChannelMembersResult
from pubnub_fast.structures import Envelope

__all__ = ["PNRemoveChannelMembersResultEnvelope", "RemoveChannelMembers"]


class PNRemoveChannelMembersResultEnvelope(Envelope):
    """A ``PNRemoveChannelMembersResult`` with its ``PNStatus``."""

    result: PNRemoveChannelMembersResult
