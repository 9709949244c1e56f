"""``pubnub.endpoints.channel_groups.list_channels_in_channel_group`` (PubNub SDK 10.8 module path): ``ListChannelsInChannelGroup``."""
from pubnub_fast.endpoints.channel_groups import ListChannelsInChannelGroup
from pubnub_fast.models.consumer.channel_group import PNChannelGroupsListResult
from pubnub_fast.structures import Envelope

__all__ = ["ListChannelsInChannelGroup", "PNChannelGroupsListResultEnvelope"]


class PNChannelGroupsListResultEnvelope(Envelope):
    """A ``PNChannelGroupsListResult`` with its ``PNStatus``."""

    result: PNChannelGroupsListResult
