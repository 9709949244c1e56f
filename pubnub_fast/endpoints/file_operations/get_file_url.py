"""``pubnub.endpoints.file_operations.get_file_url`` (PubNub SDK 10.8 module path): ``GetFileDownloadUrl``."""
from pubnub_fast.endpoints.files import GetFileDownloadUrl
from pubnub_fast.models.consumer.file import PNGetFileDownloadURLResult
from pubnub_fast.structures import Envelope

__all__ = ["GetFileDownloadUrl", "PNGetFileDownloadURLResultEnvelope"]


class PNGetFileDownloadURLResultEnvelope(Envelope):
    """A ``PNGetFileDownloadURLResult`` with its ``PNStatus``."""

    result: PNGetFileDownloadURLResult
