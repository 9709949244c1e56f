"""``multipart/form-data`` (RFC 7578): the body of a file upload, and a strict parser for it.

``send_file()`` uploads to the URL that generate-upload-url returns (an S3 form, or the local
server's own endpoint): every ``form_fields`` entry in the server's order, then the file as the
part named ``file`` (protocol.md §2.22). :func:`encode_form` builds that body;
:func:`parse_form` reads one back (the local server's upload endpoint, tests).

Field names and file names are written as quoted strings with ``"``, CR and LF
percent-escaped (the WHATWG HTML rule browsers follow); non-ASCII is sent as UTF-8.
"""
import os
import re

__all__ = ["encode_form", "parse_form", "FormPart", "MultipartError", "DEFAULT_MAX_PARTS"]

#: Parts accepted by :func:`parse_form` (an S3 upload form has about ten).
DEFAULT_MAX_PARTS = 64
_MAX_HEADER_BYTES = 8 * 1024
_BOUNDARY_CHARS = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$")
_ESCAPES = {'"': "%22", "\r": "%0D", "\n": "%0A"}


class MultipartError(ValueError):
    """A multipart body or Content-Type that cannot be built or parsed."""


class FormPart:
    """One part of a form: ``name``, ``filename`` (None for plain fields), ``content_type``, ``data`` (bytes)."""

    __slots__ = ("name", "filename", "content_type", "data")

    def __init__(self, name, data, filename=None, content_type=None):
        self.name = name
        self.data = data
        self.filename = filename
        self.content_type = content_type

    @property
    def text(self):
        """The value of a plain field (UTF-8)."""
        return self.data.decode("utf-8")

    def __repr__(self):
        return "FormPart(name=%r, filename=%r, content_type=%r, %d bytes)" % (
            self.name, self.filename, self.content_type, len(self.data))


def _quoted(value):
    return '"%s"' % "".join(_ESCAPES.get(ch, ch) for ch in value)


def _unquoted(value):
    return value.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def encode_form(fields, file_name, file_data, file_field="file", file_content_type="application/octet-stream",
                boundary=None):
    """``(content_type_header, body)`` of a form with ``fields`` then one file part.

    :param fields: ``(name, value)`` pairs (str values), written in this order.
    :param file_name: the file part's ``filename``.
    :param file_data: the file's bytes.
    :param boundary: fixed boundary (tests); by default a random one that does not occur in
        the content.
    """
    if isinstance(file_data, (bytearray, memoryview)):
        file_data = bytes(file_data)
    if not isinstance(file_data, bytes):
        raise TypeError("file_data must be bytes, not %s" % type(file_data).__name__)
    parts = []
    for name, value in fields:
        if not isinstance(name, str) or not isinstance(value, str):
            raise MultipartError("form field names and values are str, got %r=%r" % (name, value))
        parts.append((("Content-Disposition: form-data; name=%s" % _quoted(name)).encode("utf-8"),
                      value.encode("utf-8")))
    file_header = "Content-Disposition: form-data; name=%s; filename=%s\r\nContent-Type: %s" % (
        _quoted(file_field), _quoted(file_name), file_content_type)
    parts.append((file_header.encode("utf-8"), file_data))

    if boundary is None:
        while True:
            boundary = "----pubnub-fast-" + os.urandom(16).hex()
            marker = boundary.encode("ascii")
            if not any(marker in header or marker in data for header, data in parts):
                break
    elif not _BOUNDARY_CHARS.match(boundary) or boundary.endswith(" "):
        raise MultipartError("invalid multipart boundary %r" % (boundary,))
    marker = b"--" + boundary.encode("ascii")
    chunks = []
    for header, data in parts:
        chunks += [marker, b"\r\n", header, b"\r\n\r\n", data, b"\r\n"]
    chunks += [marker, b"--\r\n"]
    return "multipart/form-data; boundary=%s" % boundary, b"".join(chunks)


def _boundary_of(content_type):
    if not isinstance(content_type, str):
        raise MultipartError("the Content-Type is missing")
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise MultipartError("not multipart/form-data: %r" % content_type)
    for param in rest.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "boundary":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            if not _BOUNDARY_CHARS.match(value) or value.endswith(" "):
                raise MultipartError("invalid multipart boundary %r" % (value,))
            return value
    raise MultipartError("the multipart Content-Type has no boundary")


_DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)="([^"]*)"')


def parse_form(content_type, body, max_parts=DEFAULT_MAX_PARTS):
    """The parts (:class:`FormPart`, in order) of a ``multipart/form-data`` ``body``.

    Strict: every part needs ``Content-Disposition: form-data; name="…"``, headers are limited
    in size, the closing delimiter must be there and at most ``max_parts`` parts are accepted.
    """
    if isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    if not isinstance(body, bytes):
        raise TypeError("body must be bytes, not %s" % type(body).__name__)
    delimiter = b"--" + _boundary_of(content_type).encode("ascii")
    if not body.startswith(delimiter):
        raise MultipartError("the body does not start with the boundary")
    parts = []
    pos = len(delimiter)
    separator = b"\r\n" + delimiter
    while True:
        if body.startswith(b"--", pos):
            if body[pos + 2:].strip(b"\r\n"):
                raise MultipartError("data after the closing boundary")
            return parts
        if not body.startswith(b"\r\n", pos):
            raise MultipartError("malformed boundary line at byte %d" % pos)
        pos += 2
        header_end = body.find(b"\r\n\r\n", pos, pos + _MAX_HEADER_BYTES + 4)
        if header_end < 0:
            raise MultipartError("part headers missing or longer than %d bytes" % _MAX_HEADER_BYTES)
        headers = {}
        try:
            header_text = body[pos:header_end].decode("utf-8")
        except UnicodeDecodeError:
            raise MultipartError("part headers are not UTF-8") from None
        for line in header_text.split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise MultipartError("malformed part header %r" % line)
            headers[name.strip().lower()] = value.strip()
        end = body.find(separator, header_end + 4)
        if end < 0:
            raise MultipartError("the body has no closing boundary")
        disposition = headers.get("content-disposition", "")
        if not disposition.lower().startswith("form-data"):
            raise MultipartError("a part is not form-data: %r" % disposition)
        params = {key.lower(): _unquoted(value) for key, value in _DISPOSITION_PARAM.findall(disposition)}
        if "name" not in params:
            raise MultipartError("a part has no name")
        parts.append(FormPart(params["name"], body[header_end + 4:end], params.get("filename"),
                              headers.get("content-type")))
        if len(parts) > max_parts:
            raise MultipartError("more than %d parts" % max_parts)
        pos = end + len(separator)
