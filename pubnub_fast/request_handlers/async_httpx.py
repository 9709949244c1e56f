"""``pubnub.request_handlers.async_httpx``: ``AsyncHttpxRequestHandler`` (PubNub SDK 10.8's httpx (asyncio) back-end).

In pubnub_fast the same adapter as every handler: requests go through pubnub_fast's transport
(see ``pubnub_fast.request_handlers``).
"""
from pubnub_fast.request_handlers.base import AsyncRequestHandler

__all__ = ["AsyncHttpxRequestHandler"]


class AsyncHttpxRequestHandler(AsyncRequestHandler):
    """Runs endpoint builders through the client it is made for."""
