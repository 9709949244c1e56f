"""``pubnub.endpoints.channel_groups.remove_channel_group`` (PubNub SDK 10.8 module path): ``RemoveChannelGroup``."""
from pubnub_fast.endpoints.channel_groups import RemoveChannelGroup
from pubnub_fast.models.consumer.channel_group import PNChannelGroupsRemoveGroupResult
from pubnub_fast.structures import Envelope

__all__ = ["PNChannelGroupsRemoveGroupResultEnvelope", "RemoveChannelGroup"]


class PNChannelGroupsRemoveGroupResultEnvelope(Envelope):
    """A ``PNChannelGroupsRemoveGroupResult`` with its ``PNStatus``."""

    result: PNChannelGroupsRemoveGroupResult
