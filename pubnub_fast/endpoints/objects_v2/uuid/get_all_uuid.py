"""``pubnub.endpoints.objects_v2.uuid.get_all_uuid`` (PubNub SDK 10.8 module path): ``GetAllUuid``."""
from pubnub_fast.endpoints.objects import GetAllUuid

__all__ = ["GetAllUuid"]
