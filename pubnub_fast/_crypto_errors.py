"""The low-level crypto error shared by both crypto twins.

``pubnub_fast._crypto_py`` and the compiled ``pubnub_fast._crypto_c`` both raise (and re-export)
this one class, so ``except DecryptionError`` works whichever twin is loaded. The public layer
(``pubnub_fast.crypto``) translates it into ``PubNubException('decryption error')``.
"""

__all__ = ["DecryptionError"]


class DecryptionError(ValueError):
    """Input that cannot be decrypted: bad base64, a wrong length, bad PKCS#7 padding.

    The message says which check failed; it never contains key material or plaintext.
    """
