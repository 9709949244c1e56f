"""``pubnub.endpoints.file_operations.delete_file`` (PubNub SDK 10.8 module path): ``DeleteFile``."""
from pubnub_fast.endpoints.files import DeleteFile
from pubnub_fast.models.consumer.file import PNDeleteFileResult
from pubnub_fast.structures import Envelope

__all__ = ["DeleteFile", "PNDeleteFileResultEnvelope"]


class PNDeleteFileResultEnvelope(Envelope):
    """A ``PNDeleteFileResult`` with its ``PNStatus``."""

    result: PNDeleteFileResult
