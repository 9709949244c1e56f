"""Shared App Context pieces (``pubnub.models.consumer.objects_v2.common``).

Include selectors (``PNIncludes``, ``MemberIncludes``, ``MembershipIncludes``): ``str()`` of one
is the ``include=`` query value, in the order the server documents. :class:`PNObjectsResult` is
the base of every App Context result.
"""
from typing import Any, Dict, List, Optional

from pubnub_fast.models import field_repr
from pubnub_fast.models.consumer.objects_v2.page import PNPageable

__all__ = ["PNIncludes", "MemberIncludes", "MembershipIncludes", "PNObjectsResult", "PNPageableObjectsResult",
           "PNObjectsEventResult"]


class PNIncludes:
    """Which optional fields an App Context call asks the server to return.

    ``str(includes)`` is the comma list for ``include=`` (empty when nothing is selected);
    ``field_mapping`` maps each attribute to its include name, in wire order.
    """

    field_mapping: Dict[str, str] = {
        "custom": "custom",
        "status": "status",
        "type": "type",
        "total_count": "totalCount",
    }

    def __init__(
        self, custom: bool = False, status: bool = False, type: bool = False, total_count: bool = False
    ) -> None:
        self.custom = custom
        self.status = status
        self.type = type
        self.total_count = total_count

    def include_names(self) -> List[str]:
        """The selected include names, in wire order."""
        return [wire for attribute, wire in self.field_mapping.items() if getattr(self, attribute, False)]

    def __str__(self) -> str:
        return ",".join(self.include_names())

    def __repr__(self) -> str:
        return field_repr(self, list(self.field_mapping))


class MemberIncludes(PNIncludes):
    """Includes of channel-members calls: the member's uuid object (``user``) and its fields.

    ``user_id`` (``uuid.id``) has no constructor argument; set the attribute to ask for it.
    """

    field_mapping = dict(
        PNIncludes.field_mapping,
        user="uuid",
        user_id="uuid.id",
        user_custom="uuid.custom",
        user_type="uuid.type",
        user_status="uuid.status",
    )

    def __init__(
        self,
        custom: bool = False,
        status: bool = False,
        type: bool = False,
        total_count: bool = False,
        user: bool = False,
        user_custom: bool = False,
        user_type: bool = False,
        user_status: bool = False,
    ) -> None:
        super().__init__(custom, status, type, total_count)
        self.user = user
        self.user_id = False
        self.user_custom = user_custom
        self.user_type = user_type
        self.user_status = user_status


class MembershipIncludes(PNIncludes):
    """Includes of memberships calls: the channel object and its fields.

    ``channel_id`` (``channel.id``) has no constructor argument; set the attribute to ask for it.
    """

    field_mapping = dict(
        PNIncludes.field_mapping,
        channel="channel",
        channel_id="channel.id",
        channel_custom="channel.custom",
        channel_type="channel.type",
        channel_status="channel.status",
    )

    def __init__(
        self,
        custom: bool = False,
        status: bool = False,
        type: bool = False,
        total_count: bool = False,
        channel: bool = False,
        channel_custom: bool = False,
        channel_type: bool = False,
        channel_status: bool = False,
    ) -> None:
        super().__init__(custom, status, type, total_count)
        self.channel = channel
        self.channel_id = False
        self.channel_custom = channel_custom
        self.channel_type = channel_type
        self.channel_status = channel_status


class PNObjectsResult:
    """Base of App Context results, built from the response: ``data`` (object or list), ``status``."""

    def __init__(self, result: Dict[str, Any]) -> None:
        self.data: Any = result.get("data")
        self.status: Optional[int] = result.get("status")

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]):
        """Build from ``{"status": 200, "data": ..}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "%s status %s: %s" % (type(self).__name__, self.status, self.data)

    def __repr__(self) -> str:
        return field_repr(self, ("data", "status"))


class PNPageableObjectsResult(PNObjectsResult, PNPageable):
    """Base of App Context list results: ``data`` (list), ``status``, ``total_count``, ``next``, ``prev``."""

    def __init__(self, result: Dict[str, Any]) -> None:
        PNObjectsResult.__init__(self, result)
        PNPageable.__init__(self, result)

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]):
        """Build from ``{"status": 200, "data": [..], ["totalCount": n], ["next": ..], ["prev": ..]}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "%s status %s: %d item(s), total count: %s, next: %s, prev: %s" % (
            type(self).__name__,
            self.status,
            len(self.data or ()),
            self.total_count,
            self.next,
            self.prev,
        )

    def __repr__(self) -> str:
        return field_repr(self, ("data", "status", "total_count", "next", "prev"))


class PNObjectsEventResult:
    """An App Context event from subscribe (``e: 2``): ``event`` is ``set`` or ``delete``."""

    def __init__(self, event: Optional[str], data: Any) -> None:
        self.event = event
        self.data = data

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]):
        """Build from the subscribe payload ``{"source": "objects", "event", "type", "data"}``."""
        return cls(json_input.get("event"), json_input.get("data"))

    def __str__(self) -> str:
        return "%s %s: %s" % (type(self).__name__, self.event, self.data)

    def __repr__(self) -> str:
        return field_repr(self, ("event", "data"))
