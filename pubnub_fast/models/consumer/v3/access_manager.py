"""Access Manager v3 results (``pubnub.models.consumer.v3.access_manager``)."""
from typing import Any, Dict, Optional

from pubnub_fast.models import field_repr

__all__ = ["PNGrantTokenResult", "PNRevokeTokenResult"]


class PNGrantTokenResult:
    """Result of ``grant_token()``: the new token (also via :meth:`get_token`)."""

    def __init__(self, token: Optional[str]) -> None:
        self.token = token

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNGrantTokenResult":
        """Build from ``{"data": {"message": "Success", "token": ".."}, "status": 200, ..}``."""
        return cls((json_input.get("data") or {}).get("token"))

    def get_token(self) -> Optional[str]:
        """The granted token."""
        return self.token

    def __str__(self) -> str:
        return "Grant token: %s" % (self.token,)

    def __repr__(self) -> str:
        return field_repr(self, ("token",))


class PNRevokeTokenResult:
    """Result of ``revoke_token()``, built from the response: ``status`` (200 when revoked)."""

    def __init__(self, result: Dict[str, Any]) -> None:
        self.status: Optional[int] = result.get("status")

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNRevokeTokenResult":
        """Build from ``{"data": {"message": "Success"}, "status": 200, ..}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Revoke token success with status: %s" % (self.status,)

    def __repr__(self) -> str:
        return field_repr(self, ("status",))
