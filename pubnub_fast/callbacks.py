"""Listener interfaces (``pubnub.callbacks`` compatible).

Subclass ``SubscribeCallback`` and pass an instance to ``PubNubTwisted.add_listener``. Every
method runs on the reactor thread, in the order events arrive; an exception raised by a listener
is logged and does not affect other listeners or the subscription.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: the models import nothing from here
    from pubnub_fast.models.consumer.common import PNStatus
    from pubnub_fast.models.consumer.objects_v2.channel import PNChannelMetadataResult
    from pubnub_fast.models.consumer.objects_v2.memberships import PNMembershipResult
    from pubnub_fast.models.consumer.objects_v2.uuid import PNUUIDMetadataResult
    from pubnub_fast.models.consumer.pubsub import (PNFileMessageResult, PNMessageActionResult, PNMessageResult,
                                                    PNPresenceEventResult, PNSignalMessageResult)

__all__ = ["PNCallback", "SubscribeCallback", "ReconnectionCallback"]


class PNCallback:
    def on_response(self, x: Any, status: "PNStatus") -> None:
        pass


class SubscribeCallback:
    """Receives subscription events. Override what you need; the rest do nothing."""

    def status(self, pubnub: Any, status: "PNStatus") -> None:
        """Connectivity and error events (``PNStatus``)."""

    def message(self, pubnub: Any, message: "PNMessageResult") -> None:
        """A ``PNMessageResult``."""

    def presence(self, pubnub: Any, presence: "PNPresenceEventResult") -> None:
        """A ``PNPresenceEventResult``."""

    def signal(self, pubnub: Any, signal: "PNSignalMessageResult") -> None:
        """A ``PNSignalMessageResult``."""

    def channel(self, pubnub: Any, channel: "PNChannelMetadataResult") -> None:
        """A ``PNChannelMetadataResult`` (App Context channel event)."""

    def uuid(self, pubnub: Any, uuid: "PNUUIDMetadataResult") -> None:
        """A ``PNUUIDMetadataResult`` (App Context uuid event)."""

    def membership(self, pubnub: Any, membership: "PNMembershipResult") -> None:
        """A ``PNMembershipResult`` (App Context membership event)."""

    def message_action(self, pubnub: Any, message_action: "PNMessageActionResult") -> None:
        """A ``PNMessageActionResult``."""

    def file(self, pubnub: Any, file_message: "PNFileMessageResult") -> None:
        """A ``PNFileMessageResult``."""


class ReconnectionCallback:
    def on_reconnect(self) -> None:
        pass
