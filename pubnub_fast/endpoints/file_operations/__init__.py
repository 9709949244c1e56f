"""``pubnub.endpoints.file_operations`` (PubNub SDK 10.8 module path)."""
