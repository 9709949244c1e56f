"""Access Manager v3 tokens: parse (what ``PubNubTwisted.parse_token`` returns) and build.

A token is the URL-safe base64 (``-``/``_``; ``=`` padding optional) of a CBOR map
(client-api.md §8.3, protocol.md §5.3)::

    {b"v": 2, b"t": <issued, Unix s>, b"ttl": <minutes>,
     b"res": {b"chan": {name: bits}, b"grp": {..}, b"uuid": {..}, b"usr": {..}, b"spc": {..}},
     b"pat": {same, keys are regular expressions},
     b"meta": {..}, [b"uuid": <authorized uuid>], [b"cat": {b"chan"|b"uuid": bits}], b"sig": <32 bytes>}

:func:`parse_token` gives PubNub SDK v10's view of it: ``version``, ``timestamp``, ``ttl``,
``authorized_uuid`` (``None`` when absent), ``resources``/``patterns`` with ``channels``,
``groups`` and ``uuids`` (always all three; legacy ``usr``/``spc`` are ignored) mapping each
name to ``{read, write, manage, delete, get, update, join}`` booleans, ``meta``, and
``categories`` when the token has any. Anything that is not such a token raises
``PubNubException(PNERR_INVALID_ACCESS_TOKEN)`` saying why. Clients never verify ``sig``: only
the issuer can.

:func:`encode_token` is the inverse of :func:`decode_token`, for issuing tokens (local server,
tests).
"""
import base64
import binascii

from pubnub_fast import _cbor, errors
from pubnub_fast.exceptions import PubNubException

__all__ = ["parse_token", "decode_token", "encode_token", "permissions_from_bitmask", "MAX_TOKEN_LENGTH"]

#: Longest token accepted, in characters (a token travels in a URL, which PubNub caps at 32 KiB).
MAX_TOKEN_LENGTH = 32 * 1024
#: Tokens are shallow (meta may nest a little); anything deeper is not a token.
_MAX_DEPTH = 16

_PERMISSION_BITS = (("read", 1), ("write", 2), ("manage", 4), ("delete", 8), ("get", 32), ("update", 64),
                    ("join", 128))
_RESOURCE_TYPES = (("chan", "channels"), ("grp", "groups"), ("uuid", "uuids"))
_CATEGORY_TYPES = (("chan", "channels"), ("uuid", "uuids"))
_GET = 32


def _invalid(reason):
    return PubNubException(errormsg=reason, pn_error=errors.PNERR_INVALID_ACCESS_TOKEN)


def permissions_from_bitmask(bitmask):
    """``{"read": bool, "write": .., "manage": .., "delete": .., "get": .., "update": .., "join": ..}``."""
    return {name: bool(bitmask & bit) for name, bit in _PERMISSION_BITS}


def _text(value, what):
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _invalid("%s is not UTF-8" % what) from None
    raise _invalid("%s must be a string, not %s" % (what, type(value).__name__))


def _text_keys(value):
    """``value`` with every byte-string map key decoded to str (iteratively; for ``meta``)."""
    root = [value]
    pending = [(root, 0)]
    while pending:
        holder, index = pending.pop()
        item = holder[index]
        if isinstance(item, dict):
            converted = {}
            for key, child in item.items():
                key = _text(key, "a meta key") if isinstance(key, bytes) else key
                if key in converted:
                    raise _invalid("duplicate meta key %r" % (key,))
                converted[key] = child
            holder[index] = converted
            pending.extend((converted, key) for key in converted)
        elif isinstance(item, list):
            item = list(item)
            holder[index] = item
            pending.extend((item, i) for i in range(len(item)))
    return root[0]


def _int(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("%s must be an integer, not %r" % (what, value))
    return value


def decode_token(token):
    """The token's CBOR map with its top-level keys as str (``"v"``, ``"t"``, ``"res"``, ...).

    Accepts the URL-safe and the standard base64 alphabet, with or without ``=`` padding.
    """
    if not isinstance(token, str):
        raise _invalid("a token is a str, not %s" % type(token).__name__)
    if not token:
        raise _invalid("the token is empty")
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid("the token is %d characters long; the limit is %d" % (len(token), MAX_TOKEN_LENGTH))
    body = token.replace("-", "+").replace("_", "/").rstrip("=")
    text = body + "=" * (-len(body) % 4)
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise _invalid("the token is not base64: %s" % exc) from None
    try:
        decoded = _cbor.loads(raw, max_depth=_MAX_DEPTH)
    except _cbor.CBORDecodeError as exc:
        raise _invalid("the token is not valid CBOR: %s" % exc) from None
    if not isinstance(decoded, dict):
        raise _invalid("the token holds a %s, not a map" % type(decoded).__name__)
    fields = {}
    for key, value in decoded.items():
        name = _text(key, "a token field name")
        if name in fields:
            raise _invalid("the token has the field %r twice" % name)
        fields[name] = value
    return fields


def _permission_map(value, where):
    if not isinstance(value, dict):
        raise _invalid("%s must be a map, not %s" % (where, type(value).__name__))
    result = {}
    for name, bits in value.items():
        name = _text(name, "a resource name in %s" % where)
        bits = _int(bits, "the permissions of %r in %s" % (name, where))
        if bits < 0:
            raise _invalid("the permissions of %r in %s are negative" % (name, where))
        result[name] = permissions_from_bitmask(bits)
    return result


def _permission_section(fields, key):
    section = fields.get(key)
    if not isinstance(section, dict):
        raise _invalid("the token has no %r map" % key)
    by_type = {_text(name, "a resource type"): value for name, value in section.items()}
    return {public: _permission_map(by_type[wire], "%s.%s" % (key, wire)) if wire in by_type else {}
            for wire, public in _RESOURCE_TYPES}


def parse_token(token):
    """Parse an Access Manager v3 token (see the module docstring for the shape returned)."""
    fields = decode_token(token)
    for name in ("v", "t", "ttl"):
        if name not in fields:
            raise _invalid("the token has no %r field" % name)
    parsed = {
        "version": _int(fields["v"], "the version"),
        "timestamp": _int(fields["t"], "the timestamp"),
        "ttl": _int(fields["ttl"], "the ttl"),
        "authorized_uuid": _text(fields["uuid"], "the authorized uuid") if fields.get("uuid") is not None else None,
        "resources": _permission_section(fields, "res"),
        "patterns": _permission_section(fields, "pat"),
        "meta": {},
    }
    meta = fields.get("meta")
    if meta is not None:
        if not isinstance(meta, dict):
            raise _invalid("the token's meta must be a map, not %s" % type(meta).__name__)
        parsed["meta"] = _text_keys(meta)
    categories = fields.get("cat")
    if categories is not None:
        if not isinstance(categories, dict):
            raise _invalid("the token's categories must be a map, not %s" % type(categories).__name__)
        by_type = {_text(name, "a category"): value for name, value in categories.items()}
        found = {public: {"get": bool(_int(by_type[wire], "the %s category" % wire) & _GET)}
                 for wire, public in _CATEGORY_TYPES if wire in by_type}
        if found:
            parsed["categories"] = found
    return parsed


def encode_token(fields, *, padding=True):
    """The token string of ``fields`` (a map as :func:`decode_token` returns; str keys are sent
    as byte strings, as PubNub does). URL-safe base64, ``=``-padded unless ``padding=False``
    (PubNub SDKs that decode with a strict base64 decoder need the padding)."""
    wire = {}
    for key, value in fields.items():
        wire[key.encode("utf-8") if isinstance(key, str) else key] = _wire_keys(value) if key in (
            "res", "pat", "cat", b"res", b"pat", b"cat") else value
    text = base64.urlsafe_b64encode(_cbor.dumps(wire)).decode("ascii")
    return text if padding else text.rstrip("=")


def _wire_keys(section):
    """Resource-type keys (``chan``, ``grp``...) as byte strings; resource names stay text."""
    if not isinstance(section, dict):
        return section
    return {key.encode("utf-8") if isinstance(key, str) else key: value for key, value in section.items()}
