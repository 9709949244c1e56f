"""``pubnub.managers`` names that user code reaches (``TokenManager``).

PubNub SDK 10.8's other managers (subscription, reconnection, state, listener, base path) are
the machinery of its thread/asyncio clients; pubnub_fast has one subscription loop on the
reactor instead (``pubnub_fast.subscription``) — see the API-surface test's allow-list.
"""
from typing import Any, Dict, Optional

from pubnub_fast.tokens import decode_token, parse_token

__all__ = ["TokenManager"]


class TokenManager:
    """The Access Manager v3 token a client sends as ``auth`` (``pubnub.set_token(token)``)."""

    def __init__(self) -> None:
        self.token: Optional[str] = None

    def set_token(self, token: Optional[str]) -> None:
        self.token = token

    def get_token(self) -> Optional[str]:
        return self.token

    @classmethod
    def parse_token(cls, token: str) -> Dict[str, Any]:
        """Permissions, ttl, meta… of a token (``pubnub.parse_token``)."""
        return parse_token(token)

    @staticmethod
    def unwrap_token(token: str) -> Dict[str, Any]:
        """The token's raw CBOR map (``v``, ``t``, ``ttl``, ``res``, ``pat``, ``meta``, ``sig``…)."""
        return decode_token(token)
