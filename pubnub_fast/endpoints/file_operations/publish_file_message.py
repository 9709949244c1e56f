"""``pubnub.endpoints.file_operations.publish_file_message`` (PubNub SDK 10.8 module path): ``PublishFileMessage``."""
from pubnub_fast.endpoints.files import PublishFileMessage

__all__ = ["PublishFileMessage"]
