"""File sharing results (``pubnub.models.consumer.file``).

As in PubNub's SDK, each result is constructed from the decoded server response
(``PNGetFilesResult(response_json)``); ``from_json`` is the same thing spelled explicitly.
"""
from typing import Any, Dict, List, Optional

from pubnub_fast.models import field_repr

__all__ = [
    "PNGetFilesResult",
    "PNDeleteFileResult",
    "PNGetFileDownloadURLResult",
    "PNFetchFileUploadS3DataResult",
    "PNDownloadFileResult",
    "PNSendFileResult",
    "PNPublishFileMessageResult",
]


def _unwrap(value: Any) -> Any:
    """The ``.result`` of an envelope (``TwistedEnvelope`` and the like), or *value* itself."""
    return getattr(value, "result", value)


class PNGetFilesResult:
    """Result of ``list_files()``.

    ``data`` is the list of ``{"name", "id", "size", "created"}`` dicts, ``count`` the number of
    files in this page, ``next``/``prev`` the page cursors (``None`` when absent; the server
    sends ``prev`` only in PubNub SDK v4 days).
    """

    def __init__(self, result: Dict[str, Any]) -> None:
        self.data: List[Dict[str, Any]] = list(result.get("data") or [])
        self.count: Optional[int] = result.get("count")
        self.next: Optional[str] = result.get("next")
        self.prev: Optional[str] = result.get("prev")

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNGetFilesResult":
        """Build from ``{"status": 200, "data": [..], "next": .., "count": n}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Get files result: %s file(s), next: %s" % (self.count, self.next)

    def __repr__(self) -> str:
        return field_repr(self, ("data", "count", "next", "prev"))


class PNDeleteFileResult:
    """Result of ``delete_file()``: the response ``status`` (200)."""

    def __init__(self, result: Dict[str, Any]) -> None:
        self.status: Optional[int] = result.get("status")

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNDeleteFileResult":
        """Build from ``{"status": 200}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Delete file result: status %s" % (self.status,)

    def __repr__(self) -> str:
        return field_repr(self, ("status",))


class PNGetFileDownloadURLResult:
    """Result of ``get_file_url()``: ``file_url``, where the file can be downloaded.

    *result* is the URL itself, or a response object whose ``Location`` header holds it
    (``headers`` as a mapping, or Twisted ``Headers``).
    """

    def __init__(self, result: Any, data: Any = None) -> None:
        self.file_url: Optional[str] = self._location(result)

    @staticmethod
    def _location(result: Any) -> Optional[str]:
        if result is None or isinstance(result, str):
            return result
        if isinstance(result, bytes):
            return result.decode("utf-8")
        headers = getattr(result, "headers", None)
        if headers is None:
            return None
        if hasattr(headers, "getRawHeaders"):  # twisted.web.http_headers.Headers
            values = headers.getRawHeaders(b"location") or []
            return values[0].decode("utf-8") if values else None
        for name in ("Location", "location"):
            if name in headers:
                return headers[name]
        return None

    @classmethod
    def from_location(cls, location: str) -> "PNGetFileDownloadURLResult":
        """Build from the ``Location`` header value of the server's 307 answer."""
        return cls(location)

    def __str__(self) -> str:
        return "Get file URL result: %s" % (self.file_url,)

    def __repr__(self) -> str:
        return field_repr(self, ("file_url",))


class PNFetchFileUploadS3DataResult:
    """Result of the generate-upload-url step of ``send_file()``.

    ``name``/``file_id`` identify the file; ``data`` is the ``file_upload_request`` object
    (``url``, ``method``, ``expiration_date``, ``form_fields``) the upload must follow.
    """

    def __init__(self, result: Dict[str, Any]) -> None:
        file_data = result.get("data") or {}
        self.name: Optional[str] = file_data.get("name")
        self.file_id: Optional[str] = file_data.get("id")
        self.data: Dict[str, Any] = result.get("file_upload_request") or {}

    @classmethod
    def from_json(cls, json_input: Dict[str, Any]) -> "PNFetchFileUploadS3DataResult":
        """Build from ``{"data": {"id", "name"}, "file_upload_request": {..}}``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Upload data for file %s (id %s)" % (self.name, self.file_id)

    def __repr__(self) -> str:
        return field_repr(self, ("name", "file_id", "data"))


class PNDownloadFileResult:
    """Result of ``download_file()``: ``data``, the file's bytes (decrypted with a cipher key)."""

    def __init__(self, result: bytes) -> None:
        self.data = result

    def __str__(self) -> str:
        return "Downloaded file: %d bytes" % len(self.data or b"")

    def __repr__(self) -> str:
        return "%s(data=<%d bytes>)" % (type(self).__name__, len(self.data or b""))


class PNPublishFileMessageResult:
    """Result of ``publish_file_message()``: ``timestamp`` is the publish timetoken (``result[2]``)."""

    def __init__(self, result: List[Any]) -> None:
        self.timestamp: Any = result[2]

    @classmethod
    def from_json(cls, json_input: List[Any]) -> "PNPublishFileMessageResult":
        """Build from ``[1, "Sent", "<timetoken>"]``."""
        return cls(json_input)

    def __str__(self) -> str:
        return "Sent file message at %s" % (self.timestamp,)

    def __repr__(self) -> str:
        return field_repr(self, ("timestamp",))


class PNSendFileResult:
    """Result of ``send_file()``: the stored file's ``name`` and ``file_id``, and ``timestamp``,
    the file message's publish timetoken.

    Built from the two steps' outcomes: *result* is the publish-file-message result
    (:class:`PNPublishFileMessageResult` or an envelope holding it), *file_upload_data* the
    upload-URL result (:class:`PNFetchFileUploadS3DataResult` or an envelope holding it).
    """

    def __init__(self, result: Any, file_upload_data: Any) -> None:
        upload = _unwrap(file_upload_data)
        self.name: Optional[str] = getattr(upload, "name", None)
        self.file_id: Optional[str] = getattr(upload, "file_id", None)
        self.timestamp: Any = getattr(_unwrap(result), "timestamp", None)

    def __str__(self) -> str:
        return "Sent file %s (id %s) at %s" % (self.name, self.file_id, self.timestamp)

    def __repr__(self) -> str:
        return field_repr(self, ("name", "file_id", "timestamp"))
