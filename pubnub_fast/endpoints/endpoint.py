"""``pubnub.endpoints.endpoint`` (PubNub SDK 10.8 module path): ``Endpoint``."""
from pubnub_fast.endpoints.base import Endpoint

__all__ = ["Endpoint"]
