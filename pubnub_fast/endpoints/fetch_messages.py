"""``pubnub.endpoints.fetch_messages`` (PubNub SDK 10.8 module path): ``FetchMessages``."""
from pubnub_fast.endpoints.history import FetchMessages
from pubnub_fast.models.consumer.history import PNFetchMessagesResult
from pubnub_fast.structures import Envelope

__all__ = ["FetchMessages", "PNFetchMessagesResultEnvelope"]


class PNFetchMessagesResultEnvelope(Envelope):
    """A ``PNFetchMessagesResult`` with its ``PNStatus``."""

    result: PNFetchMessagesResult
