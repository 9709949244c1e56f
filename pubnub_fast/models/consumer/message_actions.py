"""Message action models (``pubnub.models.consumer.message_actions``)."""
from typing import Any, Dict, List, Optional

from pubnub_fast.models import field_repr

__all__ = [
    "PNMessageAction",
    "PNGetMessageActionsResult",
    "PNAddMessageActionResult",
    "PNRemoveMessageActionResult",
]

_ACTION_FIELDS = ("type", "value", "uuid", "action_timetoken", "message_timetoken")


class PNMessageAction:
    """A message action (reaction, receipt, ...) attached to a stored message.

    Built empty (then filled by attribute, as ``add_message_action()`` expects) or from the
    server's dict ``{"type", "value", "uuid", "actionTimetoken", "messageTimetoken"}``.
    Timetokens stay as the server's strings.
    """

    def __init__(self, message_action: Optional[Dict[str, Any]] = None) -> None:
        self.type: Optional[str] = None
        self.value: Optional[str] = None
        self.message_timetoken: Any = None
        self.uuid: Optional[str] = None
        self.action_timetoken: Any = None
        if message_action is not None:
            self.type = message_action.get("type")
            self.value = message_action.get("value")
            self.message_timetoken = message_action.get("messageTimetoken")
            self.uuid = message_action.get("uuid")
            self.action_timetoken = message_action.get("actionTimetoken")

    @classmethod
    def create(
        cls,
        type: Optional[str] = None,
        value: Optional[str] = None,
        message_timetoken: Any = None,
        user_id: Optional[str] = None,
    ) -> "PNMessageAction":
        """Build an action to add (PubNub SDK v10 helper); *user_id* becomes ``uuid``."""
        action = cls()
        action.type = type
        action.value = value
        action.message_timetoken = message_timetoken
        action.uuid = user_id
        return action

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNMessageAction":
        """Build from the server's action dict."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Message action with type: %s, value: %s, uuid: %s, action timetoken: %s, message timetoken: %s" % (
            self.type,
            self.value,
            self.uuid,
            self.action_timetoken,
            self.message_timetoken,
        )

    def __repr__(self) -> str:
        return field_repr(self, _ACTION_FIELDS)


class PNGetMessageActionsResult:
    """Result of ``get_message_actions()``: ``actions`` (oldest first); ``more`` is the server's
    paging object (``{"url", "start", "end", "limit"}``) when the page was truncated, else None;
    ``_result`` is the response."""

    def __init__(self, result: Dict[str, Any]) -> None:
        self._result = result
        self.actions: List[PNMessageAction] = [PNMessageAction(action) for action in result.get("data") or ()]
        self.more: Optional[Dict[str, Any]] = result.get("more")

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNGetMessageActionsResult":
        """Build from ``{"status": 200, "data": [action, ..], ["more": {..}]}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Get message actions result with %d actions" % len(self.actions)

    def __repr__(self) -> str:
        return field_repr(self, ("actions", "more"))


class PNAddMessageActionResult(PNMessageAction):
    """Result of ``add_message_action()``: the stored action (with uuid and action timetoken)."""

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNAddMessageActionResult":
        """Build from ``{"status": 200, "data": {action}}``."""
        return cls(json_input.get("data") or {})


class PNRemoveMessageActionResult:
    """Result model of ``remove_message_action()`` (no fields; ``_result`` is the response).

    PubNub's SDK resolves that operation with an empty dict; this class exists for code that
    imports it.
    """

    def __init__(self, result: Optional[Dict[str, Any]] = None) -> None:
        self._result = result if result is not None else {}

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNRemoveMessageActionResult":
        """Build from ``{"status": 200, "data": {}}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Message action removed"

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__
