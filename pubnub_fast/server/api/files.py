"""Files API (protocol.md §2.22), with this server standing in for S3.

1. ``POST /v1/files/{sub}/channels/{channel}/generate-upload-url`` ``{"name": …}`` → a new file
   id and a ``file_upload_request`` whose ``url`` is this server's ``/_files/upload`` (built from
   the ``Host`` the client used) and whose ``form_fields`` carry a policy (base64 JSON: keyset,
   channel, id, name, content type, expiry, size limit) and its HMAC-SHA256 signature.
2. ``POST /_files/upload`` — multipart/form-data with those fields, then the ``file`` part (as
   S3's POST upload). The signature, expiry and ``key`` are checked; the file may be at most
   ``app.files.max_file_size`` bytes (5 MiB by default). Answers ``204`` like S3, errors as S3's
   XML (``EntityTooLarge``, ``AccessDenied``, ``SignatureDoesNotMatch``, ``InvalidArgument``).
   A form is single-use: once its file is stored, sending it again is ``403 AccessDenied``
   (the stored bytes are never replaced by a replay).
3. ``GET /v1/files/publish-file/{pub}/{sub}/0/{channel}/0/{json}`` → the file message, published
   as an ``e: 4`` envelope item and stored (``message_type`` 4) like any publish.
4. ``GET /v1/files/{sub}/channels/{channel}/files?limit=&next=`` → the channel's files, oldest
   first (``next`` is an opaque cursor, ``count`` the items in this page).
5. ``GET /v1/files/{sub}/channels/{channel}/files/{id}/{name}`` → ``307`` to a signed
   ``/_files/{sub}/{channel}/{id}/{name}?X-Amz-…`` URL (for unknown files too — the download then
   answers 404 ``NoSuchKey``), which serves the bytes with the stored content type, always as an
   attachment (``Content-Disposition: attachment``, ``X-Content-Type-Options: nosniff`` and a
   sandboxing ``Content-Security-Policy``: an uploaded ``text/html`` is never rendered inline).
   The redirect is ``Cache-Control: no-store`` and its host is this server's own address for
   the connection (the socket's local address), never the request's ``Host`` header.
6. ``DELETE`` on that same path → ``{"status":200}``.

Signing uses a random per-process secret: upload forms and download URLs stop working when the
server restarts (as expired S3 URLs would); stored files do not — ask for a new URL.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import json
import mimetypes
import os
import re
import uuid as uuid_module
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from twisted.internet.defer import Deferred

from pubnub_fast.server import responses
from pubnub_fast.server.api import params
from pubnub_fast.server.api.objects import json_response, nested_error
from pubnub_fast.server.api.publish import _publish
from pubnub_fast.server.files_store import StorageFull, StoredFile, valid_file_id
from pubnub_fast.server.http import ApiCall, Route
from pubnub_fast.server.messages import KIND_FILE
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily, RawJson
from pubnub_fast.server.wire import JsonInputError, load_json

UPLOAD_PATH = "/_files/upload"
#: How long an upload form and a download URL stay valid (seconds).
UPLOAD_VALID_SECONDS = 3600
DOWNLOAD_VALID_SECONDS = 3600
#: Room for the form fields around the file in an upload body.
FORM_OVERHEAD_BYTES = 64 * 1024
#: Longest file name (bytes of UTF-8, as S3 keys).
MAX_NAME_BYTES = 512
DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 100
MAX_FORM_PARTS = 32
MAX_PART_HEADER_BYTES = 8 * 1024

_TAGGING = "<Tagging><TagSet><Tag><Key>ObjectTTLInDays</Key><Value>1</Value></Tag></TagSet></Tagging>"
_HEADER_VALUE = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,199}\Z")
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
_DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)="((?:[^"\\]|\\.)*)"|;\s*([A-Za-z*]+)=([^;\s]*)')


class _Secret:
    """The per-process signing key (one per ServerApp), and the upload forms already used."""

    def __init__(self) -> None:
        self.key = os.urandom(32)
        self.used_forms = _UsedForms()

    def sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def verify(self, text: str, signature: str) -> bool:
        return self.verify_signature(self.sign(text), signature)

    @staticmethod
    def verify_signature(expected: str, signature: str) -> bool:
        return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))


# -- responses ------------------------------------------------------------------------------------


def files_error(status: int, message: str) -> ApiError:
    return nested_error(status, message, source="files")


def s3_error(status: int, code: str, message: str, **extra: Any) -> ApiError:
    """An S3-style XML error body."""
    return ApiError(ApiResponse(
        status, RawJson(_s3_xml(code, message, **extra)), HeaderFamily.PUBSUB,
        extra_headers=[(b"Content-Type", b"application/xml")],
    ))


def _s3_xml(code: str, message: str, **extra: Any) -> bytes:
    fields = "".join("<%s>%s</%s>" % (name, escape(str(value)), name) for name, value in extra.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>%s'
        "<RequestId>%s</RequestId><HostId>pubnub-fast</HostId></Error>"
        % (escape(code), escape(message), fields, uuid_module.uuid4().hex[:16].upper())
    ).encode("utf-8")


def _too_large_raw(limit: int) -> bytes:
    """The whole HTTP response for an upload body refused before it was read."""
    body = _s3_xml(
        "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", MaxSizeAllowed=limit
    )
    return (
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\n"
        b"Access-Control-Allow-Origin: *\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % len(body)
    ) + body


# -- routes ---------------------------------------------------------------------------------------


class _UsedForms:
    """File ids whose upload form has been used, until the form would have expired anyway."""

    def __init__(self) -> None:
        self._until: dict[str, int] = {}
        self._prune_at = 1024

    def claim(self, file_id: str, expires: int, now: float) -> bool:
        """Mark the form of ``file_id`` used; False when it already was."""
        if file_id in self._until:
            return False
        if len(self._until) >= self._prune_at:  # amortised: each entry is looked at O(1) times
            self._until = {key: until for key, until in self._until.items() if until >= now}
            self._prune_at = max(1024, 2 * len(self._until))
        self._until[file_id] = expires
        return True

    def release(self, file_id: str) -> None:
        """The upload failed before anything was stored: the form may be sent again."""
        self._until.pop(file_id, None)


def routes(app: Any) -> list[Route]:
    secret = _Secret()

    def upload_limit() -> tuple[int, bytes]:
        limit = app.files.max_file_size
        return limit + FORM_OVERHEAD_BYTES, _too_large_raw(limit)

    body_limits = getattr(app.site, "body_limits", None)
    if body_limits is not None:
        body_limits[UPLOAD_PATH.encode("ascii")] = upload_limit

    def route(methods: list[str], pattern: str, handler: Any, error: Any = None) -> Route:
        return Route(
            methods, pattern, lambda call: handler(app, secret, call), HeaderFamily.PUBSUB,
            error or files_error,
        )

    def publish_error(status: int, message: str) -> ApiError:
        return responses.publish_error(status, message, app.timetokens.cursor())

    def s3_route_error(status: int, message: str) -> ApiError:
        return s3_error(status, "InvalidArgument", message)

    base = "/v1/files/{sub}/channels/{channel}"
    return [
        route(["POST"], base + "/generate-upload-url", _generate_upload_url),
        route(["GET"], base + "/files", _list),
        route(["GET"], base + "/files/{id}/{name}", _file_url),
        route(["DELETE"], base + "/files/{id}/{name}", _delete),
        route(
            ["GET"],
            "/v1/files/publish-file/{pub}/{sub}/{signature}/{channel}/{callback}/{message}",
            _publish_file,
            publish_error,
        ),
        route(["POST"], UPLOAD_PATH, _upload, s3_route_error),
        route(["GET", "HEAD"], "/_files/{sub}/{channel}/{id}/{name}", _download, s3_route_error),
    ]


# -- helpers --------------------------------------------------------------------------------------


def _base_url(call: ApiCall) -> str:
    """``http://ADDRESS:PORT``: the address the client's connection reached (the socket's local
    address), not the ``Host`` header, which anyone can set to send a victim elsewhere."""
    address = call.request.getHost()
    text = "[%s]" % address.host if ":" in address.host else address.host
    scheme = "https" if call.request.isSecure() else "http"
    return "%s://%s:%d" % (scheme, text, address.port)


def _now(app: Any) -> float:
    return app.reactor.seconds()


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amz_date(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _channel(call: ApiCall) -> str:
    return params.check_name(call, call.path["channel"], "channel")


def _check_file_name(name: Any) -> str:
    if (
        not isinstance(name, str)
        or not name
        or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES
        or "/" in name
        or any(ord(ch) < 32 for ch in name)
    ):
        raise nested_error(
            400, "Request payload contained invalid input.", source="files",
            details=[{
                "message": "name must be 1 to %d bytes, without '/' or control characters" % MAX_NAME_BYTES,
                "location": "name", "locationType": "body",
            }],
        )
    return name


def _content_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name, strict=False)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/"):
        return guessed + "; charset=utf-8"
    return guessed


# -- 1. generate upload URL -----------------------------------------------------------------------


def _generate_upload_url(app: Any, secret: _Secret, call: ApiCall) -> ApiResponse:
    sub_key = call.path["sub"]
    channel = _channel(call)
    raw = call.body()
    try:
        body = load_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, JsonInputError):
        raise files_error(400, "Invalid JSON") from None
    if not isinstance(body, dict):
        raise files_error(400, "Invalid JSON")
    name = _check_file_name(body.get("name"))
    file_id = str(uuid_module.uuid4())
    now = _now(app)
    expires = int(now) + UPLOAD_VALID_SECONDS
    content_type = _content_type(name)
    key = "%s/%s/%s/%s" % (sub_key, channel, file_id, name)
    policy = base64.b64encode(json.dumps({
        "v": 1, "sub": sub_key, "channel": channel, "id": file_id, "name": name,
        "key": key, "type": content_type, "exp": expires, "max": app.files.max_file_size,
    }, separators=(",", ":")).encode("utf-8")).decode("ascii")
    amz_date = _amz_date(now)
    form_fields = [
        {"key": "tagging", "value": _TAGGING},
        {"key": "key", "value": key},
        {"key": "Content-Type", "value": content_type},
        {"key": "X-Amz-Credential", "value": "pubnub-fast/%s/local/s3/aws4_request" % amz_date[:8]},
        {"key": "X-Amz-Security-Token", "value": ""},
        {"key": "X-Amz-Algorithm", "value": "AWS4-HMAC-SHA256"},
        {"key": "X-Amz-Date", "value": amz_date},
        {"key": "Policy", "value": policy},
        {"key": "X-Amz-Signature", "value": secret.sign(policy)},
    ]
    return json_response(200, {
        "status": 200,
        "data": {"id": file_id, "name": name},
        "file_upload_request": {
            "url": _base_url(call) + UPLOAD_PATH,
            "method": "POST",
            "expiration_date": _iso(expires),
            "form_fields": form_fields,
        },
    })


# -- 2. the upload target -------------------------------------------------------------------------


def _boundary(call: ApiCall) -> bytes:
    content_type = (call.request.getHeader(b"content-type") or b"").decode("latin-1")
    if not content_type.lower().startswith("multipart/form-data"):
        raise s3_error(
            412, "PreconditionFailed",
            "Bucket POST must be of the enclosure-type multipart/form-data",
        )
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise s3_error(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
    return (match.group(1) or match.group(2)).encode("latin-1")


def parse_multipart(body: bytes, boundary: bytes) -> list[tuple[str, str | None, bytes]]:
    """``[(field name, filename or None, data), …]`` in order; ``ValueError`` if malformed."""
    delimiter = b"--" + boundary
    position = body.find(delimiter)
    if position < 0:
        raise ValueError("no boundary")
    position += len(delimiter)
    parts: list[tuple[str, str | None, bytes]] = []
    while True:
        if body.startswith(b"--", position):
            return parts
        if not body.startswith(b"\r\n", position):
            raise ValueError("bad delimiter line")
        position += 2
        header_end = body.find(b"\r\n\r\n", position, position + MAX_PART_HEADER_BYTES)
        if header_end < 0:
            raise ValueError("part headers missing or too long")
        headers = body[position:header_end].decode("utf-8", "replace").split("\r\n")
        start = header_end + 4
        end = _next_delimiter(body, b"\r\n" + delimiter, start)
        name, filename = _disposition(headers)
        parts.append((name, filename, body[start:end]))
        if len(parts) > MAX_FORM_PARTS:
            raise ValueError("too many parts")
        position = end + 2 + len(delimiter)


def _next_delimiter(body: bytes, delimiter: bytes, start: int) -> int:
    """Where the next delimiter line starts: ``CRLF--boundary`` then ``--`` or CRLF (RFC 2046;
    the same bytes followed by anything else are part of the data)."""
    while True:
        found = body.find(delimiter, start)
        if found < 0:
            raise ValueError("unterminated part")
        after = found + len(delimiter)
        if body.startswith((b"--", b"\r\n"), after):
            return found
        start = found + 1


def _disposition(headers: list[str]) -> tuple[str, str | None]:
    for header in headers:
        label, _, value = header.partition(":")
        if label.strip().lower() != "content-disposition":
            continue
        found: dict[str, str] = {}
        for match in _DISPOSITION_PARAM.finditer(value):
            key = (match.group(1) or match.group(3)).lower()
            raw = match.group(2) if match.group(1) else match.group(4)
            found[key] = re.sub(r"\\(.)", r"\1", raw) if match.group(1) else raw
        if "name" not in found:
            raise ValueError("part without a name")
        return found["name"], found.get("filename", found.get("filename*"))
    raise ValueError("part without Content-Disposition")


def _upload(app: Any, secret: _Secret, call: ApiCall) -> Deferred:
    boundary = _boundary(call)
    content = call.request.content
    content.seek(0)
    limit = app.files.max_file_size
    body = content.read(limit + FORM_OVERHEAD_BYTES + 1)
    try:
        parts = parse_multipart(body, boundary)
    except ValueError as exc:
        raise s3_error(
            400, "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data (%s)." % exc,
        ) from None
    fields: dict[str, str] = {}
    data: bytes | None = None
    for name, _, value in parts:
        if name == "file":
            data = value
            break  # S3 ignores fields after the file
        fields[name.lower()] = value.decode("utf-8", "replace")
    if data is None:
        raise s3_error(400, "InvalidArgument", "POST requires exactly one file upload per request.",
                       ArgumentName="file")
    policy_text = fields.get("policy", "")
    signature = fields.get("x-amz-signature", "")
    if not policy_text or not signature:
        raise s3_error(403, "AccessDenied", "Bucket POST must contain a Policy and its signature")
    if not secret.verify(policy_text, signature):
        raise s3_error(
            403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    try:
        policy = json.loads(base64.b64decode(policy_text, validate=True))
        sub_key, channel, file_id, file_name = policy["sub"], policy["channel"], policy["id"], policy["name"]
        expires, max_size, key = int(policy["exp"]), int(policy["max"]), policy["key"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise s3_error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if _now(app) > expires:
        raise s3_error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    if fields.get("key") != key:
        raise s3_error(
            403, "AccessDenied",
            'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "%s"]' % key,
        )
    if len(data) > max_size:
        raise s3_error(
            400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
            ProposedSize=len(data), MaxSizeAllowed=max_size,
        )
    used_forms = secret.used_forms
    if not used_forms.claim(file_id, expires, _now(app)):
        raise s3_error(403, "AccessDenied", "Invalid according to Policy: this upload form was already used.")
    stored = StoredFile(
        sub_key=sub_key, channel=channel, id=file_id, name=file_name, size=len(data),
        content_type=_stored_content_type(fields.get("content-type"), policy.get("type")),
        created=int(_now(app) * 1e6),
    )

    def failed(failure: Any) -> Any:
        used_forms.release(file_id)
        if failure.check(StorageFull):
            raise s3_error(507, "InsufficientStorage", str(failure.value))
        return failure

    written = app.files.put(stored, data)
    return written.addCallbacks(
        lambda _: ApiResponse(204, RawJson(b""), HeaderFamily.PUBSUB), failed
    )


# -- 3. publish the file message ------------------------------------------------------------------


def _stored_content_type(sent: str | None, issued: Any) -> str:
    """The form's ``Content-Type`` (what S3 stores), if it is a sane header value."""
    for candidate in (sent, issued):
        if isinstance(candidate, str) and _HEADER_VALUE.match(candidate):
            return candidate
    return "application/octet-stream"


def _publish_file(app: Any, secret: _Secret, call: ApiCall) -> Deferred:
    try:
        message = load_json(call.path["message"])
    except JsonInputError:
        raise call.bad_request("Invalid JSON") from None
    if isinstance(message, dict):
        file_info = message.get("file")
        if (
            not isinstance(file_info, dict)
            or not isinstance(file_info.get("id"), str)
            or not isinstance(file_info.get("name"), str)
        ):
            raise call.bad_request('Invalid Arguments: a file message needs "file": {"id", "name"}')
    elif not isinstance(message, str):  # a string is an encrypted file message
        raise call.bad_request("Invalid Arguments: a file message is an object or an encrypted string")
    return _publish(app, call, KIND_FILE, call.raw_path["message"])


# -- 4. list --------------------------------------------------------------------------------------


def _encode_list_cursor(stored: StoredFile) -> str:
    text = "%d:%s" % (stored.created, stored.id)
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def _decode_list_cursor(cursor: str) -> tuple[int, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        created, _, file_id = text.partition(":")
        if not created.isdigit() or len(created) > 20 or not valid_file_id(file_id):
            raise ValueError(text)
        return int(created), file_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise files_error(400, "Invalid next: not a cursor from this server") from None


def _list(app: Any, secret: _Secret, call: ApiCall) -> Deferred:
    sub_key = call.path["sub"]
    channel = _channel(call)
    limit = params.integer(call, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT) or DEFAULT_LIST_LIMIT
    cursor = call.query.get("next")
    after = _decode_list_cursor(cursor) if cursor else None

    def answer(found: tuple[list[StoredFile], bool]) -> ApiResponse:
        files, more = found
        data = [
            {"name": f.name, "id": f.id, "size": f.size, "created": f.created_iso()} for f in files
        ]
        next_cursor = _encode_list_cursor(files[-1]) if more and files else None
        return json_response(200, {"status": 200, "data": data, "next": next_cursor, "count": len(data)})

    return app.files.list(sub_key, channel, limit, after).addCallback(answer)


# -- 5. file URL and download ---------------------------------------------------------------------


def _download_signature(secret: _Secret, sub_key: str, channel: str, file_id: str, name: str, expires: int) -> str:
    return secret.sign("\n".join(("download", sub_key, channel, file_id, name, str(expires))))


def _file_url(app: Any, secret: _Secret, call: ApiCall) -> ApiResponse:
    sub_key = call.path["sub"]
    channel = _channel(call)
    file_id, name = call.path["id"], call.path["name"]
    now = _now(app)
    signed_at = int(now)
    expires = signed_at + DOWNLOAD_VALID_SECONDS
    signature = _download_signature(secret, sub_key, channel, file_id, name, expires)
    location = "%s/_files/%s/%s/%s/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s&X-Amz-Expires=%d&X-Amz-Signature=%s" % (
        _base_url(call),
        quote(sub_key, safe=""), quote(channel, safe=""), quote(file_id, safe=""), quote(name, safe=""),
        _amz_date(signed_at), DOWNLOAD_VALID_SECONDS, signature,
    )
    return json_response(307, RawJson(b""), [
        (b"Location", location.encode("ascii")),
        (b"Cache-Control", b"no-store"),
    ])


def _download(app: Any, secret: _Secret, call: ApiCall) -> Deferred:
    sub_key, channel = call.path["sub"], call.path["channel"]
    file_id, name = call.path["id"], call.path["name"]
    try:
        signed_at = datetime.datetime.strptime(call.query.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ")
        expires = int(signed_at.replace(tzinfo=datetime.timezone.utc).timestamp()) + int(
            call.query.get("X-Amz-Expires", "")
        )
    except ValueError:
        raise s3_error(403, "AccessDenied", "Query-string authentication requires the X-Amz-Date, "
                       "X-Amz-Expires and X-Amz-Signature parameters") from None
    signature = call.query.get("X-Amz-Signature", "")
    if not secret.verify_signature(
        _download_signature(secret, sub_key, channel, file_id, name, expires), signature
    ):
        raise s3_error(
            403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    if _now(app) > expires:
        raise s3_error(403, "AccessDenied", "Request has expired")

    def answer(found: Any) -> ApiResponse:
        if found is None:
            raise s3_error(404, "NoSuchKey", "The specified key does not exist.", Key=file_id + "/" + name)
        stored, data = found
        return ApiResponse(200, RawJson(data), HeaderFamily.PUBSUB, extra_headers=[
            (b"Content-Type", stored.content_type.encode("latin-1", "replace")),
            (b"Content-Disposition", _attachment(stored.name)),
            (b"X-Content-Type-Options", b"nosniff"),
            (b"Content-Security-Policy", b"sandbox; default-src 'none'"),
            (b"Cache-Control", b"private, max-age=%d, immutable" % DOWNLOAD_VALID_SECONDS),
            (b"ETag", b'"%s"' % hashlib.md5(data).hexdigest().encode("ascii")),
        ])

    return app.files.read(sub_key, channel, file_id, name).addCallback(answer)


def _attachment(name: str) -> bytes:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266): an ASCII fallback and the
    exact name percent-encoded."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    encoded = quote(name.encode("utf-8", "surrogatepass"), safe="")
    return ('attachment; filename="%s"; filename*=UTF-8\'\'%s' % (fallback, encoded)).encode("ascii")


# -- 6. delete ------------------------------------------------------------------------------------


def _delete(app: Any, secret: _Secret, call: ApiCall) -> Deferred:
    channel = _channel(call)
    deleted = app.files.delete(call.path["sub"], channel, call.path["id"], call.path["name"])
    return deleted.addCallback(lambda _: json_response(200, {"status": 200}))
