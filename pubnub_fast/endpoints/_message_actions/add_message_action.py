"""``pubnub.endpoints.message_actions.add_message_action`` (PubNub SDK 10.8 module path): ``AddMessageAction``."""
from pubnub_fast.endpoints.message_actions import AddMessageAction
from pubnub_fast.models.consumer.message_actions import PNAddMessageActionResult
from pubnub_fast.structures import Envelope

__all__ = ["AddMessageAction", "PNAddMessageActionResultEnvelope"]


class PNAddMessageActionResultEnvelope(Envelope):
    """A ``PNAddMessageActionResult`` with its ``PNStatus``."""

    result: PNAddMessageActionResult
