"""``pubnub.endpoints.channel_groups.remove_channel_from_channel_group`` (PubNub SDK 10.8 module path): ``RemoveChannelFromChannelGroup``."""
from pubnub_fast.endpoints.channel_groups import RemoveChannelFromChannelGroup
from pubnub_fast.models.consumer.channel_group import PNChannelGroupsRemoveChannelResult
from pubnub_fast.structures import Envelope

__all__ = ["PNChannelGroupsRemoveChannelResultEnvelope", "RemoveChannelFromChannelGroup"]


class PNChannelGroupsRemoveChannelResultEnvelope(Envelope):
    """A ``PNChannelGroupsRemoveChannelResult`` with its ``PNStatus``."""

    result: PNChannelGroupsRemoveChannelResult
