"""Access Manager: v2 grant/revoke/audit and v3 grant_token/revoke_token (client-api.md §4.2,
§4.3, §4.6, §4.7; protocol.md §2.18, §2.19).

Every Access Manager call needs the secret key: the pipeline signs it (client-api.md §8.1) and,
for grant, audit and grant_token, sends the query sorted by name. None of them carries the
client's own ``auth`` (the ``auth`` of a grant is the list of auth keys being granted).
"""
from typing import Optional

from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, encode_path_segment, names_list, to_json
from pubnub_fast.enums import HttpMethod, PAMPermissions, PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.access_manager import PNAccessManagerAuditResult, PNAccessManagerGrantResult
from pubnub_fast.models.consumer.v3.access_manager import PNGrantTokenResult, PNRevokeTokenResult
from pubnub_fast.models.consumer.v3.category import Category
from pubnub_fast.models.consumer.v3.pn_resource import PNResource
from pubnub_fast._typing import Self

__all__ = ["Grant", "Revoke", "Audit", "GrantToken", "RevokeToken"]

#: Grant flags in wire order: (setter, query parameter).
_FLAGS = (("read", "r"), ("write", "w"), ("manage", "m"), ("delete", "d"), ("get", "g"), ("update", "u"),
          ("join", "j"))
_GRANT_CATEGORIES = ("channels", "uuids")


def _invalid(message):
    return PubNubException(errormsg=message, pn_error=errors.PNERR_PAM_INVALID_ARGUMENTS)


class _AccessManagerEndpoint(Endpoint):
    AUTH_REQUIRED = False

    def validate_keys(self):
        self.validate_subscribe_key()
        self.validate_secret_key()


class _TargetsEndpoint(_AccessManagerEndpoint):
    """What grant and audit share: auth keys, channels and channel groups (lists accumulate)."""

    def __init__(self, pubnub, **kwargs):
        self._auth_keys = []
        self._channels = []
        self._groups = []
        super().__init__(pubnub, **kwargs)

    def auth_keys(self, auth_keys) -> "Self":
        """Auth keys (list/tuple or a comma-separated str) the grant or audit is about."""
        self._auth_keys.extend(names_list(auth_keys, "auth_keys"))
        return self

    def channels(self, channels) -> "Self":
        self._channels.extend(names_list(channels, "channels"))
        return self

    def channel_groups(self, channel_groups) -> "Self":
        self._groups.extend(names_list(channel_groups, "channel_groups"))
        return self

    def target_params(self):
        params = {}
        if self._auth_keys:
            params["auth"] = ",".join(self._auth_keys)
        if self._channels:
            params["channel"] = ",".join(self._channels)
        if self._groups:
            params["channel-group"] = ",".join(self._groups)
        return params

    def affected_channels(self):
        return list(self._channels)

    def affected_channels_groups(self):
        return list(self._groups)


class Grant(_TargetsEndpoint):
    """``grant()``: give auth keys (or everyone) permissions on channels, groups or uuids (PAM v2).

    Flags left unset are not sent; ``ttl`` is in minutes (``0``: no expiry; server default 1440).
    """

    OPERATION = PNOperationType.PNAccessManagerGrant
    SORT_PARAMS = True

    def __init__(self, pubnub, **kwargs):
        self._flags = dict.fromkeys(name for name, _ in _FLAGS)
        self._uuids = []
        self._categories = []
        self._ttl = None
        super().__init__(pubnub, **kwargs)

    def _flag(self, name, value) -> "Self":
        self._flags[name] = self.validate_type(value, bool, name)
        return self

    def read(self, flag):
        return self._flag("read", flag)

    def write(self, flag):
        return self._flag("write", flag)

    def manage(self, flag):
        return self._flag("manage", flag)

    def delete(self, flag):
        return self._flag("delete", flag)

    def get(self, flag):
        return self._flag("get", flag)

    def update(self, flag):
        return self._flag("update", flag)

    def join(self, flag):
        return self._flag("join", flag)

    def uuids(self, uuids) -> "Self":
        """Target uuids (``target-uuid``); needs ``auth_keys``."""
        self._uuids.extend(names_list(uuids, "uuids"))
        return self

    def categories(self, categories) -> "Self":
        """Whole categories (``"channels"``, ``"uuids"``; PubNub SDK 10.8): only ``get`` can be granted."""
        self._categories.extend(names_list(categories, "categories"))
        return self

    def ttl(self, ttl: Optional[int]) -> "Self":
        self._ttl = self.validate_type(ttl, int, "ttl")
        if ttl is not None and ttl < 0:
            raise PubNubException(errormsg="ttl must be >= 0 minutes, not %r" % ttl,
                                  pn_error=errors.PNERR_INVALID_ARGUMENT)
        return self

    def validate_params(self):
        self.validate_keys()
        self.validate_publish_key()
        if self._channels and self._groups and self._uuids:
            raise _invalid("grants for channels or channel groups cannot be changed together with grants for uuids")
        if self._uuids and not self._auth_keys:
            raise _invalid("uuid grants need auth_keys")
        if all(self._flags[name] is None for name in ("read", "write", "manage", "get", "update", "join")):
            raise PubNubException(pn_error=errors.PNERR_PAM_NO_FLAGS)
        self.validate_categories()

    def validate_categories(self):
        if not self._categories:
            return
        unknown = [c for c in self._categories if c not in _GRANT_CATEGORIES]
        if unknown:
            raise _invalid("unsupported categories %s: only 'channels' and 'uuids' exist" % ", ".join(unknown))
        if not self._auth_keys:
            raise _invalid("category grants need auth_keys")
        if any(self._flags[name] for name in ("read", "write", "manage", "delete", "update", "join")):
            raise _invalid("category grants allow only the 'get' permission")
        if self._flags["get"] and self._ttl == 1:
            raise _invalid("one-minute (ttl=1) category grants are not supported")

    def build_path(self):
        return "/v2/auth/grant/sub-key/%s" % encode_path_segment(self.pubnub.config.subscribe_key)

    def custom_params(self):
        params = {}
        for name, wire in _FLAGS:
            value = self._flags[name]
            if value is not None:
                params[wire] = "1" if value else "0"
        params.update(self.target_params())
        if self._uuids:
            params["target-uuid"] = ",".join(self._uuids)
        if self._categories:
            params["category"] = ",".join(self._categories)
        if self._ttl is not None:
            params["ttl"] = str(self._ttl)
        return params

    def create_response(self, envelope):
        return PNAccessManagerGrantResult.from_json(envelope)


class Revoke(Grant):
    """``revoke()`` (PubNub SDK v4): a grant of no permissions (``r=0&w=0&m=0&g=0&u=0&j=0``)."""

    OPERATION = PNOperationType.PNAccessManagerRevoke

    def __init__(self, pubnub, **kwargs):
        super().__init__(pubnub, **kwargs)
        for name in ("read", "write", "manage", "get", "update", "join"):
            self._flags[name] = False

    def read(self, flag):
        raise NotImplementedError("revoke() grants no permissions; use grant() to set them")

    def write(self, flag):
        raise NotImplementedError("revoke() grants no permissions; use grant() to set them")

    def manage(self, flag):
        raise NotImplementedError("revoke() grants no permissions; use grant() to set them")

    def create_response(self, envelope):
        return PNAccessManagerGrantResult.from_json(envelope)


class Audit(_TargetsEndpoint):
    """``audit()``: which permissions are granted on a subscribe key, channels, groups, auth keys."""

    OPERATION = PNOperationType.PNAccessManagerAudit
    SORT_PARAMS = True

    def validate_params(self):
        self.validate_keys()

    def build_path(self):
        return "/v2/auth/audit/sub-key/%s" % encode_path_segment(self.pubnub.config.subscribe_key)

    def custom_params(self):
        return self.target_params()

    def create_response(self, envelope):
        return PNAccessManagerAuditResult.from_json(envelope)


class GrantToken(_AccessManagerEndpoint):
    """``grant_token()``: issue an Access Manager v3 token (PubNub SDK v10; v4's users/spaces too).

    Resources are ``Channel``/``Group``/``UUID`` (and legacy ``Space``/``User``) objects from
    ``pubnub_fast.models.consumer.v3``; ``.pattern(regex)`` ones go under ``patterns``. The body
    mirrors channels as ``spaces`` and uuids as ``users``, as PubNub's SDK does.
    """

    OPERATION = PNOperationType.PNAccessManagerGrantToken
    HTTP_METHOD = HttpMethod.POST
    SORT_PARAMS = True

    def __init__(self, pubnub, channels=None, channel_groups=None, users=None, spaces=None,
                 authorized_user_id=None, **kwargs):
        self._ttl = None
        self._meta = None
        self._authorized_uuid = None
        self._channels = []
        self._groups = []
        self._uuids = []
        self._categories = []
        self._body = None
        super().__init__(pubnub, **kwargs)
        # PubNub SDK v10's keyword form adds these to what the setters hold
        for target, extra in ((self._channels, channels), (self._channels, spaces), (self._groups, channel_groups),
                              (self._uuids, users)):
            if extra:
                target.extend(self._resources(extra))
        if authorized_user_id is not None:
            self.authorized_uuid(authorized_user_id)

    @staticmethod
    def _resources(value):
        if isinstance(value, PNResource):
            return [value]
        if isinstance(value, (list, tuple)):
            return list(value)
        raise _invalid("resources are given as a list of Channel/Group/UUID objects, not %s" % type(value).__name__)

    def ttl(self, ttl) -> "Self":
        """Lifetime of the token in minutes (1 … 43200)."""
        self._ttl = ttl
        return self

    def meta(self, meta) -> "Self":
        """A dict stored in the token (readable by anyone holding it: no secrets here)."""
        self._meta = meta
        return self

    def authorized_uuid(self, uuid) -> "Self":
        """Only this uuid may use the token."""
        self._authorized_uuid = uuid
        return self

    def authorized_user(self, user):
        """Same as :meth:`authorized_uuid` (PubNub SDK v10's user/space naming)."""
        return self.authorized_uuid(user)

    def channels(self, channels) -> "Self":
        self._channels = self._resources(channels)
        return self

    def spaces(self, spaces):
        """Same as :meth:`channels` (legacy naming)."""
        return self.channels(spaces)

    def groups(self, groups) -> "Self":
        self._groups = self._resources(groups)
        return self

    def uuids(self, uuids) -> "Self":
        self._uuids = self._resources(uuids)
        return self

    def users(self, users):
        """Same as :meth:`uuids` (legacy naming)."""
        return self.uuids(users)

    def categories(self, categories) -> "Self":
        """``[Category.channels().get(), Category.uuids().get()]`` (PubNub SDK 10.8)."""
        self._categories = self._resources(categories)
        return self

    def validate_params(self):
        self.validate_keys()
        if not self._ttl:
            raise PubNubException(pn_error=errors.PNERR_TTL_MISSING)
        if isinstance(self._ttl, bool) or not isinstance(self._ttl, int):
            raise PubNubException(errormsg="ttl must be an int (minutes), not %r" % (self._ttl,),
                                  pn_error=errors.PNERR_INVALID_ARGUMENT)
        if not any((self._channels, self._groups, self._uuids, self._categories)):
            raise PubNubException(pn_error=errors.PNERR_RESOURCES_MISSING)
        if self._meta and not isinstance(self._meta, dict):
            raise PubNubException(errormsg="meta must be a dict, not %s" % type(self._meta).__name__,
                                  pn_error=errors.PNERR_INVALID_META)
        for resource in self._channels + self._groups + self._uuids:
            if not isinstance(resource, PNResource) or isinstance(resource, Category):
                raise _invalid("resources must be Channel/Group/UUID objects, not %r" % (resource,))
            if not isinstance(resource.get_id(), str) or not resource.get_id():
                raise _invalid("every resource needs a name or a pattern (got %r)" % (resource.get_id(),))
        for category in self._categories:
            if not isinstance(category, Category) or category.get_id() not in (Category.CHANNELS, Category.UUIDS):
                raise _invalid("unsupported category %r: only Category.channels() and Category.uuids() exist"
                               % (category,))
            if category.bitmask != PAMPermissions.GET:
                raise _invalid("category permissions must be exactly 'get'")
        if self._authorized_uuid is not None and (not isinstance(self._authorized_uuid, str)
                                                  or not self._authorized_uuid):
            raise PubNubException(errormsg="authorized_uuid must be a non-empty str, not %r" % (self._authorized_uuid,),
                                  pn_error=errors.PNERR_INVALID_ARGUMENT)
        self._body = to_json(self._permissions_body(), "grant_token body")

    def _permissions_body(self):
        resources = {}
        patterns = {}
        for kind, items in (("channels", self._channels), ("groups", self._groups), ("uuids", self._uuids),
                            ("users", self._uuids), ("spaces", self._channels)):
            resources[kind] = {}
            patterns[kind] = {}
            for resource in items:
                target = patterns if resource.is_pattern_resource() else resources
                target[kind][resource.get_id()] = resource.bitmask
        permissions = {"resources": resources, "patterns": patterns}
        if self._categories:
            permissions["categories"] = {category.get_id(): category.bitmask for category in self._categories}
        permissions["meta"] = self._meta or {}
        if self._authorized_uuid:
            permissions["uuid"] = self._authorized_uuid
        return {"ttl": self._ttl, "permissions": permissions}

    def build_path(self):
        return "/v3/pam/%s/grant" % encode_path_segment(self.pubnub.config.subscribe_key)

    def build_data(self):
        return self._body

    def request_headers(self):
        return {"Content-Type": "application/json"}

    def create_response(self, envelope):
        result = PNGrantTokenResult.from_json(envelope)
        if not isinstance(result.token, str) or not result.token:
            raise ValueError("the response carries no token")
        return result


class RevokeToken(_AccessManagerEndpoint):
    """``revoke_token(token)``: invalidate an Access Manager v3 token before its ttl ends."""

    OPERATION = PNOperationType.PNAccessManagerRevokeToken
    HTTP_METHOD = HttpMethod.DELETE

    def __init__(self, pubnub, token=None, **kwargs):
        self._token = token
        super().__init__(pubnub, **kwargs)

    def token(self, token) -> "Self":
        self._token = token
        return self

    def validate_params(self):
        self.validate_keys()
        if not isinstance(self._token, str) or not self._token:
            raise PubNubException(errormsg="the token to revoke is missing", pn_error=errors.PNERR_INVALID_ACCESS_TOKEN)

    def build_path(self):
        return "/v3/pam/%s/grant/%s" % (encode_path_segment(self.pubnub.config.subscribe_key),
                                        encode_path_segment(self._token))

    def create_response(self, envelope):
        return PNRevokeTokenResult(envelope)

# PubNub SDK 10.8 has a package here (``pubnub.endpoints.access.<endpoint>``): its module paths
# resolve through this __path__ to the thin re-exporting modules in endpoints/_access/.
import os as _os  # noqa: E402

__path__ = [_os.path.join(_os.path.dirname(__file__), "_access")]
