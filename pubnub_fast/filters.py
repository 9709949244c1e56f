"""Stream filter expressions (the subscribe ``filter-expr``): compile once, evaluate per message.

``compile_filter(expression)`` parses an expression once and returns a ``CompiledFilter`` whose
``matches(meta, payload)`` says whether a message published with that ``meta`` (the publish
``meta`` object, or ``None`` for none) and that decoded ``payload`` passes the filter. The local
server calls it for every message and every subscriber that set a filter; the client uses it to
validate ``filter_expression`` with position-accurate errors (decisions.md §4)::

    >>> from pubnub_fast.filters import compile_filter
    >>> f = compile_filter("meta.priority == 'high' && data.score > 80")
    >>> f.matches({"priority": "high"}, {"score": 90})
    True
    >>> compile_filter("meta.a === 'b'")
    Traceback (most recent call last):
      ...
    pubnub_fast.filters.FilterSyntaxError: invalid filter expression: unexpected '=' at position 9
      meta.a === 'b'
               ^

The language (protocol.md §6, decisions.md §14 and §18)
-------------------------------------------------------
Grammar, loosest binding first (protocol.md §6.5, plus ``=`` as a spelling of ``==``)::

    expr    := and ( "||" and )*
    and     := not ( "&&" not )*
    not     := "!" not | cmp
    cmp     := sum ( ( "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | LIKE | CONTAINS ) sum )?
    sum     := prod ( ( "+" | "-" ) prod )*
    prod    := unary ( ( "*" | "/" | "%" ) unary )*
    unary   := "-" unary | primary
    primary := "(" expr ")" | STRING | NUMBER | path
    path    := IDENT ( "." IDENT | "[" ( STRING | NUMBER ) "]" )*

* ``!`` applies to a whole comparison: ``!meta.a == 1`` means ``!(meta.a == 1)`` (decisions.md
  §18 -- the grammar wins over the operator table of protocol.md §6.4). A comparison has one
  operator; ``a == b == c`` is an error (use ``&&``).
* ``LIKE`` and ``CONTAINS`` are keywords in any letter case (``like``, ``Contains``). After ``.``
  they are ordinary names (``meta.like``); as a path root they are not (write ``meta.like``).
* Whitespace (space, tab, CR, LF, FF, VT) is insignificant between tokens. An empty (or blank)
  expression means "no filter": it compiles and matches every message (protocol.md §6.7).
* Strings use single or double quotes. A backslash before a quote or a backslash stands for that
  character (``'it\\'s'``, ``"a\\\\b"``); a backslash before anything else is kept as written,
  so ``LIKE "value\\*"`` reaches the pattern as ``value\\*`` (a literal asterisk).
* Numbers are ``[0-9]+`` or ``[0-9]+.[0-9]+``; a leading ``-`` is the unary minus. No
  exponents, no ``true``/``false``/``null`` literals: an unquoted word is always a path.

Operands
--------
* ``meta`` is the publish meta, ``data`` the payload; any other root name ``x`` means
  ``meta.x`` (the classic syntax, ``(foo=='bar')``). ``meta`` of a message published without
  meta (``None``) is missing.
* ``.name`` and ``["key"]`` read an object member; ``[N]`` reads element N of an array, or the
  member ``"N"`` of an object. A step into anything else, an absent key or an index out of range
  gives *missing*. Indices are whole non-negative numbers (``[1.5]`` is a syntax error).
* Unquoted right-hand words are paths, not strings (protocol.md §6.3): ``language!=spanish``
  compares with ``meta.spanish``. So the seed's ``such=wow`` compiles, but does **not** match
  meta ``{"such": "wow"}`` (``meta.wow`` is missing); it matches ``{"such": "x", "wow": "x"}``.
  Write ``such='wow'`` to compare with the string (filters.json ``ambiguous``: we take the
  reading protocol.md §6.3 dictates).

Semantics (never an exception: every JSON value gives a defined result)
-----------------------------------------------------------------------
* *Missing* (an absent path, or an undefined arithmetic result such as ``x / 0``) makes ``==``,
  ordering, ``LIKE`` and ``CONTAINS`` false and ``!=`` true (protocol.md §6.2); it is falsy.
* ``==``/``!=`` (``!=`` is always the negation of ``==``): strings compare exactly
  (case-sensitive); numbers numerically (``1 == 1.0``); a number and a *numeric string* compare
  numerically (``7 == "7"``), two strings never do (``"1.0" != "1"``); ``true``/``false`` equal
  the strings ``"true"``/``"false"`` and the numbers 1/0 (the docs' advice, protocol.md §6.3);
  ``null`` equals only ``null``; arrays/objects equal arrays/objects with equal content
  (Python ``==`` on the decoded JSON). Anything else is unequal.
* A *numeric string* is JSON number text: ``-?[0-9]+(.[0-9]+)?([eE][+-]?[0-9]+)?`` with nothing
  around it (no spaces, no ``+``, no ``NaN``/``Infinity``). Number text of more than 40
  characters, and any text with a fraction or exponent, is read as a float; shorter integers
  stay exact.
* ``< <= > >=`` are for numbers only (numbers and numeric strings; booleans are not numbers);
  anything else gives false.
* ``+ - * / %`` take numbers and numeric strings; any other operand gives *missing*. Integers
  stay exact up to 2**63 in magnitude, larger ones are treated as floats (bounded cost whatever
  the message holds). ``/`` is true division; ``%`` takes the sign of the dividend (as in C
  and JavaScript: ``-7 % 3 == -1``); dividing by zero, or ``%`` of an infinity, gives *missing*.
* ``a LIKE p``: both strings, else false. ``p`` must match the whole of ``a``,
  case-insensitively (Unicode case folding); ``*`` matches any run of characters, ``\\``
  makes the next character literal (``\\*`` is an asterisk). Matching is linear-time
  (no regular expressions, no backtracking blow-up).
* ``a CONTAINS b``: a string ``a`` contains a string ``b`` as a substring (case-sensitive); an
  array ``a`` contains ``b`` if some element ``== b`` (the ``==`` above). Otherwise false.
* A bare operand is a truthiness test (``meta.flag``), as in JavaScript: missing, ``null``,
  ``false``, ``0``, NaN and ``""`` are false; every other value -- including ``"false"``, ``[]``
  and ``{}`` -- is true. ``&&``, ``||`` and ``!`` use the same test and give booleans.

Limits
------
Expressions longer than ``MAX_EXPRESSION_LENGTH`` (4096) characters, or nested more than
``MAX_NESTING_DEPTH`` (32) levels deep (each ``(``, ``!`` and unary ``-`` opens a level), raise
``FilterSyntaxError`` -- never ``RecursionError``.

Implementation
--------------
The work is done by one of two twins with identical behaviour, chosen by
``pubnub_fast._speedups``: the compiled ``pubnub_fast._filters_c`` (Cython) or the pure-Python
``pubnub_fast._filters_py``, which carries the full explanation of the algorithm.
"""

from typing import Any

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING_DEPTH",
    "CompiledFilter",
    "FilterSyntaxError",
    "compile_filter",
]

#: Longest accepted expression, in characters (a subscribe URL carries it; real filters are short).
MAX_EXPRESSION_LENGTH = 4096

#: Deepest accepted nesting: every ``(``, ``!`` and unary ``-`` opens one level.
MAX_NESTING_DEPTH = 32

# How much of a long expression str(FilterSyntaxError) shows around the problem.
_EXCERPT_WIDTH = 60


class FilterSyntaxError(ValueError):
    """A filter expression that does not compile.

    ``expression`` is the source text, ``position`` the 0-based character offset of the problem
    (``len(expression)`` for "unexpected end of input"), ``reason`` what is wrong there.
    ``str()`` gives all three, with the expression and a caret under the position. Both twins
    raise this one class.
    """

    def __init__(self, expression: str, position: int, reason: str) -> None:
        super().__init__(expression, position, reason)
        self.expression = expression
        self.position = position
        self.reason = reason

    def __str__(self) -> str:
        return "invalid filter expression: %s at position %d\n%s" % (
            self.reason,
            self.position,
            _excerpt(self.expression, self.position),
        )


def _excerpt(expression: str, position: int) -> str:
    """The expression (a window of it when long) and a caret line pointing at ``position``."""
    start = max(0, min(position - _EXCERPT_WIDTH // 2, len(expression) - _EXCERPT_WIDTH))
    end = min(len(expression), start + _EXCERPT_WIDTH)
    prefix = "..." if start > 0 else ""
    suffix = "..." if end < len(expression) else ""
    # One column per character: tabs, newlines and other non-printables would shift the caret.
    shown = "".join(c if c.isprintable() else " " for c in expression[start:end])
    return "  %s%s%s\n  %s^" % (prefix, shown, suffix, " " * (len(prefix) + position - start))


# The twins import FilterSyntaxError and the limits from this module, so the twin is selected
# only after they are defined. Importing a twin directly (tests do) imports this module first,
# while that twin is still half-initialised: hence the twin's attributes are looked up when
# used, not copied here at import time.
from pubnub_fast import _speedups  # noqa: E402

_impl = _speedups.twin("filters")


def compile_filter(expression: str) -> Any:
    """Compile a filter expression into a ``CompiledFilter``.

    Raises ``FilterSyntaxError`` (a ``ValueError``) if the expression does not parse or exceeds
    the limits, and ``TypeError`` if it is not a ``str``. An empty or blank expression compiles
    to a filter that matches everything.
    """
    return _impl.compile_filter(expression)


def __getattr__(name: str) -> Any:
    # ``CompiledFilter`` is the selected twin's class (see the comment above ``_impl``).
    if name == "CompiledFilter":
        return _impl.CompiledFilter
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
