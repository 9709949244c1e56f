"""PubNub SDK 10.8's per-endpoint modules ``pubnub.endpoints.push.*``.

``pubnub_fast.endpoints.push`` is one module holding these endpoints; its ``__path__`` points
here, so ``import pubnub_fast.endpoints.push.<name>`` finds the thin modules of this directory
(each re-exports its builder from ``pubnub_fast.endpoints.push``).
"""
