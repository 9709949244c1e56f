"""Pure-Python twin of the request-signing and URL-encoding hot path.

The compiled twin is ``ext/_signing_c.pyx``; both export the same functions with the same
behaviour (``tests/test_signing.py`` runs every test against both).

Encoding (client-api.md §6.2)
    ``url_encode`` percent-encodes the UTF-8 bytes of a string, keeping only the unreserved
    characters ``A-Z a-z 0-9 _ . - ~`` (so ``/``, ``,``, ``:``, space → ``%20``, ``+`` → ``%2B``
    are all escaped). ``pam_encode`` is the same but also escapes ``~`` (``%7E``): it is the form
    values take in the string to sign.

URLs (decisions.md §17)
    Every query value is percent-encoded exactly once with ``url_encode`` (``encode_query``); the
    caller keeps the *decoded* values. Path segments are encoded by the caller with ``url_encode``.

Signatures (client-api.md §8.1, decisions.md §17)
    The signed query is the canonical form of the parameters as the server decodes them: sorted
    by name, each value ``pam_encode``-d, joined with ``&`` (``canonical_query``), excluding
    ``signature`` itself. The v2 form signs
    ``METHOD\\nPUBLISH_KEY\\nPATH\\nQUERY\\nBODY`` and is written ``v2.<urlsafe base64 of
    HMAC-SHA256, without "=" padding>``. The legacy form, used by PubNub for POST ``/publish``,
    signs ``SUBSCRIBE_KEY\\nPUBLISH_KEY\\nPATH\\nQUERY`` and keeps the padding, with no prefix.
"""
import base64
import hashlib
import hmac
from urllib.parse import quote

__all__ = [
    "url_encode",
    "pam_encode",
    "encode_path_list",
    "encode_query",
    "canonical_query",
    "sign_sha256",
    "sign_v2",
    "sign_v1",
    "sign_request",
    "signatures_equal",
]


def url_encode(value):
    """Percent-encode ``value`` (str) keeping only ``A-Z a-z 0-9 _ . - ~``."""
    return quote(value, safe="~")


def pam_encode(value):
    """``url_encode`` that also escapes ``~``: the encoding of values in the string to sign."""
    return quote(value, safe="").replace("~", "%7E")


def encode_path_list(items):
    """A list of names as one path segment: each ``url_encode``-d, joined with ``,``.

    An empty list gives ``","`` (PubNub's placeholder for "no channels").
    """
    if not items:
        return ","
    return ",".join([quote(item, safe="~") for item in items])


def _items(params):
    return params.items() if hasattr(params, "items") else params


def encode_query(params):
    """The URL query string of ``params`` (a mapping or (name, value) pairs) in the given order.

    Values are decoded strings; each is percent-encoded exactly once.
    """
    return "&".join(name + "=" + quote(value, safe="~") for name, value in _items(params))


def canonical_query(params):
    """The signed form of ``params``: sorted by name, values ``pam_encode``-d, ``signature`` left out."""
    pairs = sorted((name, value) for name, value in _items(params) if name != "signature")
    return "&".join(name + "=" + pam_encode(value if isinstance(value, str) else str(value))
                    for name, value in pairs)


def sign_sha256(secret, message):
    """HMAC-SHA256 of ``message`` keyed with ``secret`` (both str), url-safe base64 with padding."""
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def sign_v2(secret, method, publish_key, path, params, body=None):
    """The v2 request signature ``v2.<...>`` (client-api.md §8.1 step 4)."""
    message = "%s\n%s\n%s\n%s\n%s" % (method, publish_key or "", path, canonical_query(params), body or "")
    return "v2." + sign_sha256(secret, message).rstrip("=")


def sign_v1(secret, subscribe_key, publish_key, path, params):
    """The legacy signature PubNub uses for POST ``/publish`` (client-api.md §8.1 step 3)."""
    message = "%s\n%s\n%s\n%s" % (subscribe_key, publish_key or "", path, canonical_query(params))
    return sign_sha256(secret, message)


def sign_request(secret, subscribe_key, publish_key, method, path, params, body=None):
    """Sign a request in the form PubNub expects for it: legacy for POST publish, else v2."""
    if method == "POST" and path.startswith("/publish"):
        return sign_v1(secret, subscribe_key, publish_key, path, params)
    return sign_v2(secret, method, publish_key, path, params, body)


def signatures_equal(expected, received):
    """Compare two signatures in constant time (str or bytes)."""
    if isinstance(expected, str):
        expected = expected.encode("utf-8")
    if isinstance(received, str):
        received = received.encode("utf-8")
    return hmac.compare_digest(expected, received)
