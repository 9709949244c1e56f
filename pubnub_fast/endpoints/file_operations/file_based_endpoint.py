"""``pubnub.endpoints.file_operations.file_based_endpoint`` (PubNub SDK 10.8 module path): ``FileOperationEndpoint``."""
from pubnub_fast.endpoints.files import _FileEndpoint as FileOperationEndpoint

__all__ = ["FileOperationEndpoint"]
