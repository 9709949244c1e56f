"""Channel group resource for ``grant_token()`` (``pubnub.models.consumer.v3.group``)."""
from pubnub_fast.models.consumer.v3.pn_resource import PNResource

__all__ = ["Group"]


class Group(PNResource):
    """A channel group (``Group.id(name)``) or group name pattern (``Group.pattern(regex)``)."""

    @classmethod
    def id(cls, group_id: str) -> "Group":
        """The channel group named *group_id*."""
        return cls(resource_name=group_id)

    @classmethod
    def pattern(cls, group_pattern: str) -> "Group":
        """Every channel group whose name matches the regex *group_pattern*."""
        return cls(resource_pattern=group_pattern)

    def read(self) -> "Group":
        self._read = True
        return self

    def manage(self) -> "Group":
        self._manage = True
        return self
