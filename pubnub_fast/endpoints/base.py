"""The shared base of every endpoint builder.

An endpoint declares what is specific to it — HTTP method, path, query parameters, body,
validation, result model, operation type — and inherits everything else: keyword-argument
construction (v10 style), validation helpers, request assembly, and the two invocation styles
``.deferred()`` and ``.pn_async(callback)``.
"""
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional
import json
import logging

from twisted.internet import defer

from pubnub_fast import _speedups, errors
from pubnub_fast._client_styles import bad_request_status
from pubnub_fast.enums import HttpMethod
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.models.consumer.common import PNStatus
from pubnub_fast.structures import RequestOptions
from pubnub_fast._typing import Self

if TYPE_CHECKING:  # pipeline imports this module
    from pubnub_fast.exceptions import PubNubAsyncioException
    from pubnub_fast.models.envelopes import AsyncioEnvelope
    from pubnub_fast.pipeline import TwistedEnvelope
    from pubnub_fast.structures import Envelope

__all__ = ["Endpoint", "ChannelsAndGroups", "SingleChannel", "encode_path_segment", "encode_path_list", "to_json", "names_list"]

logger = logging.getLogger("pubnub_fast")


def encode_path_segment(value):
    """One path segment, percent-encoded once."""
    return _speedups.signing.url_encode(value)


def encode_path_list(items):
    """Names joined with ``,`` as one path segment (``","`` when empty)."""
    return _speedups.signing.encode_path_list(items)


#: ``json.dumps(value, allow_nan=False)`` without building an encoder per call
_encode_json = json.JSONEncoder(allow_nan=False).encode


def to_json(value, what="message"):
    """Serialise ``value`` as PubNub does (``json.dumps`` defaults: ``", "``/``": "`` separators,
    ASCII-escaped), raising ``PubNubException(PNERR_JSON_NOT_SERIALIZABLE)`` for values JSON cannot
    represent (objects, sets, bytes, NaN/Infinity, circular references)."""
    try:
        return _encode_json(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise PubNubException(
            errormsg="%s cannot be serialised to JSON: %s" % (what, exc),
            pn_error=errors.PNERR_JSON_NOT_SERIALIZABLE,
        ) from None


def names_list(value, setter):
    """Normalise a channel/group list argument: a list/tuple/set of str, or one comma-separated str."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",") if part != ""]
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        for item in items:
            if not isinstance(item, str):
                raise PubNubException(
                    errormsg="%s() takes names (str), got %r" % (setter, item),
                    pn_error=errors.PNERR_INVALID_ARGUMENT)
        return items
    raise PubNubException(
        errormsg="%s() takes a list of names or a comma-separated str, not %s" % (setter, type(value).__name__),
        pn_error=errors.PNERR_INVALID_ARGUMENT)


class ChannelsAndGroups:
    """``channels()`` / ``channel_groups()`` setters: names accumulate over repeated calls.

    The class using it initialises ``self._channels`` and ``self._groups`` to empty lists.
    """

    _channels: List[str]
    _groups: List[str]

    def channels(self, channels: Any) -> "Self":
        """Channels: a list/tuple/set of names, or one comma-separated str."""
        self._channels.extend(names_list(channels, "channels"))
        return self

    def channel_groups(self, channel_groups: Any) -> "Self":
        """Channel groups: a list/tuple/set of names, or one comma-separated str."""
        self._groups.extend(names_list(channel_groups, "channel_groups"))
        return self


class SingleChannel:
    """``channel()``: the one channel an endpoint addresses (kept as ``str``; None stays None)."""

    _channel: Optional[str] = None

    def channel(self, channel: Any) -> "Self":
        self._channel = str(channel) if channel is not None else None
        return self


class Endpoint:
    """Base of all endpoint builders. Setters return ``self`` so calls chain.

    Subclasses set ``HTTP_METHOD``, ``OPERATION`` (a ``PNOperationType``), optionally
    ``AUTH_REQUIRED``/``SORT_PARAMS``/``IS_SUBSCRIBE``, and implement ``build_path()``,
    ``custom_params()`` (decoded values), ``validate_params()``, ``create_response(json)`` and,
    for requests with a body, ``build_data()``.
    """

    HTTP_METHOD = HttpMethod.GET
    OPERATION: Any = None
    AUTH_REQUIRED = True
    SORT_PARAMS = False
    IS_SUBSCRIBE = False

    def __init__(self, pubnub, **kwargs):
        self.pubnub = pubnub
        for name, value in kwargs.items():
            setter = getattr(type(self), name, None)
            if name.startswith("_") or not callable(setter) or name in _NOT_SETTERS:
                raise TypeError("%s() got an unexpected keyword argument %r" % (type(self).__name__, name))
            getattr(self, name)(value)

    # --- hooks ------------------------------------------------------------------------------------

    def build_path(self):
        raise NotImplementedError

    def custom_params(self):
        return {}

    def build_data(self):
        return None

    def request_headers(self):
        return {}

    def validate_params(self):
        pass

    def create_response(self, envelope):
        return envelope

    def non_json_response(self):
        return False

    def allow_redirects(self):
        return True

    def http_method(self):
        return self.HTTP_METHOD

    def operation_type(self):
        return self.OPERATION

    def is_auth_required(self):
        return self.AUTH_REQUIRED

    def request_timeout(self):
        config = self.pubnub.config._hot()
        return config.subscribe_request_timeout if self.IS_SUBSCRIBE else config.non_subscribe_request_timeout

    def connect_timeout(self):
        return self.pubnub.config._hot().connect_timeout

    def affected_channels(self):
        return None

    def affected_channels_groups(self):
        return None

    def name(self):
        return type(self).__name__

    # --- validation helpers ---------------------------------------------------------------------

    def validate_subscribe_key(self):
        key = self.pubnub.config._hot().subscribe_key
        if not key:
            raise PubNubException(pn_error=errors.PNERR_SUBSCRIBE_KEY_MISSING)

    def validate_publish_key(self):
        key = self.pubnub.config._hot().publish_key
        if not key:
            raise PubNubException(pn_error=errors.PNERR_PUBLISH_KEY_MISSING)

    def validate_secret_key(self):
        key = self.pubnub.config.secret_key
        if not key:
            raise PubNubException(pn_error=errors.PNERR_SECRET_KEY_MISSING)

    @staticmethod
    def validate_channel(channel):
        if channel is None or channel == "":
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_MISSING)
        if not isinstance(channel, str):
            raise PubNubException(errormsg="channel must be a str, not %s" % type(channel).__name__,
                                  pn_error=errors.PNERR_CHANNEL_MISSING)

    @staticmethod
    def validate_type(value, types, name):
        """Raise ``PubNubException(PNERR_INVALID_ARGUMENT)`` unless ``value`` is None or of ``types``."""
        types = types if isinstance(types, tuple) else (types,)
        if value is None:
            return value
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise PubNubException(
                errormsg="%s must be %s, not %r" % (name, " or ".join(t.__name__ for t in types), value),
                pn_error=errors.PNERR_INVALID_ARGUMENT)
        return value

    # --- request assembly ---------------------------------------------------------------------------

    def options(self):
        """Validate, then describe the request (raises ``PubNubException`` on bad input)."""
        self.validate_params()
        data = self.build_data()
        params = {}
        custom = self.custom_params()
        if custom:
            for key, value in custom.items():
                if value is None:
                    continue
                params[key] = value if isinstance(value, str) else str(value)
        headers = self.request_headers()
        return RequestOptions(self.http_method(), self.build_path(), params, data,
                              dict(headers) if headers else {}, self.request_timeout(), self.connect_timeout(),
                              self.operation_type(), self.allow_redirects())

    # --- invocation ------------------------------------------------------------------------------------

    def deferred(self) -> "defer.Deferred[TwistedEnvelope]":
        """Send the request. Returns a cancellable Deferred firing with a ``TwistedEnvelope``.

        Invalid parameters raise ``PubNubException`` right here, before anything is sent; request
        failures errback with ``PubNubTwistedException(result, status)``.
        """
        return self.pubnub._pipeline.execute(self, self.options())

    def pn_async(self, callback: Callable[[Any, PNStatus], Any]) -> Any:
        """Send the request and call ``callback(result, status)`` once.

        On ``PubNubTwisted`` the callback runs on the reactor thread; the sync client
        (``pubnub_fast.pubnub.PubNub``) calls it on its callback thread.
        """
        styled = getattr(self.pubnub, "_request_async", None)
        if styled is not None:
            return styled(self, callback)
        return self._pn_async(callback)

    def sync(self) -> "Envelope":
        """Send the request and wait for it (``pubnub_fast.pubnub.PubNub`` only): returns an
        ``Envelope`` (``.result``, ``.status``), raises ``PubNubException`` on failure."""
        return _client_style(self, "_request_sync", "sync")(self)

    async def future(self) -> "AsyncioEnvelope | PubNubAsyncioException":
        """(``pubnub_fast.pubnub_asyncio.PubNubAsyncio`` only) An ``AsyncioEnvelope``, or on failure
        a ``PubNubAsyncioException`` (returned, not raised)."""
        return await _client_style(self, "_request_future", "future")(self)

    async def result(self) -> Any:
        """(``pubnub_fast.pubnub_asyncio.PubNubAsyncio`` only) The result; raises ``PubNubException``
        on failure."""
        return await _client_style(self, "_request_result", "result")(self)

    def _pn_async(self, callback: Callable[[Any, PNStatus], Any]) -> "defer.Deferred[None]":
        """``pn_async`` on the reactor thread (``PubNubTwisted``): ``callback(result, status)`` there.

        Invalid parameters call ``callback(None, status)`` at once with a
        ``PNBadRequestCategory`` status whose ``error_data.exception`` is the
        ``PubNubException``. Returns the (cancellable) Deferred of the call, which fires with
        ``None`` after the callback ran.
        """
        try:
            options = self.options()
        except PubNubException as exc:
            _call_user(callback, None, bad_request_status(self, exc))
            return defer.succeed(None)

        d = self.pubnub._pipeline.execute(self, options)

        def success(envelope):
            _call_user(callback, envelope.result, envelope.status)

        def failure(reason):
            if reason.check(PubNubTwistedException):
                _call_user(callback, reason.value.result, reason.value.status)
                return None
            logger.error("pn_async: unexpected failure of %s: %s", self.name(), reason.getTraceback())
            return None

        d.addCallbacks(success, failure)
        return d

    def cancellation_event(self, event) -> "Self":
        """Accepted for compatibility with PubNub's SDK; cancel the returned Deferred instead."""
        return self


_NOT_SETTERS = frozenset(dir(Endpoint)) - {"channel"}

_STYLES = {"sync": "pubnub_fast.pubnub.PubNub", "future": "pubnub_fast.pubnub_asyncio.PubNubAsyncio",
           "result": "pubnub_fast.pubnub_asyncio.PubNubAsyncio"}


def _client_style(endpoint, hook, name):
    invoke = getattr(endpoint.pubnub, hook, None)
    if invoke is None:
        raise NotImplementedError("%s() is the invocation style of %s; %s uses deferred() or pn_async()"
                                  % (name, _STYLES[name], type(endpoint.pubnub).__name__))
    return invoke


def _call_user(callback, result, status):
    try:
        callback(result, status)
    except Exception:  # a user callback must not break the client or the reactor
        logger.exception("exception in pn_async callback %r", callback)
