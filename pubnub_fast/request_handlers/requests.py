"""``pubnub.request_handlers.requests``: ``RequestsRequestHandler`` (PubNub SDK 10.8's requests back-end).

In pubnub_fast the same adapter as every handler: requests go through pubnub_fast's transport
(see ``pubnub_fast.request_handlers``).
"""
from typing import Any

from pubnub_fast.request_handlers.base import BaseRequestHandler

__all__ = ["RequestsRequestHandler"]


class RequestsRequestHandler(BaseRequestHandler):
    """Runs endpoint builders through the client it is made for."""

    def __init__(self, pubnub: Any) -> None:
        super().__init__(pubnub)
