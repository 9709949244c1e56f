"""``pubnub.endpoints.history_delete`` (PubNub SDK 10.8 module path): ``HistoryDelete``."""
from pubnub_fast.endpoints.history import HistoryDelete

__all__ = ["HistoryDelete"]
