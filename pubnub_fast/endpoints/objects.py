"""App Context (Objects v2): uuid and channel metadata, channel members, memberships
(client-api.md §4.8; protocol.md §2.21).

Every path is ``/v2/objects/{sub}/...``; the uuid or channel is one percent-encoded path segment
(decisions.md §17 — PubNub's SDK inserts it raw). Shared query parameters:

* ``include`` — from an includes object (``include(MemberIncludes(...))``) or from the legacy
  flags: ``include_custom``, ``include_status``/``include_type`` (metadata calls; **on by
  default**, as in PubNub SDK v10), ``include_uuid(level)``/``include_channel(level)``
  (members/memberships; levels ``UUID``/``UUID_WITH_CUSTOM``, ``CHANNEL``/``CHANNEL_WITH_CUSTOM``);
* list calls: ``limit``, ``filter`` (App Context filter language), ``count`` (from
  ``include_total_count``), ``sort`` (``sort(PNSortKey.asc(PNSortKeyValue.NAME), ...)``),
  ``start``/``end`` (``page(Next(..))``/``page(Previous(..))``);
* ``if_matches_etag(etag)`` sends ``If-Match`` (the server answers 412 when the object changed).
"""
from typing import Any, Callable, Dict, List, Optional
from pubnub_fast import errors
from pubnub_fast.endpoints.base import Endpoint, SingleChannel, encode_path_segment, to_json
from pubnub_fast.enums import HttpMethod, PNOperationType
from pubnub_fast.exceptions import PubNubException
from pubnub_fast.models.consumer.objects_v2.channel import (PNGetAllChannelMetadataResult, PNGetChannelMetadataResult,
                                                            PNRemoveChannelMetadataResult, PNSetChannelMetadataResult)
from pubnub_fast.models.consumer.objects_v2.channel_members import (PNUUID, PNGetChannelMembersResult,
                                                                    PNManageChannelMembersResult,
                                                                    PNRemoveChannelMembersResult,
                                                                    PNSetChannelMembersResult)
from pubnub_fast.models.consumer.objects_v2.common import PNIncludes
from pubnub_fast.models.consumer.objects_v2.memberships import (PNChannelMembership, PNGetMembershipsResult,
                                                                PNManageMembershipsResult, PNRemoveMembershipsResult,
                                                                PNSetMembershipsResult)
from pubnub_fast.models.consumer.objects_v2.page import Next, Previous
from pubnub_fast.models.consumer.objects_v2.sort import PNSortKey
from pubnub_fast.models.consumer.objects_v2.uuid import (PNGetAllUUIDMetadataResult, PNGetUUIDMetadataResult,
                                                         PNRemoveUUIDMetadataResult, PNSetUUIDMetadataResult)
from pubnub_fast._typing import Self

__all__ = [
    "SetUuid", "GetUuid", "RemoveUuid", "GetAllUuid",
    "SetChannel", "GetChannel", "RemoveChannel", "GetAllChannels",
    "SetChannelMembers", "GetChannelMembers", "RemoveChannelMembers", "ManageChannelMembers",
    "SetMemberships", "GetMemberships", "RemoveMemberships", "ManageMemberships",
    "UUIDIncludeEndpoint", "ChannelIncludeEndpoint",
]


def _bad_argument(message):
    return PubNubException(errormsg=message, pn_error=errors.PNERR_INVALID_ARGUMENT)


class UUIDIncludeEndpoint:
    """Levels of ``include_uuid()`` on channel-members calls (PubNub SDK names)."""

    UUID = 1
    UUID_WITH_CUSTOM = 2


class ChannelIncludeEndpoint:
    """Levels of ``include_channel()`` on memberships calls (PubNub SDK names)."""

    CHANNEL = 1
    CHANNEL_WITH_CUSTOM = 2


class _ObjectsEndpoint(Endpoint):
    """Shared request assembly; the setters come from the mixins each builder lists."""

    RESULT: Any = None
    #: include_status / include_type default (True on uuid and channel metadata calls)
    STATUS_TYPE_DEFAULT: Any = None
    #: keyword-argument names of PubNub SDK v10's factories → setter names
    KWARG_ALIASES: Dict[str, str] = {}

    def __init__(self, pubnub, **kwargs):
        self._etag = None
        self._include_custom = None
        self._include_status = self.STATUS_TYPE_DEFAULT
        self._include_type = self.STATUS_TYPE_DEFAULT
        self._includes = None
        self._level: Any = None
        self._limit = None
        self._filter = None
        self._count = None
        self._sort_keys = []
        self._page = None
        self._body = None
        super().__init__(pubnub, **{self.KWARG_ALIASES.get(name, name): value for name, value in kwargs.items()})

    def if_matches_etag(self, etag: Optional[str]) -> "Self":
        """Only change the object if its ``eTag`` is still ``etag`` (header ``If-Match``)."""
        self._etag = self.validate_type(etag, str, "etag")
        return self

    def objects_path(self, *segments):
        return "/v2/objects/%s/%s" % (encode_path_segment(self.pubnub.config.subscribe_key), "/".join(segments))

    def include_param(self):
        if self._includes is not None:
            return str(self._includes) or None
        names = []
        if self._include_custom:
            names.append("custom")
        if self._include_status:
            names.append("status")
        if self._include_type:
            names.append("type")
        if self._level:
            names.append(self._level)
        return ",".join(names) or None

    def custom_params(self):
        params = {}
        include = self.include_param()
        if include:
            params["include"] = include
        if self._filter:
            params["filter"] = self._filter
        if self._limit:
            params["limit"] = str(self._limit)
        if self._count:
            params["count"] = "True"
        if self._sort_keys:
            params["sort"] = ",".join("%s:%s" % (key.key_str(), key.dir_str()) for key in self._sort_keys)
        if isinstance(self._page, Next):
            params["start"] = self._page.hash
        elif isinstance(self._page, Previous):
            params["end"] = self._page.hash
        return params

    def validate_params(self):
        self.validate_subscribe_key()
        self.validate_target()
        body = self.body()
        self._body = None if body is None else to_json(body, "request body")

    def validate_target(self):
        pass

    def body(self):
        return None

    def build_data(self):
        return self._body

    def request_headers(self):
        headers = {}
        if self._body is not None:
            headers["Content-Type"] = "application/json"
        if self._etag:
            headers["If-Match"] = self._etag
        return headers

    def create_response(self, envelope):
        if not isinstance(envelope, dict):
            raise ValueError("expected a JSON object")
        return self.RESULT(envelope)


# --- setter mixins ------------------------------------------------------------------------------

class _IncludeCustom:
    def include_custom(self, include_custom) -> "Self":
        """Return the objects' ``custom`` data."""
        self._include_custom = bool(include_custom)
        return self


class _IncludeStatusType:
    def include_status(self, include_status) -> "Self":
        """Return the objects' ``status`` (on by default)."""
        self._include_status = bool(include_status)
        return self

    def include_type(self, include_type) -> "Self":
        """Return the objects' ``type`` (on by default)."""
        self._include_type = bool(include_type)
        return self


class _Includes:
    _includes: Any
    _level: Any

    def include(self, includes) -> "Self":
        """An includes object (``MemberIncludes``/``MembershipIncludes``): replaces the legacy flags."""
        if includes is not None and not isinstance(includes, PNIncludes):
            raise _bad_argument("include() takes a PNIncludes object, not %r" % (includes,))
        self._includes = includes
        return self


class _IncludeUuidLevel(_Includes):
    def include_uuid(self, uuid_details_level) -> "Self":
        """``UUIDIncludeEndpoint.UUID`` (the uuid object) or ``UUID_WITH_CUSTOM`` (with its custom)."""
        self._level = {None: None, 0: None, 1: "uuid", 2: "uuid.custom"}.get(uuid_details_level, _MISSING)
        if self._level is _MISSING:
            raise _bad_argument("include_uuid() takes UUIDIncludeEndpoint.UUID or UUID_WITH_CUSTOM, not %r"
                                % (uuid_details_level,))
        return self


class _IncludeChannelLevel(_Includes):
    def include_channel(self, channel_details_level) -> "Self":
        """``ChannelIncludeEndpoint.CHANNEL`` or ``CHANNEL_WITH_CUSTOM``."""
        self._level = {None: None, 0: None, 1: "channel", 2: "channel.custom"}.get(channel_details_level, _MISSING)
        if self._level is _MISSING:
            raise _bad_argument("include_channel() takes ChannelIncludeEndpoint.CHANNEL or CHANNEL_WITH_CUSTOM, "
                                "not %r" % (channel_details_level,))
        return self


_MISSING = object()


class _ListParams:
    validate_type: Callable[..., Any]  # Endpoint's: this is a mixin
    def limit(self, limit: Optional[int]) -> "Self":
        """Items per page (the server's default and maximum is 100)."""
        self._limit = self.validate_type(limit, int, "limit")
        if limit is not None and limit < 0:
            raise _bad_argument("limit must be >= 0, not %r" % limit)
        return self

    def filter(self, filter: Optional[str]) -> "Self":
        """An App Context filter expression, e.g. ``name LIKE 'J*'``."""
        self._filter = self.validate_type(filter, str, "filter")
        return self

    def include_total_count(self, include_total_count) -> "Self":
        """Return ``totalCount`` (``result.total_count``)."""
        self._count = bool(include_total_count)
        return self

    def sort(self, *sort_keys) -> "Self":
        """``PNSortKey`` terms, most significant first."""
        for key in sort_keys:
            if not isinstance(key, PNSortKey):
                raise _bad_argument("sort() takes PNSortKey objects, not %r" % (key,))
        self._sort_keys = list(sort_keys)
        return self

    def sort_keys(self, sort_keys):
        """The same as ``sort(*sort_keys)`` (PubNub SDK v10's keyword name)."""
        return self.sort(*(sort_keys or ()))

    def page(self, page) -> "Self":
        """``Next(cursor)`` or ``Previous(cursor)`` from an earlier result's ``next``/``prev``."""
        if page is not None and not isinstance(page, (Next, Previous)):
            raise _bad_argument("page() takes a Next or Previous cursor, not %r" % (page,))
        self._page = page
        return self


class _UuidTarget:
    _uuid = None

    def uuid(self, uuid) -> "Self":
        """The uuid (default: the client's own ``config.uuid``)."""
        self._uuid = str(uuid) if uuid is not None else None
        return self

    def effective_uuid(self):
        return self._uuid if self._uuid is not None else self.pubnub.config.uuid

    def validate_target(self):
        uuid = self.effective_uuid()
        if not isinstance(uuid, str) or not uuid:
            raise PubNubException(pn_error=errors.PNERR_UUID_MISSING)


class _ChannelTarget(SingleChannel):
    def validate_target(self):
        self.validate_channel(self._channel)

    def affected_channels(self):
        return [self._channel]


class _Custom:
    _custom = None

    def custom(self, custom) -> "Self":
        """The object's ``custom`` dict (flat: str/number/bool values); also asks for it back."""
        if custom is not None and not isinstance(custom, dict):
            raise _bad_argument("custom must be a dict, not %s" % type(custom).__name__)
        self._custom = dict(custom) if custom is not None else None
        if custom is not None:
            self._include_custom = True
        return self


class _StatusTypeFields:
    validate_type: Callable[..., Any]  # Endpoint's: this is a mixin
    _status = None
    _type = None

    def set_status(self, status: Optional[str]) -> "Self":
        self._status = self.validate_type(status, str, "status")
        return self

    def set_type(self, type: Optional[str]) -> "Self":
        self._type = self.validate_type(type, str, "type")
        return self


def _items(values, helper, what, wrap):
    """Request-body items from helper objects (``to_payload_dict()``) or plain ids."""
    if values is None:
        return []
    if isinstance(values, (str, helper)):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise _bad_argument("%s takes a list, not %s" % (what, type(values).__name__))
    items = []
    for value in values:
        if isinstance(value, str):
            if not value:
                raise _bad_argument("%s: an id is empty" % what)
            items.append(wrap(value))
        elif hasattr(value, "to_payload_dict"):
            items.append(value.to_payload_dict())
        else:
            raise _bad_argument("%s takes %s objects or ids, not %r" % (what, helper.__name__, value))
    return items


def _member_items(values, what):
    return _items(values, PNUUID, what, lambda uuid: {"uuid": {"id": uuid}})


def _membership_items(values, what):
    return _items(values, PNChannelMembership, what, lambda channel: {"channel": {"id": channel}})


# --- uuid metadata ------------------------------------------------------------------------------

class _UuidMetadata(_UuidTarget, _IncludeCustom, _IncludeStatusType, _ObjectsEndpoint):
    STATUS_TYPE_DEFAULT = True

    def build_path(self):
        return self.objects_path("uuids", encode_path_segment(self.effective_uuid()))


class SetUuid(_Custom, _StatusTypeFields, _UuidMetadata):
    """``set_uuid_metadata()``: create or update a uuid's metadata (PATCH)."""

    OPERATION = PNOperationType.PNSetUuidMetadataOperation
    HTTP_METHOD = HttpMethod.PATCH
    RESULT = PNSetUUIDMetadataResult
    KWARG_ALIASES = {"name": "set_name", "status": "set_status", "type": "set_type"}

    _name = None
    _email = None
    _external_id = None
    _profile_url = None

    def set_name(self, name: Optional[str]) -> "Self":
        self._name = self.validate_type(name, str, "name")
        return self

    def email(self, email: Optional[str]) -> "Self":
        self._email = self.validate_type(email, str, "email")
        return self

    def external_id(self, external_id: Optional[str]) -> "Self":
        self._external_id = self.validate_type(external_id, str, "external_id")
        return self

    def profile_url(self, profile_url: Optional[str]) -> "Self":
        self._profile_url = self.validate_type(profile_url, str, "profile_url")
        return self

    def body(self):
        payload = {"name": self._name, "email": self._email, "externalId": self._external_id,
                   "profileUrl": self._profile_url}
        if self._custom:
            payload["custom"] = self._custom
        if self._status:
            payload["status"] = self._status
        if self._type:
            payload["type"] = self._type
        return payload


class GetUuid(_UuidMetadata):
    """``get_uuid_metadata()``: a uuid's metadata."""

    OPERATION = PNOperationType.PNGetUuidMetadataOperation
    RESULT = PNGetUUIDMetadataResult


class RemoveUuid(_UuidTarget, _ObjectsEndpoint):
    """``remove_uuid_metadata()``: delete a uuid's metadata."""

    OPERATION = PNOperationType.PNRemoveUuidMetadataOperation
    HTTP_METHOD = HttpMethod.DELETE
    RESULT = PNRemoveUUIDMetadataResult

    def build_path(self):
        return self.objects_path("uuids", encode_path_segment(self.effective_uuid()))


class GetAllUuid(_IncludeCustom, _IncludeStatusType, _ListParams, _ObjectsEndpoint):
    """``get_all_uuid_metadata()``: a page of the subscribe key's uuid metadata."""

    OPERATION = PNOperationType.PNGetAllUuidMetadataOperation
    RESULT = PNGetAllUUIDMetadataResult
    STATUS_TYPE_DEFAULT = True

    def build_path(self):
        return self.objects_path("uuids")


# --- channel metadata ---------------------------------------------------------------------------

class _ChannelMetadata(_ChannelTarget, _IncludeCustom, _IncludeStatusType, _ObjectsEndpoint):
    STATUS_TYPE_DEFAULT = True

    def build_path(self):
        return self.objects_path("channels", encode_path_segment(self._channel))


class SetChannel(_Custom, _StatusTypeFields, _ChannelMetadata):
    """``set_channel_metadata()``: create or update a channel's metadata (PATCH)."""

    OPERATION = PNOperationType.PNSetChannelMetadataOperation
    HTTP_METHOD = HttpMethod.PATCH
    RESULT = PNSetChannelMetadataResult
    KWARG_ALIASES = {"name": "set_name", "status": "set_status", "type": "set_type"}

    _name = None
    _description = None

    def set_name(self, name: Optional[str]) -> "Self":
        self._name = self.validate_type(name, str, "name")
        return self

    def description(self, description: Optional[str]) -> "Self":
        self._description = self.validate_type(description, str, "description")
        return self

    def body(self):
        # PubNub's SDK always sends status, type and custom here (null when unset)
        return {"name": self._name, "description": self._description, "status": self._status or None,
                "type": self._type or None, "custom": self._custom}


class GetChannel(_ChannelMetadata):
    """``get_channel_metadata()``: a channel's metadata."""

    OPERATION = PNOperationType.PNGetChannelMetadataOperation
    RESULT = PNGetChannelMetadataResult


class RemoveChannel(_ChannelTarget, _ObjectsEndpoint):
    """``remove_channel_metadata()``: delete a channel's metadata."""

    OPERATION = PNOperationType.PNRemoveChannelMetadataOperation
    HTTP_METHOD = HttpMethod.DELETE
    RESULT = PNRemoveChannelMetadataResult

    def build_path(self):
        return self.objects_path("channels", encode_path_segment(self._channel))


class GetAllChannels(_IncludeCustom, _IncludeStatusType, _ListParams, _ObjectsEndpoint):
    """``get_all_channel_metadata()``: a page of the subscribe key's channel metadata."""

    OPERATION = PNOperationType.PNGetAllChannelMetadataOperation
    RESULT = PNGetAllChannelMetadataResult
    STATUS_TYPE_DEFAULT = True

    def build_path(self):
        return self.objects_path("channels")


# --- channel members ----------------------------------------------------------------------------

class _Members(_ChannelTarget, _IncludeCustom, _IncludeUuidLevel, _ListParams, _ObjectsEndpoint):
    UUID = UUIDIncludeEndpoint.UUID
    UUID_WITH_CUSTOM = UUIDIncludeEndpoint.UUID_WITH_CUSTOM

    def build_path(self):
        return self.objects_path("channels", encode_path_segment(self._channel), "uuids")


class _MembersChange(_Members):
    HTTP_METHOD = HttpMethod.PATCH
    _to_set = None
    _to_remove = None

    def body(self):
        return {"set": _member_items(self._to_set, "members to set"),
                "delete": _member_items(self._to_remove, "members to remove")}


class SetChannelMembers(_MembersChange):
    """``set_channel_members()``: add members (``PNUUID.uuid(..)``, ``PNUserMember(..)``) to a channel."""

    OPERATION = PNOperationType.PNSetChannelMembersOperation
    RESULT = PNSetChannelMembersResult

    def uuids(self, uuids) -> "Self":
        self._to_set = uuids
        return self


class RemoveChannelMembers(_MembersChange):
    """``remove_channel_members()``: remove members from a channel."""

    OPERATION = PNOperationType.PNRemoveChannelMembersOperation
    RESULT = PNRemoveChannelMembersResult

    def uuids(self, uuids) -> "Self":
        self._to_remove = uuids
        return self


class ManageChannelMembers(_MembersChange):
    """``manage_channel_members()``: add and remove members in one call."""

    OPERATION = PNOperationType.PNManageChannelMembersOperation
    RESULT = PNManageChannelMembersResult
    KWARG_ALIASES = {"uuids_to_set": "set", "uuids_to_remove": "remove"}

    def set(self, uuids_to_set) -> "Self":
        self._to_set = uuids_to_set
        return self

    def remove(self, uuids_to_remove) -> "Self":
        self._to_remove = uuids_to_remove
        return self


class GetChannelMembers(_Members):
    """``get_channel_members()``: a page of a channel's members."""

    OPERATION = PNOperationType.PNGetChannelMembersOperation
    RESULT = PNGetChannelMembersResult


# --- memberships ----------------------------------------------------------------------------------

class _Memberships(_UuidTarget, _IncludeCustom, _IncludeChannelLevel, _ListParams, _ObjectsEndpoint):
    CHANNEL = ChannelIncludeEndpoint.CHANNEL
    CHANNEL_WITH_CUSTOM = ChannelIncludeEndpoint.CHANNEL_WITH_CUSTOM

    def build_path(self):
        return self.objects_path("uuids", encode_path_segment(self.effective_uuid()), "channels")


class _MembershipsChange(_Memberships):
    HTTP_METHOD = HttpMethod.PATCH
    _to_set = None
    _to_remove = None

    def body(self):
        return {"set": _membership_items(self._to_set, "memberships to set"),
                "delete": _membership_items(self._to_remove, "memberships to remove")}


class SetMemberships(_MembershipsChange):
    """``set_memberships()``: make a uuid a member of channels (``PNChannelMembership.channel(..)``)."""

    OPERATION = PNOperationType.PNSetMembershipsOperation
    RESULT = PNSetMembershipsResult

    def channel_memberships(self, channel_memberships) -> "Self":
        self._to_set = channel_memberships
        return self


class RemoveMemberships(_MembershipsChange):
    """``remove_memberships()``: end a uuid's memberships of channels."""

    OPERATION = PNOperationType.PNRemoveMembershipsOperation
    RESULT = PNRemoveMembershipsResult

    def channel_memberships(self, channel_memberships) -> "Self":
        self._to_remove = channel_memberships
        return self


class ManageMemberships(_MembershipsChange):
    """``manage_memberships()``: add and remove memberships in one call."""

    OPERATION = PNOperationType.PNManageMembershipsOperation
    RESULT = PNManageMembershipsResult
    KWARG_ALIASES = {"channel_memberships_to_set": "set", "channel_memberships_to_remove": "remove"}

    def set(self, channel_memberships_to_set) -> "Self":
        self._to_set = channel_memberships_to_set
        return self

    def remove(self, channel_memberships_to_remove) -> "Self":
        self._to_remove = channel_memberships_to_remove
        return self


class GetMemberships(_Memberships):
    """``get_memberships()``: a page of a uuid's memberships."""

    OPERATION = PNOperationType.PNGetMembershipsOperation
    RESULT = PNGetMembershipsResult
