"""``pubnub.endpoints.presence.leave`` (PubNub SDK 10.8 module path): ``Leave``."""
from pubnub_fast.endpoints.presence import Leave

__all__ = ["Leave"]
