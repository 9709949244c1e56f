"""``pubnub.endpoints.pubsub.subscribe`` (PubNub SDK 10.8 module path): ``Subscribe``."""
from pubnub_fast.endpoints.subscribe import Subscribe

__all__ = ["Subscribe"]
