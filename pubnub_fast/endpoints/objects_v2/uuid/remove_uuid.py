"""``pubnub.endpoints.objects_v2.uuid.remove_uuid`` (PubNub SDK 10.8 module path): ``RemoveUuid``."""
from pubnub_fast.endpoints.objects import RemoveUuid
from pubnub_fast.models.consumer.objects_v2.uuid import PNRemoveUUIDMetadataResult
from pubnub_fast.structures import Envelope

__all__ = ["PNRemoveUUIDMetadataResultEnvelope", "RemoveUuid"]


class PNRemoveUUIDMetadataResultEnvelope(Envelope):
    """A ``PNRemoveUUIDMetadataResult`` with its ``PNStatus``."""

    result: PNRemoveUUIDMetadataResult
