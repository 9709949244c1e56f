"""``PubNubCore``: what every pubnub_fast client style shares (``pubnub.pubnub_core`` compatible).

The one core behind ``PubNubTwisted`` (``pubnub_fast.pubnub_twisted``), ``PubNub``
(``pubnub_fast.pubnub``) and ``PubNubAsyncio`` (``pubnub_fast.pubnub_asyncio``): configuration
(locked copy when ``disable_config_locking`` is False, as PubNub SDK 10.8), the request pipeline
over one transport, listeners, the subscription loop, Access Manager tokens, and every endpoint
factory with the parameters of PubNub SDK 10.8 in the same order — so both
``pubnub.publish().channel("ch").message(m)`` (v4 builder style) and ``pubnub.publish("ch", m)``
work. A client style only adds how a request is run (``.deferred()``, ``.sync()``, ``.future()``)
and where its reactor comes from.
"""
import logging
import time as _time
from typing import Any, Dict, List, Optional, Union

from pubnub_fast import __version__
from pubnub_fast.builders import SubscribeBuilder, UnsubscribeBuilder
from pubnub_fast.endpoints.access import Audit, Grant, GrantToken, Revoke, RevokeToken
from pubnub_fast.endpoints.channel_groups import (AddChannelToChannelGroup, ListChannelsInChannelGroup,
                                                 RemoveChannelFromChannelGroup, RemoveChannelGroup)
from pubnub_fast.endpoints.files import (DeleteFile, DownloadFile, FetchFileUploadS3Data, GetFileDownloadUrl, ListFiles,
                                        PublishFileMessage, SendFile)
from pubnub_fast.endpoints.history import FetchMessages, History, HistoryDelete, MessageCount
from pubnub_fast.endpoints.message_actions import AddMessageAction, GetMessageActions, RemoveMessageAction
from pubnub_fast.endpoints.objects import (GetAllChannels, GetAllUuid, GetChannel, GetChannelMembers, GetMemberships,
                                          GetUuid, ManageChannelMembers, ManageMemberships, RemoveChannel,
                                          RemoveChannelMembers, RemoveMemberships, RemoveUuid, SetChannel,
                                          SetChannelMembers, SetMemberships, SetUuid)
from pubnub_fast.endpoints.presence import GetState, Heartbeat, HereNow, SetState, WhereNow
from pubnub_fast.endpoints.pubsub import Fire, Publish, Signal
from pubnub_fast.endpoints.push import (AddChannelsToPush, ListPushProvisions, RemoveChannelsFromPush,
                                       RemoveDeviceFromPush)
from pubnub_fast.endpoints.time import Time
from pubnub_fast.enums import PNPushEnvironment, PNPushType
from pubnub_fast.listeners import Listeners
from pubnub_fast.managers import TokenManager
from pubnub_fast.models.subscription import (PNSubscriptionRegistry, PubNubChannel, PubNubChannelGroup,
                                             PubNubChannelMetadata, PubNubSubscription, PubNubSubscriptionSet,
                                             PubNubUserMetadata)
from pubnub_fast.pipeline import RequestPipeline
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.subscription import SubscriptionLoop
from pubnub_fast.tokens import parse_token as _parse_token

__all__ = ["PubNubCore"]

logger = logging.getLogger("pubnub_fast")

_NO_SUBSCRIBE = "Subscription manager is not enabled for this instance"

Names = Union[str, List[str], None]


def _given(**kwargs: Any) -> Dict[str, Any]:
    """The arguments a caller actually gave (None means "not set", as in PubNub's SDK)."""
    return {name: value for name, value in kwargs.items() if value is not None}


def _default_transport(reactor: Any, clock: Any, config: PNConfiguration, pool: Any) -> Any:
    from pubnub_fast.transport import TreqTransport

    if pool is not None:  # an HTTPConnectionPool belongs to Twisted's Agent: use it through treq
        return TreqTransport(reactor, pool=pool, connect_timeout=config.connect_timeout, clock=clock,
                             idle_timeout=config.subscribe_request_timeout)
    from pubnub_fast.http11 import HTTP11Transport

    return HTTP11Transport(reactor, clock=clock, connect_timeout=config.connect_timeout,
                           max_connections=config.connection_pool_size,
                           idle_timeout=config.subscribe_request_timeout)


class PubNubCore:
    """The client core: configuration, pipeline, listeners, subscription loop and endpoint factories.

    Subclasses (the client styles) resolve their reactor and call ``PubNubCore.__init__``.

    :param config: a ``PNConfiguration``. When ``config.disable_config_locking`` is False the
        client keeps a locked copy, so later changes of ``config`` (uuid, keys…) do not affect
        it (PubNub SDK 10.8); by default (True) the client uses ``config`` itself.
    :param reactor: the Twisted reactor the client runs on (default: the global reactor).
    :param clock: ``IReactorTime`` for timeouts, timers and request timestamps (default: reactor).
    :param transport: the HTTP transport (default: ``default_transport(pool)``).
    :param pool: an ``HTTPConnectionPool`` for the default transport.
    :param random: ``() -> float in [0, 1)`` for reconnection jitter (tests pin it).
    """

    SDK_NAME = "PubNub-Python-Fast"
    SDK_VERSION = __version__
    #: How listeners are called (the sync and asyncio styles deliver on their own thread / loop).
    _listeners_class = Listeners
    TIMESTAMP_DIVIDER = 1000

    def __init__(self, config: PNConfiguration, reactor: Any = None, clock: Any = None, transport: Any = None,
                 pool: Any = None, random: Any = None) -> None:
        if reactor is None:
            from twisted.internet import reactor as global_reactor  # looked up now, never at import

            reactor = global_reactor
        if not isinstance(config, PNConfiguration):
            raise TypeError("%s needs a pubnub_fast.pnconfiguration.PNConfiguration, not %s"
                            % (type(self).__name__, type(config).__name__))
        config.validate()
        if not config.disable_config_locking:
            config = config.copy()
            config.lock()
        self.config = config
        self.reactor = reactor
        self.clock = clock if clock is not None else reactor
        if transport is None:
            transport = self.default_transport(pool)
        self._transport = transport
        self._pipeline = RequestPipeline(self, transport, self.clock)
        self._listeners = self._listeners_class(self) if config.enable_subscribe else None
        self._subscription = (SubscriptionLoop(self, self._listeners, self.clock, random)
                              if config.enable_subscribe else None)
        self._token_manager = TokenManager()
        self._subscription_registry: Optional[PNSubscriptionRegistry] = None

    def default_transport(self, pool: Any = None) -> Any:
        """The HTTP transport used when none is given: the lean ``HTTP11Transport``, or
        ``TreqTransport`` over ``pool`` when an ``HTTPConnectionPool`` is given."""
        return _default_transport(self.reactor, self.clock, self.config, pool)

    # --- identity -----------------------------------------------------------------------------------

    @property
    def sdk_name(self) -> str:
        """The ``pnsdk`` and ``User-Agent`` of this client."""
        return "%s/%s" % (self.SDK_NAME, __version__)

    def sdk_platform(self) -> str:
        return ""

    @property
    def uuid(self) -> Optional[str]:
        return self.config.uuid

    @property
    def base_origin(self) -> str:
        return self.config.base_origin

    @property
    def crypto(self) -> Any:
        """The crypto module messages are encrypted with (None without ``cipher_key``/``crypto_module``)."""
        return self.config.message_crypto_module()

    @staticmethod
    def timestamp() -> int:
        """Seconds since the epoch (int)."""
        return int(_time.time())

    # --- listeners ------------------------------------------------------------------------------------

    def add_listener(self, listener: Any) -> None:
        if self._listeners is None:
            raise Exception(_NO_SUBSCRIBE)
        self._listeners.add(listener)

    def remove_listener(self, listener: Any) -> None:
        if self._listeners is None:
            raise Exception(_NO_SUBSCRIBE)
        self._listeners.remove(listener)

    # --- subscribing ----------------------------------------------------------------------------------

    def _loop(self) -> SubscriptionLoop:
        if self._subscription is None:
            raise Exception(_NO_SUBSCRIBE)
        return self._subscription

    def subscribe(self) -> SubscribeBuilder:
        """``subscribe().channels(...).channel_groups(...).with_presence().with_timetoken(tt).execute()``."""
        return SubscribeBuilder(self._loop())

    def unsubscribe(self) -> UnsubscribeBuilder:
        """``unsubscribe().channels(...).channel_groups(...).execute()``."""
        return UnsubscribeBuilder(self._loop())

    def unsubscribe_all(self) -> None:
        loop = self._loop()
        if self._subscription_registry is not None:
            self._subscription_registry.unsubscribe_all()
        loop.unsubscribe_all()

    def reconnect(self) -> None:
        """Resume the subscription now (after it stopped on a failure, or to skip a backoff wait)."""
        self._loop().reconnect()

    def get_subscribed_channels(self) -> List[str]:
        """The subscribed channels, with their ``-pnpres`` names when subscribed with presence (as
        PubNub's SDK lists them)."""
        return self._loop().subscribed_channels(with_presence=True) if self._subscription is not None else []

    def get_subscribed_channel_groups(self) -> List[str]:
        return self._loop().subscribed_channel_groups(with_presence=True) if self._subscription is not None else []

    # --- entities (PubNub SDK 10.8): pubnub.channel("c").subscription().subscribe() -----------------

    def channel(self, channel: str) -> PubNubChannel:
        return PubNubChannel(self, channel)

    def channel_group(self, channel_group: str) -> PubNubChannelGroup:
        return PubNubChannelGroup(self, channel_group)

    def channel_metadata(self, channel: str) -> PubNubChannelMetadata:
        return PubNubChannelMetadata(self, channel)

    def user_metadata(self, user_id: str) -> PubNubUserMetadata:
        return PubNubUserMetadata(self, user_id)

    def subscription_set(self, subscriptions: List[PubNubSubscription]) -> PubNubSubscriptionSet:
        return PubNubSubscriptionSet(self, subscriptions)

    def _entity_registry(self) -> PNSubscriptionRegistry:
        if self._subscription_registry is None:
            self._loop()  # raises when subscribing is disabled
            self._subscription_registry = PNSubscriptionRegistry(self)
        return self._subscription_registry

    def _file_url(self, channel: str, file_id: str, file_name: str) -> str:
        return self.get_file_url().channel(channel).file_id(file_id).file_name(file_name).get_complete_url()

    # --- access tokens ----------------------------------------------------------------------------------

    def set_token(self, token: Optional[str]) -> None:
        """Use an Access Manager v3 token as ``auth`` on every request (instead of ``auth_key``)."""
        if token is not None and not isinstance(token, str):
            raise TypeError("token must be a str or None, not %s" % type(token).__name__)
        self._token_manager.set_token(token or None)

    def _get_token(self) -> Optional[str]:
        return self._token_manager.get_token()

    def parse_token(self, token: str) -> Dict[str, Any]:
        """The permissions, ttl, meta… an Access Manager v3 token carries (``pubnub_fast.tokens``)."""
        return _parse_token(token)

    # --- publish / signal ------------------------------------------------------------------------------

    def time(self) -> Time:
        return Time(self)

    def publish(self, channel: Optional[str] = None, message: Any = None, should_store: Optional[bool] = None,
                use_post: Optional[bool] = None, meta: Optional[Any] = None, replicate: Optional[bool] = None,
                ptto: Optional[int] = None, ttl: Optional[int] = None, custom_message_type: Optional[str] = None,
                **kwargs: Any) -> Publish:
        return Publish(self, **_given(channel=channel, message=message, should_store=should_store,
                                      use_post=use_post, meta=meta, replicate=replicate, ptto=ptto, ttl=ttl,
                                      custom_message_type=custom_message_type), **kwargs)

    def fire(self, channel: Optional[str] = None, message: Any = None, use_post: Optional[bool] = None,
             meta: Optional[Any] = None, **kwargs: Any) -> Fire:
        return Fire(self, **_given(channel=channel, message=message, use_post=use_post, meta=meta), **kwargs)

    def signal(self, channel: Optional[str] = None, message: Any = None, custom_message_type: Optional[str] = None,
               **kwargs: Any) -> Signal:
        return Signal(self, **_given(channel=channel, message=message, custom_message_type=custom_message_type),
                      **kwargs)

    # --- presence ----------------------------------------------------------------------------------------

    def heartbeat(self, **kwargs: Any) -> Heartbeat:
        return Heartbeat(self, **kwargs)

    def here_now(self, channels: Names = None, channel_groups: Names = None, include_state: bool = False,
                 include_uuids: bool = True, **kwargs: Any) -> HereNow:
        return HereNow(self, **_given(channels=channels, channel_groups=channel_groups, include_state=include_state,
                                      include_uuids=include_uuids), **kwargs)

    def where_now(self, user_id: Optional[str] = None, **kwargs: Any) -> WhereNow:
        return WhereNow(self, **_given(user_id=user_id), **kwargs)

    def set_state(self, channels: Names = None, channel_groups: Names = None,
                  state: Optional[Dict[str, Any]] = None, **kwargs: Any) -> SetState:
        return SetState(self, **_given(channels=channels, channel_groups=channel_groups, state=state), **kwargs)

    def get_state(self, channels: Names = None, channel_groups: Names = None, uuid: Optional[str] = None,
                  **kwargs: Any) -> GetState:
        return GetState(self, **_given(channels=channels, channel_groups=channel_groups, uuid=uuid), **kwargs)

    # --- channel groups ------------------------------------------------------------------------------------

    def add_channel_to_channel_group(self, channels: Names = None, channel_group: Optional[str] = None,
                                     **kwargs: Any) -> AddChannelToChannelGroup:
        return AddChannelToChannelGroup(self, **_given(channels=channels, channel_group=channel_group), **kwargs)

    def remove_channel_from_channel_group(self, channels: Names = None, channel_group: Optional[str] = None,
                                          **kwargs: Any) -> RemoveChannelFromChannelGroup:
        return RemoveChannelFromChannelGroup(self, **_given(channels=channels, channel_group=channel_group),
                                             **kwargs)

    def list_channels_in_channel_group(self, channel_group: Optional[str] = None,
                                       **kwargs: Any) -> ListChannelsInChannelGroup:
        return ListChannelsInChannelGroup(self, **_given(channel_group=channel_group), **kwargs)

    def remove_channel_group(self, **kwargs: Any) -> RemoveChannelGroup:
        return RemoveChannelGroup(self, **kwargs)

    # --- history -------------------------------------------------------------------------------------------

    def history(self, **kwargs: Any) -> History:
        return History(self, **kwargs)

    def fetch_messages(self, channels: Names = None, start: Optional[int] = None, end: Optional[int] = None,
                       count: Optional[int] = None, include_meta: Optional[bool] = None,
                       include_message_actions: Optional[bool] = None, include_message_type: Optional[bool] = None,
                       include_uuid: Optional[bool] = None, decrypt_messages: bool = False,
                       **kwargs: Any) -> FetchMessages:
        return FetchMessages(self, **_given(channels=channels, start=start, end=end, count=count,
                                            include_meta=include_meta,
                                            include_message_actions=include_message_actions,
                                            include_message_type=include_message_type, include_uuid=include_uuid,
                                            decrypt_messages=decrypt_messages or None), **kwargs)

    def delete_messages(self, channel: Optional[str] = None, start: Optional[int] = None, end: Optional[int] = None,
                        **kwargs: Any) -> HistoryDelete:
        return HistoryDelete(self, **_given(channel=channel, start=start, end=end), **kwargs)

    def message_counts(self, channels: Names = None, channels_timetoken: Union[str, List[Any], None] = None,
                       **kwargs: Any) -> MessageCount:
        return MessageCount(self, **_given(channels=channels, channels_timetoken=channels_timetoken), **kwargs)

    # --- message actions -------------------------------------------------------------------------------------

    def add_message_action(self, channel: Optional[str] = None, message_action: Any = None,
                           **kwargs: Any) -> AddMessageAction:
        return AddMessageAction(self, **_given(channel=channel, message_action=message_action), **kwargs)

    def get_message_actions(self, channel: Optional[str] = None, start: Optional[str] = None,
                            end: Optional[str] = None, limit: Optional[str] = None,
                            **kwargs: Any) -> GetMessageActions:
        return GetMessageActions(self, **_given(channel=channel, start=start, end=end, limit=limit), **kwargs)

    def remove_message_action(self, channel: Optional[str] = None, message_timetoken: Optional[int] = None,
                              action_timetoken: Optional[int] = None, **kwargs: Any) -> RemoveMessageAction:
        return RemoveMessageAction(self, **_given(channel=channel, message_timetoken=message_timetoken,
                                                  action_timetoken=action_timetoken), **kwargs)

    # --- Access Manager -----------------------------------------------------------------------------------------

    def grant(self, **kwargs: Any) -> Grant:
        return Grant(self, **kwargs)

    def revoke(self, **kwargs: Any) -> Revoke:
        return Revoke(self, **kwargs)

    def audit(self, **kwargs: Any) -> Audit:
        return Audit(self, **kwargs)

    def grant_token(self, channels: Any = None, channel_groups: Any = None, users: Any = None, spaces: Any = None,
                    authorized_user_id: Optional[str] = None, ttl: Optional[int] = None, meta: Optional[Any] = None,
                    categories: Optional[List[Any]] = None, **kwargs: Any) -> GrantToken:
        return GrantToken(self, **_given(channels=channels, groups=channel_groups, users=users, spaces=spaces,
                                         authorized_user=authorized_user_id, ttl=ttl, meta=meta,
                                         categories=categories), **kwargs)

    def revoke_token(self, token: Optional[str] = None, **kwargs: Any) -> RevokeToken:
        return RevokeToken(self, token, **kwargs)

    # --- mobile push ----------------------------------------------------------------------------------------------

    def add_channels_to_push(self, channels: Names = None, device_id: Optional[str] = None,
                             push_type: Optional[PNPushType] = None, topic: Optional[str] = None,
                             environment: Optional[PNPushEnvironment] = None, **kwargs: Any) -> AddChannelsToPush:
        return AddChannelsToPush(self, **_given(channels=channels, device_id=device_id, push_type=push_type,
                                                topic=topic, environment=environment), **kwargs)

    def remove_channels_from_push(self, channels: Names = None, device_id: Optional[str] = None,
                                  push_type: Optional[PNPushType] = None, topic: Optional[str] = None,
                                  environment: Optional[PNPushEnvironment] = None,
                                  **kwargs: Any) -> RemoveChannelsFromPush:
        return RemoveChannelsFromPush(self, **_given(channels=channels, device_id=device_id, push_type=push_type,
                                                     topic=topic, environment=environment), **kwargs)

    def list_push_channels(self, device_id: Optional[str] = None, push_type: Optional[PNPushType] = None,
                           topic: Optional[str] = None, environment: Optional[PNPushEnvironment] = None,
                           **kwargs: Any) -> ListPushProvisions:
        return ListPushProvisions(self, **_given(device_id=device_id, push_type=push_type, topic=topic,
                                                 environment=environment), **kwargs)

    def remove_device_from_push(self, device_id: Optional[str] = None, push_type: Optional[PNPushType] = None,
                                topic: Optional[str] = None, environment: Optional[PNPushEnvironment] = None,
                                **kwargs: Any) -> RemoveDeviceFromPush:
        return RemoveDeviceFromPush(self, **_given(device_id=device_id, push_type=push_type, topic=topic,
                                                   environment=environment), **kwargs)

    # --- App Context (objects v2) ------------------------------------------------------------------------------------

    def set_uuid_metadata(self, uuid: Optional[str] = None, include_custom: Optional[bool] = None,
                          custom: Optional[dict] = None, include_status: bool = True, include_type: bool = True,
                          status: Optional[str] = None, type: Optional[str] = None, name: Optional[str] = None,
                          email: Optional[str] = None, external_id: Optional[str] = None,
                          profile_url: Optional[str] = None, **kwargs: Any) -> SetUuid:
        builder = SetUuid(self, **_given(uuid=uuid, custom=custom, include_status=include_status,
                                         include_type=include_type, status=status, type=type, name=name,
                                         email=email, external_id=external_id, profile_url=profile_url), **kwargs)
        # custom= given here does not ask for custom back (PubNub SDK 10.8); .custom() on the builder does
        builder._include_custom = include_custom  # type: ignore[assignment]  # None: not asked for
        return builder

    def get_uuid_metadata(self, uuid: Optional[str] = None, include_custom: Optional[bool] = None,
                          include_status: bool = True, include_type: bool = True, **kwargs: Any) -> GetUuid:
        return GetUuid(self, **_given(uuid=uuid, include_custom=include_custom, include_status=include_status,
                                      include_type=include_type), **kwargs)

    def remove_uuid_metadata(self, uuid: Optional[str] = None, **kwargs: Any) -> RemoveUuid:
        return RemoveUuid(self, **_given(uuid=uuid), **kwargs)

    def get_all_uuid_metadata(self, include_custom: Optional[bool] = None, include_status: bool = True,
                              include_type: bool = True, limit: Optional[int] = None, filter: Optional[str] = None,
                              include_total_count: Optional[bool] = None, sort_keys: Optional[list] = None,
                              **kwargs: Any) -> GetAllUuid:
        return GetAllUuid(self, **_given(include_custom=include_custom, include_status=include_status,
                                         include_type=include_type, limit=limit, filter=filter,
                                         include_total_count=include_total_count, sort_keys=sort_keys), **kwargs)

    def set_channel_metadata(self, channel: Optional[str] = None, custom: Optional[dict] = None,
                             include_custom: bool = False, include_status: bool = True, include_type: bool = True,
                             name: Optional[str] = None, description: Optional[str] = None,
                             status: Optional[str] = None, type: Optional[str] = None, **kwargs: Any) -> SetChannel:
        builder = SetChannel(self, **_given(channel=channel, custom=custom, include_status=include_status,
                                            include_type=include_type, name=name, description=description,
                                            status=status, type=type), **kwargs)
        builder._include_custom = include_custom  # as set_uuid_metadata
        return builder

    def get_channel_metadata(self, channel: Optional[str] = None, include_custom: bool = False,
                             include_status: bool = True, include_type: bool = True, **kwargs: Any) -> GetChannel:
        return GetChannel(self, **_given(channel=channel, include_custom=include_custom,
                                         include_status=include_status, include_type=include_type), **kwargs)

    def remove_channel_metadata(self, channel: Optional[str] = None, **kwargs: Any) -> RemoveChannel:
        return RemoveChannel(self, **_given(channel=channel), **kwargs)

    def get_all_channel_metadata(self, include_custom: bool = False, include_status: bool = True,
                                 include_type: bool = True, limit: Optional[int] = None, filter: Optional[str] = None,
                                 include_total_count: Optional[bool] = None, sort_keys: Optional[list] = None,
                                 page: Any = None, **kwargs: Any) -> GetAllChannels:
        return GetAllChannels(self, **_given(include_custom=include_custom, include_status=include_status,
                                             include_type=include_type, limit=limit, filter=filter,
                                             include_total_count=include_total_count, sort_keys=sort_keys,
                                             page=page), **kwargs)

    def set_channel_members(self, channel: Optional[str] = None, uuids: Optional[List[Any]] = None,
                            include_custom: Optional[bool] = None, limit: Optional[int] = None,
                            filter: Optional[str] = None, include_total_count: Optional[bool] = None,
                            sort_keys: Optional[list] = None, page: Any = None, include: Any = None,
                            **kwargs: Any) -> SetChannelMembers:
        return SetChannelMembers(self, **_given(channel=channel, uuids=uuids, include_custom=include_custom,
                                                limit=limit, filter=filter, include_total_count=include_total_count,
                                                sort_keys=sort_keys, page=page, include=include), **kwargs)

    def get_channel_members(self, channel: Optional[str] = None, include_custom: Optional[bool] = None,
                            limit: Optional[int] = None, filter: Optional[str] = None,
                            include_total_count: Optional[bool] = None, sort_keys: Optional[list] = None,
                            page: Any = None, include: Any = None, **kwargs: Any) -> GetChannelMembers:
        return GetChannelMembers(self, **_given(channel=channel, include_custom=include_custom, limit=limit,
                                                filter=filter, include_total_count=include_total_count,
                                                sort_keys=sort_keys, page=page, include=include), **kwargs)

    def remove_channel_members(self, channel: Optional[str] = None, uuids: Optional[List[Any]] = None,
                               include_custom: Optional[bool] = None, limit: Optional[int] = None,
                               filter: Optional[str] = None, include_total_count: Optional[bool] = None,
                               sort_keys: Optional[list] = None, page: Any = None, include: Any = None,
                               **kwargs: Any) -> RemoveChannelMembers:
        return RemoveChannelMembers(self, **_given(channel=channel, uuids=uuids, include_custom=include_custom,
                                                   limit=limit, filter=filter,
                                                   include_total_count=include_total_count, sort_keys=sort_keys,
                                                   page=page, include=include), **kwargs)

    def manage_channel_members(self, channel: Optional[str] = None, uuids_to_set: Optional[List[Any]] = None,
                               uuids_to_remove: Optional[List[Any]] = None, include_custom: Optional[bool] = None,
                               limit: Optional[int] = None, filter: Optional[str] = None,
                               include_total_count: Optional[bool] = None, sort_keys: Optional[list] = None,
                               page: Any = None, include: Any = None, **kwargs: Any) -> ManageChannelMembers:
        return ManageChannelMembers(self, **_given(channel=channel, uuids_to_set=uuids_to_set,
                                                   uuids_to_remove=uuids_to_remove, include_custom=include_custom,
                                                   limit=limit, filter=filter,
                                                   include_total_count=include_total_count, sort_keys=sort_keys,
                                                   page=page, include=include), **kwargs)

    def set_memberships(self, uuid: Optional[str] = None, channel_memberships: Optional[List[Any]] = None,
                        include_custom: bool = False, limit: Optional[int] = None, filter: Optional[str] = None,
                        include_total_count: Optional[bool] = None, sort_keys: Optional[list] = None,
                        page: Any = None, include: Any = None, **kwargs: Any) -> SetMemberships:
        return SetMemberships(self, **_given(uuid=uuid, channel_memberships=channel_memberships,
                                             include_custom=include_custom, limit=limit, filter=filter,
                                             include_total_count=include_total_count, sort_keys=sort_keys,
                                             page=page, include=include), **kwargs)

    def get_memberships(self, uuid: Optional[str] = None, include_custom: bool = False, limit: Optional[int] = None,
                        filter: Optional[str] = None, include_total_count: Optional[bool] = None,
                        sort_keys: Optional[list] = None, page: Any = None, include: Any = None,
                        **kwargs: Any) -> GetMemberships:
        return GetMemberships(self, **_given(uuid=uuid, include_custom=include_custom, limit=limit, filter=filter,
                                             include_total_count=include_total_count, sort_keys=sort_keys,
                                             page=page, include=include), **kwargs)

    def remove_memberships(self, **kwargs: Any) -> RemoveMemberships:
        return RemoveMemberships(self, **kwargs)

    def manage_memberships(self, uuid: Optional[str] = None, channel_memberships_to_set: Optional[List[Any]] = None,
                           channel_memberships_to_remove: Optional[List[Any]] = None, include_custom: bool = False,
                           limit: Optional[int] = None, filter: Optional[str] = None,
                           include_total_count: Optional[bool] = None, sort_keys: Optional[list] = None,
                           page: Any = None, include: Any = None, **kwargs: Any) -> ManageMemberships:
        return ManageMemberships(self, **_given(uuid=uuid, channel_memberships_to_set=channel_memberships_to_set,
                                                channel_memberships_to_remove=channel_memberships_to_remove,
                                                include_custom=include_custom, limit=limit, filter=filter,
                                                include_total_count=include_total_count, sort_keys=sort_keys,
                                                page=page, include=include), **kwargs)

    # --- files ----------------------------------------------------------------------------------------------------------

    def list_files(self, channel: Optional[str] = None, *, limit: Optional[int] = None, next: Optional[str] = None,
                   **kwargs: Any) -> ListFiles:
        return ListFiles(self, **_given(channel=channel, limit=limit, next=next), **kwargs)

    def get_file_url(self, channel: Optional[str] = None, file_name: Optional[str] = None,
                     file_id: Optional[str] = None, **kwargs: Any) -> GetFileDownloadUrl:
        return GetFileDownloadUrl(self, channel=channel, file_name=file_name, file_id=file_id, **kwargs)

    def delete_file(self, channel: Optional[str] = None, file_name: Optional[str] = None,
                    file_id: Optional[str] = None, **kwargs: Any) -> DeleteFile:
        return DeleteFile(self, channel=channel, file_name=file_name, file_id=file_id, **kwargs)

    def send_file(self, **kwargs: Any) -> SendFile:
        return SendFile(self, **kwargs)

    def download_file(self, **kwargs: Any) -> DownloadFile:
        return DownloadFile(self, **kwargs)

    def publish_file_message(self, **kwargs: Any) -> PublishFileMessage:
        return PublishFileMessage(self, **kwargs)

    def _fetch_file_upload_s3_data(self, **kwargs: Any) -> FetchFileUploadS3Data:
        return FetchFileUploadS3Data(self, **kwargs)

    def encrypt(self, cipher_key: str, file: Any) -> Any:
        """Encrypt file bytes with the legacy file cryptor (PubNub SDK v10, deprecated there)."""
        return self.config.file_crypto.encrypt(cipher_key, file)

    def decrypt(self, cipher_key: str, file: Any) -> Any:
        """Decrypt file bytes with the legacy file cryptor (PubNub SDK v10, deprecated there)."""
        return self.config.file_crypto.decrypt(cipher_key, file)
