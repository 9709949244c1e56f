"""What every route needs from Access Manager: one table, checked against the routes at startup.

Each route is identified by its path pattern (``Route.pattern``) and HTTP method. Its
:class:`Rule` says which resources the request touches — channels, channel groups, uuids, the
whole keyset, or an App Context category — where their names come from (a path placeholder, a
comma list in the path or the query, ids in the JSON body), and which permission bit each needs
(protocol.md §5.4). ``exempt`` routes are never checked (``/time/0`` and the emulator's own file
storage, which checks its own signed URLs); ``admin`` routes (grant, audit, grant-token,
revoke-token) need a valid signature, whatever the grants say.

:mod:`pubnub_fast.server.access` enforces the table. A route with no rule is refused on a keyset
with a secret key (fail closed), and ``tests/server/test_access_manager.py`` fails when a route
of ``api.all_routes`` has no rule, so a new route cannot be silently unprotected.

Operation → permission, as enforced (docs/feature files; the real table is not in any recording):

================================================  =======================================
publish, fire, signal, publish-file               write on the channel
subscribe                                         read on every channel (wildcards and
                                                  ``-pnpres`` names as written) and group
heartbeat, leave, here_now, get/set state         read on the channels and groups (set
                                                  state: a token bound to a uuid may only
                                                  set the state of that uuid, the one in
                                                  the path)
here_now of the whole keyset                      read on the keyset
where_now                                         get on the uuid
channel group add/remove channels, delete group   manage on the group
channel group list channels                       read on the group
list every channel group                          manage on the keyset
history, fetch, fetch with actions, counts        read on the channels
delete messages                                   delete on the channels
message actions: add / get / remove               write / read / delete on the channel
uuid metadata: get / set / remove                 get / update / delete on the uuid
channel metadata: get / set / remove              get / update / delete on the channel
get memberships (of a uuid)                       get on the uuid
set/remove memberships (of a uuid)                update on the uuid, join on every
                                                  channel named in the body
get members (of a channel)                        get on the channel
set/remove members (of a channel)                 manage on the channel
list all uuid / channel metadata                  get on the ``uuids`` / ``channels``
                                                  category (v2 ``category`` grants, v3
                                                  ``cat``; or get on the keyset)
push: add / remove channels                       read on each named channel (``add`` and
                                                  ``remove`` both, when both are given)
push: list channels, remove device                a live credential (any grant of the
                                                  auth key, or a valid token)
files: generate upload URL / list / get URL /     write / read / read / delete on the
delete                                            channel
================================================  =======================================
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from pubnub_fast.enums import PAMPermissions
from pubnub_fast.server.wire import JsonInputError, load_json, split_names

#: Most names one request may make the server check (bounded work per request).
MAX_CHECKED_NAMES = 1000


#: Access Manager permission bits (protocol.md §5.4; v2 flags r w m d g u j), shared with the client.
Permission = PAMPermissions


#: v2 grant flags in wire order -> bit.
V2_FLAGS: tuple[tuple[str, int], ...] = (
    ("r", Permission.READ),
    ("w", Permission.WRITE),
    ("m", Permission.MANAGE),
    ("d", Permission.DELETE),
    ("g", Permission.GET),
    ("u", Permission.UPDATE),
    ("j", Permission.JOIN),
)


class Resource(enum.Enum):
    """What a permission is about. The value is the key of a 403's ``payload``."""

    CHANNEL = "channels"
    GROUP = "channel-groups"
    UUID = "uuids"
    #: the whole keyset (v2 subkey-level grants only)
    KEYSET = "keyset"
    #: App Context "list all" (v2 ``category=channels|uuids`` grants, v3 token ``cat``)
    CHANNEL_CATEGORY = "channels-category"
    UUID_CATEGORY = "uuids-category"


@dataclass(frozen=True)
class Names:
    """Where the names of a resource come from in a request.

    ``kind`` is ``path`` (one placeholder), ``path_list`` (a comma list placeholder, ``,`` =
    none), ``query_list`` (a comma list query parameter), ``body_ids`` (``{"set": [...],
    "delete": [...]}`` items ``{field: {"id": name}}`` in a JSON body) or ``none`` (keyset-wide
    resources have no name).
    """

    kind: str
    key: str = ""
    field: str = ""

    def read(self, call: Any) -> list[str]:
        if self.kind == "none":
            return [""]
        # A placeholder the route lacks is a KeyError: the check fails closed, never open.
        if self.kind == "path":
            value = call.path[self.key]
            return [value] if value else []
        if self.kind == "path_list":
            return split_names(call.path[self.key])
        if self.kind == "query_list":
            return split_names(call.query.get(self.key))
        if self.kind == "body_ids":
            return _body_ids(call, self.field)
        raise ValueError("unknown name source %r" % self.kind)


def _body_ids(call: Any, item_field: str) -> list[str]:
    """Ids named by an App Context ``set``/``delete`` body; ``[]`` when it cannot be read (the
    handler then answers the 400 itself)."""
    try:
        document = load_json(call.body().decode("utf-8"))
    except (UnicodeDecodeError, JsonInputError):
        return []
    if not isinstance(document, dict):
        return []
    found: dict[str, None] = {}
    for section in ("set", "delete"):
        items = document.get(section)
        if not isinstance(items, list):
            continue
        for item in items:
            target = item.get(item_field) if isinstance(item, dict) else None
            name = target.get("id") if isinstance(target, dict) else None
            if isinstance(name, str) and name:
                found.setdefault(name, None)
    return list(found)


def path(key: str) -> Names:
    return Names("path", key)


def path_list(key: str) -> Names:
    return Names("path_list", key)


def query_list(key: str) -> Names:
    return Names("query_list", key)


def body_ids(item_field: str) -> Names:
    return Names("body_ids", field=item_field)


KEYSET_WIDE = Names("none")


@dataclass(frozen=True)
class Need:
    """``permission`` on every resource of type ``resource`` named by ``names``."""

    resource: Resource
    names: Names
    permission: Permission


@dataclass(frozen=True)
class Requirement:
    """One concrete check: ``permission`` on ``resource`` ``name`` (``""`` for keyset-wide)."""

    resource: Resource
    name: str
    permission: Permission


class TooManyNames(ValueError):
    """A request names more resources than :data:`MAX_CHECKED_NAMES`."""


@dataclass(frozen=True)
class Rule:
    """What one route (pattern + method) needs.

    ``when_query``: ``(parameter, needs)`` pairs; the first parameter present in the query
    replaces ``needs`` (channel-group ``add``/``remove`` need manage, a plain read needs read).
    ``credential``: no resource to check, but the request must carry a live credential.
    ``acts_as``: a path placeholder naming the uuid the request acts for (set state); a token
    bound to a uuid (``authorized_uuid``) must name that uuid there too, not only in ``?uuid=``.
    """

    needs: tuple[Need, ...] = ()
    when_query: tuple[tuple[str, tuple[Need, ...]], ...] = ()
    admin: bool = False
    exempt: bool = False
    credential: bool = False
    acts_as: str = ""

    def needs_for(self, call: Any) -> tuple[Need, ...]:
        for parameter, needs in self.when_query:
            if parameter in call.query:
                return needs
        return self.needs

    def requirements(self, call: Any) -> list[Requirement]:
        """The concrete checks for ``call`` (names de-duplicated, in request order)."""
        found: dict[Requirement, None] = {}
        for need in self.needs_for(call):
            for name in need.names.read(call):
                found.setdefault(Requirement(need.resource, name, need.permission), None)
                if len(found) > MAX_CHECKED_NAMES:
                    raise TooManyNames("more than %d resources in one request" % MAX_CHECKED_NAMES)
        return list(found)

    def placeholders(self) -> set[str]:
        """Path placeholders this rule reads (checked against the route's pattern)."""
        every = list(self.needs) + [need for _, needs in self.when_query for need in needs]
        found = {need.names.key for need in every if need.names.kind in ("path", "path_list")}
        return found | {self.acts_as} if self.acts_as else found


def _needs(*items: tuple[Resource, Names, Permission]) -> tuple[Need, ...]:
    return tuple(Need(resource, names, permission) for resource, names, permission in items)


def _rule(*items: tuple[Resource, Names, Permission], **options: Any) -> Rule:
    return Rule(needs=_needs(*items), **options)


R = Permission
CHANNEL, GROUP, UUID = Resource.CHANNEL, Resource.GROUP, Resource.UUID

EXEMPT = Rule(exempt=True)
ADMIN = Rule(admin=True)

_GROUPS_QUERY = (GROUP, query_list("channel-group"), R.READ)
_PRESENCE_READ = _rule((CHANNEL, path_list("channels"), R.READ), _GROUPS_QUERY)

_PUBLISH = "/{operation}/{pub}/{sub}/{signature}/{channel}/{callback}"
_PRESENCE = "/v2/presence/sub-key/{sub}"
_GROUPS = "/v1/channel-registration/sub-key/{sub}/channel-group"
_ACTIONS = "/v1/message-actions/{sub}/channel/{channel}"
_OBJECTS = "/v2/objects/{sub}"
_FILES = "/v1/files/{sub}/channels/{channel}"
_PUSH_V1 = "/v1/push/sub-key/{sub}/devices/{device}"
_PUSH_V2 = "/v2/push/sub-key/{sub}/devices-apns2/{device}"

# One request may both add and remove: every channel of both lists is checked.
_PUSH_DEVICE = Rule(
    credential=True,
    needs=_needs((CHANNEL, query_list("add"), R.READ), (CHANNEL, query_list("remove"), R.READ)),
)

#: pattern -> method -> rule. Every route of ``api.all_routes`` must appear here.
RULES: dict[str, dict[str, Rule]] = {
    # -- exempt ----------------------------------------------------------------------------------
    "/time/0": {"GET": EXEMPT},
    # the emulator's S3 stand-in: upload forms and download URLs carry their own signatures
    "/_files/upload": {"POST": EXEMPT},
    "/_files/{sub}/{channel}/{id}/{name}": {"GET": EXEMPT, "HEAD": EXEMPT},
    # -- Access Manager itself: signed requests only -------------------------------------------
    "/v2/auth/grant/sub-key/{sub}": {"GET": ADMIN},
    "/v1/auth/grant/sub-key/{sub}": {"GET": ADMIN},
    "/v2/auth/audit/sub-key/{sub}": {"GET": ADMIN},
    "/v1/auth/audit/sub-key/{sub}": {"GET": ADMIN},
    "/v3/pam/{sub}/grant": {"POST": ADMIN},
    "/v3/pam/{sub}/grant/{token}": {"DELETE": ADMIN},
    # -- publish, fire, signal -------------------------------------------------------------------
    _PUBLISH.replace("{operation}", "publish") + "/{message}": {
        "GET": _rule((CHANNEL, path("channel"), R.WRITE)),
    },
    _PUBLISH.replace("{operation}", "publish"): {"POST": _rule((CHANNEL, path("channel"), R.WRITE))},
    _PUBLISH.replace("{operation}", "signal") + "/{message}": {
        "GET": _rule((CHANNEL, path("channel"), R.WRITE)),
    },
    _PUBLISH.replace("{operation}", "signal"): {"POST": _rule((CHANNEL, path("channel"), R.WRITE))},
    # -- subscribe and presence ------------------------------------------------------------------
    "/v2/subscribe/{sub}/{channels}/{callback}": {"GET": _PRESENCE_READ},
    _PRESENCE: {"GET": _rule((Resource.KEYSET, KEYSET_WIDE, R.READ))},
    "/v2/presence/sub_key/{sub}": {"GET": _rule((Resource.KEYSET, KEYSET_WIDE, R.READ))},
    _PRESENCE + "/channel/{channels}": {"GET": _PRESENCE_READ},
    _PRESENCE + "/channel/{channels}/heartbeat": {"GET": _PRESENCE_READ},
    _PRESENCE + "/channel/{channels}/leave": {"GET": _PRESENCE_READ},
    _PRESENCE + "/channel/{channels}/uuid/{uuid}": {"GET": _PRESENCE_READ},
    _PRESENCE + "/channel/{channels}/uuid/{uuid}/data": {
        "GET": Rule(needs=_PRESENCE_READ.needs, acts_as="uuid"),
    },
    _PRESENCE + "/uuid/{uuid}": {"GET": _rule((UUID, path("uuid"), R.GET))},
    # -- channel groups --------------------------------------------------------------------------
    _GROUPS: {"GET": _rule((Resource.KEYSET, KEYSET_WIDE, R.MANAGE))},
    _GROUPS + "/{group}": {
        "GET": Rule(
            needs=_needs((GROUP, path("group"), R.READ)),
            when_query=(
                ("add", _needs((GROUP, path("group"), R.MANAGE))),
                ("remove", _needs((GROUP, path("group"), R.MANAGE))),
            ),
        ),
    },
    _GROUPS + "/{group}/remove": {"GET": _rule((GROUP, path("group"), R.MANAGE))},
    # -- storage ---------------------------------------------------------------------------------
    "/v2/history/sub-key/{sub}/channel/{channel}": {"GET": _rule((CHANNEL, path("channel"), R.READ))},
    "/v3/history/sub-key/{sub}/channel/{channels}": {
        "GET": _rule((CHANNEL, path_list("channels"), R.READ)),
        "DELETE": _rule((CHANNEL, path_list("channels"), R.DELETE)),
    },
    "/v3/history-with-actions/sub-key/{sub}/channel/{channels}": {
        "GET": _rule((CHANNEL, path_list("channels"), R.READ)),
    },
    "/v3/history/sub-key/{sub}/message-counts/{channels}": {
        "GET": _rule((CHANNEL, path_list("channels"), R.READ)),
    },
    # -- message actions -------------------------------------------------------------------------
    _ACTIONS: {"GET": _rule((CHANNEL, path("channel"), R.READ))},
    _ACTIONS + "/message/{message}": {"POST": _rule((CHANNEL, path("channel"), R.WRITE))},
    _ACTIONS + "/message/{message}/action/{action}": {"DELETE": _rule((CHANNEL, path("channel"), R.DELETE))},
    # -- App Context -----------------------------------------------------------------------------
    _OBJECTS + "/uuids": {"GET": _rule((Resource.UUID_CATEGORY, KEYSET_WIDE, R.GET))},
    _OBJECTS + "/uuids/{id}": {
        "GET": _rule((UUID, path("id"), R.GET)),
        "PATCH": _rule((UUID, path("id"), R.UPDATE)),
        "DELETE": _rule((UUID, path("id"), R.DELETE)),
    },
    _OBJECTS + "/uuids/{id}/channels": {
        "GET": _rule((UUID, path("id"), R.GET)),
        "PATCH": _rule((UUID, path("id"), R.UPDATE), (CHANNEL, body_ids("channel"), R.JOIN)),
    },
    _OBJECTS + "/channels": {"GET": _rule((Resource.CHANNEL_CATEGORY, KEYSET_WIDE, R.GET))},
    _OBJECTS + "/channels/{id}": {
        "GET": _rule((CHANNEL, path("id"), R.GET)),
        "PATCH": _rule((CHANNEL, path("id"), R.UPDATE)),
        "DELETE": _rule((CHANNEL, path("id"), R.DELETE)),
    },
    _OBJECTS + "/channels/{id}/uuids": {
        "GET": _rule((CHANNEL, path("id"), R.GET)),
        "PATCH": _rule((CHANNEL, path("id"), R.MANAGE)),
    },
    # -- mobile push -----------------------------------------------------------------------------
    _PUSH_V1: {"GET": _PUSH_DEVICE},
    _PUSH_V1 + "/remove": {"GET": Rule(credential=True)},
    _PUSH_V2: {"GET": _PUSH_DEVICE},
    _PUSH_V2 + "/remove": {"GET": Rule(credential=True)},
    # -- files -----------------------------------------------------------------------------------
    _FILES + "/generate-upload-url": {"POST": _rule((CHANNEL, path("channel"), R.WRITE))},
    _FILES + "/files": {"GET": _rule((CHANNEL, path("channel"), R.READ))},
    _FILES + "/files/{id}/{name}": {
        "GET": _rule((CHANNEL, path("channel"), R.READ)),
        "DELETE": _rule((CHANNEL, path("channel"), R.DELETE)),
    },
    "/v1/files/publish-file/{pub}/{sub}/{signature}/{channel}/{callback}/{message}": {
        "GET": _rule((CHANNEL, path("channel"), R.WRITE)),
    },
}


def rule_for(pattern: str, method: str, rules: Mapping[str, Mapping[str, Rule]] = RULES) -> Rule | None:
    """The rule of a route; ``None`` when the table has none (the caller then refuses)."""
    by_method = rules.get(pattern)
    if by_method is None:
        return None
    return by_method.get(method)


_PLACEHOLDER = re.compile(r"\{([^}]*)\}")


def table_problems(routes: Iterable[Any], rules: Mapping[str, Mapping[str, Rule]] = RULES) -> list[str]:
    """Why the table does not cover ``routes`` (each a :class:`~.http.Route`): a method with
    no rule, or a rule reading a placeholder the pattern does not have. Empty when all is well."""
    problems: list[str] = []
    for route in routes:
        placeholders = set(_PLACEHOLDER.findall(route.pattern))
        for method in sorted(route.methods):
            rule = rule_for(route.pattern, method, rules)
            if rule is None:
                problems.append("%s %s has no Access Manager rule" % (method, route.pattern))
                continue
            missing = rule.placeholders() - placeholders
            if missing:
                problems.append(
                    "%s %s: its rule reads %s, not in the pattern"
                    % (method, route.pattern, ", ".join(sorted(missing)))
                )
    return problems


__all__ = [
    "MAX_CHECKED_NAMES",
    "Need",
    "Names",
    "Permission",
    "Requirement",
    "Resource",
    "Rule",
    "RULES",
    "TooManyNames",
    "V2_FLAGS",
    "rule_for",
    "table_problems",
]
