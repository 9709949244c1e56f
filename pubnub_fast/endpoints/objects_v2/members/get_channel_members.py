"""``pubnub.endpoints.objects_v2.members.get_channel_members`` (PubNub SDK 10.8 module path): ``GetChannelMembers``."""
from pubnub_fast.endpoints.objects import GetChannelMembers
from pubnub_fast.models.consumer.objects_v2.channel_members import PNGetChannelMembersResult
from pubnub_fast.structures import Envelope

__all__ = ["GetChannelMembers", "PNGetChannelMembersResultEnvelope"]


class PNGetChannelMembersResultEnvelope(Envelope):
    """A ``PNGetChannelMembersResult`` with its ``PNStatus``."""

    result: PNGetChannelMembersResult
