"""Keysets the server accepts, and the Access Manager hook.

With no keyset configured the server runs in demo mode and accepts any keys. Otherwise an unknown
subscribe key gets the real ``400 Invalid Subscribe Key`` and an unknown publish key the legacy
``[0,"Invalid Key",tt]`` (protocol.md §10).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from pubnub_fast.server import responses

#: Longest key accepted in a ``--keyset`` spec or a path (real keys are ~42 characters).
MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class Keyset:
    """One PubNub keyset. ``secret_key`` set means Access Manager is on (issue 7).

    ``announce_max``, ``presence_interval`` and ``presence_deltas`` override the server's presence
    interval-mode settings for this keyset (``None``: the server's; see
    :class:`~.presence.PresenceSettings`).
    """

    subscribe_key: str
    publish_key: str
    secret_key: str | None = None
    announce_max: int | None = None
    presence_interval: float | None = None
    presence_deltas: bool | None = None

    @classmethod
    def parse(cls, spec: str) -> "Keyset":
        """Parse the CLI form ``sub:pub[:secret]``."""
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError("keyset %r is not of the form sub:pub[:secret]" % (spec,))
        for part in parts:
            if len(part) > MAX_KEY_LENGTH or any(ch in part for ch in "/?#%, \t"):
                raise ValueError("keyset %r contains an invalid key" % (spec,))
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


class KeysetRegistry:
    """Looks keys up; in demo mode (no keysets) every key is valid."""

    def __init__(self, keysets: Iterable[Keyset | str] = ()) -> None:
        self._by_subscribe_key: dict[str, Keyset] = {}
        for item in keysets:
            keyset = Keyset.parse(item) if isinstance(item, str) else item
            if keyset.subscribe_key in self._by_subscribe_key:
                raise ValueError("subscribe key %r given twice" % keyset.subscribe_key)
            self._by_subscribe_key[keyset.subscribe_key] = keyset

    @property
    def demo_mode(self) -> bool:
        return not self._by_subscribe_key

    @property
    def keysets(self) -> Mapping[str, Keyset]:
        return dict(self._by_subscribe_key)

    def require_subscribe_key(self, subscribe_key: str) -> Keyset:
        """The keyset of ``subscribe_key``; raise the real 400 when it is unknown."""
        if not subscribe_key or len(subscribe_key) > MAX_KEY_LENGTH:
            raise responses.invalid_subscribe_key()
        if self.demo_mode:
            return Keyset(subscribe_key, "")
        keyset = self._by_subscribe_key.get(subscribe_key)
        if keyset is None:
            raise responses.invalid_subscribe_key()
        return keyset

    def require_publish_key(self, publish_key: str, subscribe_key: str, timetoken: int) -> Keyset:
        """Check a publish/signal key pair: unknown sub key first, then ``Invalid Key``."""
        keyset = self.require_subscribe_key(subscribe_key)
        if not publish_key or len(publish_key) > MAX_KEY_LENGTH:
            raise responses.publish_error(400, "Invalid Key", timetoken)
        if not self.demo_mode and keyset.publish_key != publish_key:
            raise responses.publish_error(400, "Invalid Key", timetoken)
        return keyset


class AccessPolicy:
    """Access Manager enforcement: the single hook every routed request passes through.

    Called by the dispatcher after the keys were checked, before the handler runs, with the
    decoded call (``call.keyset``, ``call.route``, ``call.path``, ``call.query``); raises an
    :class:`~pubnub_fast.server.responses.ApiError` (the real 403 shapes) to deny.

    The decision is :meth:`pubnub_fast.server.access.AccessManager.authorize` (signature
    verification, v2 grants, v3 tokens, for keysets with a ``secret_key`` only; what each route
    needs is :mod:`pubnub_fast.server.permissions`). Without a ``manager`` every request is
    allowed.
    """

    def __init__(self, manager: Any = None) -> None:
        self.manager = manager

    def authorize(self, call: Any) -> None:
        if self.manager is not None:
            self.manager.authorize(call)
