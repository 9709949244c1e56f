"""Message actions (client-api.md §4.2, §4.3): add, get (paged) and remove.

Actions are never decrypted (decisions.md §19): only messages are encrypted, not their actions.
"""
from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, SingleChannel, encode_path_segment, to_json
from pubnub_fast.endpoints.history import timetoken_value
from pubnub_fast.enums import HttpMethod, PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.message_actions import PNAddMessageActionResult, PNGetMessageActionsResult
from pubnub_fast._typing import Self

__all__ = ["AddMessageAction", "GetMessageActions", "RemoveMessageAction"]

_MISSING = object()


def _required_timetoken(value, name, pn_error):
    """A mandatory timetoken as a str of digits: ``pn_error`` when missing, invalid argument when malformed."""
    if value is None or value == "":
        raise PubNubException(pn_error=pn_error)
    return str(timetoken_value(value, name))


class _ActionsEndpoint(SingleChannel, Endpoint):
    """A channel's message actions: ``/v1/message-actions/{sub}/channel/{channel}``."""

    def __init__(self, pubnub, **kwargs):
        self._channel = None
        super().__init__(pubnub, **kwargs)

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)

    def actions_path(self, *tail):
        path = "/v1/message-actions/%s/channel/%s" % (encode_path_segment(self.pubnub.config.subscribe_key),
                                                      encode_path_segment(self._channel))
        return "/".join((path,) + tail)

    def affected_channels(self):
        return [self._channel]


class AddMessageAction(_ActionsEndpoint):
    """``add_message_action()``: attach an action (``type``/``value``) to a stored message."""

    OPERATION = PNOperationType.PNAddMessageAction
    HTTP_METHOD = HttpMethod.POST

    def __init__(self, pubnub, **kwargs):
        self._message_action = None
        self._message_timetoken = None
        self._body = None
        super().__init__(pubnub, **kwargs)

    def message_action(self, message_action) -> "Self":
        """A ``PNMessageAction`` with ``type``, ``value`` and ``message_timetoken`` set."""
        self._message_action = message_action
        return self

    def validate_params(self):
        super().validate_params()
        action = self._message_action
        if action is None:
            raise PubNubException(pn_error=errors.PNERR_MESSAGE_ACTION_MISSING)
        fields = [getattr(action, name, _MISSING) for name in ("message_timetoken", "type", "value")]
        if _MISSING in fields:
            raise PubNubException(errormsg="message_action must be a PNMessageAction, not %s" % type(action).__name__,
                                  pn_error=errors.PNERR_INVALID_ARGUMENT)
        message_timetoken, action_type, value = fields
        self._message_timetoken = _required_timetoken(message_timetoken, "message_timetoken",
                                                      errors.PNERR_MESSAGE_TIMETOKEN_MISSING)
        for text, name, pn_error in ((action_type, "type", errors.PNERR_MESSAGE_ACTION_TYPE_MISSING),
                                     (value, "value", errors.PNERR_MESSAGE_ACTION_VALUE_MISSING)):
            if not isinstance(text, str) or text == "":
                raise PubNubException(errormsg="the action's %s must be a non-empty str, not %r" % (name, text),
                                      pn_error=pn_error)
        self._body = to_json({"type": action_type, "value": value}, "message action")

    def build_path(self):
        return self.actions_path("message", encode_path_segment(self._message_timetoken))

    def build_data(self):
        return self._body

    def request_headers(self):
        return {"Content-Type": "application/json"}

    def create_response(self, envelope):
        return PNAddMessageActionResult.from_json(envelope)


class GetMessageActions(_ActionsEndpoint):
    """``get_message_actions()``: a page of a channel's actions.

    ``start`` (exclusive, newest bound) and ``end`` (inclusive, oldest bound) are action
    timetokens; as in PubNub's SDK ``end`` is only sent when ``start`` is not. ``limit`` defaults
    to 100. When the page is truncated, the result's ``more`` holds the server's paging object
    (``{"url", "start", "end", "limit"}``), else ``None``.
    """

    OPERATION = PNOperationType.PNGetMessageActions
    MAX_LIMIT = 100

    def __init__(self, pubnub, **kwargs):
        self._start = None
        self._end = None
        self._limit = None
        super().__init__(pubnub, **kwargs)

    def start(self, start) -> "Self":
        self._start = timetoken_value(start, "start")
        return self

    def end(self, end) -> "Self":
        self._end = timetoken_value(end, "end")
        return self

    def limit(self, limit) -> "Self":
        """Page size, 1..100 (an int, or a str of digits as PubNub's SDK takes)."""
        if limit is not None:
            if isinstance(limit, str) and limit.isascii() and limit.isdigit():
                limit = int(limit)
            if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= self.MAX_LIMIT:
                raise PubNubException(errormsg="limit must be an int in 1..%d, not %r" % (self.MAX_LIMIT, limit),
                                      pn_error=errors.PNERR_INVALID_ARGUMENT)
        self._limit = limit
        return self

    def build_path(self):
        return self.actions_path()

    def custom_params(self):
        params = {"start": self._start}
        if self._start is None:
            params["end"] = self._end
        if self._limit is not None and self._limit != self.MAX_LIMIT:
            params["limit"] = self._limit
        return params

    def create_response(self, envelope):
        result = PNGetMessageActionsResult.from_json(envelope)
        return result


class RemoveMessageAction(_ActionsEndpoint):
    """``remove_message_action()``: delete one action of a message. Resolves with ``{}``."""

    OPERATION = PNOperationType.PNDeleteMessageAction
    HTTP_METHOD = HttpMethod.DELETE

    def __init__(self, pubnub, **kwargs):
        self._message_timetoken = None
        self._action_timetoken = None
        super().__init__(pubnub, **kwargs)

    def message_timetoken(self, message_timetoken) -> "Self":
        self._message_timetoken = message_timetoken
        return self

    def action_timetoken(self, action_timetoken) -> "Self":
        self._action_timetoken = action_timetoken
        return self

    def validate_params(self):
        super().validate_params()
        self._message_tt = _required_timetoken(self._message_timetoken, "message_timetoken",
                                               errors.PNERR_MESSAGE_TIMETOKEN_MISSING)
        self._action_tt = _required_timetoken(self._action_timetoken, "action_timetoken",
                                              errors.PNERR_MESSAGE_ACTION_TIMETOKEN_MISSING)

    def build_path(self):
        return self.actions_path("message", self._message_tt, "action", self._action_tt)

    def create_response(self, envelope):
        return {}

# PubNub SDK 10.8 has a package here (``pubnub.endpoints.message_actions.<endpoint>``): its module paths
# resolve through this __path__ to the thin re-exporting modules in endpoints/_message_actions/.
import os as _os  # noqa: E402

__path__ = [_os.path.join(_os.path.dirname(__file__), "_message_actions")]
