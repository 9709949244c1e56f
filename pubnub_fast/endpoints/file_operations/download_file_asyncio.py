"""``pubnub.endpoints.file_operations.download_file_asyncio`` (PubNub SDK 10.8 module path): ``DownloadFileAsyncio``."""
from pubnub_fast.endpoints.files import DownloadFile as DownloadFileAsyncio

__all__ = ["DownloadFileAsyncio"]
