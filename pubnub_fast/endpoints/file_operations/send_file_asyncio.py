"""``pubnub.endpoints.file_operations.send_file_asyncio`` (PubNub SDK 10.8 module path): ``AsyncioSendFile``."""
from pubnub_fast.endpoints.files import SendFile as AsyncioSendFile

__all__ = ["AsyncioSendFile"]
