"""``pubnub.models.envelopes``: ``AsyncioEnvelope``, what the asyncio client's ``.future()`` gives."""
from typing import Any

__all__ = ["AsyncioEnvelope"]


class AsyncioEnvelope:
    """A ``result`` with its ``status`` (PubNub SDK 10.8's asyncio style)."""

    def __init__(self, result: Any, status: Any) -> None:
        self.result = result
        self.status = status

    @staticmethod
    def is_error() -> bool:
        return False

    def __repr__(self) -> str:
        return "AsyncioEnvelope(result=%r, status=%r)" % (self.result, self.status)
