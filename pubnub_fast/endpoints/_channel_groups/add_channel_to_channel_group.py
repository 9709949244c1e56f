"""``pubnub.endpoints.channel_groups.add_channel_to_channel_group`` (PubNub SDK 10.8 module path): ``AddChannelToChannelGroup``."""
from pubnub_fast.endpoints.channel_groups import AddChannelToChannelGroup
from pubnub_fast.models.consumer.channel_group import PNChannelGroupsAddChannelResult
from pubnub_fast.structures import Envelope

__all__ = ["AddChannelToChannelGroup", "PNChannelGroupsAddChannelResultEnvelope"]


class PNChannelGroupsAddChannelResultEnvelope(Envelope):
    """A ``PNChannelGroupsAddChannelResult`` with its ``PNStatus``."""

    result: PNChannelGroupsAddChannelResult
