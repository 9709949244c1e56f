"""Channel members: payload helpers and results (``pubnub.models.consumer.objects_v2.channel_members``).

The helpers describe one member for ``set_channel_members()``/``remove_channel_members()``/
``manage_channel_members()``; ``to_payload_dict()`` is the item the request body carries::

    PNUUID.uuid("u1")                         -> {"uuid": {"id": "u1"}}
    PNUUID.uuid_with_custom("u1", {"a": 1})   -> {"uuid": {"id": "u1"}, "custom": {"a": 1}}
    PNUserMember("u1", type="QA", status="active", custom={"a": 1})
        -> {"uuid": {"id": "u1"}, "custom": {..}, "status": "active", "type": "QA"}

Results: ``data`` is the resulting page of members (``[{"uuid": {"id", ..}, "custom", "status",
"type", "updated", "eTag"}, ..]``) with ``status``, ``total_count``, ``next``, ``prev``.
"""
from typing import Any, Dict, Optional

from pubnub_fast.models import field_repr
from pubnub_fast.models.consumer.objects_v2.common import PNPageableObjectsResult

__all__ = [
    "PNUUID",
    "JustUUID",
    "UUIDWithCustom",
    "PNUserMember",
    "PNSetChannelMembersResult",
    "PNGetChannelMembersResult",
    "PNRemoveChannelMembersResult",
    "PNManageChannelMembersResult",
]


class PNUUID:
    """A channel member given by uuid; build one with :meth:`uuid` or :meth:`uuid_with_custom`."""

    def __init__(self, uuid: str) -> None:
        self._uuid = uuid

    @staticmethod
    def uuid(uuid: str) -> "JustUUID":
        """A member with no custom data."""
        return JustUUID(uuid)

    @staticmethod
    def uuid_with_custom(uuid: str, custom: Optional[Dict[str, Any]]) -> "UUIDWithCustom":
        """A member with membership custom data."""
        return UUIDWithCustom(uuid, custom)

    def to_payload_dict(self) -> Dict[str, Any]:
        """The request-body item for this member."""
        return {"uuid": {"id": self._uuid}}

    def __str__(self) -> str:
        return "member %s" % (self._uuid,)

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self._uuid)


class JustUUID(PNUUID):
    """A member given only by uuid: ``{"uuid": {"id": ..}}``."""


class UUIDWithCustom(PNUUID):
    """A member with custom data: ``{"uuid": {"id": ..}, "custom": {..}}``."""

    def __init__(self, uuid: str, custom: Optional[Dict[str, Any]]) -> None:
        super().__init__(uuid)
        self._custom = custom

    def to_payload_dict(self) -> Dict[str, Any]:
        return {"uuid": {"id": self._uuid}, "custom": self._custom}

    def __repr__(self) -> str:
        return "%s(%r, %r)" % (type(self).__name__, self._uuid, self._custom)


class PNUserMember(PNUUID):
    """A member with optional membership ``custom``, ``status`` and ``type`` (PubNub SDK v10).

    Only the fields that are set go into the request body.
    """

    def __init__(
        self,
        user_id: str,
        type: Optional[str] = None,
        status: Optional[str] = None,
        custom: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(user_id)
        self.user_id = user_id
        self.type = type
        self.status = status
        self.custom = custom

    def to_payload_dict(self) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"uuid": {"id": self.user_id}}
        if self.custom is not None:
            payload["custom"] = self.custom
        if self.status is not None:
            payload["status"] = self.status
        if self.type is not None:
            payload["type"] = self.type
        return payload

    def __repr__(self) -> str:
        return field_repr(self, ("user_id", "type", "status", "custom"))


class PNSetChannelMembersResult(PNPageableObjectsResult):
    """Result of ``set_channel_members()``: the channel's members after the change."""


class PNGetChannelMembersResult(PNPageableObjectsResult):
    """Result of ``get_channel_members()``: a page of the channel's members."""


class PNRemoveChannelMembersResult(PNPageableObjectsResult):
    """Result of ``remove_channel_members()``: the channel's members after the change."""


class PNManageChannelMembersResult(PNPageableObjectsResult):
    """Result of ``manage_channel_members()``: the channel's members after the change."""
