"""``pubnub.endpoints.message_actions.remove_message_action`` (PubNub SDK 10.8 module path): ``RemoveMessageAction``."""
from pubnub_fast.endpoints.message_actions import RemoveMessageAction

__all__ = ["RemoveMessageAction"]
