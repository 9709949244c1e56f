"""``pubnub.endpoints.access.grant`` (PubNub SDK 10.8 module path): ``Grant``."""
from pubnub_fast.endpoints.access import Grant

__all__ = ["Grant"]
