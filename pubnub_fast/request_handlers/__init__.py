"""``pubnub.request_handlers``: PubNub SDK 10.8's HTTP back-ends, as adapters.

10.8 lets a client send through ``requests``, ``httpx`` or ``aiohttp``
(``PubNub(config, custom_request_handler=HttpxRequestHandler)``). pubnub_fast has one transport
(``pubnub_fast.transport``) for every client style, so each handler here is the same thin
adapter: it runs an endpoint builder through the client it was made for — ``sync_request`` as
``.sync()``, ``threaded_request`` as ``.pn_async(callback)``, ``async_request`` as
``.future()``. Code that names a handler (or calls one) keeps working; the bytes on the wire
are pubnub_fast's.
"""
