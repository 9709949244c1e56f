"""``pubnub.endpoints.objects_v2.uuid`` (PubNub SDK 10.8 module path)."""
