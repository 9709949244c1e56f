"""UUID metadata results (``pubnub.models.consumer.objects_v2.uuid``).

``data`` is the server's uuid object: ``{"id", "name", "externalId", "profileUrl", "email",
"custom", "status", "type", "updated", "eTag"}`` (fields present as the server sends them).
"""
from pubnub_fast.models.consumer.objects_v2.common import (
    PNObjectsEventResult,
    PNObjectsResult,
    PNPageableObjectsResult,
)

__all__ = [
    "PNSetUUIDMetadataResult",
    "PNGetUUIDMetadataResult",
    "PNRemoveUUIDMetadataResult",
    "PNGetAllUUIDMetadataResult",
    "PNUUIDMetadataResult",
]


class PNSetUUIDMetadataResult(PNObjectsResult):
    """Result of ``set_uuid_metadata()``: the stored uuid object."""


class PNGetUUIDMetadataResult(PNObjectsResult):
    """Result of ``get_uuid_metadata()``: the uuid object."""


class PNRemoveUUIDMetadataResult(PNObjectsResult):
    """Result of ``remove_uuid_metadata()`` (``data`` is ``None``)."""


class PNGetAllUUIDMetadataResult(PNPageableObjectsResult):
    """Result of ``get_all_uuid_metadata()``: a page of uuid objects."""


class PNUUIDMetadataResult(PNObjectsEventResult):
    """Subscribe event: uuid metadata was set or deleted (``event``, ``data``)."""
