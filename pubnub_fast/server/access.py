"""Access Manager on the server: signatures, v2 grants, v3 tokens, and the check every request
passes (protocol.md §5, decisions.md §11, §17).

Only keysets with a secret key are checked; everything else is served as before. For those, a
request is decided in this order (the rule the real service follows):

1. Routes the table marks ``exempt`` (``/time/0``, the emulator's own file storage) pass.
2. A request that carries ``signature`` must carry a valid one — v2
   (``v2.<HMAC of METHOD, publish key, path, canonical query, body>``) or, for POST
   ``/publish``, the legacy v1 form — with a ``timestamp`` within :data:`SIGNATURE_WINDOW` seconds
   of the server clock; otherwise 403 ``Signature does not match`` (whatever its ``auth``
   grants). A valid signature is the secret holder's: root access, no permission checks.
   The canonical query is each query value as the server decoded it, ``pam_encode``-d, sorted
   by name (decisions.md §17); the path is the path as sent, still percent-encoded.
3. Admin routes (grant, audit, grant-token, revoke-token) need that signature: 403 without it.
4. Otherwise the request's ``auth`` decides. A v3 token (one this server issued: its ``sig`` is
   an HMAC-SHA256 over the CBOR of the token without ``sig``, keyed with the keyset's secret —
   our own scheme, tokens only verify on this server) is checked for revocation (403 ``Token is
   revoked``, ``X-PN-Cause: 4001``), expiry (403 ``Token is expired``), its authorized uuid
   (must equal the request's ``uuid`` when set) and the permissions of every resource the
   route touches (exact name in ``res`` first, else the first regex of ``pat`` that matches,
   ``re.search``). Any other ``auth`` (or none) is a v2 auth key: a resource is allowed when
   the union of the keyset-wide grants and the grants on that resource — each for every auth
   key or for this one — holds the permission. Denied → 403 ``Forbidden`` with the denied
   resources in ``payload`` (``channels``, ``channel-groups``, ``uuids``).

What each route needs is :mod:`pubnub_fast.server.permissions`. v2 grants and revoked tokens
live in SQLite (tables ``pam_grants``, ``pam_revoked_tokens``) and in memory, so checks never
wait for the database; a grant or a revoke is answered once it is durable. Expired grants and
revocations of expired tokens are dropped as they are met and when the server starts.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

from twisted.internet.defer import Deferred

from pubnub_fast import _cbor, _speedups
from pubnub_fast.server import responses
from pubnub_fast.server.database import Database
from pubnub_fast.server.permissions import (
    V2_FLAGS,
    Requirement,
    Resource,
    Rule,
    TooManyNames,
    rule_for,
)
from pubnub_fast.server.responses import ApiError, ApiResponse, HeaderFamily
from pubnub_fast.server.wire import redact_target

log = logging.getLogger("pubnub_fast.server.access")

#: How far a signed request's ``timestamp`` may be from the server clock by default, in seconds:
#: the real service's ±60 s of NTP time. A setting (``signature_window`` of ``start_server``,
#: ``serve --signature-window``) for hosts whose clocks drift further (containers, VMs).
SIGNATURE_WINDOW = 60
#: v2 grant ttl, minutes: default, and the longest (0 = forever).
V2_DEFAULT_TTL = 1440
V2_MAX_TTL = 525600
#: v3 token ttl range, minutes (protocol.md §8).
V3_MIN_TTL = 1
V3_MAX_TTL = 43200
#: Token version written into issued tokens (protocol.md §5.3).
TOKEN_VERSION = 2
#: Longest token accepted or issued, in characters (it travels in URLs, capped at 32 KiB).
MAX_TOKEN_LENGTH = 16 * 1024
#: Longest auth key accepted in a grant.
MAX_AUTH_KEY_LENGTH = 256
#: Most v2 grant rows one subscribe key may hold (bounded memory).
MAX_GRANTS_PER_KEYSET = 100_000
#: Tokens whose verdict is cached (their signature is then not re-checked), and the longest
#: ``auth`` value cached (bounds the cache's memory; longer ones are checked every time).
TOKEN_CACHE_SIZE = 4096
TOKEN_CACHE_MAX_LENGTH = 2048

#: v2 grant levels (stored ``kind``) of each resource.
KIND_KEYSET = "subkey"
KIND_CHANNEL = "channel"
KIND_GROUP = "channel-group"
KIND_UUID = "uuid"
KIND_CATEGORY = "category"
CATEGORY_CHANNELS = "channels"
CATEGORY_UUIDS = "uuids"


_SERVICE = "Access Manager"


# -- responses ------------------------------------------------------------------------------------


def _access_error(status: int, body: dict, cause: bytes | None = None) -> ApiError:
    extra = [(b"X-PN-Cause", cause)] if cause else []
    return ApiError(ApiResponse(status, body, HeaderFamily.ACCESS, extra_headers=extra))


def forbidden(denied: Mapping[str, list[str]]) -> ApiError:
    """403 ``Forbidden`` with the denied resources (protocol.md §5.5)."""
    payload = {key: names for key, names in denied.items() if names}
    body = {"message": "Forbidden", "payload": payload, "error": True, "service": _SERVICE, "status": 403}
    return _access_error(403, body, b"9999")


def signature_mismatch() -> ApiError:
    """403 for a missing, wrong or stale signature (protocol.md §5.1, §7)."""
    body = {"message": "Signature does not match", "error": True, "service": _SERVICE, "status": 403}
    return _access_error(403, body, b"9999")


def token_refused(message: str, cause: bytes = b"9999") -> ApiError:
    """403 for a token that cannot be used: ``Token is revoked`` / ``expired`` / ``Invalid token``."""
    body = {"error": True, "status": 403, "service": _SERVICE, "message": message}
    return _access_error(403, body, cause)


def flat_error(status: int, message: str) -> ApiError:
    """``{"message":…,"error":true,"service":"Access Manager","status":…}`` (v2 grant/audit)."""
    body = {"message": message, "error": True, "service": _SERVICE, "status": status}
    return _access_error(status, body)


def nested_error(status: int, message: str, source: str, detail: str, location: str, location_type: str) -> ApiError:
    """The PAM v3 error shape (protocol.md §2.19)."""
    body = {
        "error": {
            "message": message,
            "source": source,
            "details": [{"message": detail, "location": location, "locationType": location_type}],
        },
        "service": _SERVICE,
        "status": status,
    }
    return _access_error(status, body)


def not_enabled() -> ApiError:
    """Access Manager calls on a keyset without a secret key: nothing can be granted there."""
    return flat_error(400, "Access Manager is not enabled for this subscribe key (it has no secret key)")


# -- v2 grants ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """Permission bits granted at one level for one auth key (``""`` = everyone)."""

    bits: int
    ttl: int  # minutes as granted, 0 = forever
    expires: float | None  # Unix seconds

    def live(self, now: float) -> bool:
        return self.expires is None or now < self.expires


class GrantStore:
    """v2 grants of every keyset: in memory for the checks, written through to SQLite."""

    def __init__(self, database: Database, now: Callable[[], float]) -> None:
        self._database = database
        self._now = now
        #: sub_key -> (kind, name) -> auth key -> Grant
        self._grants: dict[str, dict[tuple[str, str], dict[str, Grant]]] = {}
        self._counts: dict[str, int] = {}

    def load(self) -> Deferred:
        """Drop expired grants, read the rest (at startup)."""
        now = self._now()

        def query(connection: sqlite3.Connection) -> list[tuple]:
            connection.execute("DELETE FROM pam_grants WHERE expires IS NOT NULL AND expires <= ?", (now,))
            return connection.execute(
                "SELECT sub_key, kind, name, auth_key, bits, ttl, expires FROM pam_grants"
            ).fetchall()

        def loaded(rows: list[tuple]) -> None:
            for sub_key, kind, name, auth_key, bits, ttl, expires in rows:
                self._put(sub_key, kind, name, auth_key, Grant(bits, ttl, expires))

        return self._database.run(query).addCallback(loaded)

    def _put(self, sub_key: str, kind: str, name: str, auth_key: str, grant: Grant | None) -> None:
        levels = self._grants.setdefault(sub_key, {})
        by_auth = levels.setdefault((kind, name), {})
        had = auth_key in by_auth
        if grant is None:
            by_auth.pop(auth_key, None)
            if not by_auth:
                del levels[(kind, name)]
        else:
            by_auth[auth_key] = grant
        self._counts[sub_key] = self._counts.get(sub_key, 0) + (grant is not None) - had

    def set(
        self,
        sub_key: str,
        targets: list[tuple[str, str]],
        auth_keys: list[str],
        bits: int,
        ttl: int,
    ) -> Deferred:
        """Grant ``bits`` on every ``(kind, name)`` for every auth key (``[""]`` = everyone),
        replacing what was there; ``bits == 0`` revokes. Fires when durable."""
        now = self._now()
        expires = None if ttl == 0 else now + ttl * 60
        rows = [(sub_key, kind, name, auth) for kind, name in targets for auth in auth_keys]
        if bits:
            grows = sum(1 for _, kind, name, auth in rows if not self._has(sub_key, kind, name, auth))
            if self._counts.get(sub_key, 0) + grows > MAX_GRANTS_PER_KEYSET:
                raise flat_error(400, "Too many grants on this subscribe key (the limit is %d)" % MAX_GRANTS_PER_KEYSET)
        grant = Grant(bits, ttl, expires) if bits else None
        for _, kind, name, auth in rows:
            self._put(sub_key, kind, name, auth, grant)

        def write(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM pam_grants WHERE expires IS NOT NULL AND expires <= ?", (now,))
            if bits:
                connection.executemany(
                    "INSERT OR REPLACE INTO pam_grants (sub_key, kind, name, auth_key, bits, ttl, expires)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [row + (bits, ttl, expires) for row in rows],
                )
            else:
                connection.executemany(
                    "DELETE FROM pam_grants WHERE sub_key = ? AND kind = ? AND name = ? AND auth_key = ?", rows
                )

        return self._database.run(write)

    def _has(self, sub_key: str, kind: str, name: str, auth_key: str) -> bool:
        return auth_key in self._grants.get(sub_key, {}).get((kind, name), {})

    def bits(self, sub_key: str, kind: str, name: str, auth_key: str) -> int:
        """Bits held at one level for everyone and for ``auth_key``; expired grants drop out."""
        by_auth = self._grants.get(sub_key, {}).get((kind, name))
        if not by_auth:
            return 0
        now = self._now()
        held = 0
        for key in ("", auth_key) if auth_key else ("",):
            grant = by_auth.get(key)
            if grant is None:
                continue
            if grant.live(now):
                held |= grant.bits
            else:
                self._put(sub_key, kind, name, key, None)  # the database row goes at the next write
        return held

    def has_any(self, sub_key: str, auth_key: str) -> bool:
        """Whether ``auth_key`` (or everyone) holds any live grant on the keyset."""
        now = self._now()
        wanted = ("", auth_key) if auth_key else ("",)
        for by_auth in self._grants.get(sub_key, {}).values():
            for key in wanted:
                grant = by_auth.get(key)
                if grant is not None and grant.live(now):
                    return True
        return False

    def entries(self, sub_key: str) -> Iterator[tuple[str, str, str, Grant]]:
        """Every live grant of ``sub_key`` as ``(kind, name, auth_key, grant)``, sorted."""
        now = self._now()
        levels = self._grants.get(sub_key, {})
        for kind, name in sorted(levels):
            for auth_key, grant in sorted(levels[(kind, name)].items()):
                if grant.live(now):
                    yield kind, name, auth_key, grant


# -- v3 tokens ------------------------------------------------------------------------------------

#: token resource maps: wire key -> the resource it is about (``spc``/``usr`` are legacy aliases)
_TOKEN_TYPES: dict[str, Resource] = {
    "chan": Resource.CHANNEL,
    "spc": Resource.CHANNEL,
    "grp": Resource.GROUP,
    "uuid": Resource.UUID,
    "usr": Resource.UUID,
}
#: grant-token body keys -> token wire keys, in the order tokens hold them
GRANT_TOKEN_TYPES: tuple[tuple[str, str], ...] = (
    ("channels", "chan"),
    ("groups", "grp"),
    ("spaces", "spc"),
    ("users", "usr"),
    ("uuids", "uuid"),
)
GRANT_TOKEN_CATEGORIES: tuple[tuple[str, str], ...] = (("channels", "chan"), ("uuids", "uuid"))
_CATEGORY_OF: dict[Resource, str] = {Resource.CHANNEL_CATEGORY: "chan", Resource.UUID_CATEGORY: "uuid"}
_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9_\-+/]+={0,2}\Z")


class InvalidToken(ValueError):
    """Looks like a token (a CBOR map with ``v`` and ``sig``) but is not a valid one of ours."""


@dataclass(frozen=True)
class Token:
    """A verified v3 token."""

    issued: int  # Unix seconds
    ttl: int  # minutes
    authorized_uuid: str | None
    resources: Mapping[Resource, Mapping[str, int]]
    patterns: Mapping[Resource, tuple[tuple[Any, int], ...]]  # (compiled regex, bits)
    categories: Mapping[str, int]
    signature: bytes

    @property
    def expires(self) -> float:
        return self.issued + self.ttl * 60

    def bits(self, resource: Resource, name: str) -> int:
        """Bits for ``name``: the exact entry when there is one, else the first matching pattern."""
        if resource in _CATEGORY_OF:
            return self.categories.get(_CATEGORY_OF[resource], 0)
        exact = self.resources.get(resource)
        if exact is not None and name in exact:
            return exact[name]
        for pattern, bits in self.patterns.get(resource, ()):
            if pattern is not None and pattern.search(name):
                return bits
        return 0


def _b64_decode(token: str) -> bytes | None:
    if not token or len(token) > MAX_TOKEN_LENGTH or not _TOKEN_CHARACTERS.match(token):
        return None
    body = token.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None


def _token_fields(token: str) -> dict | None:
    """The CBOR map of ``token``, or ``None`` when it is no token at all (then: an auth key)."""
    raw = _b64_decode(token)
    if raw is None:
        return None
    try:
        fields = _cbor.loads(raw, max_depth=16, max_size=MAX_TOKEN_LENGTH)
    except ValueError:
        return None
    if not isinstance(fields, dict) or b"sig" not in fields or b"v" not in fields:
        return None
    return fields


def _token_signature(secret: str, fields: Mapping) -> bytes:
    unsigned = {key: value for key, value in fields.items() if key != b"sig"}
    return hmac.new(secret.encode("utf-8"), _cbor.dumps(unsigned), hashlib.sha256).digest()


def _int_field(fields: Mapping, key: bytes) -> int:
    value = fields.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidToken("field %r is not a non-negative integer" % key)
    return value


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def _compile(pattern: str) -> Any:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None  # never matches


def _token_from_fields(fields: Mapping) -> Token:
    resources: dict[Resource, dict[str, int]] = {}
    patterns: dict[Resource, list[tuple[Any, int]]] = {}
    for section_key, exact in ((b"res", True), (b"pat", False)):
        section = fields.get(section_key)
        if not isinstance(section, dict):
            raise InvalidToken("no %r map" % section_key)
        for wire, entries in section.items():
            resource = _TOKEN_TYPES.get(_text(wire) or "")
            if resource is None or not isinstance(entries, dict):
                continue
            for name, bits in entries.items():
                name = _text(name)
                if name is None or isinstance(bits, bool) or not isinstance(bits, int) or bits < 0:
                    continue
                if exact:
                    held = resources.setdefault(resource, {})
                    held[name] = held.get(name, 0) | bits
                else:
                    patterns.setdefault(resource, []).append((_compile(name), bits))
    categories: dict[str, int] = {}
    found = fields.get(b"cat")
    if isinstance(found, dict):
        for wire, bits in found.items():
            category = _text(wire)
            if category and isinstance(bits, int) and not isinstance(bits, bool):
                categories[category] = bits
    uuid = fields.get(b"uuid")
    if uuid is not None and _text(uuid) is None:
        raise InvalidToken("the authorized uuid is not text")
    signature = fields.get(b"sig")
    if not isinstance(signature, bytes):
        raise InvalidToken("sig is not a byte string")
    return Token(
        issued=_int_field(fields, b"t"),
        ttl=_int_field(fields, b"ttl"),
        authorized_uuid=_text(uuid) if uuid is not None else None,
        resources=resources,
        patterns={resource: tuple(items) for resource, items in patterns.items()},
        categories=categories,
        signature=signature,
    )


class TokenAuthority:
    """Issues, verifies and revokes v3 tokens; revocations are kept in SQLite."""

    def __init__(self, database: Database, now: Callable[[], float]) -> None:
        self._database = database
        self._now = now
        #: (sub_key, signature) -> when the revoked token expires anyway
        self._revoked: dict[tuple[str, bytes], float] = {}
        #: (secret, token) -> Token, None for "not a token" (an auth key), or why it is invalid (str)
        self._cache: OrderedDict[tuple[str, str], Token | str | None] = OrderedDict()

    def load(self) -> Deferred:
        now = self._now()

        def query(connection: sqlite3.Connection) -> list[tuple]:
            connection.execute("DELETE FROM pam_revoked_tokens WHERE expires <= ?", (now,))
            return connection.execute("SELECT sub_key, signature, expires FROM pam_revoked_tokens").fetchall()

        def loaded(rows: list[tuple]) -> None:
            for sub_key, signature, expires in rows:
                self._revoked[(sub_key, bytes(signature))] = expires

        return self._database.run(query).addCallback(loaded)

    def issue(
        self,
        secret: str,
        ttl: int,
        resources: Mapping[str, Mapping[str, int]],
        patterns: Mapping[str, Mapping[str, int]],
        meta: Mapping[str, Any],
        authorized_uuid: str | None,
        categories: Mapping[str, int],
    ) -> str:
        """A signed token (URL-safe base64 with ``=`` padding, as PubNub's: SDKs decode it with a
        strict base64 decoder). ``resources``/``patterns`` are keyed by wire type (``chan`` …)."""
        fields: dict[bytes, Any] = {
            b"v": TOKEN_VERSION,
            b"t": int(self._now()),
            b"ttl": ttl,
            b"res": {wire.encode("ascii"): dict(resources.get(wire, {})) for _, wire in GRANT_TOKEN_TYPES},
            b"pat": {wire.encode("ascii"): dict(patterns.get(wire, {})) for _, wire in GRANT_TOKEN_TYPES},
            b"meta": dict(meta),
        }
        if authorized_uuid is not None:
            fields[b"uuid"] = authorized_uuid
        if categories:
            fields[b"cat"] = {wire.encode("ascii"): bits for wire, bits in categories.items()}
        fields[b"sig"] = _token_signature(secret, fields)
        return base64.urlsafe_b64encode(_cbor.dumps(fields)).decode("ascii")

    def read(self, secret: str, token: str) -> Token | None:
        """The verified token, ``None`` when ``token`` is no token (an auth key); raises
        :class:`InvalidToken` for a token that is not validly signed with ``secret``."""
        key = (secret, token)
        if key in self._cache:
            self._cache.move_to_end(key)
            verdict = self._cache[key]
        else:
            verdict = self._verify(secret, token)
            if len(token) <= TOKEN_CACHE_MAX_LENGTH:
                self._cache[key] = verdict
                if len(self._cache) > TOKEN_CACHE_SIZE:
                    self._cache.popitem(last=False)
        if isinstance(verdict, str):
            raise InvalidToken(verdict)
        return verdict

    @staticmethod
    def _verify(secret: str, token: str) -> Token | str | None:
        fields = _token_fields(token)
        if fields is None:
            return None
        signature = fields[b"sig"]
        try:
            expected = _token_signature(secret, fields)
        except ValueError:  # a value CBOR cannot re-encode: not one of ours
            return "malformed"
        # The signature first: nothing of a forged token (its patterns) is looked at.
        if not isinstance(signature, bytes) or not hmac.compare_digest(expected, signature):
            return "the signature does not match"
        try:
            return _token_from_fields(fields)
        except InvalidToken as exc:
            return str(exc)

    def is_revoked(self, sub_key: str, token: Token) -> bool:
        return (sub_key, token.signature) in self._revoked

    def revoke(self, sub_key: str, token: Token) -> Deferred:
        """Refuse ``token`` from now on; fires when durable."""
        now = self._now()
        for key in [key for key, expires in self._revoked.items() if expires <= now]:
            del self._revoked[key]
        self._revoked[(sub_key, token.signature)] = token.expires

        def write(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM pam_revoked_tokens WHERE expires <= ?", (now,))
            connection.execute(
                "INSERT OR REPLACE INTO pam_revoked_tokens (sub_key, signature, expires) VALUES (?, ?, ?)",
                (sub_key, token.signature, token.expires),
            )

        return self._database.run(write)


# -- the check ------------------------------------------------------------------------------------

_KIND_OF: dict[Resource, str] = {
    Resource.CHANNEL: KIND_CHANNEL,
    Resource.GROUP: KIND_GROUP,
    Resource.UUID: KIND_UUID,
}
_CATEGORY_NAME: dict[Resource, str] = {
    Resource.CHANNEL_CATEGORY: CATEGORY_CHANNELS,
    Resource.UUID_CATEGORY: CATEGORY_UUIDS,
}


class AccessManager:
    """Grants, tokens and the per-request decision (see the module docstring)."""

    def __init__(self, reactor: Any, database: Database, window: float = SIGNATURE_WINDOW) -> None:
        self.window = window
        #: The clock of every decision (Unix seconds); tests may replace it.
        self.now: Callable[[], float] = reactor.seconds
        self.grants = GrantStore(database, lambda: self.now())
        self.tokens = TokenAuthority(database, lambda: self.now())

    def load(self) -> Deferred:
        """Read grants and revocations (at startup)."""
        return self.grants.load().addCallback(lambda _: self.tokens.load())

    # -- the decision -----------------------------------------------------------------------------

    def authorize(self, call: Any) -> None:
        """Allow ``call`` or raise the 403 (see the module docstring)."""
        keyset = call.keyset
        if keyset is None or not keyset.secret_key:
            return
        try:
            self._authorize(call, keyset)
        except ApiError:
            raise
        except Exception:
            log.exception("Access Manager check of %s %s failed", call.method, call.route.pattern)
            raise responses.balancer_error(
                500, "An unexpected error ocurred while processing the request."
            ) from None

    def _authorize(self, call: Any, keyset: Any) -> None:
        rule = rule_for(call.route.pattern, call.method)
        if rule is not None and rule.exempt:
            return
        if "signature" in call.query:
            self.verify_signature(call, keyset)
            return  # the secret holder: root
        if rule is None:  # fail closed: a route nobody described is for secret holders only
            log.error("no Access Manager rule for %s %s: refused", call.method, call.route.pattern)
            raise forbidden({})
        if rule.admin:
            log.info("%s %s refused: not signed", call.method, call.route.pattern)
            raise signature_mismatch()
        try:
            requirements = rule.requirements(call)
        except TooManyNames as exc:
            raise call.route.family_error(400, "Invalid Arguments: %s" % exc) from None
        auth = call.query.get("auth", "")
        try:
            token = self.tokens.read(keyset.secret_key, auth) if auth else None
        except InvalidToken as exc:
            log.info("%s %s refused: invalid token (%s)", call.method, call.route.pattern, exc)
            raise token_refused("Invalid token") from None
        if token is not None:
            self._check_token(call, keyset, token, requirements, rule)
        else:
            self._check_grants(keyset, auth, rule, requirements)

    def verify_signature(self, call: Any, keyset: Any) -> None:
        """Raise 403 unless ``call`` is signed with the keyset's secret within the window."""
        signature = call.query.get("signature", "")
        timestamp = call.query.get("timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            log.info("signed request refused: missing or malformed timestamp")
            raise signature_mismatch()
        skew = int(timestamp) - self.now()
        if abs(skew) > self.window:
            log.info("signed request refused: timestamp %+d s from the server clock (window ±%d s)", skew, self.window)
            raise signature_mismatch()
        try:
            path = call.target_path.decode("utf-8")
            body = call.body().decode("utf-8")
        except UnicodeDecodeError:
            raise signature_mismatch() from None
        signing = _speedups.signing
        if signature.startswith("v2."):
            expected = signing.sign_v2(keyset.secret_key, call.method, keyset.publish_key, path, call.query, body)
        elif call.method == "POST" and path.startswith("/publish/"):
            expected = signing.sign_v1(keyset.secret_key, keyset.subscribe_key, keyset.publish_key, path, call.query)
        else:
            log.info("signed request refused: %s signature form not accepted here", signature[:3])
            raise signature_mismatch()
        if not signing.signatures_equal(expected, signature):
            log.info(
                "signed request refused: signature does not match (%s %s)",
                call.method, redact_target(call.target_path, 200),
            )
            raise signature_mismatch()

    def _check_token(
        self, call: Any, keyset: Any, token: Token, requirements: list[Requirement], rule: Rule
    ) -> None:
        if self.tokens.is_revoked(keyset.subscribe_key, token):
            raise token_refused("Token is revoked", b"4001")
        if self.now() >= token.expires:
            raise token_refused("Token is expired")
        if token.authorized_uuid is not None and token.authorized_uuid != call.uuid:
            log.info("token for uuid %r used by %r: refused", token.authorized_uuid, call.uuid)
            raise forbidden({Resource.UUID.value: [call.uuid] if call.uuid else []})
        acting = call.path.get(rule.acts_as) if rule.acts_as else None
        if token.authorized_uuid is not None and acting is not None and acting != token.authorized_uuid:
            log.info("token for uuid %r acting for %r: refused", token.authorized_uuid, acting)
            raise forbidden({Resource.UUID.value: [acting]})
        denied = [need for need in requirements if not token.bits(need.resource, need.name) & need.permission]
        if denied:
            raise forbidden(_payload(denied))

    def _check_grants(self, keyset: Any, auth: str, rule: Rule, requirements: list[Requirement]) -> None:
        sub_key = keyset.subscribe_key
        if rule.credential and not self.grants.has_any(sub_key, auth):
            raise forbidden({})
        keyset_bits = self.grants.bits(sub_key, KIND_KEYSET, "", auth)
        denied = []
        for need in requirements:
            held = keyset_bits
            if need.resource in _KIND_OF:
                held |= self.grants.bits(sub_key, _KIND_OF[need.resource], need.name, auth)
            elif need.resource in _CATEGORY_NAME:
                held |= self.grants.bits(sub_key, KIND_CATEGORY, _CATEGORY_NAME[need.resource], auth)
            if not held & need.permission:
                denied.append(need)
        if denied:
            raise forbidden(_payload(denied))

    # -- admin helpers ----------------------------------------------------------------------------

    def token_for_revoke(self, keyset: Any, token_text: str) -> Token:
        """The token a revoke-token call names, or the real 400s (protocol.md §2.19)."""
        try:
            token = self.tokens.read(keyset.secret_key, token_text)
        except InvalidToken:
            token = None
        if token is None:
            detail = "Token is malformed or was not issued for this keyset."
            raise nested_error(400, "Invalid token", "revoke", detail, "token", "path")
        if self.now() >= token.expires:
            raise nested_error(400, "Invalid token", "revoke", "Token is expired.", "token", "path")
        return token


def _payload(denied: Iterable[Requirement]) -> dict[str, list[str]]:
    """The 403 ``payload``: denied names per resource type (keyset-wide needs list no name)."""
    payload: dict[str, list[str]] = {}
    for need in denied:
        if need.resource in _KIND_OF and need.name not in payload.get(need.resource.value, ()):
            payload.setdefault(need.resource.value, []).append(need.name)
    return payload


def flags_of(bits: int) -> dict[str, int]:
    """``{"r": 0|1, "w": …, "m", "d", "g", "u", "j"}`` of ``bits``."""
    return {flag: 1 if bits & bit else 0 for flag, bit in V2_FLAGS}


__all__ = [
    "AccessManager",
    "Grant",
    "GrantStore",
    "InvalidToken",
    "SIGNATURE_WINDOW",
    "Token",
    "TokenAuthority",
    "flags_of",
    "forbidden",
    "signature_mismatch",
    "token_refused",
]
