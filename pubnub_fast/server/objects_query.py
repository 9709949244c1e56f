"""App Context list queries (protocol.md §2.21, client-api.md §4.8): ``filter``, ``sort``, paging.

The filter language (different from stream filters)::

    expression := or
    or         := and ( "||" and )*
    and        := unary ( "&&" unary )*
    unary      := "!" unary | "(" expression ")" | comparison
    comparison := field operator literal
    field      := name ( "." name )*            e.g. id, name, updated, custom.age, uuid.custom.role
    operator   := "==" | "!=" | "<" | "<=" | ">" | ">=" | "like"
    literal    := 'string' | "string" | number | true | false | null

``like`` matches a string against a pattern where ``*`` is any run of characters (``\\*`` a
literal asterisk), ignoring case. ``==``/``!=`` compare values of the same JSON type (``== null``
matches a missing or null field); ``<``… compare two numbers or two strings; ``updated`` fields
compare as instants (ISO 8601 literals). Which fields exist depends on the list being queried;
an unknown field, an operator without an operand, unbalanced parentheses and the like are
:class:`QueryError` (the API answers 400 with the reason). Expressions are at most
:data:`MAX_FILTER_LENGTH` characters and :data:`MAX_DEPTH` levels deep — the parser is recursive
but bounded.

``sort`` is ``key[:asc|desc],…``; ``null`` sorts last ascending, first descending; ties are
broken by the list's natural key (the id). Page cursors (``next``/``prev``, sent back as
``start``/``end``) are unpadded base64 of a decimal offset (``"MQ"`` = 1), as the real service's.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

MAX_FILTER_LENGTH = 2048
MAX_DEPTH = 32
MAX_SORT_KEYS = 8
#: Largest offset a cursor may carry.
MAX_OFFSET = 10_000_000

#: A field that is absent (distinct from a JSON ``null`` value).
MISSING = object()

#: ``lookup(item, path)`` → the value of dotted ``path`` on ``item`` (or :data:`MISSING`).
Lookup = Callable[[Any, tuple[str, ...]], Any]


class QueryError(ValueError):
    """A ``filter``/``sort``/cursor that does not parse; ``location`` names the query param."""

    def __init__(self, message: str, location: str) -> None:
        super().__init__(message)
        self.location = location


# -- filter: tokens -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\))
  | (?P<number>-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$\-]*(?:\.[A-Za-z_$0-9][A-Za-z0-9_$\-]*)*)
  | (?P<quote>['"])
    """,
    re.VERBOSE,
)


@dataclass
class _Token:
    kind: str  # "op", "number", "name", "string", "end"
    value: Any
    position: int


def _string_end(text: str, start: int, quote: str) -> tuple[str, int]:
    """The literal starting after ``quote`` at ``start``; ``\\*`` is kept for ``like``."""
    out: list[str] = []
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text):
                break
            following = text[index + 1]
            out.append("\\*" if following == "*" else following)
            index += 2
            continue
        if char == quote:
            return "".join(out), index + 1
        out.append(char)
        index += 1
    raise QueryError("unterminated string starting at %d" % (start - 1), "filter")


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(text):
        match = _TOKEN.match(text, index)
        if match is None:
            raise QueryError("unexpected %r at %d" % (text[index], index), "filter")
        kind = match.lastgroup
        if kind == "space":
            index = match.end()
            continue
        if kind == "quote":
            value, index = _string_end(text, match.end(), match.group())
            tokens.append(_Token("string", value, match.start()))
            continue
        token_text = match.group()
        if kind == "number":
            number: Any = float(token_text) if any(c in token_text for c in ".eE") else int(token_text)
            tokens.append(_Token("number", number, index))
        elif kind == "name" and token_text.lower() in ("like", "true", "false", "null"):
            word = token_text.lower()
            if word == "like":
                tokens.append(_Token("op", "like", index))
            else:
                tokens.append(_Token("literal", {"true": True, "false": False, "null": None}[word], index))
        else:
            tokens.append(_Token(kind or "op", token_text, index))
        index = match.end()
    tokens.append(_Token("end", None, len(text)))
    return tokens


# -- filter: parsing ------------------------------------------------------------------------------

_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">=", "like"))

# AST nodes: ("or", [nodes]) ("and", [nodes]) ("not", node) ("cmp", path, op, literal)


class _Parser:
    def __init__(self, tokens: list[_Token], fields: Callable[[tuple[str, ...]], bool]) -> None:
        self.tokens = tokens
        self.index = 0
        self.fields = fields

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Any:
        node = self.parse_or(0)
        token = self.peek()
        if token.kind != "end":
            raise QueryError("unexpected %r at %d" % (token.value, token.position), "filter")
        return node

    def parse_or(self, depth: int) -> Any:
        nodes = [self.parse_and(depth)]
        while self.peek().kind == "op" and self.peek().value == "||":
            self.take()
            nodes.append(self.parse_and(depth))
        return nodes[0] if len(nodes) == 1 else ("or", nodes)

    def parse_and(self, depth: int) -> Any:
        nodes = [self.parse_unary(depth)]
        while self.peek().kind == "op" and self.peek().value == "&&":
            self.take()
            nodes.append(self.parse_unary(depth))
        return nodes[0] if len(nodes) == 1 else ("and", nodes)

    def parse_unary(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise QueryError("expression nested deeper than %d" % MAX_DEPTH, "filter")
        token = self.peek()
        if token.kind == "op" and token.value == "!":
            self.take()
            return ("not", self.parse_unary(depth + 1))
        if token.kind == "op" and token.value == "(":
            self.take()
            node = self.parse_or(depth + 1)
            closing = self.take()
            if closing.kind != "op" or closing.value != ")":
                raise QueryError("expected ')' at %d" % closing.position, "filter")
            return node
        return self.parse_comparison()

    def parse_comparison(self) -> Any:
        token = self.take()
        if token.kind != "name":
            what = "end of expression" if token.kind == "end" else repr(token.value)
            raise QueryError("expected a field name at %d, found %s" % (token.position, what), "filter")
        path = tuple(token.value.split("."))
        if not self.fields(path):
            raise QueryError("unknown field %r" % token.value, "filter")
        operator = self.take()
        if operator.kind != "op" or operator.value not in _COMPARISONS:
            raise QueryError(
                "expected a comparison operator after %r at %d" % (token.value, operator.position),
                "filter",
            )
        literal = self.take()
        if literal.kind not in ("string", "number", "literal"):
            raise QueryError("expected a value at %d" % literal.position, "filter")
        value = literal.value
        if operator.value == "like":
            if not isinstance(value, str):
                raise QueryError("'like' needs a quoted pattern at %d" % literal.position, "filter")
            return ("cmp", path, "like", _like_pattern(value))
        if isinstance(value, str):
            value = value.replace("\\*", "*")
        if path[-1] == "updated" and isinstance(value, str):
            value = _instant(value)
        return ("cmp", path, operator.value, value)


class _LikePattern:
    """A ``like`` pattern, matched in linear time (no regex, no backtracking).

    The pattern is split at its unescaped ``*`` into case-folded literal segments: the first must
    be a prefix of the value, the last a suffix, and the middle ones are found left to right,
    each at its leftmost place — optimal for ``*``-only patterns, so a value is scanned a
    bounded number of times whatever the pattern (``'******b'`` against a 92-character id costs
    microseconds, where a backtracking regex took seconds).
    """

    __slots__ = ("parts",)

    def __init__(self, pattern: str) -> None:
        parts: list[str] = []
        buffer: list[str] = []
        index = 0
        while index < len(pattern):
            if pattern.startswith("\\*", index):
                buffer.append("*")
                index += 2
                continue
            if pattern[index] == "*":
                parts.append("".join(buffer).casefold())
                buffer = []
            else:
                buffer.append(pattern[index])
            index += 1
        parts.append("".join(buffer).casefold())
        self.parts = tuple(parts)

    def matches(self, value: str) -> bool:
        text = value.casefold()
        parts = self.parts
        if len(parts) == 1:
            return text == parts[0]
        first, last = parts[0], parts[-1]
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        position, end = len(first), len(text) - len(last)
        for segment in parts[1:-1]:
            if segment:
                found = text.find(segment, position, end)
                if found < 0:
                    return False
                position = found + len(segment)
        return True


def _like_pattern(pattern: str) -> _LikePattern:
    return _LikePattern(pattern)


def _instant(text: str) -> datetime.datetime:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # fromisoformat takes at most 6 fractional digits: trim nanoseconds.
    value = re.sub(r"(\.\d{6})\d+", r"\1", value)
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise QueryError("%r is not an ISO 8601 date" % text, "filter") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


class Filter:
    """A compiled filter: ``matches(item, lookup)``."""

    def __init__(self, tree: Any) -> None:
        self._tree = tree

    def matches(self, item: Any, lookup: Lookup) -> bool:
        return _evaluate(self._tree, item, lookup)


def compile_filter(expression: str | None, fields: Callable[[tuple[str, ...]], bool]) -> Filter | None:
    """Parse ``expression`` (``None``/blank → no filter); ``fields(path)`` says which exist."""
    if expression is None or not expression.strip():
        return None
    if len(expression) > MAX_FILTER_LENGTH:
        raise QueryError("longer than %d characters" % MAX_FILTER_LENGTH, "filter")
    return Filter(_Parser(_tokens(expression), fields).parse())


def _evaluate(node: Any, item: Any, lookup: Lookup) -> bool:
    kind = node[0]
    if kind == "or":
        return any(_evaluate(child, item, lookup) for child in node[1])
    if kind == "and":
        return all(_evaluate(child, item, lookup) for child in node[1])
    if kind == "not":
        return not _evaluate(node[1], item, lookup)
    _, path, operator, literal = node
    value = lookup(item, path)
    if value is MISSING:
        value = None
    if path[-1] == "updated" and isinstance(value, str):
        try:
            value = _instant(value)
        except QueryError:
            return False
    return _compare(value, operator, literal)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime.datetime):
        return "instant"
    return "other"


def _compare(value: Any, operator: str, literal: Any) -> bool:
    if operator == "like":
        return isinstance(value, str) and literal.matches(value)
    same = _kind(value) == _kind(literal)
    if operator == "==":
        return same and value == literal
    if operator == "!=":
        return not (same and value == literal)
    if not same or _kind(value) not in ("number", "string", "instant"):
        return False
    if operator == "<":
        return value < literal
    if operator == "<=":
        return value <= literal
    if operator == ">":
        return value > literal
    return value >= literal


# -- sort -----------------------------------------------------------------------------------------


def parse_sort(value: str | None, keys: Sequence[str]) -> list[tuple[tuple[str, ...], bool]]:
    """``"name:asc,updated:desc"`` → ``[(("name",), False), (("updated",), True)]``."""
    if not value:
        return []
    order: list[tuple[tuple[str, ...], bool]] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, direction = part.partition(":")
        name = name.strip()
        direction = direction.strip().lower() or "asc"
        if name not in keys:
            raise QueryError("cannot sort by %r (one of: %s)" % (name, ", ".join(keys)), "sort")
        if direction not in ("asc", "desc"):
            raise QueryError("sort direction must be asc or desc, not %r" % direction, "sort")
        order.append((tuple(name.split(".")), direction == "desc"))
    if len(order) > MAX_SORT_KEYS:
        raise QueryError("at most %d sort keys" % MAX_SORT_KEYS, "sort")
    return order


def sort_items(
    items: list[Any],
    order: Sequence[tuple[tuple[str, ...], bool]],
    natural: tuple[str, ...],
    lookup: Lookup,
) -> list[Any]:
    """``items`` sorted by ``order`` then by the ``natural`` key, ascending."""

    def key_of(path: tuple[str, ...]) -> Callable[[Any], tuple]:
        def key(item: Any) -> tuple:
            value = lookup(item, path)  # sort keys are string fields (id, name, updated…)
            return (0, value) if isinstance(value, str) else (1, "")

        return key

    result = sorted(items, key=key_of(natural))
    for path, descending in reversed(list(order)):
        result.sort(key=key_of(path), reverse=descending)
    return result


# -- paging ---------------------------------------------------------------------------------------


def encode_cursor(offset: int) -> str:
    """``1`` → ``"MQ"`` (unpadded base64 of the decimal offset)."""
    return base64.b64encode(str(offset).encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, location: str) -> int:
    text = cursor.strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise QueryError("invalid page cursor %r" % cursor[:50], location) from None
    if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_OFFSET:
        raise QueryError("invalid page cursor %r" % cursor[:50], location)
    return int(raw)


@dataclass
class Page:
    items: list[Any]
    total: int
    next: str | None
    prev: str | None


def page(items: Sequence[Any], limit: int, start: str | None, end: str | None) -> Page:
    """The page at cursor ``start`` (next pages) or ending at cursor ``end`` (previous ones)."""
    total = len(items)
    if start:
        first = min(decode_cursor(start, "start"), total)
        stop = min(first + limit, total)
    elif end:
        stop = min(decode_cursor(end, "end"), total)
        first = max(0, stop - limit)
    else:
        first, stop = 0, min(limit, total)
    chosen = list(items[first:stop])
    return Page(
        items=chosen,
        total=total,
        next=encode_cursor(stop) if stop < total else None,
        prev=encode_cursor(first) if first > 0 else None,
    )
