"""The entities API of PubNub SDK 10.8 (``pubnub.models.subscription`` compatible).

``pubnub.channel("c").subscription()`` and friends describe what to subscribe to; a subscription
(or a set of them) subscribes and unsubscribes itself on the client's one subscription loop, and
delivers the events that concern it to its own handlers::

    chat = pubnub.channel("chat").subscription(with_presence=True)
    chat.on_message = lambda message: print(message.message)
    chat.on_presence = lambda event: print(event.event, event.uuid)
    chat.subscribe()
    ...
    everything = pubnub.subscription_set([chat, pubnub.channel_group("rooms").subscription()])
    everything.subscribe(timetoken=17000000000000000)

Handlers: ``on_message``, ``on_signal``, ``on_presence`` (subscriptions made ``with_presence``
only), ``on_message_action``, ``on_file``, ``on_channel_metadata``, ``on_user_metadata``,
``on_membership``; each takes the event. ``add_listener(SubscribeCallback)`` adds a listener that
gets the same events (``listener.message(pubnub, message)``, or ``listener.message(message)``
when the method takes the event alone, as 10.8 calls it). Client-wide listeners
(``pubnub.add_listener``) keep receiving every event, statuses included.

Subscribing a set also delivers to the handlers of the subscriptions in it. A name stays
subscribed while any subscription still wants it: ``unsubscribe()`` of one of two subscriptions
to the same channel leaves the channel subscribed (``PNSubscriptionRegistry``); presence
(``name-pnpres``) stays on with the name, while only the subscriptions that asked for presence
get presence events.
All of it runs on the reactor thread, like the rest of the client.
"""
import inspect
import logging
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Union

from pubnub_fast.callbacks import SubscribeCallback

__all__ = [
    "PNSubscriptionType", "PNSubscribable", "PNEventEmitter", "PNSubscribeCapable", "PubNubSubscription",
    "PubNubSubscriptionSet", "PubNubChannel", "PubNubChannelGroup", "PubNubChannelMetadata", "PubNubUserMetadata",
    "PNSubscriptionRegistry", "PNSubscriptionRegistryCallback",
]

logger = logging.getLogger("pubnub_fast")

PRESENCE_SUFFIX = "-pnpres"


class PNSubscriptionType(Enum):
    CHANNEL = "channel"
    CHANNEL_GROUP = "channel_group"


#: listener method → subscription handler attribute
_HANDLERS = {
    "message": "on_message",
    "signal": "on_signal",
    "presence": "on_presence",
    "message_action": "on_message_action",
    "file": "on_file",
    "channel": "on_channel_metadata",
    "uuid": "on_user_metadata",
    "membership": "on_membership",
}


def _strip_presence(name: Optional[str]) -> Optional[str]:
    if name is not None and name.endswith(PRESENCE_SUFFIX):
        return name[:-len(PRESENCE_SUFFIX)]
    return name


def _names_of(event: Any) -> set:
    """The channel names an event concerns: its channel, or for App Context events (which carry
    no channel) the ids in their data — the channel/uuid the event is about."""
    channel = _strip_presence(getattr(event, "channel", None))
    if channel is not None:
        return {channel}
    names = set()
    data = getattr(event, "data", None)
    if isinstance(data, dict):
        if isinstance(data.get("id"), str):
            names.add(data["id"])
        for key in ("channel", "uuid"):
            ref = data.get(key)
            if isinstance(ref, dict) and isinstance(ref.get("id"), str):
                names.add(ref["id"])
    return names


def _takes_pubnub(method: Callable) -> bool:
    """Whether a listener method wants ``(pubnub, event)`` rather than ``(event)``."""
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


class PNEventEmitter:
    """Handlers of the events a subscription (or set) receives, and the listeners added to it."""

    on_message: Optional[Callable[[Any], None]] = None
    on_signal: Optional[Callable[[Any], None]] = None
    on_presence: Optional[Callable[[Any], None]] = None
    on_message_action: Optional[Callable[[Any], None]] = None
    on_file: Optional[Callable[[Any], None]] = None
    on_channel_metadata: Optional[Callable[[Any], None]] = None
    on_user_metadata: Optional[Callable[[Any], None]] = None
    on_membership: Optional[Callable[[Any], None]] = None

    _pubnub: Any = None
    _listeners: List[Any]

    @property
    def wants_presence(self) -> bool:
        return False

    def is_matching_listener(self, message: Any) -> bool:
        """Whether the event ``message`` concerns this subscription (or one in this set)."""
        raise NotImplementedError

    def add_listener(self, listener: SubscribeCallback) -> None:
        """A ``SubscribeCallback`` that receives the events of this subscription only."""
        if not isinstance(listener, SubscribeCallback):
            raise TypeError("listener must be a pubnub_fast.callbacks.SubscribeCallback, not %s"
                            % type(listener).__name__)
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: SubscribeCallback) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, method: str, event: Any) -> None:
        if method == "presence" and not self.wants_presence:
            return
        handler = getattr(self, _HANDLERS[method], None)
        if handler is not None:
            handler(event)
        for listener in list(self._listeners):
            bound = getattr(listener, method, None)
            if bound is None:
                continue
            if _takes_pubnub(bound):
                bound(self._pubnub, event)
            else:
                bound(event)

    # the names of 10.8's emitter methods: deliver one event of that kind
    def message(self, message: Any) -> None:
        self._emit("message", message)

    def signal(self, signal: Any) -> None:
        self._emit("signal", signal)

    def presence(self, presence: Any) -> None:
        self._emit("presence", presence)

    def message_action(self, message_action: Any) -> None:
        self._emit("message_action", message_action)


class PNSubscribeCapable:
    """``subscribe()``/``unsubscribe()`` through the client's subscription registry."""

    _pubnub: Any = None

    def subscribe(self, timetoken: Optional[int] = None, region: Optional[str] = None) -> None:
        """Subscribe (from ``timetoken`` when given; ``region`` is accepted as in 10.8)."""
        self._pubnub._entity_registry().subscribe(self, timetoken)

    def unsubscribe(self) -> None:
        """Stop this subscription; names no other active subscription wants are unsubscribed."""
        self._pubnub._entity_registry().remove(self)


class PubNubSubscription(PNEventEmitter, PNSubscribeCapable):
    """A subscription to one channel or channel group (from an entity's ``subscription()``)."""

    def __init__(self, pubnub_instance: Any, name: str, type: Optional[PNSubscriptionType],
                 with_presence: bool = False) -> None:
        self._pubnub = pubnub_instance
        self._listeners = []
        self.name = name
        self._type = type
        self.with_presence = with_presence
        self.timetoken: Optional[int] = None

    @property
    def wants_presence(self) -> bool:
        return bool(self.with_presence)

    def get_names_with_presence(self) -> List[str]:
        """The names this subscription subscribes (``name`` and ``name-pnpres`` with presence)."""
        return [self.name, self.name + PRESENCE_SUFFIX] if self.with_presence else [self.name]

    def is_matching_listener(self, message: Any) -> bool:
        if self._type == PNSubscriptionType.CHANNEL_GROUP:
            return _strip_presence(getattr(message, "subscription", None)) == self.name
        return self.name in _names_of(message)

    def channels(self) -> List[str]:
        return [] if self._type == PNSubscriptionType.CHANNEL_GROUP else [self.name]

    def channel_groups(self) -> List[str]:
        return [self.name] if self._type == PNSubscriptionType.CHANNEL_GROUP else []

    def __add__(self, other: Union["PubNubSubscription", "PubNubSubscriptionSet"]) -> "PubNubSubscriptionSet":
        """``sub_a + sub_b``: a subscription set of both."""
        others = other.get_subscription_items() if isinstance(other, PubNubSubscriptionSet) else [other]
        return PubNubSubscriptionSet(self._pubnub, [self] + list(others))

    def __repr__(self) -> str:
        kind = self._type.value if self._type is not None else "user_metadata"
        return "PubNubSubscription(%s %r%s)" % (kind, self.name, ", with_presence" if self.with_presence else "")


class PubNubSubscriptionSet(PNEventEmitter, PNSubscribeCapable):
    """Several subscriptions subscribed and unsubscribed together; its handlers see all their events."""

    def __init__(self, pubnub_instance: Any, subscriptions: List[PubNubSubscription]) -> None:
        self._pubnub = pubnub_instance
        self._listeners = []
        self.subscriptions = list(subscriptions)
        for subscription in self.subscriptions:
            if not isinstance(subscription, PubNubSubscription):
                raise TypeError("a subscription set holds subscriptions, not %r" % (subscription,))
        self.timetoken: Optional[int] = None

    @property
    def wants_presence(self) -> bool:
        return any(s.with_presence for s in self.subscriptions)

    def get_subscription_items(self) -> List[PubNubSubscription]:
        return list(self.subscriptions)

    def is_matching_listener(self, message: Any) -> bool:
        return any(s.is_matching_listener(message) for s in self.subscriptions)

    def _emit(self, method: str, event: Any) -> None:
        if method == "presence" and not any(s.with_presence and s.is_matching_listener(event)
                                            for s in self.subscriptions):
            return
        PNEventEmitter._emit(self, method, event)

    def add(self, subscription: PubNubSubscription) -> "PubNubSubscriptionSet":
        """Add a subscription (subscribed at once if the set is)."""
        if not isinstance(subscription, PubNubSubscription):
            raise TypeError("a subscription set holds subscriptions, not %r" % (subscription,))
        if subscription not in self.subscriptions:
            self._pubnub._entity_registry().change(lambda: self.subscriptions.append(subscription))
        return self

    def remove(self, subscription: PubNubSubscription) -> "PubNubSubscriptionSet":
        """Remove a subscription (unsubscribed at once if the set is and nothing else wants it)."""
        if subscription in self.subscriptions:
            self._pubnub._entity_registry().change(lambda: self.subscriptions.remove(subscription))
        return self

    def __iadd__(self, other: Union[PubNubSubscription, "PubNubSubscriptionSet"]) -> "PubNubSubscriptionSet":
        for subscription in (other.get_subscription_items() if isinstance(other, PubNubSubscriptionSet) else [other]):
            self.add(subscription)
        return self

    def __isub__(self, other: Union[PubNubSubscription, "PubNubSubscriptionSet"]) -> "PubNubSubscriptionSet":
        for subscription in (other.get_subscription_items() if isinstance(other, PubNubSubscriptionSet) else [other]):
            self.remove(subscription)
        return self

    def __add__(self, other: Union[PubNubSubscription, "PubNubSubscriptionSet"]) -> "PubNubSubscriptionSet":
        others = other.get_subscription_items() if isinstance(other, PubNubSubscriptionSet) else [other]
        return PubNubSubscriptionSet(self._pubnub, self.subscriptions + list(others))

    def __repr__(self) -> str:
        return "PubNubSubscriptionSet(%r)" % (self.subscriptions,)


class PNSubscribable:
    """An entity one can subscribe to: ``entity.subscription(with_presence=...)``."""

    _type: Optional[PNSubscriptionType] = PNSubscriptionType.CHANNEL
    pubnub: Any = None

    def __init__(self, pubnub_instance: Any, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("%s needs a non-empty name, not %r" % (type(self).__name__, name))
        self.pubnub = pubnub_instance
        self.name = name

    def subscription(self, with_presence: Optional[bool] = None) -> PubNubSubscription:
        return PubNubSubscription(self.pubnub, self.name, self._type, with_presence=bool(with_presence))

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self.name)


class PubNubChannel(PNSubscribable):
    """``pubnub.channel(name)``: messages, signals, files, message actions (and presence) of a channel."""

    def __init__(self, pubnub_instance: Any, channel: str) -> None:
        super().__init__(pubnub_instance, channel)


class PubNubChannelGroup(PNSubscribable):
    """``pubnub.channel_group(name)``: the events of every channel in a channel group."""

    _type = PNSubscriptionType.CHANNEL_GROUP

    def __init__(self, pubnub_instance: Any, channel_group: str) -> None:
        super().__init__(pubnub_instance, channel_group)


class PubNubChannelMetadata(PNSubscribable):
    """``pubnub.channel_metadata(channel)``: App Context events of a channel (sent on that channel)."""

    def __init__(self, pubnub_instance: Any, channel: str) -> None:
        super().__init__(pubnub_instance, channel)


class PubNubUserMetadata(PNSubscribable):
    """``pubnub.user_metadata(user_id)``: App Context events of a user (sent on the channel named
    after the user id)."""

    _type = None

    def __init__(self, pubnub_instance: Any, user_id: str) -> None:
        super().__init__(pubnub_instance, user_id)


class PNSubscriptionRegistry:
    """The active subscriptions of one client, and the names they keep subscribed.

    Each channel or group is subscribed while at least one active subscription wants it, with
    presence while one of those wants presence; the registry changes the subscription loop only
    when that set changes.
    """

    def __init__(self, pubnub_instance: Any) -> None:
        self._pubnub = pubnub_instance
        self._active: List[Union[PubNubSubscription, PubNubSubscriptionSet]] = []
        self._callback = PNSubscriptionRegistryCallback(self)
        pubnub_instance.add_listener(self._callback)

    # --- what is wanted ----------------------------------------------------------------------

    def _members(self) -> List[PubNubSubscription]:
        members: List[PubNubSubscription] = []
        for item in self._active:
            for subscription in (item.get_subscription_items() if isinstance(item, PubNubSubscriptionSet)
                                 else [item]):
                if subscription not in members:
                    members.append(subscription)
        return members

    def _wanted(self) -> Dict[str, Dict[str, bool]]:
        wanted: Dict[str, Dict[str, bool]] = {"channels": {}, "groups": {}}
        for subscription in self._members():
            for kind, names in (("channels", subscription.channels()), ("groups", subscription.channel_groups())):
                for name in names:
                    wanted[kind][name] = wanted[kind].get(name, False) or bool(subscription.with_presence)
        return wanted

    def get_subscribed_channels(self) -> List[str]:
        return list(self._wanted()["channels"])

    def get_subscribed_channel_groups(self) -> List[str]:
        return list(self._wanted()["groups"])

    def get_subscriptions_for(self, _type: Optional[PNSubscriptionType], name: str) -> List[PubNubSubscription]:
        return [s for s in self._members() if s._type == _type and s.name == name]

    def get_all_listeners(self) -> List[Any]:
        listeners: List[Any] = []
        for item in self._active:
            listeners.extend(item._listeners)
        return listeners

    # --- changing it ---------------------------------------------------------------------------

    def _apply(self, before: Dict[str, Dict[str, bool]], timetoken: Optional[int] = None) -> List[str]:
        after = self._wanted()
        loop = self._pubnub._loop()
        gone_channels = [n for n in before["channels"] if n not in after["channels"]]
        gone_groups = [n for n in before["groups"] if n not in after["groups"]]
        if gone_channels or gone_groups:
            loop.unsubscribe(gone_channels, gone_groups)
        changed = []
        for kind in ("channels", "groups"):
            for name, presence in after[kind].items():
                if name not in before[kind] or (presence and not before[kind][name]):
                    changed.append((kind, name, presence))
        new_channels = [name for kind, name, _ in changed if kind == "channels"]
        new_groups = [name for kind, name, _ in changed if kind == "groups"]
        if new_channels or new_groups or timetoken is not None:
            plain_channels = [n for n in new_channels if not after["channels"][n]]
            plain_groups = [n for n in new_groups if not after["groups"][n]]
            presence_channels = [n for n in new_channels if after["channels"][n]]
            presence_groups = [n for n in new_groups if after["groups"][n]]
            if plain_channels or plain_groups or (timetoken is not None and not (presence_channels or presence_groups)):
                loop.subscribe(plain_channels, plain_groups, False, timetoken)
            if presence_channels or presence_groups:
                loop.subscribe(presence_channels, presence_groups, True, timetoken)
        return [name for _, name, _ in changed] + gone_channels + gone_groups

    def add(self, subscription: Union[PubNubSubscription, PubNubSubscriptionSet]) -> list:
        """Activate ``subscription``; returns the names that became subscribed."""
        before = self._wanted()
        if subscription not in self._active:
            self._active.append(subscription)
        return self._apply(before, getattr(subscription, "timetoken", None))

    def remove(self, subscription: Union[PubNubSubscription, PubNubSubscriptionSet]) -> list:
        """Deactivate ``subscription``; returns the names that were unsubscribed."""
        before = self._wanted()
        if subscription in self._active:
            self._active.remove(subscription)
        return self._apply(before)

    def subscribe(self, item: Union[PubNubSubscription, PubNubSubscriptionSet], timetoken: Optional[int]) -> None:
        item.timetoken = timetoken
        self.add(item)

    def unsubscribe(self, channels: Optional[List[str]] = None, groups: Optional[List[str]] = None) -> None:
        """Deactivate every subscription (or set) holding one of ``channels``/``groups``."""
        before = self._wanted()
        names = set(channels or []) | set(groups or [])
        self._active = [a for a in self._active
                        if not any(s.name in names for s in (a.get_subscription_items()
                                                             if isinstance(a, PubNubSubscriptionSet) else [a]))]
        self._apply(before)

    def unsubscribe_all(self) -> None:
        before = self._wanted()
        self._active = []
        self._apply(before)

    def change(self, mutate: Callable[[], None]) -> list:
        """Run ``mutate()`` (which changes what an active subscription set holds), then apply."""
        before = self._wanted()
        mutate()
        return self._apply(before)

    # --- listeners (10.8 names) -------------------------------------------------------------------

    def add_listener(self, listener: SubscribeCallback) -> None:
        self._pubnub.add_listener(listener)

    def remove_listener(self, listener: SubscribeCallback) -> None:
        self._pubnub.remove_listener(listener)

    def _emitters(self) -> List[PNEventEmitter]:
        """Active subscriptions and sets, and the subscriptions inside active sets (each once)."""
        emitters: List[PNEventEmitter] = []
        for item in self._active:
            for emitter in [item] + (item.get_subscription_items() if isinstance(item, PubNubSubscriptionSet) else []):
                if not any(emitter is known for known in emitters):
                    emitters.append(emitter)
        return emitters

    def _deliver(self, method: str, event: Any) -> None:
        for item in self._emitters():
            try:
                if item.is_matching_listener(event):
                    item._emit(method, event)
            except Exception:  # one handler must not break the others or the loop
                logger.exception("subscription handler of %r raised in %s", item, method)


class PNSubscriptionRegistryCallback(SubscribeCallback):
    """The client-wide listener through which the registry sees the loop's events."""

    def __init__(self, subscription_registry: PNSubscriptionRegistry) -> None:
        self._registry = subscription_registry

    def status(self, _: Any, status: Any) -> None:
        pass  # statuses go to the client-wide listeners

    def presence(self, _: Any, presence: Any) -> None:
        self._registry._deliver("presence", presence)

    def message(self, _: Any, message: Any) -> None:
        self._registry._deliver("message", message)

    def signal(self, _: Any, signal: Any) -> None:
        self._registry._deliver("signal", signal)

    def channel(self, _: Any, channel: Any) -> None:
        self._registry._deliver("channel", channel)

    def uuid(self, pubnub: Any, uuid: Any) -> None:
        self._registry._deliver("uuid", uuid)

    def membership(self, _: Any, membership: Any) -> None:
        self._registry._deliver("membership", membership)

    def message_action(self, _: Any, message_action: Any) -> None:
        self._registry._deliver("message_action", message_action)

    def file(self, _: Any, file_message: Any) -> None:
        self._registry._deliver("file", file_message)
