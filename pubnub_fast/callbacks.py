"""Listener interfaces (``pubnub.callbacks`` compatible).

Subclass ``SubscribeCallback`` and pass an instance to ``PubNubTwisted.add_listener``. Every
method runs on the reactor thread, in the order events arrive; an exception raised by a listener
is logged and does not affect other listeners or the subscription.
"""

__all__ = ["PNCallback", "SubscribeCallback", "ReconnectionCallback"]


class PNCallback:
    def on_response(self, x, status):
        pass


class SubscribeCallback:
    """Receives subscription events. Override what you need; the rest do nothing."""

    def status(self, pubnub, status):
        """Connectivity and error events (``PNStatus``)."""

    def message(self, pubnub, message):
        """A ``PNMessageResult``."""

    def presence(self, pubnub, presence):
        """A ``PNPresenceEventResult``."""

    def signal(self, pubnub, signal):
        """A ``PNSignalMessageResult``."""

    def channel(self, pubnub, channel):
        """A ``PNChannelMetadataResult`` (App Context channel event)."""

    def uuid(self, pubnub, uuid):
        """A ``PNUUIDMetadataResult`` (App Context uuid event)."""

    def membership(self, pubnub, membership):
        """A ``PNMembershipResult`` (App Context membership event)."""

    def message_action(self, pubnub, message_action):
        """A ``PNMessageActionResult``."""

    def file(self, pubnub, file_message):
        """A ``PNFileMessageResult``."""


class ReconnectionCallback:
    def on_reconnect(self):
        pass
