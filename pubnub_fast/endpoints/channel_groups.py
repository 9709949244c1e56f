"""Channel groups (client-api.md §4.2, §4.3): add/remove channels, list a group, remove a group.

Every value goes on the wire percent-encoded once (decisions.md §17) — the channel list of
``add``/``remove`` included, which PubNub's SDK sends raw.
"""
from typing import Any
from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_segment, names_list
from pubnub_fast.enums import PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.channel_group import (PNChannelGroupsAddChannelResult, PNChannelGroupsListResult,
                                                       PNChannelGroupsRemoveChannelResult,
                                                       PNChannelGroupsRemoveGroupResult)
from pubnub_fast._typing import Self

__all__ = ["AddChannelToChannelGroup", "RemoveChannelFromChannelGroup", "ListChannelsInChannelGroup",
           "RemoveChannelGroup"]


class _ChannelGroupEndpoint(Endpoint):
    """What all four share: the ``channel_group`` setter, its validation and the path."""

    def __init__(self, pubnub, **kwargs):
        self._channel_group = None
        super().__init__(pubnub, **kwargs)

    def channel_group(self, channel_group) -> "Self":
        self._channel_group = channel_group
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_group()

    def validate_group(self):
        if not isinstance(self._channel_group, str) or self._channel_group == "":
            raise PubNubException(errormsg="channel_group must be a non-empty str, not %r" % (self._channel_group,),
                                  pn_error=errors.PNERR_GROUP_MISSING)

    def build_path(self):
        return "/v1/channel-registration/sub-key/%s/channel-group/%s" % (
            encode_path_segment(self.pubnub.config.subscribe_key), encode_path_segment(self._channel_group))

    def affected_channels_groups(self):
        return [self._channel_group]


class _ChangeChannels(_ChannelGroupEndpoint):
    """Add or remove channels: ``channels`` (list or comma-separated str, accumulating)."""

    PARAM: Any = None
    _RESULT: Any = None

    def __init__(self, pubnub, **kwargs):
        self._channels = []
        super().__init__(pubnub, **kwargs)

    def channels(self, channels) -> "Self":
        self._channels.extend(names_list(channels, "channels"))
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        if not self._channels:
            raise PubNubException(pn_error=errors.PNERR_CHANNELS_MISSING)
        self.validate_group()

    def custom_params(self):
        return {self.PARAM: ",".join(self._channels)}

    def create_response(self, envelope):
        return self._RESULT.from_json(envelope)

    def affected_channels(self):
        return list(self._channels)


class AddChannelToChannelGroup(_ChangeChannels):
    """``add_channel_to_channel_group()``: add channels to a group (created on first use)."""

    OPERATION = PNOperationType.PNAddChannelsToGroupOperation
    PARAM = "add"
    _RESULT = PNChannelGroupsAddChannelResult


class RemoveChannelFromChannelGroup(_ChangeChannels):
    """``remove_channel_from_channel_group()``: remove channels from a group."""

    OPERATION = PNOperationType.PNRemoveChannelsFromGroupOperation
    PARAM = "remove"
    _RESULT = PNChannelGroupsRemoveChannelResult


class ListChannelsInChannelGroup(_ChannelGroupEndpoint):
    """``list_channels_in_channel_group()``: the channels of a group."""

    OPERATION = PNOperationType.PNChannelsForGroupOperation

    def create_response(self, envelope):
        return PNChannelGroupsListResult.from_json(envelope)


class RemoveChannelGroup(_ChannelGroupEndpoint):
    """``remove_channel_group()``: delete a group."""

    OPERATION = PNOperationType.PNRemoveGroupOperation

    def build_path(self):
        return super().build_path() + "/remove"

    def create_response(self, envelope):
        return PNChannelGroupsRemoveGroupResult.from_json(envelope)

# PubNub SDK 10.8 has a package here (``pubnub.endpoints.channel_groups.<endpoint>``): its module paths
# resolve through this __path__ to the thin re-exporting modules in endpoints/_channel_groups/.
import os as _os  # noqa: E402

__path__ = [_os.path.join(_os.path.dirname(__file__), "_channel_groups")]
