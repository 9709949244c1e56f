"""Files: the download URL of a shared file (the rest of the file API comes with the files issue)."""
from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_segment
from pubnub_fast.enums import PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.file import PNGetFileDownloadURLResult

__all__ = ["GetFileDownloadUrl"]


class _FileEndpoint(Endpoint):
    def __init__(self, pubnub, **kwargs):
        self._channel = None
        self._file_id = None
        self._file_name = None
        super().__init__(pubnub, **kwargs)

    def channel(self, channel):
        self._channel = channel
        return self

    def file_id(self, file_id):
        self._file_id = file_id
        return self

    def file_name(self, file_name):
        self._file_name = file_name
        return self

    def validate_file(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)
        if not self._file_id or not isinstance(self._file_id, str):
            raise PubNubException(pn_error=errors.PNERR_FILE_ID_MISSING)
        if not self._file_name or not isinstance(self._file_name, str):
            raise PubNubException(pn_error=errors.PNERR_FILE_NAME_MISSING)

    def file_path(self):
        return "/v1/files/%s/channels/%s/files/%s/%s" % (
            encode_path_segment(self.pubnub.config.subscribe_key), encode_path_segment(self._channel),
            encode_path_segment(self._file_id), encode_path_segment(self._file_name))

    def affected_channels(self):
        return [self._channel]


class GetFileDownloadUrl(_FileEndpoint):
    """``get_file_url()``: where a file can be downloaded (the server answers 307 + Location)."""

    OPERATION = PNOperationType.PNGetFileDownloadURLAction

    def validate_params(self):
        self.validate_file()

    def build_path(self):
        return self.file_path()

    def allow_redirects(self):
        return False

    def non_json_response(self):
        return True

    def create_response_from_http(self, response):
        location = response.header("Location")
        if not location:
            raise PubNubException(errormsg="the server sent no Location for the file",
                                  status_code=response.code, pn_error=errors.PNERR_HTTP_ERROR)
        return PNGetFileDownloadURLResult(location)

    def get_complete_url(self):
        """The full (signed, when a secret key is set) URL of the file, without sending anything."""
        options = self.options()
        return self.pubnub._pipeline.prepare(self, options).url
