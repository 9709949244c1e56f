"""``pubnub.endpoints.file_operations.download_file`` (PubNub SDK 10.8 module path): ``DownloadFileNative``."""
from pubnub_fast.endpoints.files import DownloadFile as DownloadFileNative

__all__ = ["DownloadFileNative"]
