# cython: language_level=3, embedsignature=True
"""Compiled twin of ``pubnub_fast._crypto_py`` (see that module for the algorithms and the
exact rules: key derivation, PKCS#7, strict base64, error types and messages).

C-level choices:

* AES-256-CBC is OpenSSL EVP with two module-level ``EVP_CIPHER_CTX`` (encrypt, decrypt) that are
  created once and reused. Each context remembers the last key it expanded; a call with the same
  key only resets the IV (``EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc)``), so the usual
  one-key workload never redoes the key schedule. Padding is done here (EVP padding is off).
* The shared contexts are only used with the GIL held and with no Python call (hence no
  allocation, GC or other thread) between their (re)initialisation and their last use, so the
  module is thread-safe. Inputs of ``_NOGIL_MIN`` bytes or more (files) are processed with a
  private context and the GIL released.
* Decryption of a message-sized input (up to ``_STACK`` bytes) is one cipher pass into a stack
  buffer, the padding check, and one copy into the result (each OpenSSL call costs more than the
  copy). Larger inputs first decrypt only the last block (CBC lets any block be decrypted from
  the block before it), check the padding, then allocate the result at its exact size and
  decrypt the rest straight into it: no over-allocation, no resize, no extra copy.
* Base64 is encoded and (strictly) decoded by hand into/from stack buffers (heap above
  ``_STACK``), and the fused ``encrypt_b64`` writes its result directly into a new ASCII str.
* Random IVs come from OpenSSL's ``RAND_bytes`` (a CSPRNG, no system call per IV), drawn 4 KiB at
  a time; a ``pthread_atfork`` handler empties that pool in a forked child.
"""
from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytearray cimport PyByteArray_Check
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_Check, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_Check
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy

cimport _pnf_libcrypto as ssl

from pubnub_fast._crypto_errors import DecryptionError

cdef extern from "pthread.h" nogil:
    int pthread_atfork(void (*prepare)() noexcept nogil, void (*parent)() noexcept nogil,
                       void (*child)() noexcept nogil)

cdef extern from "Python.h":
    bint PyMemoryView_Check(object obj)
    bint PyUnicode_IS_ASCII(object obj)
    const char* PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t *size) except NULL
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)

__all__ = [
    "BLOCK_SIZE",
    "STATIC_IV",
    "DecryptionError",
    "legacy_key",
    "acrh_key",
    "random_bytes",
    "aes_cbc_encrypt",
    "aes_cbc_decrypt",
    "b64encode",
    "b64decode",
    "encrypt_b64",
    "decrypt_b64",
]

BLOCK_SIZE = 16
STATIC_IV = b"0123456789012345"

cdef enum:
    _POOL = 4096             # random bytes drawn from RAND_bytes at a time (small requests)
    _POOL_MAX_TAKE = 64      # requests up to this size are served from the pool
    _STACK = 2048            # inputs up to this size use stack buffers
    _NOGIL_MIN = 65536       # inputs from this size release the GIL (private EVP context)
    _CHUNK = 1 << 30         # EVP takes int lengths: feed it at most 1 GiB per call

cdef const char* _B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
cdef signed char _B64_VALUE[256]
cdef unsigned char _B64_PAIR[4096][2]     # 12 bits -> two base64 characters
cdef const char* _HEX = b"0123456789abcdef"


cdef void _init_tables() noexcept:
    cdef int i
    for i in range(256):
        _B64_VALUE[i] = -1
    for i in range(64):
        _B64_VALUE[<unsigned char>_B64[i]] = <signed char>i
    for i in range(4096):
        _B64_PAIR[i][0] = _B64[i >> 6]
        _B64_PAIR[i][1] = _B64[i & 63]


_init_tables()


# --- random bytes ---------------------------------------------------------------------------------
# RAND_bytes costs ~0.5 us per call (locking inside OpenSSL 3), more than the rest of a small
# message encryption; IVs are therefore cut from a 4 KiB block of RAND_bytes output. The pool is
# only touched with the GIL held, and a fork handler empties it in the child so that parent and
# child never hand out the same bytes.

cdef unsigned char _pool[_POOL]
cdef Py_ssize_t _pool_pos = _POOL


cdef void _pool_discard() noexcept nogil:
    global _pool_pos
    _pool_pos = _POOL


cdef int _random_into(unsigned char* out, Py_ssize_t n) noexcept:
    """Fill ``out`` with ``n`` CSPRNG bytes (GIL held); returns 1, or 0 on an OpenSSL failure."""
    global _pool_pos
    cdef int chunk
    if n <= _POOL_MAX_TAKE:
        if _pool_pos + n > _POOL:
            if ssl.RAND_bytes(_pool, _POOL) != 1:
                return 0
            _pool_pos = 0
        memcpy(out, _pool + _pool_pos, <size_t>n)
        _pool_pos += n
        return 1
    while n > 0:
        chunk = <int>(n if n < _CHUNK else _CHUNK)
        if ssl.RAND_bytes(out, chunk) != 1:
            return 0
        out += chunk
        n -= chunk
    return 1


pthread_atfork(NULL, NULL, _pool_discard)


# --- EVP contexts ---------------------------------------------------------------------------------

cdef ssl.EVP_CIPHER_CTX* _shared_ctx[2]        # [0] decrypt, [1] encrypt
cdef unsigned char _shared_key[2][32]
cdef bint _shared_has_key[2]


cdef int _new_ctx(ssl.EVP_CIPHER_CTX** out, int enc) noexcept nogil:
    cdef ssl.EVP_CIPHER_CTX* ctx = ssl.EVP_CIPHER_CTX_new()
    if ctx == NULL:
        return 0
    if ssl.EVP_CipherInit_ex(ctx, ssl.EVP_aes_256_cbc(), NULL, NULL, NULL, enc) != 1 \
            or ssl.EVP_CIPHER_CTX_set_padding(ctx, 0) != 1:
        ssl.EVP_CIPHER_CTX_free(ctx)
        return 0
    out[0] = ctx
    return 1


cdef int _setup_shared() except -1:
    cdef int enc
    for enc in range(2):
        if not _new_ctx(&_shared_ctx[enc], enc):
            ssl.ERR_clear_error()
            raise MemoryError("OpenSSL: cannot create an AES-256-CBC context")
        _shared_has_key[enc] = 0
    return 0


_setup_shared()


cdef ssl.EVP_CIPHER_CTX* _shared(int enc, const unsigned char* key, const unsigned char* iv) noexcept nogil:
    """The shared context of direction ``enc``, initialised for ``key``/``iv`` (NULL on error)."""
    cdef ssl.EVP_CIPHER_CTX* ctx = _shared_ctx[enc]
    if _shared_has_key[enc] and memcmp(_shared_key[enc], key, 32) == 0:
        if ssl.EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc) != 1:
            return NULL
        return ctx
    _shared_has_key[enc] = 0
    if ssl.EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1:
        return NULL
    memcpy(_shared_key[enc], key, 32)
    _shared_has_key[enc] = 1
    return ctx


cdef int _update(ssl.EVP_CIPHER_CTX* ctx, unsigned char* dst, const unsigned char* src,
                 Py_ssize_t n) noexcept nogil:
    """Run whole blocks through ``ctx`` (CBC state carries over between calls)."""
    cdef int outl
    cdef int chunk
    while n > 0:
        chunk = <int>(n if n < _CHUNK else _CHUNK)
        if ssl.EVP_CipherUpdate(ctx, dst, &outl, src, chunk) != 1 or outl != chunk:
            return 0
        dst += chunk
        src += chunk
        n -= chunk
    return 1


cdef int _encrypt_into(const unsigned char* key, const unsigned char* iv, const unsigned char* src,
                       Py_ssize_t n, unsigned char* dst, bint private_ctx) noexcept nogil:
    """PKCS#7-pad and encrypt ``n`` bytes into ``dst`` (room for ``(n // 16 + 1) * 16``)."""
    cdef unsigned char last[16]
    cdef Py_ssize_t full = n - (n % 16)
    cdef int pad = <int>(16 - (n % 16))
    cdef int i
    cdef int ok
    cdef ssl.EVP_CIPHER_CTX* ctx
    memcpy(last, src + full, <size_t>(16 - pad))
    for i in range(16 - pad, 16):
        last[i] = <unsigned char>pad
    if private_ctx:
        if not _new_ctx(&ctx, 1):
            return 0
        ok = ssl.EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, 1) == 1 \
            and _update(ctx, dst, src, full) and _update(ctx, dst + full, last, 16)
        ssl.EVP_CIPHER_CTX_free(ctx)
        return ok
    ctx = _shared(1, key, iv)
    if ctx == NULL:
        return 0
    return _update(ctx, dst, src, full) and _update(ctx, dst + full, last, 16)


cdef str _BAD_PADDING = "invalid PKCS#7 padding (wrong key or corrupted data)"


cdef inline int _pkcs7_pad(const unsigned char* last) noexcept nogil:
    """The PKCS#7 pad length of the decrypted last block ``last`` (16 bytes), 0 if invalid."""
    cdef int pad = last[15]
    cdef int i
    cdef unsigned char bad = 0
    if pad < 1 or pad > 16:
        return 0
    for i in range(16 - pad, 16):
        bad |= last[i] ^ <unsigned char>pad
    return 0 if bad else pad


cdef int _decrypt_last(const unsigned char* key, const unsigned char* iv, const unsigned char* src,
                       Py_ssize_t n, unsigned char* last) noexcept nogil:
    """Decrypt the last block of ``src`` into ``last``; return the PKCS#7 pad length, 0 if the
    padding is invalid, -1 on an OpenSSL failure. ``n`` is a positive multiple of 16."""
    cdef const unsigned char* prev = iv if n == 16 else src + n - 32
    cdef ssl.EVP_CIPHER_CTX* ctx = _shared(0, key, prev)
    if ctx == NULL or not _update(ctx, last, src + n - 16, 16):
        return -1
    return _pkcs7_pad(last)


cdef int _decrypt_body(const unsigned char* key, const unsigned char* iv, const unsigned char* src,
                       Py_ssize_t n, unsigned char* dst, bint private_ctx) noexcept nogil:
    """Decrypt all blocks of ``src`` but the last one into ``dst``."""
    cdef ssl.EVP_CIPHER_CTX* ctx
    cdef int ok
    if n <= 16:
        return 1
    if private_ctx:
        if not _new_ctx(&ctx, 0):
            return 0
        ok = ssl.EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, 0) == 1 and _update(ctx, dst, src, n - 16)
        ssl.EVP_CIPHER_CTX_free(ctx)
        return ok
    ctx = _shared(0, key, iv)
    return ctx != NULL and _update(ctx, dst, src, n - 16)


cdef object _openssl_error(str what):
    cdef unsigned long code = ssl.ERR_get_error()
    cdef char buf[256]
    ssl.ERR_clear_error()
    if code:
        ssl.ERR_error_string_n(code, buf, sizeof(buf))
        return RuntimeError("OpenSSL %s failed: %s" % (what, buf.decode("ascii", "replace")))
    return RuntimeError("OpenSSL %s failed" % what)


# --- argument checks (same types and messages as the pure twin) -----------------------------------

cdef int _check_key_iv(object key, object iv) except -1:
    if not PyBytes_Check(key):
        raise TypeError("key must be bytes, not %s" % type(key).__name__)
    if PyBytes_GET_SIZE(key) != 32:
        raise ValueError("key must be 32 bytes (AES-256), not %d" % PyBytes_GET_SIZE(key))
    if not PyBytes_Check(iv):
        raise TypeError("iv must be bytes, not %s" % type(iv).__name__)
    if PyBytes_GET_SIZE(iv) != 16:
        raise ValueError("iv must be 16 bytes, not %d" % PyBytes_GET_SIZE(iv))
    return 0


cdef int _acquire(object obj, Py_buffer* view, str name) except -1:
    """Buffer of a bytes-like argument (bytes, bytearray, memoryview), else TypeError."""
    if not (PyBytes_Check(obj) or PyByteArray_Check(obj) or PyMemoryView_Check(obj)):
        raise TypeError("%s must be a bytes-like object, not %s" % (name, type(obj).__name__))
    PyObject_GetBuffer(obj, view, PyBUF_SIMPLE)
    return 0


cdef int _check_ciphertext_len(Py_ssize_t n) except -1:
    if n == 0:
        raise DecryptionError("ciphertext is empty")
    if n % 16:
        raise DecryptionError("ciphertext length %d is not a multiple of 16" % n)
    return 0


cdef bytes _decrypt_small(const unsigned char* key, const unsigned char* iv, const unsigned char* src,
                          Py_ssize_t n):
    """``_decrypt`` of a message-sized input (``n <= _STACK``, a positive multiple of 16): one
    cipher pass into a stack buffer, then the padding check and one copy — half the OpenSSL calls
    of the two-pass path (last block first, then the rest straight into the result), which is
    what larger inputs use to avoid the copy."""
    cdef unsigned char buf[_STACK]
    cdef ssl.EVP_CIPHER_CTX* ctx = _shared(0, key, iv)
    cdef int pad
    if ctx == NULL or not _update(ctx, buf, src, n):
        raise _openssl_error("AES-CBC decryption")
    pad = _pkcs7_pad(buf + n - 16)
    if pad == 0:
        raise DecryptionError(_BAD_PADDING)
    return PyBytes_FromStringAndSize(<const char*>buf, n - pad)


cdef bytes _decrypt(const unsigned char* key, const unsigned char* iv, const unsigned char* src, Py_ssize_t n):
    """Strict AES-256-CBC + PKCS#7 decryption of ``n`` bytes (``key``/``iv`` already checked)."""
    cdef unsigned char last[16]
    cdef int pad
    cdef int ok
    cdef unsigned char* dst
    cdef bytes result
    _check_ciphertext_len(n)
    if n <= _STACK:
        return _decrypt_small(key, iv, src, n)
    pad = _decrypt_last(key, iv, src, n, last)
    if pad < 0:
        raise _openssl_error("AES-CBC decryption")
    if pad == 0:
        raise DecryptionError(_BAD_PADDING)
    result = PyBytes_FromStringAndSize(NULL, n - pad)
    dst = <unsigned char*>PyBytes_AS_STRING(result)
    if n >= _NOGIL_MIN:
        with nogil:
            ok = _decrypt_body(key, iv, src, n, dst, True)
    else:
        ok = _decrypt_body(key, iv, src, n, dst, False)
    if not ok:
        raise _openssl_error("AES-CBC decryption")
    memcpy(dst + n - 16, last, <size_t>(16 - pad))
    return result


# --- base64 ---------------------------------------------------------------------------------------

cdef Py_ssize_t _b64_encoded_len(Py_ssize_t n) noexcept nogil:
    return ((n + 2) // 3) * 4


cdef void _b64_encode(const unsigned char* src, Py_ssize_t n, unsigned char* out) noexcept nogil:
    cdef Py_ssize_t i = 0
    cdef unsigned int v
    while i + 3 <= n:
        v = (<unsigned int>src[i] << 16) | (<unsigned int>src[i + 1] << 8) | src[i + 2]
        memcpy(out, _B64_PAIR[v >> 12], 2)
        memcpy(out + 2, _B64_PAIR[v & 4095], 2)
        out += 4
        i += 3
    if n - i == 1:
        v = <unsigned int>src[i] << 16
        out[0] = _B64[(v >> 18) & 63]
        out[1] = _B64[(v >> 12) & 63]
        out[2] = c'='
        out[3] = c'='
    elif n - i == 2:
        v = (<unsigned int>src[i] << 16) | (<unsigned int>src[i + 1] << 8)
        out[0] = _B64[(v >> 18) & 63]
        out[1] = _B64[(v >> 12) & 63]
        out[2] = _B64[(v >> 6) & 63]
        out[3] = c'='


cdef Py_ssize_t _b64_decoded_len(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    """Decoded size of ``n`` base64 characters, or -1 if ``n`` is not a multiple of 4."""
    if n % 4:
        return -1
    if n == 0:
        return 0
    if s[n - 1] == c'=':
        return n // 4 * 3 - (2 if s[n - 2] == c'=' else 1)
    return n // 4 * 3


cdef int _b64_decode(const unsigned char* s, Py_ssize_t n, unsigned char* out) noexcept nogil:
    """Strict decode (see ``_crypto_py``); returns 1, or 0 for anything not canonical."""
    cdef Py_ssize_t i
    cdef Py_ssize_t data_chars
    cdef Py_ssize_t pad = 0
    cdef int a, b, c, d
    if n % 4:
        return 0
    if n == 0:
        return 1
    if s[n - 1] == c'=':
        pad = 2 if s[n - 2] == c'=' else 1
    data_chars = n - pad
    i = 0
    while i + 4 <= data_chars:
        a = _B64_VALUE[s[i]]
        b = _B64_VALUE[s[i + 1]]
        c = _B64_VALUE[s[i + 2]]
        d = _B64_VALUE[s[i + 3]]
        if (a | b | c | d) < 0:
            return 0
        out[0] = <unsigned char>((a << 2) | (b >> 4))
        out[1] = <unsigned char>(((b & 15) << 4) | (c >> 2))
        out[2] = <unsigned char>(((c & 3) << 6) | d)
        out += 3
        i += 4
    if pad == 2:
        a = _B64_VALUE[s[i]]
        b = _B64_VALUE[s[i + 1]]
        if (a | b) < 0 or (b & 15):
            return 0
        out[0] = <unsigned char>((a << 2) | (b >> 4))
    elif pad == 1:
        a = _B64_VALUE[s[i]]
        b = _B64_VALUE[s[i + 1]]
        c = _B64_VALUE[s[i + 2]]
        if (a | b | c) < 0 or (c & 3):
            return 0
        out[0] = <unsigned char>((a << 2) | (b >> 4))
        out[1] = <unsigned char>(((b & 15) << 4) | (c >> 2))
    return 1


cdef inline int _b64_text(object text, Py_buffer* view, const unsigned char** ptr, Py_ssize_t* size) except -1:
    """Characters of a base64 argument: an ASCII str (returns 0), or a bytes-like object through
    ``view`` (returns 1: the caller releases ``view``)."""
    cdef const char* data
    if PyUnicode_Check(text):
        if not PyUnicode_IS_ASCII(text):
            raise DecryptionError("invalid base64 input")
        data = PyUnicode_AsUTF8AndSize(text, size)
        ptr[0] = <const unsigned char*>data
        return 0
    if not (PyBytes_Check(text) or PyByteArray_Check(text) or PyMemoryView_Check(text)):
        raise TypeError("text must be str or bytes-like, not %s" % type(text).__name__)
    PyObject_GetBuffer(text, view, PyBUF_SIMPLE)
    ptr[0] = <const unsigned char*>view.buf
    size[0] = view.len
    return 1


# --- public API -----------------------------------------------------------------------------------

cdef int _cipher_key_digest(object cipher_key, unsigned char* digest) except -1:
    cdef const char* data
    cdef Py_ssize_t size
    cdef unsigned int outlen
    cdef bytes encoded
    if PyUnicode_Check(cipher_key):
        if PyUnicode_IS_ASCII(cipher_key):
            data = PyUnicode_AsUTF8AndSize(cipher_key, &size)
        else:
            encoded = (<str>cipher_key).encode("utf-8")
            data = PyBytes_AS_STRING(encoded)
            size = PyBytes_GET_SIZE(encoded)
    elif PyBytes_Check(cipher_key):
        data = PyBytes_AS_STRING(cipher_key)
        size = PyBytes_GET_SIZE(cipher_key)
    else:
        raise TypeError("cipher_key must be str or bytes, not %s" % type(cipher_key).__name__)
    if ssl.EVP_Digest(data, <size_t>size, digest, &outlen, ssl.EVP_sha256(), NULL) != 1:
        raise _openssl_error("SHA-256")
    return 0


def legacy_key(cipher_key):
    """Legacy AES key: ASCII bytes of the first 32 hex digits of ``sha256(cipher_key)``."""
    cdef unsigned char digest[32]
    cdef unsigned char hexed[32]
    cdef int i
    _cipher_key_digest(cipher_key, digest)
    for i in range(16):
        hexed[2 * i] = _HEX[digest[i] >> 4]
        hexed[2 * i + 1] = _HEX[digest[i] & 15]
    return PyBytes_FromStringAndSize(<char*>hexed, 32)


def acrh_key(cipher_key):
    """``ACRH`` AES key: the raw 32-byte ``sha256(cipher_key)`` digest."""
    cdef unsigned char digest[32]
    _cipher_key_digest(cipher_key, digest)
    return PyBytes_FromStringAndSize(<char*>digest, 32)


def random_bytes(n):
    """``n`` bytes from OpenSSL's CSPRNG (the default IV source)."""
    cdef Py_ssize_t size = n
    cdef bytes result
    if size < 0:
        raise ValueError("negative argument not allowed")
    result = PyBytes_FromStringAndSize(NULL, size)
    if not _random_into(<unsigned char*>PyBytes_AS_STRING(result), size):
        raise _openssl_error("RAND_bytes")
    return result


def aes_cbc_encrypt(key, iv, plaintext):
    """AES-256-CBC encrypt ``plaintext`` (bytes-like) with PKCS#7 padding; returns the ciphertext."""
    cdef Py_buffer view
    cdef bytes result
    cdef int ok
    cdef const unsigned char* k
    cdef const unsigned char* v
    cdef unsigned char* dst
    _check_key_iv(key, iv)
    _acquire(plaintext, &view, "plaintext")
    try:
        result = PyBytes_FromStringAndSize(NULL, (view.len // 16 + 1) * 16)
        k = <const unsigned char*>PyBytes_AS_STRING(key)
        v = <const unsigned char*>PyBytes_AS_STRING(iv)
        dst = <unsigned char*>PyBytes_AS_STRING(result)
        if view.len >= _NOGIL_MIN:
            with nogil:
                ok = _encrypt_into(k, v, <const unsigned char*>view.buf, view.len, dst, True)
        else:
            ok = _encrypt_into(k, v, <const unsigned char*>view.buf, view.len, dst, False)
        if not ok:
            raise _openssl_error("AES-CBC encryption")
        return result
    finally:
        PyBuffer_Release(&view)


def aes_cbc_decrypt(key, iv, ciphertext):
    """AES-256-CBC decrypt ``ciphertext`` (bytes-like) and strictly remove PKCS#7 padding."""
    cdef Py_buffer view
    _check_key_iv(key, iv)
    _acquire(ciphertext, &view, "ciphertext")
    try:
        return _decrypt(<const unsigned char*>PyBytes_AS_STRING(key), <const unsigned char*>PyBytes_AS_STRING(iv),
                        <const unsigned char*>view.buf, view.len)
    finally:
        PyBuffer_Release(&view)


def b64encode(data):
    """Standard base64 of ``data`` (bytes-like) with ``=`` padding and no newlines, as a str."""
    cdef Py_buffer view
    cdef object text
    _acquire(data, &view, "data")
    try:
        text = PyUnicode_New(_b64_encoded_len(view.len), 127)
        _b64_encode(<const unsigned char*>view.buf, view.len, <unsigned char*>PyUnicode_DATA(text))
        return text
    finally:
        PyBuffer_Release(&view)


def b64decode(text):
    """Strictly decode standard base64 ``text`` (str or bytes-like)."""
    cdef Py_buffer view
    cdef const unsigned char* s
    cdef Py_ssize_t n
    cdef Py_ssize_t size
    cdef bytes result
    cdef bint has_view = _b64_text(text, &view, &s, &n)
    try:
        size = _b64_decoded_len(s, n)
        if size < 0:
            raise DecryptionError("invalid base64 input")
        result = PyBytes_FromStringAndSize(NULL, size)
        if not _b64_decode(s, n, <unsigned char*>PyBytes_AS_STRING(result)):
            raise DecryptionError("invalid base64 input")
        return result
    finally:
        if has_view:
            PyBuffer_Release(&view)


def encrypt_b64(key, iv, plaintext, header=b"", include_iv=False):
    """Fused message encryption: ``b64encode(header + (iv if include_iv) + aes_cbc_encrypt(...))``.

    ``iv=None`` draws a fresh IV from ``RAND_bytes``; ``plaintext`` may be a str (UTF-8).
    """
    cdef unsigned char random_iv[16]
    cdef unsigned char stack[_STACK]
    cdef unsigned char* raw = stack
    cdef const unsigned char* k
    cdef const unsigned char* v
    cdef unsigned char* out
    cdef const unsigned char* src
    cdef Py_ssize_t n
    cdef Py_ssize_t prefix_len
    cdef Py_ssize_t raw_len
    cdef Py_buffer pview
    cdef Py_buffer hview
    cdef bint has_pview = False
    cdef bint has_hview = False
    cdef bint with_iv = include_iv
    cdef object encoded = None
    cdef object text
    cdef int ok
    if iv is None:
        if not PyBytes_Check(key):
            raise TypeError("key must be bytes, not %s" % type(key).__name__)
        if PyBytes_GET_SIZE(key) != 32:
            raise ValueError("key must be 32 bytes (AES-256), not %d" % PyBytes_GET_SIZE(key))
        if not _random_into(random_iv, 16):
            raise _openssl_error("RAND_bytes")
        v = random_iv
    else:
        _check_key_iv(key, iv)
        v = <const unsigned char*>PyBytes_AS_STRING(iv)
    try:
        if PyUnicode_Check(plaintext):
            if PyUnicode_IS_ASCII(plaintext):
                src = <const unsigned char*>PyUnicode_AsUTF8AndSize(plaintext, &n)
            else:
                encoded = (<str>plaintext).encode("utf-8")
                src = <const unsigned char*>PyBytes_AS_STRING(encoded)
                n = PyBytes_GET_SIZE(encoded)
        else:
            _acquire(plaintext, &pview, "plaintext")
            has_pview = True
            src = <const unsigned char*>pview.buf
            n = pview.len
        _acquire(header, &hview, "header")
        has_hview = True
        prefix_len = hview.len + (16 if with_iv else 0)
        raw_len = prefix_len + (n // 16 + 1) * 16
        text = PyUnicode_New(_b64_encoded_len(raw_len), 127)
        if raw_len > _STACK:
            raw = <unsigned char*>malloc(<size_t>raw_len)
            if raw == NULL:
                raise MemoryError()
        memcpy(raw, hview.buf, <size_t>hview.len)
        if with_iv:
            memcpy(raw + hview.len, v, 16)
        k = <const unsigned char*>PyBytes_AS_STRING(key)
        out = <unsigned char*>PyUnicode_DATA(text)
        # No Python call from here on: the shared EVP context is safe to use.
        if n >= _NOGIL_MIN:
            with nogil:
                ok = _encrypt_into(k, v, src, n, raw + prefix_len, True)
                if ok:
                    _b64_encode(raw, raw_len, out)
        else:
            ok = _encrypt_into(k, v, src, n, raw + prefix_len, False)
            if ok:
                _b64_encode(raw, raw_len, out)
        if not ok:
            raise _openssl_error("AES-CBC encryption")
        return text
    finally:
        if raw != stack:
            free(raw)
        if has_pview:
            PyBuffer_Release(&pview)
        if has_hview:
            PyBuffer_Release(&hview)


def decrypt_b64(key, text, iv=None, offset=0):
    """Fused message decryption: strict base64 decode of ``text``, skip ``offset`` bytes, then
    ``aes_cbc_decrypt``. With ``iv=None`` the first 16 bytes (after ``offset``) are the IV.
    """
    cdef unsigned char stack[_STACK]
    cdef unsigned char* raw = stack
    cdef Py_buffer view
    cdef const unsigned char* s
    cdef Py_ssize_t n
    cdef Py_ssize_t size
    cdef Py_ssize_t skip = offset
    cdef const unsigned char* data
    if iv is not None:
        _check_key_iv(key, iv)
    else:
        _check_key_iv(key, STATIC_IV)
    if skip < 0:
        raise ValueError("offset must not be negative")
    cdef bint has_view = _b64_text(text, &view, &s, &n)
    try:
        size = _b64_decoded_len(s, n)
        if size < 0:
            raise DecryptionError("invalid base64 input")
        if size > _STACK:
            raw = <unsigned char*>malloc(<size_t>size)
            if raw == NULL:
                raise MemoryError()
        if not _b64_decode(s, n, raw):
            raise DecryptionError("invalid base64 input")
        if skip > size:
            skip = size
        data = raw + skip
        size -= skip
        if iv is not None:
            return _decrypt(<const unsigned char*>PyBytes_AS_STRING(key), <const unsigned char*>PyBytes_AS_STRING(iv),
                            data, size)
        if size < 16:
            raise DecryptionError("input is shorter than its 16-byte IV")
        return _decrypt(<const unsigned char*>PyBytes_AS_STRING(key), data, data + 16, size - 16)
    finally:
        if raw != stack:
            free(raw)
        if has_view:
            PyBuffer_Release(&view)
