"""``pubnub.endpoints.message_actions.get_message_actions`` (PubNub SDK 10.8 module path): ``GetMessageActions``."""
from pubnub_fast.endpoints.message_actions import GetMessageActions
from pubnub_fast.models.consumer.message_actions import PNGetMessageActionsResult
from pubnub_fast.structures import Envelope

__all__ = ["GetMessageActions", "PNGetMessageActionsResultEnvelope"]


class PNGetMessageActionsResultEnvelope(Envelope):
    """A ``PNGetMessageActionsResult`` with its ``PNStatus``."""

    result: PNGetMessageActionsResult
