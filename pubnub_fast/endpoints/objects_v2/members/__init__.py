"""``pubnub.endpoints.objects_v2.members`` (PubNub SDK 10.8 module path)."""
