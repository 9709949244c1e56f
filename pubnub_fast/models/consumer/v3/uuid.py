"""UUID (user metadata) resource for ``grant_token()`` (``pubnub.models.consumer.v3.uuid``)."""
from pubnub_fast.models.consumer.v3.pn_resource import PNResource

__all__ = ["UUID"]


class UUID(PNResource):
    """A uuid (``UUID.id(uuid)``) or uuid pattern (``UUID.pattern(regex)``)."""

    @classmethod
    def id(cls, user_id: str) -> "UUID":
        """The uuid *user_id*."""
        return cls(resource_name=user_id)

    @classmethod
    def pattern(cls, user_pattern: str) -> "UUID":
        """Every uuid matching the regex *user_pattern*."""
        return cls(resource_pattern=user_pattern)

    def delete(self) -> "UUID":
        self._delete = True
        return self

    def get(self) -> "UUID":
        self._get = True
        return self

    def update(self) -> "UUID":
        self._update = True
        return self
