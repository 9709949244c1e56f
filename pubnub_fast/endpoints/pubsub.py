"""Publish, fire and signal (client-api.md §4.2, §4.3)."""
import gzip

from typing import Any, Callable, Optional

from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, SingleChannel, encode_path_segment, to_json
from pubnub_fast.enums import HttpMethod, PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.pubsub import PNFireResult, PNPublishResult
from pubnub_fast.models.consumer.signal import PNSignalResult
from pubnub_fast._typing import Self

__all__ = ["Publish", "Fire", "Signal", "PublishOptions"]


def _timetoken_result(envelope):
    if not isinstance(envelope, list) or len(envelope) < 3:
        raise ValueError("expected [1, \"Sent\", \"<timetoken>\"]")
    return int(envelope[2])


class _ChannelMessage(SingleChannel, Endpoint):
    """``channel()`` and ``message()``: what publish, fire and signal share."""

    def __init__(self, pubnub, **kwargs):
        self._channel = None
        self._message = None
        super().__init__(pubnub, **kwargs)

    def message(self, message) -> "Self":
        self._message = message
        return self

    def affected_channels(self):
        return [self._channel]


class _PublishBase(_ChannelMessage):
    """What publish and fire share: POST, meta, encryption, compression."""

    def __init__(self, pubnub, **kwargs):
        self._use_post = False
        self._meta = None
        self._use_compression = False
        self._payload = None
        self._meta_json = None
        super().__init__(pubnub, **kwargs)

    def use_post(self, use_post) -> "Self":
        self._use_post = bool(use_post)
        return self

    def meta(self, meta) -> "Self":
        self._meta = meta
        return self

    def use_compression(self, compress=True) -> "Self":
        self._use_compression = bool(compress)
        return self

    def http_method(self):
        return HttpMethod.POST if self._use_post else HttpMethod.GET

    def validate_params(self):
        self.validate_channel(self._channel)
        if self._message is None:
            raise PubNubException(pn_error=errors.PNERR_MESSAGE_MISSING)
        self.validate_subscribe_key()
        self.validate_publish_key()
        if self._meta is not None and not isinstance(self._meta, dict):
            raise PubNubException(errormsg="meta must be a dict, not %s" % type(self._meta).__name__,
                                  pn_error=errors.PNERR_PUBLISH_META_WRONG_TYPE)
        self._meta_json = to_json(self._meta, "meta") if self._meta else None
        self._payload = self._serialise_message()

    def _serialise_message(self):
        plain = to_json(self._message)
        module = self.pubnub.config.message_crypto_module()
        if module is None:
            return plain
        try:
            return '"%s"' % module.encrypt(plain)
        except PubNubException:
            raise
        except Exception as exc:
            raise PubNubException(errormsg="message encryption failed: %s" % exc,
                                  pn_error=errors.PNERR_ENCRYPTION_ERROR) from None

    def build_path(self):
        config = self.pubnub.config._hot()
        path = "/publish/%s/%s/0/%s/0" % (encode_path_segment(config.publish_key),
                                          encode_path_segment(config.subscribe_key),
                                          encode_path_segment(self._channel))
        if self._use_post:
            return path
        return path + "/" + encode_path_segment(self._payload)

    def build_data(self):
        return self._payload if self._use_post else None

    def _compress(self):
        return self._use_post and (self._use_compression or self.pubnub.config.should_compress)

    def request_headers(self):
        if not self._use_post:
            return {}
        headers = {"Content-Type": "application/json"}
        if self._compress():
            headers["Content-Encoding"] = "gzip"
        return headers

    def options(self):
        options = super().options()
        if self._compress():
            # signed over the uncompressed JSON (client-api.md §8.1); sent gzip-compressed
            options.body = gzip.compress(options.body.encode("utf-8"), mtime=0)
            options.signed_body = self._payload
        return options


class PublishOptions:
    """How a published message is stored and delivered: what ``publish()`` and file messages share.

    Mixed into ``Endpoint`` subclasses (it uses their ``validate_type``).
    """

    validate_type: Callable[..., Any]  # Endpoint's: this is a mixin
    _should_store = None
    _replicate = None
    _ptto = None
    _ttl = None
    _custom_message_type = None

    def should_store(self, should_store: Optional[bool]) -> "Self":
        self._should_store = self.validate_type(should_store, bool, "should_store")
        return self

    def replicate(self, replicate: Optional[bool]) -> "Self":
        self._replicate = self.validate_type(replicate, bool, "replicate")
        return self

    def ptto(self, timetoken: Optional[int]) -> "Self":
        self._ptto = self.validate_type(timetoken, int, "ptto")
        return self

    def ttl(self, ttl: Optional[int]) -> "Self":
        self._ttl = self.validate_type(ttl, int, "ttl")
        if ttl is not None and ttl < 0:
            raise PubNubException(errormsg="ttl must be >= 0 hours, not %r" % ttl,
                                  pn_error=errors.PNERR_INVALID_ARGUMENT)
        return self

    def custom_message_type(self, custom_message_type: Optional[str]) -> "Self":
        self._custom_message_type = self.validate_type(custom_message_type, str, "custom_message_type")
        return self

    def publish_option_params(self):
        """The query parameters of the options that were set."""
        params = {}
        if self._should_store is not None:
            params["store"] = "1" if self._should_store else "0"
        if self._replicate is not None:
            params["norep"] = "false" if self._replicate else "true"
        if self._ptto is not None:
            params["ptto"] = str(self._ptto)
        if self._ttl is not None:
            params["ttl"] = str(self._ttl)
        if self._custom_message_type:
            params["custom_message_type"] = self._custom_message_type
        return params


class Publish(PublishOptions, _PublishBase):
    """``publish()``: send a message to a channel (stored in history unless told otherwise)."""

    OPERATION = PNOperationType.PNPublishOperation

    def custom_params(self):
        params = self.publish_option_params()
        if self._meta_json is not None:
            params["meta"] = self._meta_json
        return params

    def create_response(self, envelope):
        return PNPublishResult(envelope, _timetoken_result(envelope))


class Fire(_PublishBase):
    """``fire()``: a message delivered to Functions only — never stored, never replicated."""

    OPERATION = PNOperationType.PNFireOperation

    def custom_params(self):
        params = {}
        if self._meta_json is not None:
            params["meta"] = self._meta_json
        params["store"] = "0"
        params["norep"] = "1"
        return params

    def create_response(self, envelope):
        return PNFireResult(envelope, _timetoken_result(envelope))


class Signal(_ChannelMessage):
    """``signal()``: a small, never stored, never encrypted message."""

    OPERATION = PNOperationType.PNSignalOperation

    def __init__(self, pubnub, **kwargs):
        self._custom_message_type = None
        super().__init__(pubnub, **kwargs)

    def custom_message_type(self, custom_message_type: Optional[str]) -> "Self":
        self._custom_message_type = self.validate_type(custom_message_type, str, "custom_message_type")
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_publish_key()
        self.validate_channel(self._channel)
        if self._message is None:
            raise PubNubException(pn_error=errors.PNERR_MESSAGE_MISSING)
        self._payload = to_json(self._message)

    def build_path(self):
        config = self.pubnub.config
        return "/signal/%s/%s/0/%s/0/%s" % (encode_path_segment(config.publish_key),
                                             encode_path_segment(config.subscribe_key),
                                             encode_path_segment(self._channel),
                                             encode_path_segment(self._payload))

    def custom_params(self):
        if self._custom_message_type:
            return {"custom_message_type": self._custom_message_type}
        return {}

    def create_response(self, envelope):
        if not isinstance(envelope, list) or len(envelope) < 3:
            raise ValueError("expected [1, \"Sent\", \"<timetoken>\"]")
        return PNSignalResult(envelope)

# PubNub SDK 10.8 has a package here (``pubnub.endpoints.pubsub.<endpoint>``): its module paths
# resolve through this __path__ to the thin re-exporting modules in endpoints/_pubsub/.
import os as _os  # noqa: E402

__path__ = [_os.path.join(_os.path.dirname(__file__), "_pubsub")]
