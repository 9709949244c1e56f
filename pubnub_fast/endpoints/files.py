"""Files (client-api.md §4.2 files rows, §7.3; protocol.md §2.22).

Single requests: ``list_files``, ``get_file_url`` (307 + ``Location``; ``get_complete_url()``
builds the URL without a request — the subscription loop uses it for file events),
``delete_file``, ``publish_file_message`` and the internal generate-upload-url step
(``_fetch_file_upload_s3_data``).

Composite operations, one Deferred each (cancelling it cancels the step in flight):

* ``send_file`` = generate-upload-url → ``multipart/form-data`` POST of the server's form fields
  (in its order) and then the file to the URL it returned → ``publish_file_message``. The file is
  read, encrypted (builder ``cipher_key`` → legacy file crypto; else the configuration's crypto
  module) and size-checked before anything is sent.
* ``download_file`` = ``get_file_url`` → GET of the ``Location`` → decryption.

The upload and the download go to URLs the server handed out (S3, or the local server), so they
carry no PubNub parameters at all — no ``uuid``, ``auth``, ``pnsdk`` or signature: see
:class:`ExternalRequest`.
"""
from urllib.parse import urlsplit

from twisted.internet import defer

from typing import Any, Callable, Optional

from pubnub_fast import errors, multipart
from pubnub_fast.endpoints.base import (
    Endpoint,
    SingleChannel,
    _call_user,
    encode_path_segment,
    logger,
    to_json,
)
from pubnub_fast.endpoints.pubsub import PublishOptions
from pubnub_fast.enums import HttpMethod, PNOperationType, PNStatusCategory
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.common import PNErrorData, PNStatus
from pubnub_fast.models.consumer.file import (
    PNDeleteFileResult,
    PNDownloadFileResult,
    PNFetchFileUploadS3DataResult,
    PNGetFileDownloadURLResult,
    PNGetFilesResult,
    PNPublishFileMessageResult,
    PNSendFileResult,
)
from pubnub_fast.pipeline import TwistedEnvelope
from pubnub_fast._typing import Self

__all__ = ["GetFileDownloadUrl", "ListFiles", "DeleteFile", "FetchFileUploadS3Data", "PublishFileMessage",
           "SendFile", "DownloadFile", "ExternalRequest", "MAX_FILE_SIZE"]

#: PubNub's file size limit (the upload policy's ``content-length-range``), in bytes; it applies
#: to what is uploaded, i.e. after encryption.
MAX_FILE_SIZE = 5 * 1024 * 1024


def _bad_argument(message):
    return PubNubException(errormsg=message, pn_error=errors.PNERR_INVALID_ARGUMENT)


def _require_text(value, pn_error):
    """A file id or name must be a non-empty str."""
    if not value or not isinstance(value, str):
        raise PubNubException(pn_error=pn_error)


def _too_large(message):
    return PubNubException(errormsg=message, pn_error=errors.PNERR_FILE_TOO_LARGE)


class _FileEndpoint(SingleChannel, Endpoint):
    def __init__(self, pubnub, **kwargs):
        self._channel = None
        self._file_id = None
        self._file_name = None
        super().__init__(pubnub, **kwargs)

    def file_id(self, file_id) -> "Self":
        self._file_id = file_id
        return self

    def file_name(self, file_name) -> "Self":
        self._file_name = file_name
        return self

    def validate_file_id(self):
        _require_text(self._file_id, errors.PNERR_FILE_ID_MISSING)

    def validate_file_name(self):
        _require_text(self._file_name, errors.PNERR_FILE_NAME_MISSING)

    def validate_file(self):
        """Subscribe key, channel, file id, file name (``get_file_url``'s order)."""
        self.validate_subscribe_key()
        self.validate_channel(self._channel)
        self.validate_file_id()
        self.validate_file_name()

    def channel_path(self, *tail):
        return "/".join(("/v1/files/%s/channels/%s" % (encode_path_segment(self.pubnub.config.subscribe_key),
                                                         encode_path_segment(self._channel)),) + tail)

    def file_path(self):
        return self.channel_path("files", encode_path_segment(self._file_id), encode_path_segment(self._file_name))

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


class ListFiles(_FileEndpoint):
    """``list_files()``: a page of the files shared on a channel (``limit``, ``next`` cursor)."""

    OPERATION = PNOperationType.PNGetFilesAction

    def __init__(self, pubnub, **kwargs):
        self._limit = None
        self._next = None
        super().__init__(pubnub, **kwargs)

    def limit(self, limit: Optional[int]) -> "Self":
        """Files per page (server default 100)."""
        self._limit = self.validate_type(limit, int, "limit")
        if limit is not None and limit < 1:
            raise _bad_argument("limit must be >= 1, not %r" % limit)
        return self

    def next(self, next: Optional[str]) -> "Self":
        """The ``next`` cursor of an earlier page."""
        self._next = self.validate_type(next, str, "next")
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)

    def build_path(self):
        return self.channel_path("files")

    def custom_params(self):
        params = {}
        if self._limit is not None:
            params["limit"] = str(self._limit)
        if self._next:
            params["next"] = self._next
        return params

    def create_response(self, envelope):
        if not isinstance(envelope, dict) or not isinstance(envelope.get("data", []), list):
            raise ValueError("expected {\"data\": [...]}")
        return PNGetFilesResult(envelope)


class DeleteFile(_FileEndpoint):
    """``delete_file()``: remove a shared file."""

    OPERATION = PNOperationType.PNDeleteFileOperation
    HTTP_METHOD = HttpMethod.DELETE

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)
        self.validate_file_name()
        self.validate_file_id()

    def build_path(self):
        return self.file_path()

    def create_response(self, envelope):
        if not isinstance(envelope, dict):
            raise ValueError("expected a JSON object")
        return PNDeleteFileResult(envelope)


class FetchFileUploadS3Data(_FileEndpoint):
    """First step of ``send_file()``: reserve a file id and get the upload form."""

    OPERATION = PNOperationType.PNFetchFileUploadS3DataAction
    HTTP_METHOD = HttpMethod.POST

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)
        self.validate_file_name()

    def build_path(self):
        return self.channel_path("generate-upload-url")

    def build_data(self):
        return to_json({"name": self._file_name}, "file name")

    def request_headers(self):
        return {"Content-Type": "application/json"}

    def create_response(self, envelope):
        if not isinstance(envelope, dict):
            raise ValueError("expected a JSON object")
        result = PNFetchFileUploadS3DataResult(envelope)
        upload = result.data
        if not isinstance(result.file_id, str) or not result.file_id or not isinstance(result.name, str) \
                or not isinstance(upload, dict) or not isinstance(upload.get("url"), str):
            raise ValueError("expected {\"data\": {\"id\", \"name\"}, \"file_upload_request\": {\"url\", ...}}")
        return result


class _Encrypting:
    """The ``cipher_key`` setter shared by the builders that encrypt."""

    validate_type: Callable[..., Any]  # Endpoint's: this is a mixin
    _cipher_key = None

    def cipher_key(self, cipher_key: Optional[str]) -> "Self":
        """Encrypt with this key (legacy cryptor) instead of the configuration's (deprecated by PubNub)."""
        self._cipher_key = self.validate_type(cipher_key, str, "cipher_key") or None
        return self


class _MessageOptions(PublishOptions, _Encrypting):
    """The options of a file message (``publish_file_message`` and ``send_file``)."""

    _message = None
    _meta = None

    def message(self, message) -> "Self":
        """A message sent along with the file (any JSON value)."""
        self._message = message
        return self

    def meta(self, meta) -> "Self":
        self._meta = meta
        return self

    def validate_message_options(self):
        if self._meta is not None and not isinstance(self._meta, dict):
            raise PubNubException(errormsg="meta must be a dict, not %s" % type(self._meta).__name__,
                                  pn_error=errors.PNERR_PUBLISH_META_WRONG_TYPE)
        to_json(self._message)
        if self._meta is not None:
            to_json(self._meta, "meta")

    def copy_message_options(self, target):
        """Apply these options to a ``PublishFileMessage``."""
        for name in ("_message", "_should_store", "_ttl", "_meta", "_replicate", "_ptto", "_custom_message_type",
                     "_cipher_key"):
            setattr(target, name, getattr(self, name))
        return target


class PublishFileMessage(_MessageOptions, _FileEndpoint):
    """``publish_file_message()``: announce a shared file on its channel (last step of ``send_file``).

    The payload ``{"message": .., "file": {"id", "name"}}`` is encrypted like a published
    message when a cipher is configured (or ``cipher_key`` given).
    """

    OPERATION = PNOperationType.PNSendFileAction

    def __init__(self, pubnub, **kwargs):
        self._payload = None
        super().__init__(pubnub, **kwargs)

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_publish_key()
        self.validate_channel(self._channel)
        self.validate_file_name()
        self.validate_file_id()
        self.validate_message_options()
        self._payload = self._serialise()

    def _serialise(self):
        plain = to_json({"message": self._message, "file": {"id": self._file_id, "name": self._file_name}})
        config = self.pubnub.config
        try:
            if self._cipher_key:
                from pubnub_fast.crypto import PubNubCryptodome

                return to_json(PubNubCryptodome(config).encrypt(self._cipher_key, plain))
            module = config.message_crypto_module()
            if module is not None:
                return to_json(module.encrypt(plain))
        except PubNubException:
            raise
        except Exception as exc:
            raise PubNubException(errormsg="file message encryption failed: %s" % exc,
                                  pn_error=errors.PNERR_ENCRYPTION_ERROR) from None
        return plain

    def build_path(self):
        config = self.pubnub.config
        return "/v1/files/publish-file/%s/%s/0/%s/0/%s" % (
            encode_path_segment(config.publish_key), encode_path_segment(config.subscribe_key),
            encode_path_segment(self._channel), encode_path_segment(self._payload))

    def custom_params(self):
        params = self.publish_option_params()
        params["meta"] = to_json(self._meta, "meta")  # "null" without meta, as PubNub SDK 10.8 sends
        return params

    def create_response(self, envelope):
        if not isinstance(envelope, list) or len(envelope) < 3:
            raise ValueError("expected [1, \"Sent\", \"<timetoken>\"]")
        return PNPublishFileMessageResult(envelope)


# --- requests to URLs the server handed out ----------------------------------------------------------

class ExternalRequest(Endpoint):
    """One request to an absolute URL from a server answer (file upload form, download location).

    Never carries PubNub credentials. Only ``http``/``https`` URLs are accepted, and ``http`` not
    when the client is configured for TLS (no silent downgrade). Fires with the
    ``TransportResponse``.
    """

    AUTH_REQUIRED = False
    #: seconds allowed for an upload or download, at least (``non_subscribe_request_timeout`` if larger)
    FILE_TRANSFER_TIMEOUT = 60

    def __init__(self, pubnub, method, url, operation, body=None, headers=None, max_response_size=None):
        super().__init__(pubnub)
        self._max_response_size = max_response_size
        self._method = method
        self._url = url
        self._operation = operation
        self._body = body
        self._headers = dict(headers or {})
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise PubNubException(errormsg="the server gave an unusable file URL %r" % (url,),
                                  pn_error=errors.PNERR_HTTP_ERROR)
        if parts.scheme == "http" and pubnub.config.ssl:
            raise PubNubException(errormsg="refusing the plain-http file URL %r: the client is configured for TLS"
                                           % (url,), pn_error=errors.PNERR_HTTP_ERROR)
        self._path = parts.path or "/"

    def operation_type(self):
        return self._operation

    def http_method(self):
        return self._method

    def build_path(self):
        return self._path

    def build_data(self):
        return self._body

    def request_headers(self):
        return self._headers

    def request_timeout(self):
        # a whole file travels in one request: allow more than a REST call
        return max(self.pubnub.config.non_subscribe_request_timeout, self.FILE_TRANSFER_TIMEOUT)

    def non_json_response(self):
        return True

    def create_response_from_http(self, response):
        return response

    def options(self):
        options = super().options()
        options.url = self._url  # sent as is: no PubNub parameters, auth or signature
        options.max_response_size = self._max_response_size
        return options


# --- composite operations ------------------------------------------------------------------------------

def _failure(endpoint, exc, category, status_code=0, result=None):
    """A ``PubNubTwistedException`` for a failure found by the client itself between requests."""
    config = endpoint.pubnub.config
    status = PNStatus()
    status.category = category
    status.operation = endpoint.operation_type()
    status.status_code = status_code
    status.error = True
    status.tls_enabled = config.ssl
    status.origin = config.base_origin
    status.uuid = config.uuid
    status.affected_channels = endpoint.affected_channels()
    status.error_data = PNErrorData(str(exc), exc)
    exc.status = status
    return PubNubTwistedException(result=result, status=status)


class _Steps:
    """Runs the requests of a composite operation one after another as one cancellable Deferred."""

    def __init__(self, endpoint):
        self._endpoint = endpoint
        self._current = None
        self.deferred = defer.Deferred(self._cancel)

    def _cancel(self, _outer):
        if self._current is not None and not self._current.called:
            self._current.cancel()

    def step(self, start):
        """Call ``start()`` (which returns a Deferred) as the current step. A ``PubNubException``
        it raises — the previous answer cannot be used (bad upload form, bad URL) — becomes a
        failed step with ``PNMalformedResponseCategory``."""
        try:
            self._current = start()
        except PubNubException as exc:
            self._current = defer.fail(_failure(self._endpoint, exc, PNStatusCategory.PNMalformedResponseCategory))
        return self._current


class _CompositeEndpoint(Endpoint):
    """An operation made of several requests: ``deferred()`` validates synchronously, then runs
    ``run(steps)`` which must return the Deferred of the final envelope."""

    def options(self):
        raise TypeError("%s is made of several requests; call deferred() or pn_async()" % type(self).__name__)

    def deferred(self):
        self.validate_params()
        steps = _Steps(self)
        self.run(steps).chainDeferred(steps.deferred)
        return steps.deferred

    def _pn_async(self, callback):
        try:
            self.validate_params()
        except PubNubException as exc:
            status = _failure(self, exc, PNStatusCategory.PNBadRequestCategory).status
            _call_user(callback, None, status)
            return defer.succeed(None)
        steps = _Steps(self)
        self.run(steps).chainDeferred(steps.deferred)

        def failure(reason):
            if reason.check(PubNubTwistedException):
                _call_user(callback, reason.value.result, reason.value.status)
                return None
            logger.error("pn_async: unexpected failure of %s: %s", self.name(), reason.getTraceback())
            return None

        steps.deferred.addCallbacks(lambda envelope: _call_user(callback, envelope.result, envelope.status),
                                    failure)
        return steps.deferred


def _read_file(file_object, limit):
    """The bytes of ``file_object`` (bytes-like, str, or a binary/text file object); of a file
    object at most ``limit + 1`` are read (enough to tell that it is too large)."""
    if isinstance(file_object, (bytes, bytearray, memoryview)):
        data = bytes(file_object)
    elif isinstance(file_object, str):
        data = file_object.encode("utf-8")
    elif callable(getattr(file_object, "read", None)):
        try:
            data = file_object.read(limit + 1)
        except (OSError, ValueError) as exc:
            raise _bad_argument("the file_object cannot be read: %s" % exc) from None
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise _bad_argument("file_object.read() returned %s, not bytes" % type(data).__name__)
        data = bytes(data)
    else:
        raise _bad_argument("file_object must be bytes, str or a file object, not %s" % type(file_object).__name__)
    return data


class SendFile(SingleChannel, _MessageOptions, _CompositeEndpoint):
    """``send_file()``: upload a file to a channel and publish its file message.

    Setters: ``channel``, ``file_name``, ``file_object`` (bytes, str or a file object), and the
    file message's ``message``, ``should_store``, ``ttl``, ``meta``, ``replicate``, ``ptto``,
    ``custom_message_type``, ``cipher_key``. The result is a ``PNSendFileResult`` (``name``,
    ``file_id``, ``timestamp``). If the upload succeeds but the file message cannot be
    published, the failure's ``PubNubTwistedException`` has ``uploaded_file`` (a
    ``PNSendFileResult`` without timestamp) so the message can be published again with
    ``publish_file_message()``.
    """

    OPERATION = PNOperationType.PNSendFileAction
    #: the largest file (as uploaded, i.e. encrypted) accepted
    MAX_FILE_SIZE = MAX_FILE_SIZE

    def __init__(self, pubnub, **kwargs):
        self._channel = None
        self._file_name = None
        self._file_object = None
        self._file_bytes = None
        self._upload_data = None
        super().__init__(pubnub, **kwargs)

    def file_name(self, file_name) -> "Self":
        self._file_name = file_name
        return self

    def file_object(self, fd) -> "Self":
        """The file: bytes, str (sent as UTF-8) or a file object (read once, when the call is made)."""
        self._file_object = fd
        self._file_bytes = None
        return self

    def use_compression(self, compress=True) -> "Self":
        """Accepted for compatibility; file uploads are sent as they are."""
        return self

    def affected_channels(self):
        return [self._channel]

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)
        if self._file_object is None:
            raise PubNubException(pn_error=errors.PNERR_FILE_OBJECT_MISSING)
        _require_text(self._file_name, errors.PNERR_FILE_NAME_MISSING)
        self.validate_publish_key()
        self.validate_message_options()
        if self._file_bytes is None:  # a file object can be read only once
            self._file_bytes = _read_file(self._file_object, self.MAX_FILE_SIZE)
        if len(self._file_bytes) > self.MAX_FILE_SIZE:
            raise _too_large("the file is larger than %d bytes, PubNub's limit for a file" % self.MAX_FILE_SIZE)
        data = self._encrypt(self._file_bytes)
        if len(data) > self.MAX_FILE_SIZE:
            raise _too_large("the encrypted file is %d bytes, more than PubNub's limit of %d"
                                % (len(data), self.MAX_FILE_SIZE))
        self._upload_data = data

    def _encrypt(self, data):
        config = self.pubnub.config
        try:
            if self._cipher_key:
                return config.file_crypto.encrypt(self._cipher_key, data)
            module = config.message_crypto_module()
            if module is not None and data:
                return module.encrypt_file(data)
        except PubNubException:
            raise
        except Exception as exc:
            raise PubNubException(errormsg="file encryption failed: %s" % exc,
                                  pn_error=errors.PNERR_ENCRYPTION_ERROR) from None
        return data

    def run(self, steps):
        fetch = FetchFileUploadS3Data(self.pubnub).channel(self._channel).file_name(self._file_name)
        d = steps.step(fetch.deferred)
        d.addCallback(self._upload, steps)
        return d

    def _upload(self, envelope, steps):
        upload = envelope.result

        def start():
            request = upload.data
            fields = request.get("form_fields") or []
            if not isinstance(fields, list) or not all(
                    isinstance(f, dict) and isinstance(f.get("key"), str) and isinstance(f.get("value"), str)
                    for f in fields):
                raise PubNubException(errormsg="the upload form fields are malformed: %r" % (fields,),
                                      pn_error=errors.PNERR_JSON_DECODING_FAILED)
            pairs = [(f["key"], f["value"]) for f in fields]
            content_type = next((value for key, value in pairs if key.lower() == "content-type"),
                                "application/octet-stream")
            form_type, body = multipart.encode_form(pairs, self._file_name, self._upload_data,
                                                    file_content_type=content_type)
            if str(request.get("method") or "POST").upper() != "POST":
                raise PubNubException(errormsg="the upload form asks for %r; only POST uploads exist"
                                               % (request.get("method"),), pn_error=errors.PNERR_HTTP_ERROR)
            return ExternalRequest(self.pubnub, HttpMethod.POST, request["url"], PNOperationType.PNSendFileAction,
                                   body, {"Content-Type": form_type}).deferred()

        d = steps.step(start)
        d.addCallback(lambda _response: self._publish(upload, steps))
        return d

    def _publish(self, upload, steps):
        publish = self.copy_message_options(PublishFileMessage(self.pubnub)).channel(self._channel) \
            .file_id(upload.file_id).file_name(upload.name)
        d = steps.step(publish.deferred)

        def published(envelope):
            return TwistedEnvelope(PNSendFileResult(envelope.result, upload), envelope.status, envelope.raw_result)

        def not_published(reason):
            reason.trap(PubNubTwistedException)
            reason.value.uploaded_file = PNSendFileResult(None, upload)
            return reason

        d.addCallbacks(published, not_published)
        return d


class DownloadFile(SingleChannel, _Encrypting, _CompositeEndpoint):
    """``download_file()``: the bytes of a shared file, decrypted when a cipher is configured
    (or ``cipher_key`` given). ``PNDownloadFileResult.data``."""

    OPERATION = PNOperationType.PNDownloadFileAction
    #: the largest download accepted, in bytes (``max_size()`` changes it per call)
    MAX_DOWNLOAD_SIZE = MAX_FILE_SIZE

    def __init__(self, pubnub, **kwargs):
        self._channel = None
        self._file_id = None
        self._file_name = None
        self._max_size = self.MAX_DOWNLOAD_SIZE
        super().__init__(pubnub, **kwargs)

    def file_id(self, file_id) -> "Self":
        self._file_id = file_id
        return self

    def file_name(self, file_name) -> "Self":
        self._file_name = file_name
        return self

    def max_size(self, max_size: Optional[int]) -> "Self":
        """Refuse files larger than ``max_size`` bytes (default: PubNub's 5 MiB limit)."""
        self._max_size = self.validate_type(max_size, int, "max_size")
        if max_size is None or max_size < 0:
            raise _bad_argument("max_size must be an int >= 0, not %r" % (max_size,))
        return self

    def affected_channels(self):
        return [self._channel]

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)
        _require_text(self._file_name, errors.PNERR_FILE_NAME_MISSING)
        _require_text(self._file_id, errors.PNERR_FILE_ID_MISSING)

    def run(self, steps):
        locate = GetFileDownloadUrl(self.pubnub).channel(self._channel).file_id(self._file_id) \
            .file_name(self._file_name)
        d = steps.step(locate.deferred)
        d.addCallback(self._fetch, steps)
        return d

    def _fetch(self, envelope, steps):
        location = envelope.result.file_url
        # read at most one byte more than allowed: enough to tell the file is too large
        d = steps.step(lambda: ExternalRequest(self.pubnub, HttpMethod.GET, location,
                                               PNOperationType.PNDownloadFileAction,
                                               max_response_size=self._max_size + 1).deferred())
        d.addCallbacks(self._decrypted, self._too_large)
        return d

    def _too_large(self, failure):
        failure.trap(PubNubTwistedException)
        exc = failure.value.status.error_data.exception
        if getattr(exc, "pn_error", None) != errors.PNERR_RESPONSE_TOO_LARGE:
            return failure
        raise _failure(self, _too_large("the file is more than the %d bytes allowed (max_size)" % self._max_size),
                       PNStatusCategory.PNMalformedResponseCategory, failure.value.status.status_code)

    def _decrypted(self, envelope):
        data = envelope.result.body
        if len(data) > self._max_size:
            raise _failure(self, _too_large("the file is %d bytes, more than the %d bytes allowed (max_size)"
                                               % (len(data), self._max_size)),
                           PNStatusCategory.PNMalformedResponseCategory, envelope.status.status_code)
        config = self.pubnub.config
        try:
            if self._cipher_key:
                data = config.file_crypto.decrypt(self._cipher_key, data)
            else:
                module = config.message_crypto_module()
                if module is not None and data:
                    data = module.decrypt_file(data)
        except PubNubException as exc:
            raise _failure(self, exc, PNStatusCategory.PNDecryptionErrorCategory, envelope.status.status_code)
        return TwistedEnvelope(PNDownloadFileResult(data), envelope.status, None)
