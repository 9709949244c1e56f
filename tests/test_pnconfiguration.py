"""PNConfiguration: defaults, aliases, validation with clear errors, helpers."""
import pytest

from pubnub_fast.enums import PNHeartbeatNotificationOptions, PNReconnectionPolicy
from pubnub_fast.pnconfiguration import PNConfiguration


def test_constructor_keywords():
    config = PNConfiguration(subscribe_key="s", publish_key="p", uuid="u", ssl=True, origin="127.0.0.1:8090")
    assert (config.subscribe_key, config.publish_key, config.uuid, config.ssl) == ("s", "p", "u", True)
    assert config.scheme_and_host() == "https://127.0.0.1:8090"
    assert config.port == 8090
    with pytest.raises(TypeError, match="did you mean 'subscribe_key'"):
        PNConfiguration(subscribe_kye="s")


def test_v10_defaults():
    config = PNConfiguration()
    assert config.use_random_initialization_vector is True
    assert config.maximum_reconnection_retries == -1
    assert config.presence_timeout == 300 and config.heartbeat_interval == 280
    assert config.heartbeat_default_values is True
    assert config.uuid is None and config.user_id is None
    assert config.ssl is True  # decisions §3
    assert config.scheme() == "https" and config.port == 443


def test_user_id_is_an_alias_of_uuid():
    config = PNConfiguration()
    config.user_id = "someone"
    assert config.uuid == "someone"
    config.uuid = "other"
    assert config.user_id == "other"


@pytest.mark.parametrize("value, error", [("", ValueError), ("   ", ValueError), (5, TypeError), (b"x", TypeError)])
def test_bad_uuid_raises(value, error):
    config = PNConfiguration()
    with pytest.raises(error, match="uuid"):
        config.uuid = value
    with pytest.raises(error, match="user_id"):
        config.user_id = value


def test_validate_generates_uuid_with_warning():
    config = PNConfiguration()
    with pytest.warns(UserWarning, match="SDK generated uuid"):
        config.validate()
    assert isinstance(config.uuid, str) and config.uuid
    first = config.uuid
    config.validate()  # no second warning, no new uuid
    assert config.uuid == first


@pytest.mark.parametrize("name, value, error", [
    ("ssl", "yes", TypeError),
    ("ssl", 1, TypeError),
    ("connect_timeout", -1, ValueError),
    ("connect_timeout", 0, ValueError),
    ("connect_timeout", "5", TypeError),
    ("connect_timeout", True, TypeError),
    ("connect_timeout", float("nan"), ValueError),
    ("subscribe_timeout", -5, ValueError),
    ("subscribe_request_timeout", None, TypeError),
    ("non_subscribe_timeout", 0, ValueError),
    ("non_subscribe_request_timeout", [], TypeError),
    ("subscribe_key", 123, TypeError),
    ("publish_key", b"pub", TypeError),
    ("secret_key", 1.5, TypeError),
    ("cipher_key", 42, TypeError),
    ("auth_key", {}, TypeError),
    ("filter_expression", 3, TypeError),
    ("origin", "ftp://ps.pndsn.com", ValueError),
    ("origin", "https://", ValueError),
    ("origin", "host/path", ValueError),
    ("origin", 80, TypeError),
    ("heartbeat_notification_options", 7, ValueError),
    ("heartbeat_notification_options", "ALL", ValueError),
    ("reconnect_policy", 0, ValueError),
    ("maximum_reconnection_retries", -2, ValueError),
    ("maximum_reconnection_retries", 1.5, ValueError),
    ("suppress_leave_events", "no", TypeError),
    ("enable_subscribe", None, TypeError),
    ("daemon", 0, TypeError),
    ("disable_token_manager", "false", TypeError),
    ("use_random_initialization_vector", 1, TypeError),
    ("cipher_mode", 6, ValueError),
])
def test_bad_values_raise_naming_the_attribute(name, value, error):
    config = PNConfiguration()
    before = getattr(config, name)
    with pytest.raises(error, match=name):
        setattr(config, name, value)
    assert getattr(config, name) == before  # nothing changed


def test_aliases():
    config = PNConfiguration()
    config.subscribe_timeout = 100
    assert config.subscribe_request_timeout == 100
    config.non_subscribe_timeout = 7.5
    assert config.non_subscribe_request_timeout == 7.5
    config.heartbeat_notification_options = PNHeartbeatNotificationOptions.All
    assert config.heartbeat_notification_options is PNHeartbeatNotificationOptions.ALL
    config.heartbeat_notification_options = 1
    assert config.heartbeat_notification_options is PNHeartbeatNotificationOptions.NONE
    config.reconnect_policy = PNReconnectionPolicy.EXPONENTIAL
    assert config.reconnect_policy == 3


def test_origin_none_falls_back():
    config = PNConfiguration()
    config.origin = None
    assert config.base_origin == "pubsub.pubnub.com"
    config.origin = "127.0.0.1:9000"
    config.ssl = False
    assert config.scheme_and_host() == "http://127.0.0.1:9000"
    config.ssl = True
    assert config.scheme_extended() == "https://"
    assert config.port == 9000


def test_origin_with_a_scheme_decides_the_scheme():
    """PubNub SDK 10.8 accepts ``origin="https://…"``; the scheme given there wins over ``ssl``."""
    config = PNConfiguration()
    config.origin = "http://127.0.0.1:9000/"
    assert config.origin == "http://127.0.0.1:9000/"
    assert (config.scheme_and_host(), config.base_origin, config.port) == ("http://127.0.0.1:9000", "127.0.0.1:9000",
                                                                           9000)
    config.origin = "https://ps.example.com"
    config.ssl = False
    assert (config.scheme_and_host(), config.port) == ("https://ps.example.com", 443)


def test_cipher_key_bytes_connect_timeout_none_and_gcm_are_accepted():
    config = PNConfiguration(cipher_key=b"testKey", connect_timeout=None, cipher_mode=11)
    assert config.cipher_key == "testKey" and config.connect_timeout is None and config.cipher_mode == 11
    assert PNConfiguration.ALLOWED_AES_MODES == [2, 11]
    with pytest.raises(ValueError, match="UTF-8"):
        config.cipher_key = b"\xff"
    with pytest.raises(ValueError, match="AES-CBC"):
        config.cipher_mode = 6
    from pubnub_fast.crypto import LegacyCryptoModule

    assert PNConfiguration.DEFAULT_CRYPTO_MODULE is LegacyCryptoModule


def test_presence_timeout_helpers():
    config = PNConfiguration()
    config.set_presence_timeout(20)
    assert config.presence_timeout == 20
    assert config.heartbeat_interval == 9.0
    assert config.heartbeat_default_values is False
    config.set_presence_timeout_with_custom_interval(120, 50)
    assert (config.presence_timeout, config.heartbeat_interval) == (120, 50)
    with pytest.raises(ValueError, match="heartbeat_interval"):
        config.set_presence_timeout_with_custom_interval(60, 60)
    with pytest.raises(ValueError, match="presence_timeout"):
        config.set_presence_timeout(-1)


def test_unknown_attribute_warns():
    config = PNConfiguration()
    with pytest.warns(UserWarning, match="did you mean 'subscribe_key'"):
        config.subscribe_kye = "x"


def test_copy_and_lock():
    config = PNConfiguration(subscribe_key="s", uuid="u")
    config.lock()
    with pytest.warns(UserWarning, match="locked"):
        config.subscribe_key = "other"
    assert config.subscribe_key == "s"
    clone = config.copy()
    clone.subscribe_key = "other"
    assert clone.subscribe_key == "other" and config.subscribe_key == "s"
    assert clone.uuid == "u"


def test_crypto_module_validation():
    config = PNConfiguration()
    with pytest.raises(TypeError, match="crypto_module"):
        config.crypto_module = "not a module"
    assert config.message_crypto_module() is None


def test_repr_hides_secrets():
    config = PNConfiguration(subscribe_key="s", uuid="u", secret_key="topsecret", cipher_key="c")
    assert "topsecret" not in repr(config)
    assert "'s'" in repr(config)
