"""``pubnub.endpoints.objects_v2.members.set_channel_members`` (PubNub SDK 10.8 module path): ``SetChannelMembers``."""
from pubnub_fast.endpoints.objects import SetChannelMembers
from pubnub_fast.models.consumer.objects_v2.channel_members import PNSetChannelMembersResult
from pubnub_fast.structures import Envelope

__all__ = ["PNSetChannelMembersResultEnvelope", "SetChannelMembers"]


class PNSetChannelMembersResultEnvelope(Envelope):
    """A ``PNSetChannelMembersResult`` with its ``PNStatus``."""

    result: PNSetChannelMembersResult
