"""``pubnub.request_handlers.httpx``: ``HttpxRequestHandler`` (PubNub SDK 10.8's httpx back-end).

In pubnub_fast the same adapter as every handler: requests go through pubnub_fast's transport
(see ``pubnub_fast.request_handlers``).
"""
from typing import Any

from pubnub_fast.request_handlers.base import BaseRequestHandler

__all__ = ["HttpxRequestHandler"]


class HttpxRequestHandler(BaseRequestHandler):
    """Runs endpoint builders through the client it is made for."""

    def __init__(self, pubnub: Any) -> None:
        super().__init__(pubnub)
