"""``pubnub.endpoints.file_operations.send_file`` (PubNub SDK 10.8 module path): ``SendFileNative``."""
from pubnub_fast.endpoints.files import SendFile as SendFileNative

__all__ = ["SendFileNative"]
