"""Presence endpoints (client-api.md §4.2–§4.5): heartbeat and leave (the subscription loop uses
both), here_now, where_now, set_state and get_state."""
from typing import Optional

from pubnub_fast import errors
from pubnub_fast.endpoints.base import ChannelsAndGroups, Endpoint, encode_path_list, encode_path_segment, to_json
from pubnub_fast.enums import PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.presence import (PNGetStateResult, PNHereNowResult, PNSetStateResult,
                                                  PNWhereNowResult)
from pubnub_fast._typing import Self

__all__ = ["Heartbeat", "Leave", "HereNow", "WhereNow", "SetState", "GetState"]


class _ChannelsAndGroups(ChannelsAndGroups, Endpoint):
    """Endpoints addressed to channels and/or channel groups.

    Repeated ``channels()``/``channel_groups()`` calls accumulate. Heartbeat and leave send the
    names de-duplicated and sorted (as PubNub's SDK v10 does); the others keep the caller's order.
    """

    SORTED_NAMES = False

    def __init__(self, pubnub, **kwargs):
        self._channels = []
        self._groups = []
        super().__init__(pubnub, **kwargs)

    def _names(self, names):
        return sorted(set(names)) if self.SORTED_NAMES else list(names)

    def validate_channels_or_groups(self):
        if not self._channels and not self._groups:
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_OR_GROUP_MISSING)

    def presence_path(self, *tail):
        path = "/v2/presence/sub-key/%s/channel/%s" % (
            encode_path_segment(self.pubnub.config.subscribe_key), encode_path_list(self._names(self._channels)))
        return "/".join((path,) + tail)

    def group_params(self):
        return {"channel-group": ",".join(self._names(self._groups))} if self._groups else {}

    def affected_channels(self):
        return list(self._channels)

    def affected_channels_groups(self):
        return list(self._groups)


class _UuidTarget:
    """The ``uuid`` setter of where_now/get_state: another client's uuid, default ``config.uuid``.

    ``None`` means the default. Anything but a non-empty str fails validation with
    ``PNERR_UUID_MISSING``.
    """

    def uuid(self, uuid) -> "Self":
        self._uuid = uuid
        return self

    def user_id(self, user_id):
        """v10 name of :meth:`uuid`."""
        return self.uuid(user_id)

    def target_uuid(self):
        return self.pubnub.config.uuid if self._uuid is None else self._uuid

    def validate_uuid(self):
        uuid = self.target_uuid()
        if not isinstance(uuid, str) or uuid == "":
            raise PubNubException(errormsg="uuid must be a non-empty str, not %r" % (uuid,),
                                  pn_error=errors.PNERR_UUID_MISSING)


class Heartbeat(_ChannelsAndGroups):
    """``heartbeat()``: tell the server this client is still present (with optional state)."""

    OPERATION = PNOperationType.PNHeartbeatOperation
    SORTED_NAMES = True

    def __init__(self, pubnub, **kwargs):
        self._state = None
        super().__init__(pubnub, **kwargs)

    def state(self, state) -> "Self":
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
    SORTED_NAMES = True

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channels_or_groups()

    def build_path(self):
        return self.presence_path("leave")

    def custom_params(self):
        return self.group_params()

    def create_response(self, envelope):
        return envelope


class HereNow(_ChannelsAndGroups):
    """``here_now()``: who is present on channels/groups, or on the whole key set when none given."""

    OPERATION = PNOperationType.PNHereNowOperation
    DEFAULT_LIMIT = 1000

    def __init__(self, pubnub, **kwargs):
        self._include_state = False
        self._include_uuids = True
        self._limit = self.DEFAULT_LIMIT
        self._offset = None
        super().__init__(pubnub, **kwargs)

    def include_state(self, should_include_state: Optional[bool]) -> "Self":
        self._include_state = bool(self.validate_type(should_include_state, bool, "include_state"))
        return self

    def include_uuids(self, include_uuids: Optional[bool]) -> "Self":
        value = self.validate_type(include_uuids, bool, "include_uuids")
        self._include_uuids = True if value is None else value
        return self

    def limit(self, limit: Optional[int]) -> "Self":
        self._limit = _non_negative(self.validate_type(limit, int, "limit"), "limit", self.DEFAULT_LIMIT)
        return self

    def offset(self, offset: Optional[int]) -> "Self":
        self._offset = _non_negative(self.validate_type(offset, int, "offset"), "offset", None)
        return self

    def validate_params(self):
        self.validate_subscribe_key()

    def build_path(self):
        if not self._channels and not self._groups:
            return "/v2/presence/sub-key/%s" % encode_path_segment(self.pubnub.config.subscribe_key)
        return self.presence_path()

    def custom_params(self):
        params = {"limit": str(self._limit)}
        params.update(self.group_params())
        if self._include_state:
            params["state"] = "1"
        if not self._include_uuids:
            params["disable_uuids"] = "1"
        if self._offset is not None:
            params["offset"] = str(self._offset)
        return params

    def create_response(self, envelope):
        return PNHereNowResult.from_json(envelope, list(self._channels))


class WhereNow(_UuidTarget, Endpoint):
    """``where_now()``: the channels a uuid (default: this client) is present on."""

    OPERATION = PNOperationType.PNWhereNowOperation

    def __init__(self, pubnub, **kwargs):
        self._uuid = None
        super().__init__(pubnub, **kwargs)

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_uuid()

    def build_path(self):
        return "/v2/presence/sub-key/%s/uuid/%s" % (encode_path_segment(self.pubnub.config.subscribe_key),
                                                    encode_path_segment(self.target_uuid()))

    def create_response(self, envelope):
        return PNWhereNowResult.from_json(envelope)


class SetState(_ChannelsAndGroups):
    """``set_state()``: this client's presence state on channels (and their groups).

    On success the state is also remembered by the subscription loop for the given channels the
    client is subscribed to, so later heartbeats and subscribes carry it.
    """

    OPERATION = PNOperationType.PNSetStateOperation

    def __init__(self, pubnub, **kwargs):
        self._state = None
        self._state_json = None
        super().__init__(pubnub, **kwargs)

    def state(self, state) -> "Self":
        self._state = state
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channels_or_groups()
        if not self._channels:
            raise PubNubException(pn_error=errors.PNERR_STATE_SETTER_FOR_GROUPS_NOT_SUPPORTED_YET)
        if not isinstance(self._state, dict):
            raise PubNubException(pn_error=errors.PNERR_STATE_MISSING)
        self._state_json = to_json(self._state, "state")

    def build_path(self):
        return self.presence_path("uuid", encode_path_segment(self.pubnub.config.uuid), "data")

    def custom_params(self):
        params = {"state": self._state_json}
        params.update(self.group_params())
        return params

    def create_response(self, envelope):
        if not isinstance(envelope, dict) or envelope.get("status") != 200:
            return envelope
        loop = getattr(self.pubnub, "_subscription", None)
        if loop is not None:
            subscribed = set(loop.subscribed_channels())
            channels = [name for name in self._channels if name in subscribed]
            if channels:
                loop.set_state(channels, self._state)
        return PNSetStateResult.from_json(envelope)


class GetState(_UuidTarget, _ChannelsAndGroups):
    """``get_state()``: the presence state of a uuid (default: this client) on channels/groups."""

    OPERATION = PNOperationType.PNGetState

    def __init__(self, pubnub, **kwargs):
        self._uuid = None
        super().__init__(pubnub, **kwargs)

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channels_or_groups()
        self.validate_uuid()

    def build_path(self):
        return self.presence_path("uuid", encode_path_segment(self.target_uuid()))

    def custom_params(self):
        return self.group_params()

    def create_response(self, envelope):
        return PNGetStateResult.from_json(envelope, list(self._channels))


def _non_negative(value, name, default):
    if value is None:
        return default
    if value < 0:
        raise PubNubException(errormsg="%s must be >= 0, not %r" % (name, value),
                              pn_error=errors.PNERR_INVALID_ARGUMENT)
    return value

# PubNub SDK 10.8 has a package here (``pubnub.endpoints.presence.<endpoint>``): its module paths
# resolve through this __path__ to the thin re-exporting modules in endpoints/_presence/.
import os as _os  # noqa: E402

__path__ = [_os.path.join(_os.path.dirname(__file__), "_presence")]
