"""``pubnub.endpoints.objects_v2.channel`` (PubNub SDK 10.8 module path)."""
