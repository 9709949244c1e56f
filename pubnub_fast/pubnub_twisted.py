"""``PubNubTwisted``: the PubNub client for Twisted (``pubnub.pubnub_twisted`` compatible).

>>> from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.subscription import SubscriptionLoop
>>> from pubnub_fast.pubnub_twisted import PubNubTwisted
>>> config = PNConfiguration()
>>> config.subscribe_key, config.publish_key, config.uuid = "sub-c-…", "pub-c-…", "my-device"
>>> pubnub = PubNubTwisted(config)
>>> d = pubnub.publish().channel("chat").message({"text": "hi"}).deferred()

Every endpoint factory returns a fresh builder; ``.deferred()`` sends it and returns a
cancellable ``Deferred`` firing with a ``TwistedEnvelope`` (``.result``, ``.status``) or failing
with ``PubNubTwistedException``; ``.pn_async(callback)`` calls ``callback(result, status)``.
Nothing here blocks the reactor, and all timing goes through the injected reactor/clock.
"""
import logging
import time as _time

from twisted.internet import defer

from pubnub_fast import __version__
from pubnub_fast.builders import SubscribeBuilder, UnsubscribeBuilder
from pubnub_fast.endpoints.channel_groups import (AddChannelToChannelGroup, ListChannelsInChannelGroup,
                                                 RemoveChannelFromChannelGroup, RemoveChannelGroup)
from pubnub_fast.endpoints.access import Audit, Grant, GrantToken, Revoke, RevokeToken
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
from pubnub_fast.exceptions import PubNubException, PubNubTwistedException
from pubnub_fast.listeners import Listeners
from pubnub_fast.pipeline import RequestPipeline, TwistedEnvelope
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.subscription import SubscriptionLoop
from pubnub_fast.tokens import parse_token as _parse_token
from pubnub_fast.http11 import HTTP11Transport
from pubnub_fast.transport import TreqTransport

__all__ = ["PubNubTwisted", "TwistedEnvelope", "PubNubTwistedException", "PubNubException"]

logger = logging.getLogger("pubnub_fast")

_NO_SUBSCRIBE = "Subscription manager is not enabled for this instance"


def _default_transport(reactor, clock, config, pool):
    """The transport of a client created without ``transport=``."""
    if pool is not None:  # an HTTPConnectionPool belongs to Twisted's Agent: use it through treq
        return TreqTransport(reactor, pool=pool, connect_timeout=config.connect_timeout, clock=clock,
                             idle_timeout=config.subscribe_request_timeout)
    return HTTP11Transport(reactor, clock=clock, connect_timeout=config.connect_timeout,
                           max_connections=config.connection_pool_size,
                           idle_timeout=config.subscribe_request_timeout)


class PubNubTwisted:
    """A PubNub client running on a Twisted reactor.

    :param config: a ``PNConfiguration``.
    :param pool: an ``HTTPConnectionPool`` to share (default: a persistent pool of its own).
    :param reactor: the reactor to run on (default: the global reactor, looked up now, not at
        import). ``custom_ioloop`` is the same parameter under the name PubNub's Twisted
        documentation uses.
    :param clock: the ``IReactorTime`` used for timeouts, timers and request timestamps
        (default: ``reactor``); tests pass ``twisted.internet.task.Clock()``.
    :param transport: the HTTP transport (default: the lean ``HTTP11Transport``, or ``TreqTransport``
        over ``pool`` when a pool is given); anything with ``request(method, url, headers=, body=,
        timeout=, allow_redirects=, max_response_size=, idempotent=)`` and ``close()``.
    :param random: a ``() -> float in [0, 1)`` source for reconnection jitter (tests pin it).
    """

    SDK_NAME = "PubNub-Python-Twisted-Fast"

    def __init__(self, config, pool=None, reactor=None, clock=None, *, custom_ioloop=None, transport=None,
                 random=None):
        if not isinstance(config, PNConfiguration):
            raise TypeError("PubNubTwisted needs a pubnub_fast.pnconfiguration.PNConfiguration, not %s"
                            % type(config).__name__)
        if reactor is not None and custom_ioloop is not None and reactor is not custom_ioloop:
            raise ValueError("pass the reactor once: reactor= and custom_ioloop= name the same parameter")
        reactor = reactor if reactor is not None else custom_ioloop
        if reactor is None:
            from twisted.internet import reactor as global_reactor

            reactor = global_reactor
        config.validate()
        self.config = config
        self.reactor = reactor
        self.clock = clock if clock is not None else reactor
        if transport is None:
            transport = _default_transport(reactor, self.clock, config, pool)
        self._transport = transport
        self._pipeline = RequestPipeline(self, transport, self.clock)
        self._listeners = Listeners(self) if config.enable_subscribe else None
        self._subscription = (SubscriptionLoop(self, self._listeners, self.clock, random)
                              if config.enable_subscribe else None)
        self._token = None
        self._started = False
        self._ran_reactor = False
        self._stopped = False

    # --- identity -----------------------------------------------------------------------------------

    @property
    def sdk_name(self):
        """The ``pnsdk`` and ``User-Agent`` of this client."""
        return "%s/%s" % (self.SDK_NAME, __version__)

    @staticmethod
    def sdk_platform():
        return "-Twisted-Fast"

    @property
    def uuid(self):
        return self.config.uuid

    @property
    def base_origin(self):
        return self.config.base_origin

    @staticmethod
    def timestamp():
        """Seconds since the epoch (int)."""
        return int(_time.time())

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self, skip_reactor=False):
        """Start the client; run the reactor unless ``skip_reactor`` (PubNub's Twisted API).

        Call it once, after adding listeners. When ``start()`` runs the reactor, ``stop()``
        stops it again.
        """
        if self._stopped:
            raise RuntimeError("this PubNubTwisted was stopped; create a new client")
        self._started = True
        if not skip_reactor:
            self._ran_reactor = True
            self.reactor.run()

    def stop(self):
        """Cancel every request in flight and timer, close the connection pool.

        Stops the reactor only if ``start()`` ran it. Returns a Deferred that fires when the
        pooled connections are closed. Calling it again does nothing more.
        """
        if self._stopped:
            return defer.succeed(None)
        self._stopped = True
        if self._subscription is not None:
            self._subscription.stop()
        self._pipeline.cancel_all()
        closed = self._transport.close()
        if self._ran_reactor and self.reactor.running:
            self.reactor.stop()
        return closed

    # --- listeners ------------------------------------------------------------------------------------

    def add_listener(self, listener):
        if self._listeners is None:
            raise Exception(_NO_SUBSCRIBE)
        self._listeners.add(listener)

    def remove_listener(self, listener):
        if self._listeners is None:
            raise Exception(_NO_SUBSCRIBE)
        self._listeners.remove(listener)

    # --- subscribing ----------------------------------------------------------------------------------

    def _loop(self):
        if self._subscription is None:
            raise Exception(_NO_SUBSCRIBE)
        return self._subscription

    def subscribe(self):
        """``subscribe().channels(...).channel_groups(...).with_presence().with_timetoken(tt).execute()``."""
        return SubscribeBuilder(self._loop())

    def unsubscribe(self):
        """``unsubscribe().channels(...).channel_groups(...).execute()``."""
        return UnsubscribeBuilder(self._loop())

    def unsubscribe_all(self):
        self._loop().unsubscribe_all()

    def reconnect(self):
        """Resume the subscription now (after it stopped on a failure, or to skip a backoff wait)."""
        self._loop().reconnect()

    def get_subscribed_channels(self):
        return self._loop().subscribed_channels() if self._subscription is not None else []

    def get_subscribed_channel_groups(self):
        return self._loop().subscribed_channel_groups() if self._subscription is not None else []

    def _file_url(self, channel, file_id, file_name):
        return self.get_file_url().channel(channel).file_id(file_id).file_name(file_name).get_complete_url()

    # --- access tokens ----------------------------------------------------------------------------------

    def set_token(self, token):
        """Use an Access Manager v3 token as ``auth`` on every request (instead of ``auth_key``)."""
        if token is not None and not isinstance(token, str):
            raise TypeError("token must be a str or None, not %s" % type(token).__name__)
        self._token = token or None

    def _get_token(self):
        return self._token

    # --- endpoints -----------------------------------------------------------------------------------

    def time(self):
        return Time(self)

    def publish(self, **kwargs):
        return Publish(self, **kwargs)

    def fire(self, **kwargs):
        return Fire(self, **kwargs)

    def signal(self, **kwargs):
        return Signal(self, **kwargs)

    def heartbeat(self, **kwargs):
        return Heartbeat(self, **kwargs)

    def here_now(self, **kwargs):
        return HereNow(self, **kwargs)

    def where_now(self, **kwargs):
        return WhereNow(self, **kwargs)

    def set_state(self, **kwargs):
        return SetState(self, **kwargs)

    def get_state(self, **kwargs):
        return GetState(self, **kwargs)

    def add_channel_to_channel_group(self, **kwargs):
        return AddChannelToChannelGroup(self, **kwargs)

    def remove_channel_from_channel_group(self, **kwargs):
        return RemoveChannelFromChannelGroup(self, **kwargs)

    def list_channels_in_channel_group(self, **kwargs):
        return ListChannelsInChannelGroup(self, **kwargs)

    def remove_channel_group(self, **kwargs):
        return RemoveChannelGroup(self, **kwargs)

    def history(self, **kwargs):
        return History(self, **kwargs)

    def fetch_messages(self, **kwargs):
        return FetchMessages(self, **kwargs)

    def delete_messages(self, **kwargs):
        return HistoryDelete(self, **kwargs)

    def message_counts(self, **kwargs):
        return MessageCount(self, **kwargs)

    def add_message_action(self, **kwargs):
        return AddMessageAction(self, **kwargs)

    def get_message_actions(self, **kwargs):
        return GetMessageActions(self, **kwargs)

    def remove_message_action(self, **kwargs):
        return RemoveMessageAction(self, **kwargs)

    def get_file_url(self, channel=None, file_name=None, file_id=None, **kwargs):
        return GetFileDownloadUrl(self, channel=channel, file_name=file_name, file_id=file_id, **kwargs)

    # --- Access Manager --------------------------------------------------------------------------------

    def grant(self, **kwargs):
        return Grant(self, **kwargs)

    def revoke(self, **kwargs):
        return Revoke(self, **kwargs)

    def audit(self, **kwargs):
        return Audit(self, **kwargs)

    def grant_token(self, **kwargs):
        return GrantToken(self, **kwargs)

    def revoke_token(self, token=None, **kwargs):
        return RevokeToken(self, token, **kwargs)

    def parse_token(self, token):
        """The permissions, ttl, meta… an Access Manager v3 token carries (``pubnub_fast.tokens``)."""
        return _parse_token(token)

    # --- mobile push -----------------------------------------------------------------------------------

    def add_channels_to_push(self, **kwargs):
        return AddChannelsToPush(self, **kwargs)

    def remove_channels_from_push(self, **kwargs):
        return RemoveChannelsFromPush(self, **kwargs)

    def list_push_channels(self, **kwargs):
        return ListPushProvisions(self, **kwargs)

    def remove_device_from_push(self, **kwargs):
        return RemoveDeviceFromPush(self, **kwargs)

    # --- App Context (objects v2) ----------------------------------------------------------------------

    def set_uuid_metadata(self, **kwargs):
        return SetUuid(self, **kwargs)

    def get_uuid_metadata(self, **kwargs):
        return GetUuid(self, **kwargs)

    def remove_uuid_metadata(self, **kwargs):
        return RemoveUuid(self, **kwargs)

    def get_all_uuid_metadata(self, **kwargs):
        return GetAllUuid(self, **kwargs)

    def set_channel_metadata(self, **kwargs):
        return SetChannel(self, **kwargs)

    def get_channel_metadata(self, **kwargs):
        return GetChannel(self, **kwargs)

    def remove_channel_metadata(self, **kwargs):
        return RemoveChannel(self, **kwargs)

    def get_all_channel_metadata(self, **kwargs):
        return GetAllChannels(self, **kwargs)

    def set_channel_members(self, **kwargs):
        return SetChannelMembers(self, **kwargs)

    def get_channel_members(self, **kwargs):
        return GetChannelMembers(self, **kwargs)

    def remove_channel_members(self, **kwargs):
        return RemoveChannelMembers(self, **kwargs)

    def manage_channel_members(self, **kwargs):
        return ManageChannelMembers(self, **kwargs)

    def set_memberships(self, **kwargs):
        return SetMemberships(self, **kwargs)

    def get_memberships(self, **kwargs):
        return GetMemberships(self, **kwargs)

    def remove_memberships(self, **kwargs):
        return RemoveMemberships(self, **kwargs)

    def manage_memberships(self, **kwargs):
        return ManageMemberships(self, **kwargs)

    # --- files ------------------------------------------------------------------------------------------

    def list_files(self, channel=None, **kwargs):
        return ListFiles(self, channel=channel, **kwargs)

    def delete_file(self, channel=None, file_name=None, file_id=None, **kwargs):
        return DeleteFile(self, channel=channel, file_name=file_name, file_id=file_id, **kwargs)

    def send_file(self, **kwargs):
        return SendFile(self, **kwargs)

    def download_file(self, **kwargs):
        return DownloadFile(self, **kwargs)

    def publish_file_message(self, **kwargs):
        return PublishFileMessage(self, **kwargs)

    def _fetch_file_upload_s3_data(self, **kwargs):
        return FetchFileUploadS3Data(self, **kwargs)

    def encrypt(self, cipher_key, file):
        """Encrypt file bytes with the legacy file cryptor (PubNub SDK v10, deprecated there)."""
        return self.config.file_crypto.encrypt(cipher_key, file)

    def decrypt(self, cipher_key, file):
        """Decrypt file bytes with the legacy file cryptor (PubNub SDK v10, deprecated there)."""
        return self.config.file_crypto.decrypt(cipher_key, file)
