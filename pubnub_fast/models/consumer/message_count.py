"""Message counts result (``pubnub.models.consumer.message_count``)."""
from typing import Any, Dict

from pubnub_fast.models import field_repr

__all__ = ["PNMessageCountResult"]


class PNMessageCountResult:
    """Result of ``message_counts()``.

    Built from the whole response (``_result`` keeps it); ``channels`` maps each channel to
    the number of messages newer than the timetoken asked for.
    """

    def __init__(self, result: Dict[str, Any]) -> None:
        self._result = result
        self.channels: Dict[str, int] = dict(result.get("channels") or {})

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNMessageCountResult":
        """Build from ``{"status": 200, "channels": {ch: n}, ..}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Message count for channels: %s" % (self.channels,)

    def __repr__(self) -> str:
        return field_repr(self, ("channels",))
