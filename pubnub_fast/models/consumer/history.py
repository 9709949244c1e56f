"""Storage results: history (v2) and fetch_messages (v3) (``pubnub.models.consumer.history``).

Both ``from_json`` builders take an optional ``decrypt`` callable ``(value) -> value``. When it
raises, the item keeps the undecrypted value and the exception is stored in ``item.error`` (as
PubNub's SDK v10 does), so one bad message does not hide the others.
"""
from typing import Any, Callable, Dict, List, Optional

from pubnub_fast.models import field_repr

__all__ = ["PNHistoryResult", "PNHistoryItemResult", "PNFetchMessagesResult", "PNFetchMessageItem"]

Decrypt = Callable[[Any], Any]


def _decrypt_value(value: Any, decrypt: Optional[Decrypt]):
    """``(value, error)``: *value* decrypted, or unchanged with the exception on failure."""
    if decrypt is None:
        return value, None
    try:
        return decrypt(value), None
    except Exception as exc:  # stored on the item; the caller decides what to report
        return value, exc


class PNHistoryItemResult:
    """One message of ``history()``.

    ``entry`` is the message, ``timetoken`` and ``meta`` are filled when the request asked for
    them (``include_timetoken`` / ``include_meta``), ``error`` holds a decryption failure.
    ``crypto`` is the legacy cryptor used by :meth:`decrypt` (PubNub SDK signature; may be
    ``None`` when the item was decrypted while parsing).
    """

    def __init__(self, entry: Any, crypto: Any = None, timetoken: Optional[int] = None, meta: Any = None) -> None:
        self.entry = entry
        self.crypto = crypto
        self.timetoken = timetoken
        self.meta = meta
        self.error: Optional[Exception] = None

    def decrypt(self, cipher_key: str) -> None:
        """Decrypt ``entry`` in place with ``crypto.decrypt(cipher_key, entry)``.

        On failure ``entry`` is kept and the exception is stored in ``error``.
        """
        if self.crypto is None:
            raise ValueError("PNHistoryItemResult.decrypt() needs the item's crypto object; none was given")
        self.apply_decrypt(lambda value: self.crypto.decrypt(cipher_key, value))

    def apply_decrypt(self, decrypt: Decrypt) -> None:
        """Replace ``entry`` by ``decrypt(entry)``; on failure keep it and set ``error``."""
        self.entry, self.error = _decrypt_value(self.entry, decrypt)

    def __str__(self) -> str:
        return "History item with tt: %s and content: %s" % (self.timetoken, self.entry)

    def __repr__(self) -> str:
        return field_repr(self, ("entry", "timetoken", "meta", "error"))


class PNHistoryResult:
    """Result of ``history()``: ``messages`` plus the page's start and end timetokens."""

    def __init__(self, messages: List[PNHistoryItemResult], start_timetoken: int, end_timetoken: int) -> None:
        self.messages = messages
        self.start_timetoken = start_timetoken
        self.end_timetoken = end_timetoken

    @classmethod
    def from_json(
        cls,
        json_input: List[Any],
        include_timetoken: bool = False,
        include_meta: bool = False,
        decrypt: Optional[Decrypt] = None,
    ) -> "PNHistoryResult":
        """Build from ``[[items], start_tt, end_tt]``.

        With ``include_timetoken``/``include_meta`` the server wraps each item as
        ``{"message": .., "timetoken": .., "meta": ..}``; those flags must be the request's,
        because a plain message may itself be a dict with a ``message`` key.
        """
        raw_items, start_timetoken, end_timetoken = json_input[0], json_input[1], json_input[2]
        wrapped = include_timetoken or include_meta
        messages = []
        for raw in raw_items or ():
            if wrapped and isinstance(raw, dict) and "message" in raw:
                item = PNHistoryItemResult(raw["message"], None, raw.get("timetoken"), raw.get("meta"))
            else:
                item = PNHistoryItemResult(raw)
            if decrypt is not None:
                item.apply_decrypt(decrypt)
            messages.append(item)
        return cls(messages, start_timetoken, end_timetoken)

    def __str__(self) -> str:
        return "History result for range %s..%s" % (self.start_timetoken, self.end_timetoken)

    def __repr__(self) -> str:
        return field_repr(self, ("messages", "start_timetoken", "end_timetoken"))


class PNFetchMessageItem:
    """One message of ``fetch_messages()``.

    ``timetoken`` is the server's value (a string on the wire). ``meta`` is filled when asked
    for; ``actions`` only when the request included message actions (``{}`` when none exist).
    ``uuid`` (publisher), ``message_type`` and ``custom_message_type`` are ``None`` unless the
    server sent them; ``error`` holds a decryption failure.
    """

    def __init__(
        self,
        message: Any,
        timetoken: Any,
        meta: Any = None,
        actions: Optional[Dict[str, Any]] = None,
        error: Optional[Exception] = None,
    ) -> None:
        self.message = message
        self.timetoken = timetoken
        self.meta = meta
        self.actions = actions
        self.error = error
        self.uuid: Optional[str] = None
        self.message_type: Any = None
        self.custom_message_type: Optional[str] = None

    @classmethod
    def from_json(
        cls, json_input: Dict[str, Any], include_message_actions: bool = False, decrypt: Optional[Decrypt] = None
    ) -> "PNFetchMessageItem":
        """Build from one ``channels[ch]`` entry of the fetch response."""
        message, error = _decrypt_value(json_input.get("message"), decrypt)
        actions = None
        if include_message_actions:
            actions = json_input.get("actions") or {}
        item = cls(message, json_input.get("timetoken"), json_input.get("meta"), actions, error)
        item.uuid = json_input.get("uuid")
        item.message_type = json_input.get("message_type")
        item.custom_message_type = json_input.get("custom_message_type")
        return item

    def __str__(self) -> str:
        return "Fetch message item with tt: %s and content: %s" % (self.timetoken, self.message)

    def __repr__(self) -> str:
        return field_repr(
            self, ("message", "timetoken", "meta", "actions", "uuid", "message_type", "custom_message_type", "error")
        )


class PNFetchMessagesResult:
    """Result of ``fetch_messages()``.

    ``channels`` maps each channel to its :class:`PNFetchMessageItem` list (channels without
    messages are absent). ``start_timetoken``/``end_timetoken`` echo the request. ``more`` is the
    server's paging object when a fetch with message actions was truncated, else None.
    """

    def __init__(
        self,
        channels: Dict[str, List[PNFetchMessageItem]],
        start_timetoken: Optional[int],
        end_timetoken: Optional[int],
        error: Optional[Exception] = None,
        more: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.channels = channels
        self.start_timetoken = start_timetoken
        self.end_timetoken = end_timetoken
        self.error = error
        self.more = more

    @classmethod
    def from_json(
        cls,
        json_input: Dict[str, Any],
        include_message_actions: bool = False,
        start_timetoken: Optional[int] = None,
        end_timetoken: Optional[int] = None,
        decrypt: Optional[Decrypt] = None,
    ) -> "PNFetchMessagesResult":
        """Build from ``{"status": 200, "channels": {ch: [item, ..]}, ..}``."""
        channels = {}
        for name, items in (json_input.get("channels") or {}).items():
            channels[name] = [PNFetchMessageItem.from_json(item, include_message_actions, decrypt) for item in items]
        return cls(channels, start_timetoken, end_timetoken, more=json_input.get("more"))

    def __str__(self) -> str:
        return "Fetch messages result for range %s..%s: %s" % (
            self.start_timetoken,
            self.end_timetoken,
            {name: len(items) for name, items in self.channels.items()},
        )

    def __repr__(self) -> str:
        return field_repr(self, ("channels", "start_timetoken", "end_timetoken", "error", "more"))
