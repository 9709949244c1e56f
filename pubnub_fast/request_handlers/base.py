"""``pubnub.request_handlers.base``: ``BaseRequestHandler``, the adapter every handler is."""
from typing import Any, Callable, Optional

__all__ = ["BaseRequestHandler", "AsyncRequestHandler"]


class BaseRequestHandler:
    """Runs endpoint builders through the client ``pubnub`` (see the package docstring).

    ``endpoint_call_options`` / ``options_func`` are the endpoint builders themselves
    (``pubnub.publish().channel("c").message(m)``); ``platform_options`` and
    ``cancellation_event`` are accepted as in 10.8 and not needed.
    """

    def __init__(self, pubnub: Any = None) -> None:
        self.pubnub = pubnub

    def _client(self) -> Any:
        if self.pubnub is None:
            raise RuntimeError("%s was made without a client: pass it the PubNub instance" % type(self).__name__)
        return self.pubnub

    def sync_request(self, platform_options: Any, endpoint_call_options: Any) -> Any:
        """Send and wait (a ``pubnub_fast.pubnub.PubNub`` client): the envelope, as ``.sync()``."""
        return self._client().request_sync(endpoint_call_options)

    def threaded_request(self, endpoint_name: Any, platform_options: Any, endpoint_call_options: Any,
                         callback: Callable[[Any, Any], None], cancellation_event: Optional[Any]) -> Any:
        """Send; ``callback(result, status)`` later, as ``.pn_async(callback)``."""
        return self._client().request_async(endpoint_name, endpoint_call_options, callback, cancellation_event)

    async def async_request(self, options_func: Any, cancellation_event: Optional[Any]) -> Any:
        """Send (a ``PubNubAsyncio`` client): the envelope or ``PubNubAsyncioException``, as ``.future()``."""
        return await self._client().request_future(options_func, cancellation_event)


class AsyncRequestHandler(BaseRequestHandler):
    """The asyncio handlers (10.8's aiohttp and httpx back-ends): they only send with ``async_request()``."""

    def __init__(self, pubnub: Any) -> None:
        super().__init__(pubnub)

    def sync_request(self, *_args: Any, **_: Any) -> Any:
        raise NotImplementedError("an asyncio handler sends with async_request() (PubNubAsyncio: .future())")

    def threaded_request(self, *_args: Any, **_: Any) -> Any:
        raise NotImplementedError("an asyncio handler sends with async_request() (PubNubAsyncio: .future())")
