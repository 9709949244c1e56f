# cython: language_level=3, embedsignature=True
"""Compiled twin of ``pubnub_fast._signing_py`` (see that module for the algorithms).

C-level choices: percent-encoding walks the UTF-8 bytes of the str once to size the result and
once to fill a pre-allocated ASCII str (strings that need no escaping are returned as is);
HMAC-SHA256 runs on OpenSSL's SHA-256 with the padded-key states precomputed per secret
(``_HmacKey``); url-safe base64 of the 32-byte digest is written
by hand into a fixed buffer.
"""
import hmac as _hmac

from libc.stdint cimport uint8_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

cdef extern from "Python.h":
    const char* PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t *size) except NULL
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)

cdef extern from "openssl/evp.h":
    ctypedef struct EVP_MD:
        pass
    ctypedef struct EVP_MD_CTX:
        pass
    ctypedef struct ENGINE:
        pass
    const EVP_MD *EVP_sha256()
    EVP_MD_CTX *EVP_MD_CTX_new()
    void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
    int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
    int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
    int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
    int EVP_MD_CTX_copy_ex(EVP_MD_CTX *out, const EVP_MD_CTX *inp)

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


# --- a growable byte buffer that starts on the stack -----------------------------------------------

cdef enum:
    STACK_BUFFER = 2048

cdef struct Buffer:
    unsigned char *data
    Py_ssize_t length
    Py_ssize_t capacity
    bint on_heap


cdef int _reserve(Buffer *b, Py_ssize_t extra) except -1:
    cdef Py_ssize_t wanted = b.length + extra
    cdef Py_ssize_t capacity
    cdef unsigned char *grown
    if wanted <= b.capacity:
        return 0
    capacity = max(wanted, b.capacity * 2)
    if b.on_heap:
        grown = <unsigned char *>realloc(b.data, capacity)
    else:
        grown = <unsigned char *>malloc(capacity)
        if grown != NULL:
            memcpy(grown, b.data, b.length)
    if grown == NULL:
        raise MemoryError()
    b.data = grown
    b.capacity = capacity
    b.on_heap = True
    return 0


cdef inline int _add(Buffer *b, const char *text, Py_ssize_t n) except -1:
    _reserve(b, n)
    memcpy(b.data + b.length, text, n)
    b.length += n
    return 0


cdef inline int _add_char(Buffer *b, char c) except -1:
    _reserve(b, 1)
    b.data[b.length] = c
    b.length += 1
    return 0


cdef inline int _add_str(Buffer *b, str text) except -1:
    cdef Py_ssize_t n = 0
    cdef const char *data = PyUnicode_AsUTF8AndSize(text, &n)
    return _add(b, data, n)


cdef int _add_encoded(Buffer *b, str text, bint keep_tilde) except -1:
    cdef Py_ssize_t n = 0, i
    cdef const unsigned char *data = <const unsigned char *>PyUnicode_AsUTF8AndSize(text, &n)
    cdef unsigned char c
    cdef unsigned char *dest
    _reserve(b, 3 * n)
    dest = b.data + b.length
    for i in range(n):
        c = data[i]
        if UNRESERVED[c] or (keep_tilde and c == 126):
            dest[0] = c
            dest += 1
        else:
            dest[0] = 37  # '%'
            dest[1] = HEX[c >> 4]
            dest[2] = HEX[c & 15]
            dest += 3
    b.length = dest - b.data
    return 0


cdef inline void _release(Buffer *b):
    if b.on_heap:
        free(b.data)


cdef int _add_canonical_query(Buffer *b, params) except -1:
    """Append the canonical (sorted, pam-encoded) query of ``params`` to ``b``."""
    cdef list pairs
    cdef bint first = True
    if type(params) is dict:
        names = sorted(params)
        for name in names:
            if name == "signature":
                continue
            if not first:
                _add_char(b, 38)  # '&'
            first = False
            _add_str(b, name)
            _add_char(b, 61)  # '='
            _add_encoded(b, _as_str((<dict>params)[name]), False)
        return 0
    pairs = [(name, value) for name, value in (params.items() if hasattr(params, "items") else params)
             if name != "signature"]
    pairs.sort()
    for name, value in pairs:
        if not first:
            _add_char(b, 38)
        first = False
        _add_str(b, name)
        _add_char(b, 61)
        _add_encoded(b, _as_str(value), False)
    return 0


cdef inline object _items(params):
    return params.items() if isinstance(params, dict) else params


cpdef str encode_query(params):
    """The URL query string of ``params`` (mapping or pairs), each value encoded exactly once."""
    cdef unsigned char stack[STACK_BUFFER]
    cdef Buffer b
    b.data = stack
    b.length = 0
    b.capacity = STACK_BUFFER
    b.on_heap = False
    cdef bint first = True
    try:
        for name, value in _items(params):
            if not first:
                _add_char(&b, 38)
            first = False
            _add_str(&b, name)
            _add_char(&b, 61)
            _add_encoded(&b, value, True)
        return (<char *>b.data)[:b.length].decode("ascii")
    finally:
        _release(&b)


cpdef str canonical_query(params):
    """The signed form of ``params``: sorted by name, values ``pam_encode``-d, ``signature`` left out."""
    cdef unsigned char stack[STACK_BUFFER]
    cdef Buffer b
    b.data = stack
    b.length = 0
    b.capacity = STACK_BUFFER
    b.on_heap = False
    try:
        _add_canonical_query(&b, params)
        return (<char *>b.data)[:b.length].decode("ascii")
    finally:
        _release(&b)


cdef class _HmacKey:
    """HMAC-SHA256 with one key: the inner and outer SHA-256 states after the padded key are
    computed once, so signing a request costs two context copies and the message hash (RFC 2104)
    instead of a full ``HMAC()`` setup per call."""

    cdef EVP_MD_CTX *inner
    cdef EVP_MD_CTX *outer
    cdef EVP_MD_CTX *work

    def __cinit__(self, *, bytes key):
        cdef unsigned char block[64]
        cdef unsigned char hashed[32]
        cdef unsigned int hashed_len = 0
        cdef const unsigned char *k = key
        cdef Py_ssize_t n = len(key), i
        self.inner = EVP_MD_CTX_new()
        self.outer = EVP_MD_CTX_new()
        self.work = EVP_MD_CTX_new()
        if self.inner == NULL or self.outer == NULL or self.work == NULL:
            raise MemoryError()
        if n > 64:  # keys longer than the block are hashed first
            if (EVP_DigestInit_ex(self.work, EVP_sha256(), NULL) != 1
                    or EVP_DigestUpdate(self.work, k, n) != 1
                    or EVP_DigestFinal_ex(self.work, hashed, &hashed_len) != 1):
                raise RuntimeError("OpenSSL SHA-256 failed")
            k = hashed
            n = 32
        for i in range(64):
            block[i] = (k[i] if i < n else 0) ^ 0x36
        if EVP_DigestInit_ex(self.inner, EVP_sha256(), NULL) != 1 or EVP_DigestUpdate(self.inner, block, 64) != 1:
            raise RuntimeError("OpenSSL SHA-256 failed")
        for i in range(64):
            block[i] = (k[i] if i < n else 0) ^ 0x5c
        if EVP_DigestInit_ex(self.outer, EVP_sha256(), NULL) != 1 or EVP_DigestUpdate(self.outer, block, 64) != 1:
            raise RuntimeError("OpenSSL SHA-256 failed")

    def __dealloc__(self):
        EVP_MD_CTX_free(self.inner)
        EVP_MD_CTX_free(self.outer)
        EVP_MD_CTX_free(self.work)

    cdef int digest(self, const unsigned char *msg, Py_ssize_t msg_len, unsigned char *out) except -1:
        cdef unsigned char inner_digest[32]
        cdef unsigned int n = 0
        if (EVP_MD_CTX_copy_ex(self.work, self.inner) != 1
                or EVP_DigestUpdate(self.work, msg, msg_len) != 1
                or EVP_DigestFinal_ex(self.work, inner_digest, &n) != 1
                or EVP_MD_CTX_copy_ex(self.work, self.outer) != 1
                or EVP_DigestUpdate(self.work, inner_digest, 32) != 1
                or EVP_DigestFinal_ex(self.work, out, &n) != 1):
            raise RuntimeError("OpenSSL HMAC-SHA256 failed")
        return 0


# A client signs with one secret; a server verifies with a few. Bounded so that it cannot grow.
cdef dict _KEYS = {}
cdef int _MAX_KEYS = 16


cdef _HmacKey _key_for(str secret):
    cdef _HmacKey key = _KEYS.get(secret)
    if key is None:
        if len(_KEYS) >= _MAX_KEYS:
            _KEYS.clear()
        key = _HmacKey(key=secret.encode("utf-8"))
        _KEYS[secret] = key
    return key


cdef str _hmac_b64(str secret, const unsigned char *msg, Py_ssize_t msg_len, bint keep_padding, bint v2_prefix):
    cdef unsigned char digest[32]
    cdef char out[48]
    cdef int i, o = 0
    cdef unsigned int triple
    _key_for(secret).digest(msg, msg_len, digest)
    if v2_prefix:
        out[0] = 118  # 'v'
        out[1] = 50   # '2'
        out[2] = 46   # '.'
        o = 3
    # 32 bytes = 10 full 3-byte groups + 2 bytes -> 43 chars + one '=' of padding
    for i in range(0, 30, 3):
        triple = (digest[i] << 16) | (digest[i + 1] << 8) | digest[i + 2]
        out[o] = B64URL[(triple >> 18) & 63]
        out[o + 1] = B64URL[(triple >> 12) & 63]
        out[o + 2] = B64URL[(triple >> 6) & 63]
        out[o + 3] = B64URL[triple & 63]
        o += 4
    triple = (digest[30] << 16) | (digest[31] << 8)
    out[o] = B64URL[(triple >> 18) & 63]
    out[o + 1] = B64URL[(triple >> 12) & 63]
    out[o + 2] = B64URL[(triple >> 6) & 63]
    o += 3
    if keep_padding:
        out[o] = 61  # '='
        o += 1
    return out[:o].decode("ascii")


cpdef str sign_sha256(str secret, str message):
    """HMAC-SHA256 of ``message`` keyed with ``secret`` (both str), url-safe base64 with padding."""
    cdef Py_ssize_t n = 0
    cdef const char *data = PyUnicode_AsUTF8AndSize(message, &n)
    return _hmac_b64(secret, <const unsigned char *>data, n, True, False)


cdef str _sign(str secret, str first_line, publish_key, str path, params, body, bint v2):
    cdef unsigned char stack[STACK_BUFFER]
    cdef Buffer b
    b.data = stack
    b.length = 0
    b.capacity = STACK_BUFFER
    b.on_heap = False
    try:
        _add_str(&b, first_line)
        _add_char(&b, 10)
        if publish_key:
            _add_str(&b, publish_key)
        _add_char(&b, 10)
        _add_str(&b, path)
        _add_char(&b, 10)
        _add_canonical_query(&b, params)
        if v2:
            _add_char(&b, 10)
            if body:
                _add_str(&b, body)
        return _hmac_b64(secret, b.data, b.length, not v2, v2)
    finally:
        _release(&b)


cpdef str sign_v2(str secret, str method, publish_key, str path, params, body=None):
    """The v2 request signature ``v2.<...>``."""
    return _sign(secret, method, publish_key, path, params, body, True)


cpdef str sign_v1(str secret, str subscribe_key, publish_key, str path, params):
    """The legacy signature PubNub uses for POST ``/publish``."""
    return _sign(secret, subscribe_key, publish_key, path, params, None, False)


cpdef str sign_request(str secret, str subscribe_key, publish_key, str method, str path, params, body=None):
    """Sign a request in the form PubNub expects for it: legacy for POST publish, else v2."""
    if method == "POST" and path.startswith("/publish"):
        return _sign(secret, subscribe_key, publish_key, path, params, None, False)
    return _sign(secret, method, publish_key, path, params, body, True)


def signatures_equal(expected, received):
    """Compare two signatures in constant time (str or bytes)."""
    if isinstance(expected, str):
        expected = expected.encode("utf-8")
    if isinstance(received, str):
        received = received.encode("utf-8")
    return _hmac.compare_digest(expected, received)
