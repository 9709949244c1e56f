"""``pubnub.endpoints.objects_v2.uuid.set_uuid`` (PubNub SDK 10.8 module path): ``SetUuid``."""
from pubnub_fast.endpoints.objects import SetUuid
from pubnub_fast.models.consumer.objects_v2.uuid import PNSetUUIDMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["PNSetUUIDMetadataResultEnvelope", "SetUuid"]


class PNSetUUIDMetadataResultEnvelope(Envelope):
    """A ``PNSetUUIDMetadataResult`` with its ``PNStatus``."""

    result: PNSetUUIDMetadataResult
