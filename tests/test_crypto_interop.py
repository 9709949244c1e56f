"""Interop with the official SDK (``pubnub==10.8.0``, test-only peer): it decrypts what
pubnub_fast encrypts and pubnub_fast decrypts what it encrypts — legacy static IV, legacy random
IV, the ``ACRH`` crypto module and file crypto, in both directions, on both crypto twins.

The official module decodes JSON twice (its legacy cryptor already returns ``json.loads`` of the
text, the module loads that again), so a JSON *string* whose content is itself JSON (``"\\"5\\""``)
comes back as ``5`` from it. pubnub_fast decodes once; message values here are containers or
strings that are not JSON, where both agree.
"""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pubnub = pytest.importorskip("pubnub")

from pubnub import crypto as official
from pubnub.pnconfiguration import PNConfiguration as OfficialConfig

from pubnub_fast import crypto as fast
from pubnub_fast import crypto_core

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class Config:
    def __init__(self, cipher_key, use_random_initialization_vector):
        self.cipher_key = cipher_key
        self.use_random_initialization_vector = use_random_initialization_vector
        self.cipher_mode = 2
        self.fallback_cipher_mode = None


def official_config(cipher_key, random_iv):
    config = OfficialConfig()
    config.uuid = "interop"
    config.cipher_key = cipher_key
    config.use_random_initialization_vector = random_iv
    return config


@pytest.fixture
def twin(crypto_impl):
    previous = crypto_core._impl
    crypto_core._use_twin(crypto_impl)
    yield crypto_impl
    crypto_core._use_twin(previous)


scalars = st.none() | st.booleans() | st.integers(-(10 ** 12), 10 ** 12) | st.text(max_size=40)
containers = st.recursive(
    st.lists(scalars, max_size=4) | st.dictionaries(st.text(max_size=10), scalars, max_size=4),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=15,
)
cipher_keys = st.text(min_size=1, max_size=24)

PLAIN_STRINGS = ["Hello world", "not json at all", "\u00dcber \U0001f643 \u6f22\u8a9e", "x" * 3000]


def _messages(value):
    # ensure_ascii on and off: both SDKs must cope with raw UTF-8 plaintexts too
    return {json.dumps(value), json.dumps(value, ensure_ascii=False, separators=(",", ":"))}


# --- legacy cryptor (PubNubCryptodome), static and random IV ---------------------------------------

@pytest.mark.parametrize("random_iv", [False, True], ids=["static_iv", "random_iv"])
@SETTINGS
@given(cipher_key=cipher_keys, value=containers)
def test_legacy_cryptodome_both_ways(twin, random_iv, cipher_key, value):
    ours = fast.PubNubCryptodome(Config(cipher_key, random_iv))
    theirs = official.PubNubCryptodome(official_config(cipher_key, random_iv))
    for message in _messages(value):
        assert theirs.decrypt(cipher_key, ours.encrypt(cipher_key, message)) == value
        assert ours.decrypt(cipher_key, theirs.encrypt(cipher_key, message)) == value


@pytest.mark.parametrize("random_iv", [False, True], ids=["static_iv", "random_iv"])
def test_legacy_plain_strings_both_ways(twin, random_iv):
    ours = fast.PubNubCryptodome(Config("enigma", random_iv))
    theirs = official.PubNubCryptodome(official_config("enigma", random_iv))
    for text in PLAIN_STRINGS:
        assert theirs.decrypt("enigma", ours.encrypt("enigma", text)) == text
        assert ours.decrypt("enigma", theirs.encrypt("enigma", text)) == text


def test_legacy_static_iv_is_byte_identical(twin):
    ours = fast.PubNubCryptodome(Config("testKey", False))
    theirs = official.PubNubCryptodome(official_config("testKey", False))
    for message in ('"hi"', '{"a": 1}', "plain", "\u00e9" * 40):
        assert ours.encrypt("testKey", message) == theirs.encrypt("testKey", message)


# --- legacy cryptor inside the crypto module ----------------------------------------------------

@pytest.mark.parametrize("random_iv", [False, True], ids=["static_iv", "random_iv"])
@SETTINGS
@given(cipher_key=cipher_keys, value=containers)
def test_legacy_module_both_ways(twin, random_iv, cipher_key, value):
    ours = fast.LegacyCryptoModule(Config(cipher_key, random_iv))
    theirs = official.LegacyCryptoModule(official_config(cipher_key, random_iv))
    for message in _messages(value):
        assert theirs.decrypt(ours.encrypt(message)) == value
        assert ours.decrypt(theirs.encrypt(message)) == value
        # and the v4 API on either side reads module output
        assert official.PubNubCryptodome(official_config(cipher_key, random_iv)).decrypt(
            cipher_key, ours.encrypt(message)) == value


# --- ACRH crypto module -----------------------------------------------------------------------

@SETTINGS
@given(cipher_key=cipher_keys, value=containers, random_iv=st.booleans())
def test_acrh_module_both_ways(twin, cipher_key, value, random_iv):
    ours = fast.AesCbcCryptoModule(Config(cipher_key, random_iv))
    theirs_acrh = official.AesCbcCryptoModule(official_config(cipher_key, random_iv))
    theirs_legacy = official.LegacyCryptoModule(official_config(cipher_key, random_iv))
    for message in _messages(value):
        encrypted = ours.encrypt(message)
        assert encrypted.startswith("UE5FRAFBQ1JI")
        assert theirs_acrh.decrypt(encrypted) == value
        assert theirs_legacy.decrypt(encrypted) == value
        assert ours.decrypt(theirs_acrh.encrypt(message)) == value
        assert fast.LegacyCryptoModule(Config(cipher_key, random_iv)).decrypt(theirs_acrh.encrypt(message)) == value


def test_acrh_plain_strings_both_ways(twin):
    ours = fast.AesCbcCryptoModule(Config("enigma", True))
    theirs = official.AesCbcCryptoModule(official_config("enigma", True))
    for text in PLAIN_STRINGS:
        assert theirs.decrypt(ours.encrypt(text)) == text
        assert ours.decrypt(theirs.encrypt(text)) == text


# --- files --------------------------------------------------------------------------------------

@SETTINGS
@given(cipher_key=cipher_keys, data=st.binary(min_size=1, max_size=3000))
def test_file_crypto_both_ways(twin, cipher_key, data):
    ours = fast.PubNubFileCrypto(Config(cipher_key, True))
    theirs = official.PubNubFileCrypto(official_config(cipher_key, True))
    assert theirs.decrypt(cipher_key, ours.encrypt(cipher_key, data)) == data
    assert ours.decrypt(cipher_key, theirs.encrypt(cipher_key, data)) == data


@SETTINGS
@given(cipher_key=cipher_keys, data=st.binary(min_size=1, max_size=3000), random_iv=st.booleans(),
       acrh=st.booleans())
def test_module_files_both_ways(twin, cipher_key, data, random_iv, acrh):
    ours_cls = fast.AesCbcCryptoModule if acrh else fast.LegacyCryptoModule
    theirs_cls = official.AesCbcCryptoModule if acrh else official.LegacyCryptoModule
    ours = ours_cls(Config(cipher_key, random_iv))
    theirs = theirs_cls(official_config(cipher_key, random_iv))
    assert theirs.decrypt_file(ours.encrypt_file(data)) == data
    assert ours.decrypt_file(theirs.encrypt_file(data)) == data
    if random_iv and not acrh:
        # module legacy layout (IV + ciphertext) is the PubNubFileCrypto layout
        assert official.PubNubFileCrypto(official_config(cipher_key, True)).decrypt(
            cipher_key, ours.encrypt_file(data)) == data


def test_large_file_both_ways(twin):
    data = bytes(range(256)) * 600  # ~150 KiB
    ours = fast.AesCbcCryptoModule(Config("big", True))
    theirs = official.AesCbcCryptoModule(official_config("big", True))
    assert theirs.decrypt_file(ours.encrypt_file(data)) == data
    assert ours.decrypt_file(theirs.encrypt_file(data)) == data
