"""``PNConfiguration``: how a client talks to PubNub (``pubnub.pnconfiguration`` compatible).

Defaults follow PubNub's Twisted documentation (``ssl=False``, ``connect_timeout=5``,
``subscribe_timeout=310``, ``non_subscribe_request_timeout=10``, reconnection ``NONE``…) with
the v10 additions (``user_id``, crypto modules, reconnection limits). Every setting is checked
when it is assigned: a wrong type or value raises ``TypeError``/``ValueError`` naming the
attribute, so a mistake shows up where it is made, not as a failed request later.
"""
import copy as _copy
import difflib
import math
import uuid as _uuid_module
import warnings
from typing import Any, Callable, ClassVar, Dict, Generic, Optional, TypeVar, Union, overload

from pubnub_fast.enums import PNHeartbeatNotificationOptions, PNReconnectionPolicy

__all__ = ["PNConfiguration"]

#: ``cipher_mode`` value of AES-CBC (the value PyCryptodome uses for ``AES.MODE_CBC``).
MODE_CBC = 2
#: ``cipher_mode`` value of AES-GCM (PyCryptodome's ``AES.MODE_GCM``), accepted by PubNub SDK 10.8.
MODE_GCM = 11


# --- validators: (attribute name, value) -> value to store ---------------------------------------

def _type_name(value):
    return type(value).__name__


def _optional_str(name, value):
    if value is not None and not isinstance(value, str):
        raise TypeError("PNConfiguration.%s must be a str or None, not %s" % (name, _type_name(value)))
    return value


def _boolean(name, value):
    if not isinstance(value, bool):
        raise TypeError("PNConfiguration.%s must be True or False, not %r" % (name, value))
    return value


def _seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("PNConfiguration.%s must be a number of seconds, not %r" % (name, value))
    if not math.isfinite(value) or value <= 0:
        raise ValueError("PNConfiguration.%s must be a positive number of seconds, not %r" % (name, value))
    return value


def _optional_seconds(name, value):
    return None if value is None else _seconds(name, value)


def _enum(enum_class):
    def check(name, value):
        try:
            return enum_class(value)
        except ValueError:
            allowed = ", ".join("%s.%s" % (enum_class.__name__, m.name) for m in enum_class)
            raise ValueError("PNConfiguration.%s must be one of %s, not %r" % (name, allowed, value)) from None
    return check


def _retries(name, value):
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, int) or value < -1:
        raise ValueError("PNConfiguration.%s must be an int >= 0, or -1 for unlimited, not %r" % (name, value))
    return value


def _split_origin(value):
    """``(scheme or None, host[:port])`` of an ``origin`` setting."""
    scheme, sep, host = value.partition("://")
    if not sep:
        return None, value
    return scheme.lower(), host[:-1] if host.endswith("/") else host


def _pool_size(name, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("PNConfiguration.%s must be an int, not %s" % (name, _type_name(value)))
    if value < 1:
        raise ValueError("PNConfiguration.%s must be at least 1, not %r" % (name, value))
    return value


def _origin(name, value):
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError("PNConfiguration.origin must be a host name (str), not %s" % _type_name(value))
    scheme, host = _split_origin(value)
    if scheme not in (None, "http", "https") or not host or "/" in host or "://" in host \
            or any(c.isspace() for c in value):
        raise ValueError(
            "PNConfiguration.origin must be a host or host:port such as 'ps.pndsn.com' or "
            "'127.0.0.1:8090', optionally with http:// or https:// (which then decides the scheme "
            "instead of ssl), not %r" % value
        )
    return value


def _cipher_key(name, value):
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")  # the key is derived from its UTF-8 text either way
        except UnicodeDecodeError:
            raise ValueError("PNConfiguration.cipher_key given as bytes must be UTF-8 text") from None
    return _optional_str(name, value)


def _cipher_mode(name, value):
    if value is None and name == "fallback_cipher_mode":
        return None
    if value not in (MODE_CBC, MODE_GCM):
        raise ValueError("PNConfiguration.%s must be AES-CBC (%d) or AES-GCM (%d), not %r"
                         % (name, MODE_CBC, MODE_GCM, value))
    return value


def _user_id(name, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("PNConfiguration.%s must be a non-empty str, not %s" % (name, _type_name(value)))
    if not value.strip():
        raise ValueError("PNConfiguration.%s must be a non-empty str, not %r" % (name, value))
    return value


_T = TypeVar("_T")


class _Setting(Generic[_T]):
    """A checked configuration attribute with a default; reads as ``_T`` (for type checkers)."""

    def __init__(self, default: Any, check: Optional[Callable[[str, Any], Any]] = None, *,
                 resets_crypto: bool = False) -> None:
        self.default = default
        self.check = check
        self.resets_crypto = resets_crypto
        self.name: Any = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> "_Setting[_T]": ...

    @overload
    def __get__(self, obj: object, owner: Optional[type] = None) -> _T: ...

    def __get__(self, obj: Any, owner: Optional[type] = None) -> Any:
        if obj is None:
            return self
        return obj._values.get(self.name, self.default)

    def __set__(self, obj: Any, value: Any) -> None:
        self.assign(obj, value, self.name)

    def assign(self, obj, value, spelled):
        """Check and store ``value``; errors name the attribute as the user ``spelled`` it."""
        if obj._refuse_change(spelled):
            return
        if self.check is not None:
            value = self.check(spelled, value)
        obj._values[self.name] = value
        obj._derived.clear()
        if self.resets_crypto:
            obj._crypto_cache.clear()


class _Alias(Generic[_T]):
    """Another name for a setting (the documentation's spelling of the code's name)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.name: Any = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> "_Alias[_T]": ...

    @overload
    def __get__(self, obj: object, owner: Optional[type] = None) -> _T: ...

    def __get__(self, obj: Any, owner: Optional[type] = None) -> Any:
        if obj is None:
            return self
        return getattr(obj, self.target)

    def __set__(self, obj: Any, value: Any) -> None:
        getattr(type(obj), self.target).assign(obj, value, self.name)


class PNConfiguration:
    """Settings of one PubNub client.

    >>> config = PNConfiguration()
    >>> config.subscribe_key = "my_subkey"
    >>> config.publish_key = "my_pubkey"
    >>> config.uuid = "my_custom_uuid"

    ``subscribe_key``, ``publish_key``, ``uuid`` (alias ``user_id``) may also be given to the
    constructor, as may any other setting by keyword.
    """

    DEFAULT_PRESENCE_TIMEOUT = 300
    DEFAULT_HEARTBEAT_INTERVAL = 280
    DEFAULT_ORIGIN = "ps.pndsn.com"
    #: Used when ``origin`` is set to ``None`` or ``""`` (as PubNub's SDK does).
    FALLBACK_ORIGIN = "pubsub.pubnub.com"
    ALLOWED_AES_MODES = [MODE_CBC, MODE_GCM]
    #: ``pubnub_fast.crypto.LegacyCryptoModule`` (assigned at the end of this module)
    DEFAULT_CRYPTO_MODULE: ClassVar[Any]

    # keys and identity
    subscribe_key: _Setting[Optional[str]] = _Setting(None, _optional_str)
    publish_key: _Setting[Optional[str]] = _Setting(None, _optional_str)
    secret_key: _Setting[Optional[str]] = _Setting(None, _optional_str)
    cipher_key: _Setting[Optional[str]] = _Setting(None, _cipher_key, resets_crypto=True)
    auth_key: _Setting[Optional[str]] = _Setting(None, _optional_str)
    # transport
    origin: _Setting[Optional[str]] = _Setting(DEFAULT_ORIGIN, _origin)
    ssl: _Setting[bool] = _Setting(True, _boolean)  # decisions.md §3: True, as PubNub's SDKs
    # None: no connect timeout of its own (the request timeout still bounds the request)
    connect_timeout: _Setting[Optional[Union[int, float]]] = _Setting(5, _optional_seconds)
    subscribe_request_timeout: _Setting[Union[int, float]] = _Setting(310, _seconds)
    non_subscribe_request_timeout: _Setting[Union[int, float]] = _Setting(10, _seconds)
    subscribe_timeout: _Alias[Union[int, float]] = _Alias("subscribe_request_timeout")
    non_subscribe_timeout: _Alias[Union[int, float]] = _Alias("non_subscribe_request_timeout")
    should_compress: _Setting[bool] = _Setting(False, _boolean)
    #: connections kept per origin by the default transport (a long-poll, heartbeats, REST calls)
    connection_pool_size: _Setting[int] = _Setting(16, _pool_size)
    # subscription behaviour
    filter_expression: _Setting[Optional[str]] = _Setting(None, _optional_str)
    heartbeat_notification_options: _Setting[PNHeartbeatNotificationOptions] = _Setting(
        PNHeartbeatNotificationOptions.FAILURES, _enum(PNHeartbeatNotificationOptions))
    reconnect_policy: _Setting[PNReconnectionPolicy] = _Setting(PNReconnectionPolicy.NONE, _enum(PNReconnectionPolicy))
    maximum_reconnection_retries: _Setting[int] = _Setting(-1, _retries)
    reconnection_interval: _Setting[Optional[Union[int, float]]] = _Setting(None, _optional_seconds)
    maximum_reconnection_interval: _Setting[Optional[Union[int, float]]] = _Setting(None, _optional_seconds)
    suppress_leave_events: _Setting[bool] = _Setting(False, _boolean)
    enable_subscribe: _Setting[bool] = _Setting(True, _boolean)
    # Accepted for compatibility with PubNub's v10 SDK. Like PubNub's Twisted SDK, pubnub_fast sends
    # presence heartbeats every ``heartbeat_interval`` whenever it is subscribed, whatever this says.
    enable_presence_heartbeat: _Setting[bool] = _Setting(False, _boolean)
    heartbeat_default_values: _Setting[bool] = _Setting(True, _boolean)
    daemon: _Setting[bool] = _Setting(False, _boolean)
    disable_token_manager: _Setting[bool] = _Setting(False, _boolean)
    log_verbosity: _Setting[bool] = _Setting(False, _boolean)
    disable_config_locking: _Setting[bool] = _Setting(True, _boolean)
    # crypto
    use_random_initialization_vector: _Setting[bool] = _Setting(True, _boolean, resets_crypto=True)
    cipher_mode: _Setting[int] = _Setting(MODE_CBC, _cipher_mode, resets_crypto=True)
    fallback_cipher_mode: _Setting[Optional[int]] = _Setting(None, _cipher_mode, resets_crypto=True)
    cryptor: _Setting[Any] = _Setting(None, resets_crypto=True)
    file_cryptor: _Setting[Any] = _Setting(None, resets_crypto=True)
    crypto_instance: _Setting[Any] = _Setting(None)
    file_crypto_instance: _Setting[Any] = _Setting(None)

    _INTERNAL = frozenset(["_values", "_crypto_cache", "_locked", "_derived"])
    _values: Dict[str, Any]
    _crypto_cache: Dict[str, Any]
    _derived: Dict[str, Any]  # values computed from settings (cleared by every assignment)
    _locked: bool

    def __init__(self, subscribe_key: Optional[str] = None, publish_key: Optional[str] = None,
                 uuid: Optional[str] = None, **settings: Any) -> None:
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_crypto_cache", {})
        object.__setattr__(self, "_derived", {})
        object.__setattr__(self, "_locked", False)
        self._values["_uuid"] = None
        self._values["_presence_timeout"] = self.DEFAULT_PRESENCE_TIMEOUT
        self._values["_heartbeat_interval"] = self.DEFAULT_HEARTBEAT_INTERVAL
        self._values["_crypto_module"] = None
        if subscribe_key is not None:
            self.subscribe_key = subscribe_key
        if publish_key is not None:
            self.publish_key = publish_key
        if uuid is not None:
            self.uuid = uuid
        for name, value in settings.items():
            if not self._is_known(name):
                raise TypeError("PNConfiguration() got an unknown setting %r%s" % (name, self._suggest(name)))
            setattr(self, name, value)

    # --- attribute protection -----------------------------------------------------------------

    @classmethod
    def _is_known(cls, name):
        return isinstance(getattr(cls, name, None), (_Setting, _Alias, property))

    @classmethod
    def _suggest(cls, name):
        known = [n for n in dir(cls) if not n.startswith("_") and cls._is_known(n)]
        close = difflib.get_close_matches(name, known, n=1)
        return "; did you mean %r?" % close[0] if close else ""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._INTERNAL:
            object.__setattr__(self, name, value)
            return
        if not name.startswith("_") and not self._is_known(name):
            warnings.warn(
                "PNConfiguration has no setting %r%s; the value is stored but not used"
                % (name, self._suggest(name)),
                UserWarning,
                stacklevel=2,
            )
        object.__setattr__(self, name, value)

    def _refuse_change(self, name):
        if self._locked:
            warnings.warn(
                "PNConfiguration is locked: the change of %r is ignored; use copy() to get an "
                "editable configuration" % name,
                UserWarning,
                stacklevel=3,
            )
            return True
        return False

    def lock(self) -> None:
        """Make this configuration read-only (later assignments warn and are ignored)."""
        object.__setattr__(self, "_locked", True)

    def copy(self) -> "PNConfiguration":
        """An unlocked deep copy."""
        clone = PNConfiguration.__new__(PNConfiguration)
        object.__setattr__(clone, "_values", _copy.deepcopy(self._values))
        object.__setattr__(clone, "_crypto_cache", {})
        object.__setattr__(clone, "_derived", {})
        object.__setattr__(clone, "_locked", False)
        for name, value in self.__dict__.items():
            if name not in self._INTERNAL:
                object.__setattr__(clone, name, _copy.deepcopy(value))
        return clone

    # --- identity --------------------------------------------------------------------------------

    @property
    def uuid(self) -> Optional[str]:
        """The identity of this client (required; generated with a warning if never set)."""
        return self._values["_uuid"]

    @uuid.setter
    def uuid(self, value: Optional[str]) -> None:
        if self._refuse_change("uuid"):
            return
        self._values["_uuid"] = _user_id("uuid", value)
        self._derived.clear()

    @property
    def user_id(self) -> Optional[str]:
        """Alias of ``uuid``."""
        return self.uuid

    @user_id.setter
    def user_id(self, value: Optional[str]) -> None:
        if self._refuse_change("user_id"):
            return
        self._values["_uuid"] = _user_id("user_id", value)
        self._derived.clear()

    @staticmethod
    def validate_not_empty_string(value: Any) -> None:
        """Raise unless ``value`` is a str with something other than spaces (PubNub SDK 10.8 helper)."""
        _user_id("uuid", value)
        if value is None:
            raise TypeError("PNConfiguration.uuid must be a non-empty str, not None")

    def validate(self) -> None:
        """Check the configuration before a client uses it; generate a uuid if none was set."""
        if self.uuid is None:
            generated = "pn-" + str(_uuid_module.uuid4())
            warnings.warn(
                "PNConfiguration.uuid is not set: using the SDK generated uuid %r. Set a uuid that "
                "stays the same for a user or device, or presence and billing (MAU) suffer." % generated,
                UserWarning,
                stacklevel=3,
            )
            self._values["_uuid"] = generated
            self._derived.clear()

    # --- presence ----------------------------------------------------------------------------------

    @property
    def presence_timeout(self) -> Union[int, float]:
        """Seconds after which the server considers this client gone (sent as ``heartbeat=``)."""
        return self._values["_presence_timeout"]

    @property
    def heartbeat_interval(self) -> Union[int, float]:
        """Seconds between presence heartbeats."""
        return self._values["_heartbeat_interval"]

    def set_presence_timeout(self, timeout: Union[int, float]) -> None:
        """Set the presence timeout; heartbeats are then sent every ``timeout / 2 - 1`` seconds."""
        timeout = _seconds("presence_timeout", timeout)
        self.set_presence_timeout_with_custom_interval(timeout, timeout / 2 - 1)

    def set_presence_timeout_with_custom_interval(self, timeout: Union[int, float],
                                                  interval: Union[int, float]) -> None:
        """Set the presence timeout and the heartbeat interval explicitly."""
        if self._refuse_change("presence_timeout"):
            return
        timeout = _seconds("presence_timeout", timeout)
        interval = _seconds("heartbeat_interval", interval)
        if interval >= timeout:
            raise ValueError(
                "PNConfiguration.heartbeat_interval (%r) must be shorter than presence_timeout (%r), "
                "or the server times this client out between heartbeats" % (interval, timeout)
            )
        self._values["heartbeat_default_values"] = False
        self._values["_presence_timeout"] = timeout
        self._values["_heartbeat_interval"] = interval
        self._derived.clear()

    # --- transport ---------------------------------------------------------------------------------

    def scheme(self) -> str:
        """``https`` or ``http``: from ``origin`` when it names a scheme, else from ``ssl``."""
        scheme = _split_origin(self.origin)[0] if self.origin else None
        return scheme or ("https" if self.ssl else "http")

    def scheme_extended(self) -> str:
        return self.scheme() + "://"

    @property
    def base_origin(self) -> str:
        """The host[:port] requests go to."""
        return _split_origin(self.origin)[1] if self.origin else self.FALLBACK_ORIGIN

    def scheme_and_host(self) -> str:
        derived = self._derived
        value = derived.get("scheme_and_host")
        if value is None:
            value = derived["scheme_and_host"] = self.scheme_extended() + self.base_origin
        return value

    def _request_origin(self):
        """``(scheme_and_host, base_origin, ssl)``, computed once per change of the settings
        (requests read them on every call)."""
        return self._hot().origin

    def _hot(self) -> "_HotSettings":
        """The settings every request reads, as plain attributes; rebuilt after any change."""
        hot = self._derived.get("hot")
        if hot is None:
            hot = self._derived["hot"] = _HotSettings(self)
        return hot

    @property
    def port(self) -> int:
        """The TCP port requests go to (from ``origin`` if it names one, else 443/80)."""
        host = self.base_origin
        if host.rsplit(":", 1)[-1].isdigit() and not host.endswith("]"):
            return int(host.rsplit(":", 1)[-1])
        return 443 if self.scheme() == "https" else 80

    # --- crypto ------------------------------------------------------------------------------------

    @property
    def crypto_module(self) -> Any:
        """A ``pubnub_fast.crypto.PubNubCryptoModule`` used for messages and files, or None."""
        return self._values["_crypto_module"]

    @crypto_module.setter
    def crypto_module(self, module: Any) -> None:
        if self._refuse_change("crypto_module"):
            return
        if module is not None and not (callable(getattr(module, "encrypt", None))
                                       and callable(getattr(module, "decrypt", None))):
            raise TypeError("PNConfiguration.crypto_module must be a crypto module with encrypt() and "
                            "decrypt() (e.g. pubnub_fast.crypto.AesCbcCryptoModule(config)), not %r" % module)
        self._values["_crypto_module"] = module
        self._derived.clear()

    @property
    def crypto(self) -> Any:
        """The message cryptor: ``crypto_module`` if set, else a ``PubNubCryptodome`` (legacy API)."""
        if self.crypto_module is not None:
            return self.crypto_module
        if self.crypto_instance is not None:
            return self.crypto_instance
        cryptor = self._crypto_cache.get("crypto")
        if cryptor is None:
            from pubnub_fast.crypto import PubNubCryptodome

            cryptor = (self.cryptor or PubNubCryptodome)(self)
            self._crypto_cache["crypto"] = cryptor
        return cryptor

    @property
    def file_crypto(self) -> Any:
        """The file cryptor (``PubNubFileCrypto`` unless ``file_cryptor`` names another class)."""
        if self.file_crypto_instance is not None:
            return self.file_crypto_instance
        cryptor = self._crypto_cache.get("file_crypto")
        if cryptor is None:
            from pubnub_fast.crypto import PubNubFileCrypto

            cryptor = (self.file_cryptor or PubNubFileCrypto)(self)
            self._crypto_cache["file_crypto"] = cryptor
        return cryptor

    def message_crypto_module(self) -> Any:
        """The crypto module that encrypts and decrypts messages, or None when there is no cipher.

        ``crypto_module`` when set; otherwise, with a ``cipher_key``, a ``LegacyCryptoModule``
        (legacy cryptor, random or static IV per ``use_random_initialization_vector``) which also
        decrypts ``PNED``/``ACRH`` payloads.
        """
        if self.crypto_module is not None:
            return self.crypto_module
        if not self.cipher_key:
            return None
        module = self._crypto_cache.get("module")
        if module is None:
            from pubnub_fast.crypto import LegacyCryptoModule

            module = LegacyCryptoModule(self)
            self._crypto_cache["module"] = module
        return module

    def __repr__(self) -> str:
        hidden = {"secret_key", "cipher_key", "auth_key"}
        parts = []
        for name in ("subscribe_key", "publish_key", "secret_key", "cipher_key", "auth_key", "uuid",
                     "origin", "ssl"):
            value = getattr(self, name)
            if value is not None and name in hidden:
                value = "***"
            parts.append("%s=%r" % (name, value))
        return "PNConfiguration(%s)" % ", ".join(parts)


def _default_crypto_module():
    from pubnub_fast.crypto import LegacyCryptoModule

    return LegacyCryptoModule


#: The crypto module a ``cipher_key`` alone selects (PubNub SDK 10.8 names it here).
PNConfiguration.DEFAULT_CRYPTO_MODULE = _default_crypto_module()


class _HotSettings:
    """A snapshot of the settings read on every request (``PNConfiguration._hot()``): slot reads
    instead of a descriptor call each. Any assignment to the configuration drops the snapshot."""

    __slots__ = ("origin", "uuid", "auth_key", "secret_key", "publish_key", "subscribe_key",
                 "subscribe_request_timeout", "non_subscribe_request_timeout", "connect_timeout")

    def __init__(self, config: PNConfiguration) -> None:
        self.origin = (config.scheme_and_host(), config.base_origin, config.ssl)
        self.uuid = config.uuid
        self.auth_key = config.auth_key
        self.secret_key = config.secret_key
        self.publish_key = config.publish_key
        self.subscribe_key = config.subscribe_key
        self.subscribe_request_timeout = config.subscribe_request_timeout
        self.non_subscribe_request_timeout = config.non_subscribe_request_timeout
        self.connect_timeout = config.connect_timeout
