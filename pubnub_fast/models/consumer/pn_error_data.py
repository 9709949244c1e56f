"""``pubnub.models.consumer.pn_error_data``: ``PNErrorData`` (defined with ``PNStatus``)."""
from pubnub_fast.models.consumer.common import PNErrorData

__all__ = ["PNErrorData"]
