"""Mobile push provisioning: which channels a device receives push notifications for
(client-api.md §4.2, §4.3; protocol.md §2.20).

APNs (``PNPushType.APNS``), FCM/GCM and legacy MPNS devices live under
``/v1/push/sub-key/{sub}/devices/{device}`` with ``type=``; APNs over HTTP/2
(``PNPushType.APNS2``) under ``/v2/push/sub-key/{sub}/devices-apns2/{device}`` with
``environment=`` (development unless set) and the app's bundle ``topic=``.
"""
from typing import Any
from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_segment, names_list
from pubnub_fast.enums import PNOperationType, PNPushEnvironment, PNPushType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.push import (PNPushAddChannelResult, PNPushListProvisionsResult,
                                              PNPushRemoveAllChannelsResult, PNPushRemoveChannelResult)
from pubnub_fast._typing import Self

__all__ = ["AddChannelsToPush", "RemoveChannelsFromPush", "ListPushProvisions", "RemoveDeviceFromPush"]

_TYPE_NAMES = {PNPushType.APNS: "apns", PNPushType.MPNS: "mpns", PNPushType.GCM: "gcm", PNPushType.FCM: "fcm"}


class _PushEndpoint(Endpoint):
    """A device's registration: ``device_id``, ``push_type``, and for APNS2 ``topic``/``environment``."""

    #: ``"/remove"`` for the remove-device call
    PATH_SUFFIX = ""

    def __init__(self, pubnub, **kwargs):
        self._device_id = None
        self._push_type = None
        self._topic = None
        self._environment = None
        super().__init__(pubnub, **kwargs)

    def device_id(self, device_id) -> "Self":
        """The device token the push service gave the app."""
        self._device_id = device_id
        return self

    def push_type(self, push_type) -> "Self":
        """A ``PNPushType`` (APNS, APNS2, FCM, GCM; MPNS for PubNub SDK v4 compatibility)."""
        if push_type is not None:
            try:
                push_type = PNPushType(push_type)
            except ValueError:
                raise PubNubException(errormsg="push_type must be a PNPushType, not %r" % (push_type,),
                                      pn_error=errors.PNERR_INVALID_ARGUMENT) from None
        self._push_type = push_type
        return self

    def topic(self, topic) -> "Self":
        """APNS2 only: the app's bundle id (e.g. ``com.example.app``)."""
        self._topic = topic
        return self

    def environment(self, environment) -> "Self":
        """APNS2 only: ``PNPushEnvironment.DEVELOPMENT`` (default) or ``PRODUCTION``."""
        if environment is not None:
            try:
                environment = PNPushEnvironment(environment)
            except ValueError:
                raise PubNubException(errormsg="environment must be a PNPushEnvironment, not %r" % (environment,),
                                      pn_error=errors.PNERR_INVALID_ARGUMENT) from None
        self._environment = environment
        return self

    def validate_channels(self):
        pass

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channels()
        if not isinstance(self._device_id, str) or not self._device_id:
            raise PubNubException(pn_error=errors.PNERR_PUSH_DEVICE_MISSING)
        if self._push_type is None:
            raise PubNubException(pn_error=errors.PNERROR_PUSH_TYPE_MISSING)
        if self._push_type == PNPushType.APNS2 and (not isinstance(self._topic, str) or not self._topic):
            raise PubNubException(pn_error=errors.PNERR_PUSH_TOPIC_MISSING)

    def build_path(self):
        sub_key = encode_path_segment(self.pubnub.config.subscribe_key)
        device = encode_path_segment(self._device_id)
        if self._push_type == PNPushType.APNS2:
            return "/v2/push/sub-key/%s/devices-apns2/%s%s" % (sub_key, device, self.PATH_SUFFIX)
        return "/v1/push/sub-key/%s/devices/%s%s" % (sub_key, device, self.PATH_SUFFIX)

    def device_params(self):
        if self._push_type == PNPushType.APNS2:
            environment = self._environment or PNPushEnvironment.DEVELOPMENT
            return {"environment": environment.value, "topic": self._topic}
        return {"type": _TYPE_NAMES[self._push_type]}

    def custom_params(self):
        return self.device_params()


class _ChannelsPushEndpoint(_PushEndpoint):
    """Add or remove channels: ``channels`` (list or comma-separated str; calls accumulate)."""

    CHANNELS_PARAM: Any = None

    def __init__(self, pubnub, **kwargs):
        self._channels = []
        super().__init__(pubnub, **kwargs)

    def channels(self, channels) -> "Self":
        self._channels.extend(names_list(channels, "channels"))
        return self

    def validate_channels(self):
        if not self._channels:
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_MISSING)

    def custom_params(self):
        params = {self.CHANNELS_PARAM: ",".join(self._channels)}
        params.update(self.device_params())
        return params

    def affected_channels(self):
        return list(self._channels)


class AddChannelsToPush(_ChannelsPushEndpoint):
    """``add_channels_to_push()``: the device gets push notifications for these channels."""

    OPERATION = PNOperationType.PNAddPushNotificationsOnChannelsOperation
    CHANNELS_PARAM = "add"

    def create_response(self, envelope):
        return PNPushAddChannelResult.from_json(envelope)


class RemoveChannelsFromPush(_ChannelsPushEndpoint):
    """``remove_channels_from_push()``: stop push notifications for these channels."""

    OPERATION = PNOperationType.PNRemovePushNotificationsFromChannelsOperation
    CHANNELS_PARAM = "remove"

    def create_response(self, envelope):
        return PNPushRemoveChannelResult.from_json(envelope)


class ListPushProvisions(_PushEndpoint):
    """``list_push_channels()``: the channels the device gets push notifications for."""

    OPERATION = PNOperationType.PNPushNotificationEnabledChannelsOperation

    def create_response(self, envelope):
        if envelope is not None and not isinstance(envelope, list):
            raise ValueError("expected a list of channel names")
        return PNPushListProvisionsResult.from_json(envelope)


class RemoveDeviceFromPush(_PushEndpoint):
    """``remove_device_from_push()``: the device gets no push notifications any more."""

    OPERATION = PNOperationType.PNRemoveAllPushNotificationsOperation
    PATH_SUFFIX = "/remove"

    def create_response(self, envelope):
        return PNPushRemoveAllChannelsResult.from_json(envelope)

# PubNub SDK 10.8 has a package here (``pubnub.endpoints.push.<endpoint>``): its module paths
# resolve through this __path__ to the thin re-exporting modules in endpoints/_push/.
import os as _os  # noqa: E402

__path__ = [_os.path.join(_os.path.dirname(__file__), "_push")]
