"""``pubnub.endpoints.access.audit`` (PubNub SDK 10.8 module path): ``Audit``."""
from pubnub_fast.endpoints.access import Audit

__all__ = ["Audit"]
