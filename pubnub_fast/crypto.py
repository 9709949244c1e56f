"""Message and file encryption (``pubnub.crypto`` compatible).

* ``PubNubCryptodome(config)`` — the v4 message cryptor: ``encrypt(key, msg) -> str`` (base64),
  ``decrypt(key, msg) -> JSON value or str``. Legacy key derivation; random IV (prepended) when
  ``config.use_random_initialization_vector`` (default True) or ``use_random_iv=True``, else the
  static IV ``0123456789012345``.
* ``PubNubFileCrypto(config)`` — legacy file cryptor: ``encrypt(key, bytes) -> IV + ciphertext``,
  ``decrypt(key, bytes) -> bytes``.
* ``PubNubCryptoModule(cryptor_map, default_cryptor)`` — the v10 crypto module: encrypts with the
  default cryptor, decrypts whatever cryptor the payload's ``PNED`` header names (no header means
  the legacy cryptor ``0000``). ``LegacyCryptoModule(config)`` encrypts legacy,
  ``AesCbcCryptoModule(config)`` encrypts ``ACRH``; each decrypts both.

Every class takes an optional keyword-only ``random_bytes=callable(n) -> bytes`` IV source
(default: the crypto twin's CSPRNG) — tests pin it to get known-answer ciphertexts.

Errors are ``PubNubException`` with the SDK's messages: ``'decryption error'`` (any input that
does not decrypt: bad base64, wrong length, bad padding / wrong key, invalid UTF-8, truncated
header, no data), ``'unknown cryptor error'`` (header names a cryptor the module does not have,
or an unknown header version), ``'encryption error'`` (empty input to a module),
``'Malformed cryptor id'``, ``'Cryptor data is too long'``. The low-level cause is chained
(``__cause__``). Decrypted text that is not JSON is returned as the plain string, as the SDK
documents; JSON is decoded exactly once.
"""
import hashlib

from pubnub_fast import crypto_core as _core
from pubnub_fast._crypto_errors import DecryptionError
from pubnub_fast.crypto_core import (  # noqa: F401 - CryptoHeader, PubNubCryptor: importable here as in pubnub.crypto
    MODE_CBC,
    STATIC_IV,
    CryptoHeader,
    CryptorPayload,
    PubNubAesCbcCryptor,
    PubNubCrypto,
    PubNubCryptor,
    PubNubLegacyCryptor,
    check_cipher_modes,
    decryption_error,
    decode_plaintext,
    json_or_text,
    utf8_text,
)
from pubnub_fast.exceptions import PubNubException

__all__ = [
    "PubNubCryptodome",
    "PubNubFileCrypto",
    "PubNubCryptoModule",
    "LegacyCryptoModule",
    "AesCbcCryptoModule",
]

#: The static IV as text (``pubnub.crypto.Initial16bytes``).
Initial16bytes = STATIC_IV.decode("ascii")


# base64 characters with values 0..15
_B64_0_TO_15 = frozenset("ABCDEFGHIJKLMNOP")


def _config_value(config, name, default):
    return getattr(config, name, default)


class PubNubCryptodome(PubNubCrypto):
    """Legacy message cryptor: ``encrypt(key, msg, use_random_iv=False) -> base64 str`` and
    ``decrypt(key, msg, use_random_iv=False) -> JSON value or str``.

    ``msg`` is the text to encrypt (the JSON form of a message), str or bytes. A random IV is
    used (and written before the ciphertext) when ``use_random_iv`` or the configuration's
    ``use_random_initialization_vector`` is true — the configuration is read on every call.
    """

    mode = MODE_CBC
    fallback_mode = None

    def __init__(self, pubnub_config, *, random_bytes=None):
        super().__init__(pubnub_config)
        self.mode = _config_value(pubnub_config, "cipher_mode", MODE_CBC)
        self.fallback_mode = _config_value(pubnub_config, "fallback_cipher_mode", None)
        check_cipher_modes(self.mode, self.fallback_mode)
        #: IV source ``callable(n) -> bytes``; ``None`` means the twin's CSPRNG.
        self.random_bytes = random_bytes
        self._keys = _core._KeyCache(lambda cipher_key: _core._legacy_key(cipher_key))

    def _random_iv(self, use_random_iv):
        return use_random_iv or _config_value(self.pubnub_configuration, "use_random_initialization_vector", True)

    def get_secret(self, key):
        """Hex SHA-256 of ``key`` (the first 32 characters are the AES key)."""
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def encrypt(self, key, msg, use_random_iv=False):
        aes_key = self._keys.get(key)
        random_iv = use_random_iv or _config_value(self.pubnub_configuration, "use_random_initialization_vector", True)
        if self.mode != MODE_CBC:
            data = _core.as_bytes(msg, "msg")
            if random_iv:
                source = self.random_bytes
                iv = _core._random_bytes(16) if source is None else source(16)
                return _core._b64encode(iv + _core.aes_encrypt(self.mode, aes_key, iv, data))
            return _core._b64encode(_core.aes_encrypt(self.mode, aes_key, STATIC_IV, data))
        if random_iv:
            source = self.random_bytes
            return _core._encrypt_b64(aes_key, None if source is None else source(16), msg, b"", True)
        return _core._encrypt_b64(aes_key, STATIC_IV, msg)

    def decrypt(self, key, msg, use_random_iv=False):
        aes_key = self._keys.get(key)
        random_iv = self._random_iv(use_random_iv)
        try:
            if self.mode != MODE_CBC or self.fallback_mode not in (None, MODE_CBC):
                plain = self._decrypt_modes(aes_key, _core._b64decode(msg), random_iv)
            elif random_iv:
                plain = _core._decrypt_b64(aes_key, msg)
            else:
                plain = _core._decrypt_b64(aes_key, msg, STATIC_IV)
        except DecryptionError as exc:
            raise decryption_error() from exc
        return decode_plaintext(plain)

    def _decrypt_modes(self, aes_key, data, random_iv):
        try:
            return PubNubLegacyCryptor._decrypt(aes_key, data, random_iv, self.mode)
        except DecryptionError:
            if self.fallback_mode is None or self.fallback_mode == self.mode:
                raise
            return PubNubLegacyCryptor._decrypt(aes_key, data, random_iv, self.fallback_mode)


class PubNubFileCrypto(PubNubCryptodome):
    """Legacy file cryptor: ``encrypt(key, data) -> IV + ciphertext`` (raw bytes, the IV is
    always written) and ``decrypt(key, data) -> bytes``.

    The IV is random unless both ``use_random_iv`` and the configuration's
    ``use_random_initialization_vector`` are false (then the static IV is written); ``decrypt``
    reads the IV from the first 16 bytes under the same rule, else uses the static IV.
    """

    def encrypt(self, key, file, use_random_iv=True):
        aes_key = self._keys.get(key)
        data = _core.as_bytes(file, "file")
        if self._random_iv(use_random_iv):
            source = self.random_bytes
            iv = _core._random_bytes(16) if source is None else source(16)
        else:
            iv = STATIC_IV
        return iv + _core._aes_cbc_encrypt(aes_key, iv, data)

    def decrypt(self, key, file, use_random_iv=True):
        aes_key = self._keys.get(key)
        data = _core.as_bytes(file, "file")
        try:
            return PubNubLegacyCryptor._decrypt(aes_key, data, self._random_iv(use_random_iv))
        except DecryptionError as exc:
            raise decryption_error() from exc


class PubNubCryptoModule(PubNubCrypto):
    """A crypto module: ``cryptor_map`` ``{CRYPTOR_ID: cryptor}`` and the cryptor (class or
    instance, anything with ``CRYPTOR_ID``) that encrypts.

    * ``encrypt(message: str, cryptor_id=None) -> str``: base64 of ``header + data`` (no header
      for the legacy cryptor ``0000``).
    * ``decrypt(message: str) -> JSON value or str``.
    * ``encrypt_file(data: bytes, cryptor_id=None) -> bytes`` / ``decrypt_file(data) -> bytes``:
      the same without base64.
    * ``encode_header(cryptor_id=None, cryptor_data=None) -> bytes`` /
      ``decode_header(data) -> CryptoHeader | None``.
    """

    FALLBACK_CRYPTOR_ID = "0000"

    def __init__(self, cryptor_map, default_cryptor):
        super().__init__(None)
        self.cryptor_map = cryptor_map
        self.default_cryptor_id = default_cryptor.CRYPTOR_ID

    def _validate_cryptor_id(self, cryptor_id):
        cryptor_id = cryptor_id or self.default_cryptor_id
        if not isinstance(cryptor_id, str) or len(cryptor_id) != 4:
            raise PubNubException("Malformed cryptor id")
        if cryptor_id not in self.cryptor_map:
            raise PubNubException(_core.UNKNOWN_CRYPTOR_ERROR)
        return cryptor_id

    # --- messages ----------------------------------------------------------------------------

    def encrypt(self, message, cryptor_id=None):
        if not message:
            raise PubNubException(_core.ENCRYPTION_ERROR)
        cryptor_id = self._validate_cryptor_id(cryptor_id)
        cryptor = self.cryptor_map[cryptor_id]
        fast = getattr(cryptor, "_encrypt_message", None)
        if fast is not None:
            return fast(message)
        data = _core.as_bytes(message, "message")
        payload = cryptor.encrypt(data)
        return _core._b64encode(self.encode_header(cryptor_id, payload["cryptor_data"]) + payload["data"])

    def decrypt(self, message):
        if type(message) is str:
            # Fast paths, decided on the base64 text itself. The first five characters encode
            # the first 30 bits, so text not starting "UE5FR" cannot start with b"PNED": legacy.
            # "UE5FRAFBQ1JI" is exactly b"PNED\x01ACRH"; then "E" + one of A-P is exactly a
            # length byte 0x10 (a 16-byte IV follows).
            if not message.startswith("UE5FR"):
                cryptor_id = self.FALLBACK_CRYPTOR_ID
            elif message.startswith("UE5FRAFBQ1JIE") and message[13:14] in _B64_0_TO_15:
                cryptor_id = PubNubAesCbcCryptor.CRYPTOR_ID
            else:
                cryptor_id = None
            fast = getattr(self.cryptor_map.get(cryptor_id), "_decrypt_message_b64", None)
            if fast is not None:
                try:
                    plain = fast(message)
                except DecryptionError as exc:
                    raise decryption_error() from exc
                return decode_plaintext(plain)
        try:
            data = _core._b64decode(message)
        except DecryptionError as exc:
            raise decryption_error() from exc
        cryptor, body, cryptor_data = self._split(data)
        hook = getattr(cryptor, "_decrypt_data", None)
        if hook is not None:
            try:
                plain = hook(body, cryptor_data)
            except DecryptionError as exc:
                raise decryption_error() from exc
            return decode_plaintext(plain)
        result = cryptor.decrypt(CryptorPayload(data=body, cryptor_data=cryptor_data))
        if isinstance(result, (bytes, bytearray)):
            result = utf8_text(bytes(result))
        return json_or_text(result) if isinstance(result, str) else result

    # --- files -------------------------------------------------------------------------------

    def encrypt_file(self, file_data, cryptor_id=None):
        data = _core.as_bytes(file_data, "file_data")
        if not data:
            raise PubNubException(_core.ENCRYPTION_ERROR)
        cryptor_id = self._validate_cryptor_id(cryptor_id)
        cryptor = self.cryptor_map[cryptor_id]
        hook = getattr(cryptor, "_encrypt_data", None)
        if hook is not None:
            cryptor_data, body = hook(data)
        else:
            payload = cryptor.encrypt(data)
            cryptor_data, body = payload["cryptor_data"], payload["data"]
        return self.encode_header(cryptor_id, cryptor_data) + body

    def decrypt_file(self, file_data):
        data = _core.as_bytes(file_data, "file_data")
        cryptor, body, cryptor_data = self._split(data)
        hook = getattr(cryptor, "_decrypt_data", None)
        if hook is not None:
            try:
                return hook(body, cryptor_data)
            except DecryptionError as exc:
                raise decryption_error() from exc
        return cryptor.decrypt(CryptorPayload(data=body, cryptor_data=cryptor_data), binary_mode=True)

    # --- header ------------------------------------------------------------------------------

    def encode_header(self, cryptor_id=None, cryptor_data=None):
        """The ``PNED`` header for ``cryptor_id`` (default: the module's) — ``b""`` for ``0000``."""
        if cryptor_data is not None and len(cryptor_data) > _core.MAX_CRYPTOR_DATA:
            raise PubNubException("Cryptor data is too long")
        cryptor_id = self._validate_cryptor_id(cryptor_id)
        if cryptor_id == self.FALLBACK_CRYPTOR_ID:
            return b""
        return _core.encode_header(cryptor_id, cryptor_data)

    def decode_header(self, header):
        """Parse the header at the start of ``header`` (a whole payload); ``None`` if there is none."""
        return _core.decode_header(_core.as_bytes(header, "header"))

    def _split(self, data):
        """``(cryptor, body, cryptor_data)`` for a decoded payload, strictly checked."""
        header = _core.decode_header(data)
        if header is None:
            cryptor_id, body, cryptor_data = self.FALLBACK_CRYPTOR_ID, data, None
        else:
            cryptor_id, body, cryptor_data = header["cryptor_id"], data[header["length"]:], header["cryptor_data"]
        if not body:
            raise decryption_error()
        cryptor = self.cryptor_map.get(cryptor_id)
        if cryptor is None:
            raise PubNubException(_core.UNKNOWN_CRYPTOR_ERROR)
        return cryptor, body, cryptor_data


def _builtin_cryptor_map(config, random_bytes):
    cipher_key = _config_value(config, "cipher_key", None)
    legacy = PubNubLegacyCryptor(
        cipher_key,
        _config_value(config, "use_random_initialization_vector", True),
        _config_value(config, "cipher_mode", MODE_CBC),
        _config_value(config, "fallback_cipher_mode", None),
        random_bytes=random_bytes,
    )
    aes_cbc = PubNubAesCbcCryptor(cipher_key, random_bytes=random_bytes)
    return {PubNubLegacyCryptor.CRYPTOR_ID: legacy, PubNubAesCbcCryptor.CRYPTOR_ID: aes_cbc}


class LegacyCryptoModule(PubNubCryptoModule):
    """Crypto module that encrypts with the legacy cryptor (``0000``; random IV per
    ``config.use_random_initialization_vector``) and decrypts legacy and ``ACRH`` payloads."""

    def __init__(self, config, *, random_bytes=None):
        super().__init__(_builtin_cryptor_map(config, random_bytes), PubNubLegacyCryptor)
        self.pubnub_configuration = config


class AesCbcCryptoModule(PubNubCryptoModule):
    """Crypto module that encrypts with ``ACRH`` (AES-256-CBC, ``PNED`` header) and decrypts
    ``ACRH`` and legacy payloads (legacy IV mode per ``config.use_random_initialization_vector``)."""

    def __init__(self, config, *, random_bytes=None):
        super().__init__(_builtin_cryptor_map(config, random_bytes), PubNubAesCbcCryptor)
        self.pubnub_configuration = config

