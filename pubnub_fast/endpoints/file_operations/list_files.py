"""``pubnub.endpoints.file_operations.list_files`` (PubNub SDK 10.8 module path): ``ListFiles``."""
from pubnub_fast.endpoints.files import ListFiles
from pubnub_fast.models.consumer.file import PNGetFilesResult
from pubnub_fast.structures import Envelope

__all__ = ["ListFiles", "PNGetFilesResultEnvelope"]


class PNGetFilesResultEnvelope(Envelope):
    """A ``PNGetFilesResult`` with its ``PNStatus``."""

    result: PNGetFilesResult
