"""Space resource for ``grant_token()`` (``pubnub.models.consumer.v3.space``)."""
from pubnub_fast.models.consumer.v3.pn_resource import PNResource

__all__ = ["Space"]


class Space(PNResource):
    """A space (legacy alias of a channel): ``Space.id(name)`` or ``Space.pattern(regex)``.

    Every permission can be set.
    """

    @classmethod
    def id(cls, space_id: str) -> "Space":
        """The space named *space_id*."""
        return cls(resource_name=space_id)

    @classmethod
    def pattern(cls, space_pattern: str) -> "Space":
        """Every space whose name matches the regex *space_pattern*."""
        return cls(resource_pattern=space_pattern)

    def read(self) -> "Space":
        self._read = True
        return self

    def write(self) -> "Space":
        self._write = True
        return self

    def manage(self) -> "Space":
        self._manage = True
        return self

    def delete(self) -> "Space":
        self._delete = True
        return self

    def create(self) -> "Space":
        self._create = True
        return self

    def get(self) -> "Space":
        self._get = True
        return self

    def update(self) -> "Space":
        self._update = True
        return self

    def join(self) -> "Space":
        self._join = True
        return self
