"""Channel resource for ``grant_token()`` (``pubnub.models.consumer.v3.channel``)."""
from pubnub_fast.models.consumer.v3.pn_resource import PNResource

__all__ = ["Channel"]


class Channel(PNResource):
    """A channel (``Channel.id(name)``) or channel name pattern (``Channel.pattern(regex)``)."""

    @classmethod
    def id(cls, channel_id: str) -> "Channel":
        """The channel named *channel_id*."""
        return cls(resource_name=channel_id)

    @classmethod
    def pattern(cls, channel_pattern: str) -> "Channel":
        """Every channel whose name matches the regex *channel_pattern*."""
        return cls(resource_pattern=channel_pattern)

    def read(self) -> "Channel":
        self._read = True
        return self

    def write(self) -> "Channel":
        self._write = True
        return self

    def manage(self) -> "Channel":
        self._manage = True
        return self

    def delete(self) -> "Channel":
        self._delete = True
        return self

    def get(self) -> "Channel":
        self._get = True
        return self

    def update(self) -> "Channel":
        self._update = True
        return self

    def join(self) -> "Channel":
        self._join = True
        return self
