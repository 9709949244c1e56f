"""``pubnub.endpoints.objects_v2.memberships`` (PubNub SDK 10.8 module path)."""
