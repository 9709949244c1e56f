"""``pubnub.endpoints.objects_v2`` (PubNub SDK 10.8 module path)."""
