"""Category resource for ``grant_token()`` (``pubnub.models.consumer.v3.category``, PubNub SDK 10.8)."""
from pubnub_fast.models.consumer.v3.pn_resource import PNResource

__all__ = ["Category"]


class Category(PNResource):
    """A whole category of resources: ``Category.channels()`` or ``Category.uuids()``.

    Only ``get`` can be granted; the grant body carries it as
    ``"categories": {"channels": 32}``.
    """

    CHANNELS = "channels"
    UUIDS = "uuids"

    def __init__(self, resource_name: str) -> None:
        super().__init__(resource_name)

    @classmethod
    def channels(cls) -> "Category":
        """All channels."""
        return cls(resource_name=cls.CHANNELS)

    @classmethod
    def uuids(cls) -> "Category":
        """All uuids."""
        return cls(resource_name=cls.UUIDS)

    def get(self) -> "Category":
        self._get = True
        return self
