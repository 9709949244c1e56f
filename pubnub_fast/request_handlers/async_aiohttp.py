"""``pubnub.request_handlers.async_aiohttp``: ``AsyncAiohttpRequestHandler`` (PubNub SDK 10.8's aiohttp back-end).

In pubnub_fast the same adapter as every handler: requests go through pubnub_fast's transport
(see ``pubnub_fast.request_handlers``).
"""
from pubnub_fast.request_handlers.base import AsyncRequestHandler

__all__ = ["AsyncAiohttpRequestHandler"]


class AsyncAiohttpRequestHandler(AsyncRequestHandler):
    """Runs endpoint builders through the client it is made for."""
