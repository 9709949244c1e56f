"""Cryptor building blocks (``pubnub.crypto_core`` compatible).

Public names: ``PubNubCrypto`` (base of the message cryptors in ``pubnub_fast.crypto``),
``PubNubCryptor`` (base of cryptors plugged into a ``PubNubCryptoModule``),
``PubNubLegacyCryptor`` (id ``0000``), ``PubNubAesCbcCryptor`` (id ``ACRH``), ``CryptoHeader``
and ``CryptorPayload``.

The AES work is done by the crypto twin chosen in ``pubnub_fast._speedups`` (compiled
``_crypto_c`` or pure ``_crypto_py``); this module adds keys, IV policy, the ``PNED`` header and
the translation of low-level ``DecryptionError`` into ``PubNubException('decryption error')``.

Differences from the official SDK, on purpose (``spec/decisions.md`` §5):

* IVs are 16 bytes from a CSPRNG (every IV the SDKs ever wrote is still read: the IV travels
  with the data). The source is injectable: ``random_bytes=callable(n) -> bytes``.
* Decryption is strict: bad base64, a wrong length, bad PKCS#7 padding (i.e. almost always a
  wrong key), invalid UTF-8, a truncated header, an unknown header version all raise
  ``PubNubException`` — never a silently wrong result or a raw ``ValueError``.
* ``cipher_mode`` is AES-CBC (2, the default) or AES-GCM (11) as PubNub SDK 10.8 writes it:
  the legacy cryptor's PKCS#7-padded data through GCM's keystream with the 16-byte IV as nonce,
  and no authentication tag (so GCM output has CBC's length and layout). Anything else is
  refused when the cryptor is built. GCM is rare and runs in Python (``cryptography``).
"""
from typing import Any
import json
import json.scanner

from pubnub_fast import _speedups
from pubnub_fast._crypto_errors import DecryptionError
from pubnub_fast.exceptions import PubNubException

__all__ = [
    "PubNubCrypto",
    "PubNubCryptor",
    "PubNubLegacyCryptor",
    "PubNubAesCbcCryptor",
    "CryptoHeader",
    "CryptorPayload",
]

#: ``cipher_mode`` value meaning AES-CBC (PyCryptodome's ``AES.MODE_CBC``), the default.
MODE_CBC = 2
#: ``cipher_mode`` value meaning AES-GCM (PyCryptodome's ``AES.MODE_GCM``), legacy cryptor only.
MODE_GCM = 11

#: Header sentinel and the one header version this SDK writes and reads.
SENTINEL = b"PNED"
HEADER_VERSION = 1
#: Largest cryptor data a header can describe (2-byte length).
MAX_CRYPTOR_DATA = 65535

DECRYPTION_ERROR = "decryption error"
ENCRYPTION_ERROR = "encryption error"
UNKNOWN_CRYPTOR_ERROR = "unknown cryptor error"

# The twin doing the AES work, and its functions bound as globals (hot path: no attribute
# lookups). ``_use_twin`` rebinds them (tests run the public classes on both twins).
_impl: Any = None
_legacy_key: Any = None
_acrh_key: Any = None
_random_bytes: Any = None
_aes_cbc_encrypt: Any = None
_aes_cbc_decrypt: Any = None
_b64encode: Any = None
_b64decode: Any = None
_encrypt_b64: Any = None
_decrypt_b64: Any = None
STATIC_IV = b"0123456789012345"


def _use_twin(module):
    """Make this module (and ``pubnub_fast.crypto``) use crypto twin ``module``."""
    global _impl, _legacy_key, _acrh_key, _random_bytes, _aes_cbc_encrypt, _aes_cbc_decrypt
    global _b64encode, _b64decode, _encrypt_b64, _decrypt_b64
    _impl = module
    _legacy_key = module.legacy_key
    _acrh_key = module.acrh_key
    _random_bytes = module.random_bytes
    _aes_cbc_encrypt = module.aes_cbc_encrypt
    _aes_cbc_decrypt = module.aes_cbc_decrypt
    _b64encode = module.b64encode
    _b64decode = module.b64decode
    _encrypt_b64 = module.encrypt_b64
    _decrypt_b64 = module.decrypt_b64


_use_twin(_speedups.twin("crypto"))


# --- helpers shared with pubnub_fast.crypto ------------------------------------------------------

def check_cipher_modes(cipher_mode, fallback_cipher_mode=None):
    """Refuse any AES mode but CBC and GCM (``None`` means the default, CBC)."""
    for name, mode in (("cipher_mode", cipher_mode), ("fallback_cipher_mode", fallback_cipher_mode)):
        if mode is not None and mode not in (MODE_CBC, MODE_GCM):
            raise ValueError("%s: AES-CBC (%d) or AES-GCM (%d), not %r" % (name, MODE_CBC, MODE_GCM, mode))


def _pkcs7_pad(data):
    count = 16 - len(data) % 16
    return data + bytes((count,)) * count


def _pkcs7_unpad(data):
    count = data[-1]
    if not 1 <= count <= 16 or data[-count:] != bytes((count,)) * count:
        raise DecryptionError("bad PKCS#7 padding (wrong key?)")
    return data[:-count]


def _aes_gcm_keystream(aes_key, iv, data):
    """``data`` XOR the AES-GCM keystream of nonce ``iv`` (encryption and decryption alike)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    return Cipher(algorithms.AES(aes_key), modes.GCM(iv)).encryptor().update(data)


def aes_encrypt(mode, aes_key, iv, data):
    """Encrypt ``data`` (PKCS#7-padded here) with AES in ``mode`` (``MODE_CBC``/``MODE_GCM``)."""
    if mode == MODE_GCM:
        return _aes_gcm_keystream(aes_key, iv, _pkcs7_pad(data))
    return _aes_cbc_encrypt(aes_key, iv, data)


def aes_decrypt(mode, aes_key, iv, data):
    """Decrypt and unpad; ``DecryptionError`` when the input cannot be a ciphertext of this key."""
    if mode == MODE_GCM:
        if not data or len(data) % 16:
            raise DecryptionError("ciphertext length %d is not a multiple of 16" % len(data))
        return _pkcs7_unpad(_aes_gcm_keystream(aes_key, iv, data))
    return _aes_cbc_decrypt(aes_key, iv, data)


def decryption_error():
    """``PubNubException('decryption error')``, the SDK's error for every undecryptable input."""
    return PubNubException(DECRYPTION_ERROR)


# json.loads() minus its Python-level overhead for the common case (a JSON document with no
# surrounding whitespace); anything else goes through json.loads() itself.
_scan_json = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed: the C scanner takes a decoder


def json_or_text(text):
    """``json.loads(text)``, or ``text`` itself when it is not JSON (the SDK's documented rule)."""
    try:
        value, end = _scan_json(text, 0)
    except (StopIteration, ValueError, RecursionError):
        pass
    else:
        if end == len(text):
            return value
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def decode_plaintext(plain):
    """The value of a decrypted message: ``json_or_text(utf8_text(plain))``, fast.

    JSON belongs to the envelope layer: the plaintext goes to its decoder first (strict, and
    compiled in the compiled twin). Whatever it refuses takes the slow path, which gives the same
    answers as before: invalid UTF-8 is a decryption error, text that is not JSON is returned as
    text.
    """
    try:
        return _speedups.envelope.loads_strict(plain)
    except (ValueError, RecursionError):
        return json_or_text(utf8_text(plain))


def utf8_text(plain):
    """Decode decrypted bytes as UTF-8; invalid UTF-8 means a decryption error."""
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise decryption_error() from exc


def as_bytes(data, what):
    """``data`` as bytes: str is encoded as UTF-8, bytes-like is copied, other types are refused."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError("%s must be str or bytes, not %s" % (what, type(data).__name__))


def encode_header(cryptor_id, cryptor_data):
    """``PNED`` header bytes for ``cryptor_id`` (4 ASCII chars) and ``cryptor_data`` (bytes).

    Layout: ``b"PNED"``, version ``0x01``, the 4-byte id, the data length (1 byte below 255, else
    ``0xFF`` and 2 bytes big-endian), the data. Raises ``PubNubException('Cryptor data is too
    long')`` beyond 65535 bytes. The legacy id ``0000`` is not checked here: callers give it no
    header at all.
    """
    cryptor_data = b"" if cryptor_data is None else as_bytes(cryptor_data, "cryptor_data")
    size = len(cryptor_data)
    if size > MAX_CRYPTOR_DATA:
        raise PubNubException("Cryptor data is too long")
    if size < 255:
        length = bytes((size,))
    else:
        length = b"\xff" + size.to_bytes(2, "big")
    return SENTINEL + bytes((HEADER_VERSION,)) + cryptor_id.encode("ascii") + length + cryptor_data


def decode_header(data):
    """Parse the ``PNED`` header at the start of ``data`` (the whole payload, header and body).

    Returns ``None`` when ``data`` does not start with ``b"PNED"`` (legacy payload, no header),
    else a ``CryptoHeader``. Strict: a header version other than 1 raises ``PubNubException(
    'unknown cryptor error')``; a header cut short anywhere — including cryptor data shorter than
    its declared length — raises ``PubNubException('decryption error')``.
    """
    if data[:4] != SENTINEL:
        return None
    size = len(data)
    if size < 5:
        raise decryption_error()
    version = data[4]
    if version != HEADER_VERSION:
        # Version 0 is not a version either (the official SDK accepts it; other SDKs do not).
        raise PubNubException(UNKNOWN_CRYPTOR_ERROR)
    if size < 10:
        raise decryption_error()
    cryptor_id = data[5:9]
    data_len = data[9]
    start = 10
    if data_len == 255:
        if size < 12:
            raise decryption_error()
        data_len = (data[10] << 8) | data[11]
        start = 12
    end = start + data_len
    if end > size:
        raise decryption_error()
    try:
        cryptor_id = cryptor_id.decode("ascii")
    except UnicodeDecodeError:
        raise PubNubException(UNKNOWN_CRYPTOR_ERROR) from None
    return CryptoHeader(
        sentinel=SENTINEL,
        header_ver=version,
        cryptor_id=cryptor_id,
        cryptor_data=bytes(data[start:end]),
        length=end,
    )


class _KeyCache:
    """Small bounded cache ``cipher_key -> derived AES key`` (derivation is a SHA-256)."""

    __slots__ = ("_derive", "_keys")
    LIMIT = 64

    def __init__(self, derive):
        self._derive = derive
        self._keys = {}

    def get(self, cipher_key):
        key = self._keys.get(cipher_key)
        if key is None:
            key = self._derive(cipher_key)
            if len(self._keys) >= self.LIMIT:
                self._keys.clear()
            self._keys[cipher_key] = key
        return key


# --- public classes ------------------------------------------------------------------------------

class CryptoHeader(dict):
    """A decoded ``PNED`` header: keys ``sentinel``, ``header_ver``, ``cryptor_id``,
    ``cryptor_data``, ``length`` (total header length in bytes)."""


class CryptorPayload(dict):
    """What a cryptor produces and consumes: keys ``data`` (bytes) and ``cryptor_data`` (bytes,
    the IV for the built-in cryptors)."""


class PubNubCrypto:
    """Base of the message cryptors of ``pubnub_fast.crypto`` (holds the configuration)."""

    def __init__(self, pubnub_config):
        self.pubnub_configuration = pubnub_config

    def encrypt(self, key, msg):
        raise NotImplementedError

    def decrypt(self, key, msg):
        raise NotImplementedError


class PubNubCryptor:
    """Base of the cryptors a ``PubNubCryptoModule`` dispatches to by 4-character ``CRYPTOR_ID``.

    A custom cryptor implements ``encrypt(data: bytes) -> CryptorPayload`` and
    ``decrypt(payload: CryptorPayload, binary_mode=False)`` (bytes when ``binary_mode``, else
    text), like the official SDK's.
    """

    CRYPTOR_ID: Any = None

    def encrypt(self, data, **kwargs):
        raise NotImplementedError

    def decrypt(self, payload, binary_mode=False, **kwargs):
        raise NotImplementedError


def _check_cipher_key(cipher_key):
    if not cipher_key:
        raise PubNubException("No cipher_key passed")
    if not isinstance(cipher_key, (str, bytes)):
        raise TypeError("cipher_key must be a str, not %s" % type(cipher_key).__name__)


class _BuiltinCryptor(PubNubCryptor):
    """Common key and IV handling of the two built-in cryptors."""

    _derive: Any = None  # staticmethod: cipher_key -> AES key

    def __init__(self, cipher_key, random_bytes=None):
        _check_cipher_key(cipher_key)
        self._cipher_key = cipher_key
        self._key = type(self)._derive(cipher_key)
        self._other_keys = _KeyCache(type(self)._derive)
        #: IV source ``callable(n) -> bytes``; ``None`` means the twin's CSPRNG.
        self.random_bytes = random_bytes

    @property
    def cipher_key(self):
        return self._cipher_key

    @cipher_key.setter
    def cipher_key(self, cipher_key):
        _check_cipher_key(cipher_key)
        self._key = type(self)._derive(cipher_key)
        self._cipher_key = cipher_key

    def _key_for(self, key):
        if key is None or key == self._cipher_key:
            return self._key
        return self._other_keys.get(key)

    def _new_iv(self):
        source = self.random_bytes
        return _random_bytes(16) if source is None else source(16)


class PubNubLegacyCryptor(_BuiltinCryptor):
    """The legacy cryptor (id ``0000``): key = first 32 hex digits of ``sha256(cipher_key)``.

    Static IV ``0123456789012345`` unless ``use_random_iv``; with a random IV the 16 IV bytes
    precede the ciphertext. Its output carries no ``PNED`` header.
    """

    CRYPTOR_ID = "0000"
    Initial16bytes = STATIC_IV
    _derive: Any = staticmethod(lambda cipher_key: _legacy_key(cipher_key))

    def __init__(self, cipher_key, use_random_iv=False, cipher_mode=MODE_CBC, fallback_cipher_mode=None,
                 *, random_bytes=None):
        check_cipher_modes(cipher_mode, fallback_cipher_mode)
        super().__init__(cipher_key, random_bytes)
        self.use_random_iv = bool(use_random_iv)
        self.mode = cipher_mode or MODE_CBC
        self.fallback_mode = fallback_cipher_mode
        #: plain AES-CBC without fallback: the twins' one-call base64 paths apply
        self._cbc_only = self.mode == MODE_CBC and fallback_cipher_mode in (None, MODE_CBC)

    def encrypt(self, msg, key=None, use_random_iv=None, **kwargs):
        """Encrypt ``msg`` (bytes, or str as UTF-8); ``data`` includes the IV in random-IV mode."""
        aes_key = self._key_for(key)
        data = as_bytes(msg, "msg")
        if use_random_iv or self.use_random_iv:
            iv = self._new_iv()
            return CryptorPayload(data=iv + aes_encrypt(self.mode, aes_key, iv, data), cryptor_data=iv)
        return CryptorPayload(data=aes_encrypt(self.mode, aes_key, STATIC_IV, data), cryptor_data=STATIC_IV)

    def decrypt(self, payload, key=None, use_random_iv=False, binary_mode=False, **kwargs):
        """Decrypt ``payload['data']``: bytes with ``binary_mode``, else the JSON value or text."""
        data = as_bytes(payload["data"], "payload data")
        try:
            plain = self._decrypt_modes(self._key_for(key), data, use_random_iv or self.use_random_iv)
        except DecryptionError as exc:
            raise decryption_error() from exc
        if binary_mode:
            return plain
        return decode_plaintext(plain)

    @staticmethod
    def _decrypt(aes_key, data, random_iv, mode=MODE_CBC):
        if random_iv:
            if len(data) < 16:
                raise DecryptionError("input is shorter than its 16-byte IV")
            return aes_decrypt(mode, aes_key, data[:16], data[16:])
        return aes_decrypt(mode, aes_key, STATIC_IV, data)

    def _decrypt_modes(self, aes_key, data, random_iv):
        """Decrypt with ``mode``; if that fails and a ``fallback_mode`` is set, with that."""
        try:
            return self._decrypt(aes_key, data, random_iv, self.mode)
        except DecryptionError:
            if self.fallback_mode is None or self.fallback_mode == self.mode:
                raise
            return self._decrypt(aes_key, data, random_iv, self.fallback_mode)

    # --- hooks used by PubNubCryptoModule (no PubNubException translation here) ---------------

    def _encrypt_message(self, text):
        """base64 of the encrypted ``text`` (no header for this cryptor)."""
        if self.mode != MODE_CBC:
            return _b64encode(self.encrypt(text)["data"])
        if self.use_random_iv:
            source = self.random_bytes
            return _encrypt_b64(self._key, None if source is None else source(16), text, b"", True)
        return _encrypt_b64(self._key, STATIC_IV, text)

    def _decrypt_message_b64(self, text):
        if not self._cbc_only:
            return self._decrypt_modes(self._key, _b64decode(text), self.use_random_iv)
        return _decrypt_b64(self._key, text, None if self.use_random_iv else STATIC_IV)

    def _encrypt_data(self, data):
        """``(cryptor_data, body)``: the module writes no header for ``0000``."""
        payload = self.encrypt(data)
        return payload["cryptor_data"], payload["data"]

    def _decrypt_data(self, body, cryptor_data):
        return self._decrypt_modes(self._key, body, self.use_random_iv)


class PubNubAesCbcCryptor(_BuiltinCryptor):
    """The ``ACRH`` cryptor: AES-256-CBC with key ``sha256(cipher_key)`` (raw 32 bytes) and a
    random 16-byte IV carried as the header's cryptor data."""

    CRYPTOR_ID = "ACRH"
    mode = MODE_CBC
    _derive: Any = staticmethod(lambda cipher_key: _acrh_key(cipher_key))
    # Header up to and including the length byte of a 16-byte cryptor data (the IV).
    _HEADER_BEFORE_IV = SENTINEL + bytes((HEADER_VERSION,)) + b"ACRH" + b"\x10"

    def __init__(self, cipher_key, *, random_bytes=None):
        super().__init__(cipher_key, random_bytes)

    def get_initialization_vector(self):
        """A fresh 16-byte IV from the configured source."""
        return self._new_iv()

    def encrypt(self, data, key=None, **kwargs):
        """Encrypt ``data`` (bytes, or str as UTF-8): ``data`` = ciphertext, ``cryptor_data`` = IV."""
        iv = self._new_iv()
        return CryptorPayload(data=_aes_cbc_encrypt(self._key_for(key), iv, as_bytes(data, "data")), cryptor_data=iv)

    def decrypt(self, payload, key=None, binary_mode=False, **kwargs):
        """Decrypt a payload: bytes with ``binary_mode``, else the text (str)."""
        try:
            plain = self._decrypt(self._key_for(key), as_bytes(payload["data"], "payload data"),
                                  payload.get("cryptor_data"))
        except DecryptionError as exc:
            raise decryption_error() from exc
        if binary_mode:
            return plain
        return utf8_text(plain)

    @staticmethod
    def _decrypt(aes_key, body, iv):
        if not isinstance(iv, bytes) or len(iv) != 16:
            raise DecryptionError("ACRH cryptor data must be the 16-byte IV")
        return _aes_cbc_decrypt(aes_key, iv, body)

    # --- hooks used by PubNubCryptoModule ----------------------------------------------------

    def _encrypt_message(self, text):
        source = self.random_bytes
        return _encrypt_b64(self._key, None if source is None else source(16), text, self._HEADER_BEFORE_IV, True)

    def _decrypt_message_b64(self, text):
        """Decrypt base64 ``text`` already known to start with the 10-byte header of a 16-byte IV."""
        return _decrypt_b64(self._key, text, None, 10)

    def _encrypt_data(self, data):
        iv = self._new_iv()
        return iv, _aes_cbc_encrypt(self._key, iv, data)

    def _decrypt_data(self, body, cryptor_data):
        return self._decrypt(self._key, body, cryptor_data)
