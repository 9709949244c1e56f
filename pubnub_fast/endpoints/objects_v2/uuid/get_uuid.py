"""``pubnub.endpoints.objects_v2.uuid.get_uuid`` (PubNub SDK 10.8 module path): ``GetUuid``."""
from pubnub_fast.endpoints.objects import GetUuid
from pubnub_fast.models.consumer.objects_v2.uuid import PNGetUUIDMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["GetUuid", "PNGetUUIDMetadataResultEnvelope"]


class PNGetUUIDMetadataResultEnvelope(Envelope):
    """A ``PNGetUUIDMetadataResult`` with its ``PNStatus``."""

    result: PNGetUUIDMetadataResult
