"""Presence endpoints: heartbeat and leave (the subscription loop uses both)."""
from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_list, encode_path_segment, names_list, to_json
from pubnub_fast.enums import PNOperationType
from pubnub_fast.exceptions import PubNubException

__all__ = ["Heartbeat", "Leave"]


class _ChannelsAndGroups(Endpoint):
    """Endpoints addressed to channels and/or channel groups."""

    def __init__(self, pubnub, **kwargs):
        self._channels = []
        self._groups = []
        super().__init__(pubnub, **kwargs)

    def channels(self, channels):
        self._channels.extend(names_list(channels, "channels"))
        return self

    def channel_groups(self, channel_groups):
        self._groups.extend(names_list(channel_groups, "channel_groups"))
        return self

    def validate_channels_or_groups(self):
        if not self._channels and not self._groups:
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_OR_GROUP_MISSING)

    def presence_path(self, action):
        return "/v2/presence/sub-key/%s/channel/%s/%s" % (
            encode_path_segment(self.pubnub.config.subscribe_key), encode_path_list(self._channels), action)

    def group_params(self):
        return {"channel-group": ",".join(self._groups)} if self._groups else {}

    def affected_channels(self):
        return list(self._channels)

    def affected_channels_groups(self):
        return list(self._groups)


class Heartbeat(_ChannelsAndGroups):
    """``heartbeat()``: tell the server this client is still present (with optional state)."""

    OPERATION = PNOperationType.PNHeartbeatOperation

    def __init__(self, pubnub, **kwargs):
        self._state = None
        super().__init__(pubnub, **kwargs)

    def state(self, state):
        self._state = state
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channels_or_groups()
        if self._state is not None and not isinstance(self._state, dict):
            raise PubNubException(pn_error=errors.PNERR_STATE_MISSING)
        self._state_json = to_json(self._state, "state") if self._state else None

    def build_path(self):
        return self.presence_path("heartbeat")

    def custom_params(self):
        params = {"heartbeat": str(self.pubnub.config.presence_timeout)}
        params.update(self.group_params())
        if self._state_json:
            params["state"] = self._state_json
        return params

    def create_response(self, envelope):
        return True


class Leave(_ChannelsAndGroups):
    """Leave channels/groups (sent by ``unsubscribe()`` unless ``suppress_leave_events``)."""

    OPERATION = PNOperationType.PNUnsubscribeOperation

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channels_or_groups()

    def build_path(self):
        return self.presence_path("leave")

    def custom_params(self):
        return self.group_params()

    def create_response(self, envelope):
        return envelope
