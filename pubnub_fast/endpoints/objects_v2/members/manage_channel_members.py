"""``pubnub.endpoints.objects_v2.members.manage_channel_members`` (PubNub SDK 10.8 module path): ``ManageChannelMembers``."""
from pubnub_fast.endpoints.objects import ManageChannelMembers
from pubnub_fast.models.consumer.objects_v2.channel_members import PNManageChannelMembersResult
from pubnub_fast.structures import Envelope

__all__ = ["ManageChannelMembers", "PNManageChannelMembersResultEnvelope"]


class PNManageChannelMembersResultEnvelope(Envelope):
    """A ``PNManageChannelMembersResult`` with its ``PNStatus``."""

    result: PNManageChannelMembersResult
