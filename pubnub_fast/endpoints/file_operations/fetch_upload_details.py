"""``pubnub.endpoints.file_operations.fetch_upload_details`` (PubNub SDK 10.8 module path): ``FetchFileUploadS3Data``."""
from pubnub_fast.endpoints.files import FetchFileUploadS3Data

__all__ = ["FetchFileUploadS3Data"]
