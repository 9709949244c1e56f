"""``pubnub.request_handlers.async_aiohttp``: ``AsyncAiohttpRequestHandler`` (PubNub SDK 10.8's aiohttp back-end).

In pubnub_fast the same adapter as every handler: requests go through pubnub_fast's transport
(see ``pubnub_fast.request_handlers``).
"""
from typing import Any

from pubnub_fast.request_handlers.base import BaseRequestHandler

__all__ = ["AsyncAiohttpRequestHandler"]


class AsyncAiohttpRequestHandler(BaseRequestHandler):
    """Runs endpoint builders through the client it is made for."""

    def __init__(self, pubnub: Any) -> None:
        super().__init__(pubnub)

    def sync_request(self, *_args: Any, **_: Any) -> Any:
        raise NotImplementedError("an asyncio handler sends with async_request() (PubNubAsyncio: .future())")

    def threaded_request(self, *_args: Any, **_: Any) -> Any:
        raise NotImplementedError("an asyncio handler sends with async_request() (PubNubAsyncio: .future())")
