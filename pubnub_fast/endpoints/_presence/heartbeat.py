"""``pubnub.endpoints.presence.heartbeat`` (PubNub SDK 10.8 module path): ``Heartbeat``."""
from pubnub_fast.endpoints.presence import Heartbeat

__all__ = ["Heartbeat"]
