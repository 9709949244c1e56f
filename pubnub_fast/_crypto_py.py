"""Pure-Python twin of the AES hot path (``ext/_crypto_c.pyx`` is the compiled twin).

Bytes in, bytes out. Nothing here knows about JSON, PubNub headers or configuration: that is the
job of ``pubnub_fast.crypto`` / ``pubnub_fast.crypto_core``. Both twins export exactly the names
in ``__all__`` with the same signatures and behaviour, including the exception types and messages.

PubNub message and file encryption is AES-256-CBC with PKCS#7 padding:

* **Keys.** Two derivations from the user's ``cipher_key`` string, both SHA-256 of its UTF-8
  bytes. The legacy cryptor (id ``0000``; ``PubNubCryptodome``, ``PubNubFileCrypto``) uses the
  *first 32 characters of the lowercase hex digest, as ASCII bytes* — i.e. only 128 bits of
  entropy in a 256-bit key, a historical quirk every PubNub SDK shares (``legacy_key``). The
  ``ACRH`` cryptor uses the raw 32-byte digest (``acrh_key``).
* **IVs.** Always explicit here: callers pass 16 bytes, or ``None`` for a fresh full-entropy IV
  from ``random_bytes``. The legacy static IV is ``STATIC_IV`` (``b"0123456789012345"``).
* **Padding.** PKCS#7 to 16 bytes on encryption (a full block when the length is already a
  multiple of 16, so an empty plaintext encrypts to one block). Decryption is strict: the input
  must be a non-empty multiple of 16 bytes and the last ``n`` bytes must all equal ``n`` with
  ``1 <= n <= 16``; anything else raises ``DecryptionError``. (The official SDK strips "the last
  byte's worth" without checking, so a wrong key usually yields garbage instead of an error.)
* **Base64.** Standard alphabet with ``=`` padding, no line breaks. Decoding is strict: only the
  64 alphabet characters, length a multiple of 4, at most two ``=`` and only at the end, and the
  unused bits of the last character must be zero (so every byte string has exactly one accepted
  encoding). Whitespace, URL-safe characters or missing padding raise ``DecryptionError``.

Fused helpers (``encrypt_b64`` / ``decrypt_b64``) do a whole message operation in one call: the
compiled twin implements them without intermediate Python objects, which is where its speed
comes from.

Errors: ``DecryptionError`` (a ``ValueError``) for undecryptable *data*; ``TypeError`` /
``ValueError`` for programming errors (a key that is not 32 bytes, an IV that is not 16 bytes).
"""
import binascii
import hashlib
import os
import re
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pubnub_fast._crypto_errors import DecryptionError

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

#: AES block size in bytes; also the IV length.
BLOCK_SIZE = 16

#: The legacy cryptor's static IV (used when random IVs are off).
STATIC_IV = b"0123456789012345"

# Last data character before "==" / "=" whose unused low bits are zero (canonical base64).
_CANONICAL_BEFORE_2PAD = frozenset("AQgw")
_CANONICAL_BEFORE_1PAD = frozenset("AEIMQUYcgkosw048")


# Canonical, padded standard base64 as one regular expression (used before Python 3.11, whose
# binascii has no strict mode): whole quads, then optionally a padded quad whose last data
# character has its unused low bits zero.
_B64_CANONICAL = re.compile(
    r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?"
)


def _a2b_strict_regex(text):
    if _B64_CANONICAL.fullmatch(text) is None:
        raise binascii.Error("not canonical base64")
    return binascii.a2b_base64(text)


def _a2b_strict_311(text):
    if len(text) % 4:
        # strict_mode still accepts a complete quad followed by stray padding ("/Q+A==")
        raise binascii.Error("base64 length is not a multiple of 4")
    data = binascii.a2b_base64(text, strict_mode=True)
    if text.endswith("=") and (
        text[-3] not in _CANONICAL_BEFORE_2PAD
        if text.endswith("==")
        else text[-2] not in _CANONICAL_BEFORE_1PAD
    ):
        raise binascii.Error("not canonical base64")
    return data


_a2b_strict = _a2b_strict_311 if sys.version_info >= (3, 11) else _a2b_strict_regex


def _cipher_key_bytes(cipher_key):
    if isinstance(cipher_key, str):
        return cipher_key.encode("utf-8")
    if isinstance(cipher_key, bytes):
        return cipher_key
    raise TypeError("cipher_key must be str or bytes, not %s" % type(cipher_key).__name__)


def legacy_key(cipher_key):
    """Legacy AES key: ASCII bytes of the first 32 hex digits of ``sha256(cipher_key)``.

    ``cipher_key`` is a str (hashed as UTF-8) or bytes. ``legacy_key("testKey")`` is
    ``b"15291f67d99ea7bc578c3544dadfbb99"``.
    """
    return hashlib.sha256(_cipher_key_bytes(cipher_key)).hexdigest()[:32].encode("ascii")


def acrh_key(cipher_key):
    """``ACRH`` AES key: the raw 32-byte ``sha256(cipher_key)`` digest."""
    return hashlib.sha256(_cipher_key_bytes(cipher_key)).digest()


def random_bytes(n):
    """``n`` bytes from the operating system's CSPRNG (the default IV source)."""
    return os.urandom(n)


def _check_key_iv(key, iv):
    if not isinstance(key, bytes):
        raise TypeError("key must be bytes, not %s" % type(key).__name__)
    if len(key) != 32:
        raise ValueError("key must be 32 bytes (AES-256), not %d" % len(key))
    if not isinstance(iv, bytes):
        raise TypeError("iv must be bytes, not %s" % type(iv).__name__)
    if len(iv) != BLOCK_SIZE:
        raise ValueError("iv must be 16 bytes, not %d" % len(iv))


def _data_bytes(data, name):
    # bytes-like in; the compiled twin accepts exactly the same (buffer protocol).
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError("%s must be a bytes-like object, not %s" % (name, type(data).__name__))


def _encrypt(key, iv, plaintext):
    pad = BLOCK_SIZE - len(plaintext) % BLOCK_SIZE
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(plaintext + bytes((pad,)) * pad) + encryptor.finalize()


def _decrypt(key, iv, ciphertext):
    size = len(ciphertext)
    if size == 0:
        raise DecryptionError("ciphertext is empty")
    if size % BLOCK_SIZE:
        raise DecryptionError("ciphertext length %d is not a multiple of 16" % size)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= BLOCK_SIZE or padded[-pad:] != bytes((pad,)) * pad:
        raise DecryptionError("invalid PKCS#7 padding (wrong key or corrupted data)")
    return padded[:-pad]


def aes_cbc_encrypt(key, iv, plaintext):
    """AES-256-CBC encrypt ``plaintext`` (bytes-like) with PKCS#7 padding; returns the ciphertext.

    The IV is not included in the result.
    """
    _check_key_iv(key, iv)
    return _encrypt(key, iv, _data_bytes(plaintext, "plaintext"))


def aes_cbc_decrypt(key, iv, ciphertext):
    """AES-256-CBC decrypt ``ciphertext`` (bytes-like) and strictly remove PKCS#7 padding.

    Raises ``DecryptionError`` when the ciphertext is empty, not a multiple of 16 bytes, or the
    padding is invalid (which is what a wrong key almost always produces).
    """
    _check_key_iv(key, iv)
    return _decrypt(key, iv, _data_bytes(ciphertext, "ciphertext"))


def b64encode(data):
    """Standard base64 of ``data`` (bytes-like) with ``=`` padding and no newlines, as a str."""
    return binascii.b2a_base64(_data_bytes(data, "data"), newline=False).decode("ascii")


def b64decode(text):
    """Strictly decode standard base64 ``text`` (str or bytes-like); see the module docstring.

    Raises ``DecryptionError`` for anything that is not canonical, padded standard base64.
    """
    if isinstance(text, str):
        pass
    elif isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text)
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise DecryptionError("invalid base64 input") from None
    else:
        raise TypeError("text must be str or bytes-like, not %s" % type(text).__name__)
    if not text.isascii():
        raise DecryptionError("invalid base64 input")
    try:
        return _a2b_strict(text)
    except (binascii.Error, ValueError):
        raise DecryptionError("invalid base64 input") from None


def encrypt_b64(key, iv, plaintext, header=b"", include_iv=False):
    """Fused message encryption: ``b64encode(header + (iv if include_iv) + aes_cbc_encrypt(...))``.

    ``iv=None`` draws a fresh IV from ``random_bytes(16)``. ``plaintext`` may be a str (encoded
    as UTF-8) or bytes-like. Legacy static IV: ``encrypt_b64(k, STATIC_IV, text)``; legacy random
    IV: ``encrypt_b64(k, None, text, include_iv=True)``; ``ACRH``: ``header`` is the ``PNED`` header
    up to its length byte and ``include_iv=True`` appends the IV as the header's cryptor data.
    """
    if iv is None:
        iv = random_bytes(BLOCK_SIZE)
    _check_key_iv(key, iv)
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    else:
        plaintext = _data_bytes(plaintext, "plaintext")
    header = _data_bytes(header, "header")
    body = _encrypt(key, iv, plaintext)
    if include_iv:
        return b64encode(header + iv + body)
    return b64encode(header + body)


def decrypt_b64(key, text, iv=None, offset=0):
    """Fused message decryption: strict base64 decode of ``text``, skip ``offset`` bytes (a
    header the caller has recognised), then ``aes_cbc_decrypt``.

    With ``iv=None`` the first 16 bytes after ``offset`` are the IV (legacy random-IV layout, and
    ``ACRH`` with ``offset=10``); otherwise the rest of the input is ciphertext. Raises
    ``DecryptionError`` for any bad input.
    """
    if iv is not None:
        _check_key_iv(key, iv)
    else:
        _check_key_iv(key, STATIC_IV)
    if offset < 0:
        raise ValueError("offset must not be negative")
    data = b64decode(text)
    if offset:
        data = data[offset:]
    if iv is not None:
        return _decrypt(key, iv, data)
    if len(data) < BLOCK_SIZE:
        raise DecryptionError("input is shorter than its 16-byte IV")
    return _decrypt(key, data[:BLOCK_SIZE], data[BLOCK_SIZE:])
