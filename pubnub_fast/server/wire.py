"""Wire-level helpers shared by every API module: JSON in and out, query values, name lists.

Everything a client sends arrives here first, so every parser is strict about what it accepts
and says what was wrong. Nothing here uses ``eval`` or ``pickle``.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote_to_bytes

_TRUE_WORDS = frozenset(("1", "true", "yes", "on"))
_FALSE_WORDS = frozenset(("0", "false", "no", "off", ""))


class JsonInputError(ValueError):
    """A client-supplied JSON document is malformed or outside what the server accepts."""


def _reject_constant(name: str) -> Any:
    raise JsonInputError("%s is not valid JSON" % name)


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonInputError("number %s is out of range" % text)
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_parse_float)


def load_json(text: str) -> Any:
    """Parse one JSON document; raise :class:`JsonInputError` on anything else.

    ``NaN``/``Infinity`` are refused (they are not JSON and could not be sent back out), so is
    trailing garbage. Integers of any size keep every digit.
    """
    try:
        value, end = _DECODER.raw_decode(text, _skip_space(text, 0))
    except JsonInputError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonInputError("invalid JSON: %s" % exc) from None
    if _skip_space(text, end) != len(text):
        raise JsonInputError("invalid JSON: extra data after the document")
    return value


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def load_json_query(value: str | None, raw: bytes | None) -> Any:
    """Parse a JSON query parameter (``meta``, ``state``).

    ``value`` is the percent-decoded text. Old SDKs encoded spaces as ``+`` (``quote_plus``);
    when the literal reading fails, ``raw`` is decoded once more with ``+`` as a space.
    """
    if value is None:
        return None
    try:
        return load_json(value)
    except JsonInputError:
        if raw is None or b"+" not in raw:
            raise
        return load_json(decode_component(raw.replace(b"+", b" ")))


def dump_json(value: Any) -> bytes:
    """Serialise compactly as UTF-8 (ASCII escapes if the value holds lone surrogates)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def decode_component(raw: bytes) -> str:
    """Percent-decode one path segment or query value as UTF-8 (``+`` stays a plus sign).

    Raw UTF-8 is accepted too (some SDKs send uuids unencoded). Raises ``ValueError`` when the
    bytes are not UTF-8.
    """
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
    return raw.decode("utf-8")


def parse_query(raw_query: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Split a raw query string into ``(decoded, raw)`` dicts; a repeated name keeps its last value."""
    decoded: dict[str, str] = {}
    raw_values: dict[str, bytes] = {}
    for part in raw_query.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        key = decode_component(name)
        decoded[key] = decode_component(value)
        raw_values[key] = value
    return decoded, raw_values


def parse_bool(value: str | None, default: bool = False) -> bool:
    """Parse ``true/false``, ``1/0``, ``True`` … case-insensitively (protocol.md §0.3)."""
    if value is None:
        return default
    word = value.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError("not a boolean: %r" % (value,))


def split_names(value: str | None) -> list[str]:
    """Split a comma-joined channel/group list, dropping empty items and duplicates (in order).

    ``","`` (the SDKs' "no channels" placeholder) gives ``[]``.
    """
    if not value:
        return []
    seen: dict[str, None] = {}
    for item in value.split(","):
        if item:
            seen.setdefault(item, None)
    return list(seen)


#: Query parameters whose values are credentials: never written to logs.
SECRET_PARAMETERS = frozenset(("auth", "signature", "x-amz-signature", "token", "secret_key"))
_TOKEN_IN_PATH = re.compile(r"(/v3/pam/[^/?#]*/grant/)[^/?#]+")


def redact_target(target: bytes, limit: int = 300) -> str:
    """The request target as text for a log line, with every credential (``auth`` tokens and
    keys, signatures, the token of a revoke-token path) replaced by ``[redacted]``, then cut to
    ``limit`` characters."""
    text = target.decode("ascii", "replace")
    path, separator, query = text.partition("?")
    path = _TOKEN_IN_PATH.sub(r"\1[redacted]", path)
    if separator:
        pairs = []
        for pair in query.split("&"):
            name, equals, _ = pair.partition("=")
            if equals and name.lower() in SECRET_PARAMETERS:
                pair = name + "=[redacted]"
            pairs.append(pair)
        query = "&".join(pairs)
    return (path + separator + query)[:limit]
