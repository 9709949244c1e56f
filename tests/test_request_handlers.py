"""``pubnub_fast.request_handlers``: PubNub SDK 10.8's handler classes, as adapters that send
endpoint builders through the client (sync, callback and asyncio styles) — against a local
server process."""
import asyncio
import threading

import pytest

from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub import PubNub
from pubnub_fast.pubnub_asyncio import PubNubAsyncio
from pubnub_fast.request_handlers.async_aiohttp import AsyncAiohttpRequestHandler
from pubnub_fast.request_handlers.async_httpx import AsyncHttpxRequestHandler
from pubnub_fast.request_handlers.base import BaseRequestHandler
from pubnub_fast.request_handlers.httpx import HttpxRequestHandler
from pubnub_fast.request_handlers.requests import RequestsRequestHandler
from tests.server.server_process import ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--long-poll", "2") as process:
        yield process


def config_of(origin):
    return PNConfiguration(subscribe_key="demo", publish_key="demo", uuid="handler-client", origin=origin,
                           ssl=False)


@pytest.mark.parametrize("handler_class", [RequestsRequestHandler, HttpxRequestHandler])
def test_sync_handlers_send_through_the_client(server, handler_class):
    pubnub = PubNub(config_of(server.origin), custom_request_handler=handler_class)
    try:
        handler = handler_class(pubnub)
        envelope = handler.sync_request(None, pubnub.publish("handlers", {"via": handler_class.__name__}))
        assert envelope.result.timetoken > 0 and envelope.status.status_code == 200
        answered = threading.Event()
        seen = []

        def callback(result, status):
            seen.append((result, status))
            answered.set()

        handler.threaded_request("time", None, pubnub.time(), callback, None)
        assert answered.wait(10)
        assert int(seen[0][0]) > 0 and not seen[0][1].is_error()
    finally:
        pubnub.stop()


@pytest.mark.parametrize("handler_class", [AsyncAiohttpRequestHandler, AsyncHttpxRequestHandler])
def test_asyncio_handlers_send_through_the_client(server, handler_class):
    async def main():
        pubnub = PubNubAsyncio(config_of(server.origin))
        try:
            handler = handler_class(pubnub)
            envelope = await handler.async_request(pubnub.time(), None)
            assert int(envelope.result) > 0 and not envelope.is_error()
            with pytest.raises(NotImplementedError, match="async_request"):
                handler.sync_request()
        finally:
            await pubnub.stop()

    asyncio.run(main())


def test_a_handler_needs_its_client():
    with pytest.raises(RuntimeError, match="without a client"):
        BaseRequestHandler().sync_request(None, None)
