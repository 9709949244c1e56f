"""Memberships: payload helpers, results and events (``pubnub.models.consumer.objects_v2.memberships``).

The helpers describe one membership for ``set_memberships()``/``remove_memberships()``/
``manage_memberships()``; ``to_payload_dict()`` is the item the request body carries::

    PNChannelMembership.channel("ch")                       -> {"channel": {"id": "ch"}}
    PNChannelMembership.channel_with_custom("ch", {"a": 1}) -> {"channel": {"id": "ch"}, "custom": {"a": 1}}
    PNChannelMembership("ch", custom={"a": 1}, status="active", type="QA")
        -> {"channel": {"id": "ch"}, "custom": {..}, "status": "active", "type": "QA"}

Results: ``data`` is the resulting page of memberships (``[{"channel": {"id", ..}, "custom",
"status", "type", "updated", "eTag"}, ..]``) with ``status``, ``total_count``, ``next``, ``prev``.
"""
from typing import Any, Dict, Optional

from pubnub_fast.models.consumer.objects_v2.common import PNObjectsEventResult, PNPageableObjectsResult

__all__ = [
    "PNChannelMembership",
    "JustChannel",
    "ChannelWithCustom",
    "PNMembershipResult",
    "PNSetMembershipsResult",
    "PNGetMembershipsResult",
    "PNRemoveMembershipsResult",
    "PNManageMembershipsResult",
]


class PNChannelMembership:
    """A membership of a channel, with optional ``custom``, ``status`` and ``type``.

    Build one directly (PubNub SDK v10) or with :meth:`channel` / :meth:`channel_with_custom`
    (v4). Only the fields that are set go into the request body.
    """

    def __init__(
        self,
        channel: str,
        custom: Optional[Dict[str, Any]] = None,
        status: Optional[str] = None,
        type: Optional[str] = None,
    ) -> None:
        self._channel = channel
        self._custom = custom
        self._status = status
        self._type = type

    @staticmethod
    def channel(channel: str) -> "JustChannel":
        """A membership with no custom data."""
        return JustChannel(channel)

    @staticmethod
    def channel_with_custom(channel: str, custom: Optional[Dict[str, Any]]) -> "ChannelWithCustom":
        """A membership with custom data."""
        return ChannelWithCustom(channel, custom)

    def to_payload_dict(self) -> Dict[str, Any]:
        """The request-body item for this membership."""
        payload: Dict[str, Any] = {"channel": {"id": self._channel}}
        if self._custom is not None:
            payload["custom"] = self._custom
        if self._status is not None:
            payload["status"] = self._status
        if self._type is not None:
            payload["type"] = self._type
        return payload

    def __str__(self) -> str:
        return "membership of %s" % (self._channel,)

    def __repr__(self) -> str:
        return "%s(channel=%r, custom=%r, status=%r, type=%r)" % (
            type(self).__name__,
            self._channel,
            self._custom,
            self._status,
            self._type,
        )


class JustChannel(PNChannelMembership):
    """A membership given only by channel: ``{"channel": {"id": ..}}``."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel)


class ChannelWithCustom(PNChannelMembership):
    """A membership with custom data: ``{"channel": {"id": ..}, "custom": {..}}``."""

    def __init__(self, channel: str, custom: Optional[Dict[str, Any]]) -> None:
        super().__init__(channel, custom)

    def to_payload_dict(self) -> Dict[str, Any]:
        return {"channel": {"id": self._channel}, "custom": self._custom}


class PNSetMembershipsResult(PNPageableObjectsResult):
    """Result of ``set_memberships()``: the uuid's memberships after the change."""


class PNGetMembershipsResult(PNPageableObjectsResult):
    """Result of ``get_memberships()``: a page of the uuid's memberships."""


class PNRemoveMembershipsResult(PNPageableObjectsResult):
    """Result of ``remove_memberships()``: the uuid's memberships after the change."""


class PNManageMembershipsResult(PNPageableObjectsResult):
    """Result of ``manage_memberships()``: the uuid's memberships after the change."""


class PNMembershipResult(PNObjectsEventResult):
    """Subscribe event: a membership was set or deleted (``event``, ``data``)."""
