"""User resource for ``grant_token()`` (``pubnub.models.consumer.v3.user``)."""
from pubnub_fast.models.consumer.v3.pn_resource import PNResource

__all__ = ["User"]


class User(PNResource):
    """A user (legacy alias of a uuid): ``User.id(name)`` or ``User.pattern(regex)``.

    Every permission can be set.
    """

    @classmethod
    def id(cls, user_id: str) -> "User":
        """The user named *user_id*."""
        return cls(resource_name=user_id)

    @classmethod
    def pattern(cls, user_pattern: str) -> "User":
        """Every user whose name matches the regex *user_pattern*."""
        return cls(resource_pattern=user_pattern)

    def read(self) -> "User":
        self._read = True
        return self

    def write(self) -> "User":
        self._write = True
        return self

    def manage(self) -> "User":
        self._manage = True
        return self

    def delete(self) -> "User":
        self._delete = True
        return self

    def create(self) -> "User":
        self._create = True
        return self

    def get(self) -> "User":
        self._get = True
        return self

    def update(self) -> "User":
        self._update = True
        return self

    def join(self) -> "User":
        self._join = True
        return self
