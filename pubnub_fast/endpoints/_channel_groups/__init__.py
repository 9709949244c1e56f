"""PubNub SDK 10.8's per-endpoint modules ``pubnub.endpoints.channel_groups.*``.

``pubnub_fast.endpoints.channel_groups`` is one module holding these endpoints; its ``__path__`` points
here, so ``import pubnub_fast.endpoints.channel_groups.<name>`` finds the thin modules of this directory
(each re-exports its builder from ``pubnub_fast.endpoints.channel_groups``).
"""
