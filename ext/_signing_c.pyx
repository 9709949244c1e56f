# cython: language_level=3, embedsignature=True
"""Compiled twin of ``pubnub_fast._signing_py`` (see that module for the algorithms).

C-level choices: percent-encoding walks the UTF-8 bytes of the str once to size the result and
once to fill a pre-allocated ASCII str (strings that need no escaping are returned as is);
HMAC-SHA256 is OpenSSL's one-shot ``HMAC()``; url-safe base64 of the 32-byte digest is written
by hand into a fixed buffer.
"""
import hmac as _hmac

from libc.stdint cimport uint8_t

cdef extern from "Python.h":
    const char* PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t *size) except NULL
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)

cdef extern from "openssl/evp.h":
    ctypedef struct EVP_MD:
        pass
    const EVP_MD *EVP_sha256()

cdef extern from "openssl/hmac.h":
    unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                        const unsigned char *d, size_t n, unsigned char *md,
                        unsigned int *md_len)

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

cdef char HEX[16]
HEX[:] = b"0123456789ABCDEF"
cdef char B64URL[64]
B64URL[:] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# 1 for the bytes kept as they are: A-Z a-z 0-9 _ . - (and ~ when the caller allows it)
cdef uint8_t UNRESERVED[256]
cdef int _i
for _i in range(256):
    UNRESERVED[_i] = 1 if (48 <= _i <= 57 or 65 <= _i <= 90 or 97 <= _i <= 122
                           or _i == 95 or _i == 46 or _i == 45) else 0


cdef str _percent_encode(str value, bint keep_tilde):
    cdef Py_ssize_t n = 0, i, extra = 0, pos = 0
    cdef const unsigned char *data = <const unsigned char *>PyUnicode_AsUTF8AndSize(value, &n)
    cdef unsigned char c
    for i in range(n):
        c = data[i]
        if not (UNRESERVED[c] or (keep_tilde and c == 126)):
            extra += 2
    if extra == 0:
        return value
    cdef str out = PyUnicode_New(n + extra, 127)
    cdef unsigned char *dest = <unsigned char *>PyUnicode_DATA(out)
    for i in range(n):
        c = data[i]
        if UNRESERVED[c] or (keep_tilde and c == 126):
            dest[pos] = c
            pos += 1
        else:
            dest[pos] = 37  # '%'
            dest[pos + 1] = HEX[c >> 4]
            dest[pos + 2] = HEX[c & 15]
            pos += 3
    return out


cdef inline str _as_str(value):
    return value if type(value) is str else str(value)


cpdef str url_encode(str value):
    """Percent-encode ``value`` (str) keeping only ``A-Z a-z 0-9 _ . - ~``."""
    return _percent_encode(value, True)


cpdef str pam_encode(str value):
    """``url_encode`` that also escapes ``~``: the encoding of values in the string to sign."""
    return _percent_encode(value, False)


cpdef str encode_path_list(items):
    """A list of names as one path segment: each ``url_encode``-d, joined with ``,`` (``","`` if empty)."""
    if not items:
        return ","
    return ",".join([_percent_encode(item, True) for item in items])


cdef inline object _items(params):
    return params.items() if isinstance(params, dict) else params


cpdef str encode_query(params):
    """The URL query string of ``params`` (mapping or pairs), each value encoded exactly once."""
    cdef list parts = []
    for name, value in _items(params):
        parts.append(name + "=" + _percent_encode(value, True))
    return "&".join(parts)


cpdef str canonical_query(params):
    """The signed form of ``params``: sorted by name, values ``pam_encode``-d, ``signature`` left out."""
    cdef list pairs = [(name, value) for name, value in _items(params) if name != "signature"]
    pairs.sort()
    cdef list parts = []
    for name, value in pairs:
        parts.append(name + "=" + _percent_encode(_as_str(value), False))
    return "&".join(parts)


cdef str _hmac_b64(str secret, str message, bint keep_padding):
    cdef Py_ssize_t key_len = 0, msg_len = 0
    cdef const char *key = PyUnicode_AsUTF8AndSize(secret, &key_len)
    cdef const char *msg = PyUnicode_AsUTF8AndSize(message, &msg_len)
    cdef unsigned char digest[32]
    cdef unsigned int digest_len = 0
    cdef char out[44]
    cdef int i, o = 0
    cdef unsigned int triple
    if key_len > 0x7fffffff:
        raise ValueError("secret key too long")
    # no nogil: releasing the GIL costs more than the ~1 us HMAC of a request
    if HMAC(EVP_sha256(), key, <int>key_len, <const unsigned char *>msg, <size_t>msg_len,
            digest, &digest_len) == NULL:
        raise RuntimeError("OpenSSL HMAC-SHA256 failed")
    # 32 bytes = 10 full 3-byte groups + 2 bytes -> 43 chars + one '=' of padding
    for i in range(0, 30, 3):
        triple = (digest[i] << 16) | (digest[i + 1] << 8) | digest[i + 2]
        out[o] = B64URL[(triple >> 18) & 63]
        out[o + 1] = B64URL[(triple >> 12) & 63]
        out[o + 2] = B64URL[(triple >> 6) & 63]
        out[o + 3] = B64URL[triple & 63]
        o += 4
    triple = (digest[30] << 16) | (digest[31] << 8)
    out[40] = B64URL[(triple >> 18) & 63]
    out[41] = B64URL[(triple >> 12) & 63]
    out[42] = B64URL[(triple >> 6) & 63]
    out[43] = 61  # '='
    return out[:44 if keep_padding else 43].decode("ascii")


cpdef str sign_sha256(str secret, str message):
    """HMAC-SHA256 of ``message`` keyed with ``secret`` (both str), url-safe base64 with padding."""
    return _hmac_b64(secret, message, True)


cpdef str sign_v2(str secret, str method, publish_key, str path, params, body=None):
    """The v2 request signature ``v2.<...>``."""
    cdef str message = "%s\n%s\n%s\n%s\n%s" % (method, publish_key or "", path, canonical_query(params), body or "")
    return "v2." + _hmac_b64(secret, message, False)


cpdef str sign_v1(str secret, str subscribe_key, publish_key, str path, params):
    """The legacy signature PubNub uses for POST ``/publish``."""
    cdef str message = "%s\n%s\n%s\n%s" % (subscribe_key, publish_key or "", path, canonical_query(params))
    return _hmac_b64(secret, message, True)


cpdef str sign_request(str secret, str subscribe_key, publish_key, str method, str path, params, body=None):
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
    return _hmac.compare_digest(expected, received)
