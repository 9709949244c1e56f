"""Message storage (client-api.md §4.2–§4.4): history (v2), fetch_messages (v3), delete_messages
and message_counts.

With a cipher, history entries are decrypted with ``config.message_crypto_module()``;
fetch_messages decrypts only when asked (``decrypt_messages()``, as PubNub's SDK v10). A message
that fails to decrypt keeps its stored value and carries the exception in ``item.error``.
"""
import base64
import binascii
from typing import Optional

from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_list, encode_path_segment, names_list
from pubnub_fast.enums import HttpMethod, PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.history import PNFetchMessagesResult, PNHistoryResult
from pubnub_fast.models.consumer.message_count import PNMessageCountResult
from pubnub_fast._typing import Self

__all__ = ["History", "FetchMessages", "HistoryDelete", "MessageCount", "timetoken_value"]

MISMATCHED_TIMETOKENS = "The number of channels and the number of timetokens do not match."


def timetoken_value(value, name):
    """A timetoken argument as an int: an int >= 0, or a str of digits (as the server sends
    timetokens). ``None`` stays ``None``; anything else raises ``PNERR_INVALID_ARGUMENT``."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise PubNubException(errormsg="%s must be a timetoken (int >= 0 or str of digits), not %r" % (name, value),
                          pn_error=errors.PNERR_INVALID_ARGUMENT)


def _decryptor(config):
    """``decrypt(value)`` with the configured crypto module, or None without a cipher."""
    module = config.message_crypto_module()
    if module is None:
        return None

    def decrypt(value):
        if not isinstance(value, str):
            raise PubNubException(errormsg="decryption error: stored message is a %s, not a ciphertext"
                                  % type(value).__name__)
        try:
            return module.decrypt(value)
        except PubNubException as exc:
            try:
                base64.b64decode(value)
            except binascii.Error as not_base64:
                # PubNub SDK 10.8 keeps the underlying error of text that is not base64 at all
                raise not_base64 from exc
            raise

    return decrypt


def _flag(value):
    return None if value is None else ("true" if value else "false")


class _ChannelEndpoint(Endpoint):
    """One channel plus an optional ``start``/``end`` timetoken range."""

    def __init__(self, pubnub, **kwargs):
        self._channel = None
        self._start = None
        self._end = None
        super().__init__(pubnub, **kwargs)

    def channel(self, channel) -> "Self":
        self._channel = channel
        return self

    def start(self, start) -> "Self":
        self._start = timetoken_value(start, "start")
        return self

    def end(self, end) -> "Self":
        self._end = timetoken_value(end, "end")
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_channel(self._channel)

    def channel_path(self, version):
        return "/%s/history/sub-key/%s/channel/%s" % (
            version, encode_path_segment(self.pubnub.config.subscribe_key), encode_path_segment(self._channel))

    def range_params(self):
        return {"start": self._start, "end": self._end}

    def affected_channels(self):
        return [self._channel]


class History(_ChannelEndpoint):
    """``history()``: up to 100 stored messages of one channel (v2 storage API)."""

    OPERATION = PNOperationType.PNHistoryOperation
    MAX_COUNT = 100

    def __init__(self, pubnub, **kwargs):
        self._count = None
        self._reverse = None
        self._include_timetoken = None
        self._include_meta = None
        super().__init__(pubnub, **kwargs)

    def count(self, count: Optional[int]) -> "Self":
        self._count = self.validate_type(count, int, "count")
        return self

    def reverse(self, reverse: Optional[bool]) -> "Self":
        self._reverse = self.validate_type(reverse, bool, "reverse")
        return self

    def include_timetoken(self, include_timetoken: Optional[bool]) -> "Self":
        self._include_timetoken = self.validate_type(include_timetoken, bool, "include_timetoken")
        return self

    def include_meta(self, include_meta: Optional[bool]) -> "Self":
        self._include_meta = self.validate_type(include_meta, bool, "include_meta")
        return self

    def build_path(self):
        return self.channel_path("v2")

    def custom_params(self):
        params = self.range_params()
        count = self._count
        params["count"] = count if count is not None and 0 < count <= self.MAX_COUNT else self.MAX_COUNT
        params["reverse"] = _flag(self._reverse)
        params["include_token"] = _flag(self._include_timetoken)
        params["include_meta"] = _flag(self._include_meta)
        return params

    def create_response(self, envelope):
        return PNHistoryResult.from_json(envelope, bool(self._include_timetoken), bool(self._include_meta),
                                         _decryptor(self.pubnub.config))


class FetchMessages(Endpoint):
    """``fetch_messages()``: stored messages of one or more channels (v3 storage API), optionally
    with their message actions (one channel only)."""

    OPERATION = PNOperationType.PNFetchMessagesOperation
    SINGLE_CHANNEL_MAX = 100
    MULTIPLE_CHANNELS_MAX = 25
    WITH_ACTIONS_MAX = 25

    def __init__(self, pubnub, **kwargs):
        self._channels = []
        self._count = None
        self._start = None
        self._end = None
        self._include_meta = None
        self._include_message_actions = None
        self._include_message_type = None
        self._include_custom_message_type = None
        self._include_uuid = None
        self._decrypt_messages = False
        self._max = None
        super().__init__(pubnub, **kwargs)

    def channels(self, channels) -> "Self":
        self._channels.extend(names_list(channels, "channels"))
        return self

    def count(self, count: Optional[int]) -> "Self":
        self._count = self.validate_type(count, int, "count")
        return self

    def maximum_per_channel(self, maximum_per_channel):
        """Alias of :meth:`count`."""
        return self.count(maximum_per_channel)

    def start(self, start) -> "Self":
        self._start = timetoken_value(start, "start")
        return self

    def end(self, end) -> "Self":
        self._end = timetoken_value(end, "end")
        return self

    def include_meta(self, include_meta: Optional[bool]) -> "Self":
        self._include_meta = self.validate_type(include_meta, bool, "include_meta")
        return self

    def include_message_actions(self, include_message_actions: Optional[bool]) -> "Self":
        self._include_message_actions = self.validate_type(include_message_actions, bool, "include_message_actions")
        return self

    def include_message_type(self, include_message_type: Optional[bool]) -> "Self":
        self._include_message_type = self.validate_type(include_message_type, bool, "include_message_type")
        return self

    def include_custom_message_type(self, include_custom_message_type: Optional[bool]) -> "Self":
        self._include_custom_message_type = self.validate_type(include_custom_message_type, bool,
                                                               "include_custom_message_type")
        return self

    def include_uuid(self, include_uuid: Optional[bool]) -> "Self":
        self._include_uuid = self.validate_type(include_uuid, bool, "include_uuid")
        return self

    def decrypt_messages(self, decrypt=True) -> "Self":
        """Decrypt the messages with the configured cipher (off by default, as in PubNub's SDK)."""
        self._decrypt_messages = bool(self.validate_type(decrypt, bool, "decrypt_messages"))
        return self

    def validate_params(self):
        self.validate_subscribe_key()
        if not self._channels:
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_MISSING)
        count = self._count
        if self._include_message_actions:
            if len(self._channels) > 1:
                raise PubNubException(pn_error=errors.PNERR_HISTORY_MESSAGE_ACTIONS_MULTIPLE_CHANNELS)
            limit = self.WITH_ACTIONS_MAX
        elif len(self._channels) == 1:
            limit = self.SINGLE_CHANNEL_MAX
        else:
            limit = self.MULTIPLE_CHANNELS_MAX
        # out of range (or unset) -> the default, which is also the maximum
        self._max = count if count is not None and 0 < count <= limit else limit

    def build_path(self):
        sub_key = encode_path_segment(self.pubnub.config.subscribe_key)
        if self._include_message_actions:
            return "/v3/history-with-actions/sub-key/%s/channel/%s" % (sub_key,
                                                                        encode_path_segment(self._channels[0]))
        return "/v3/history/sub-key/%s/channel/%s" % (sub_key, encode_path_list(self._channels))

    def custom_params(self):
        return {
            "max": self._max,
            "start": self._start,
            "end": self._end,
            "include_meta": _flag(bool(self._include_meta)),
            "include_message_type": _flag(self._include_message_type),
            "include_custom_message_type": _flag(self._include_custom_message_type),
            "include_uuid": _flag(self._include_uuid),
        }

    def create_response(self, envelope):
        decrypt = _decryptor(self.pubnub.config) if self._decrypt_messages else None
        result = PNFetchMessagesResult.from_json(envelope, bool(self._include_message_actions), self._start,
                                                 self._end, decrypt)
        return result

    def affected_channels(self):
        return list(self._channels)


class HistoryDelete(_ChannelEndpoint):
    """``delete_messages()``: delete a channel's stored messages in ``start``..``end``."""

    OPERATION = PNOperationType.PNHistoryDeleteOperation
    HTTP_METHOD = HttpMethod.DELETE

    def build_path(self):
        return self.channel_path("v3")

    def custom_params(self):
        return self.range_params()

    def create_response(self, envelope):
        return {}


class MessageCount(Endpoint):
    """``message_counts()``: how many messages each channel has stored since a timetoken.

    ``channel_timetokens`` holds one timetoken per channel, in the same order.
    """

    OPERATION = PNOperationType.PNMessageCountOperation

    def __init__(self, pubnub, **kwargs):
        self._channels = []
        self._timetokens = []
        super().__init__(pubnub, **kwargs)

    def channel(self, channel) -> "Self":
        """Channels (a list or a comma-separated str); repeated calls accumulate."""
        self._channels.extend(names_list(channel, "channel"))
        return self

    def channels(self, channels):
        """v10 keyword name of :meth:`channel`."""
        return self.channel(channels)

    def channel_timetokens(self, timetokens) -> "Self":
        """Timetokens (a list, or one timetoken); repeated calls accumulate."""
        if timetokens is None:
            return self
        if not isinstance(timetokens, (list, tuple)):
            timetokens = [timetokens]
        self._timetokens.extend(timetoken_value(tt, "channel_timetokens") for tt in timetokens)
        return self

    def channels_timetoken(self, timetokens):
        """v10 keyword name of :meth:`channel_timetokens`."""
        return self.channel_timetokens(timetokens)

    def validate_params(self):
        self.validate_subscribe_key()
        if not self._channels:
            raise PubNubException(pn_error=errors.PNERR_CHANNEL_MISSING)
        if len(self._timetokens) != len(self._channels):
            raise PubNubException(errormsg=MISMATCHED_TIMETOKENS, pn_error=errors.PNERR_INVALID_ARGUMENT)

    def build_path(self):
        return "/v3/history/sub-key/%s/message-counts/%s" % (
            encode_path_segment(self.pubnub.config.subscribe_key), encode_path_list(self._channels))

    def custom_params(self):
        if len(self._timetokens) == 1:
            return {"timetoken": self._timetokens[0]}
        return {"channelsTimetoken": ",".join(str(tt) for tt in self._timetokens)}

    def create_response(self, envelope):
        return PNMessageCountResult.from_json(envelope)

    def affected_channels(self):
        return list(self._channels)
