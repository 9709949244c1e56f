"""Pure-Python twin of the filter-expression compiler (the compiled twin is ``_filters_c``).

The language and its semantics are documented in ``pubnub_fast.filters``; this module explains
how they are implemented. Both twins export the same names with the same behaviour:
``compile_filter(expression)``, ``CompiledFilter(*, expression)``, ``FilterSyntaxError``,
``MAX_EXPRESSION_LENGTH`` and ``MAX_NESTING_DEPTH``.

Pipeline
--------
1. **Limits and tokens.** The length limit is checked before anything else. A fixed regular
   expression (never built from user input) splits the text into tokens, each remembering its
   character offset so every error can point at the exact place. ``=`` is normalised to ``==``
   here, and ``like``/``contains`` in any letter case become keyword tokens. A character that
   starts no token ends the list with an error token, which the parser reports only when it
   reaches it: the error is always the leftmost problem.
2. **Parse.** A recursive-descent parser, one method per grammar rule of protocol.md §6.5,
   builds a small tuple AST. Recursion happens only through ``(``, ``!`` and unary ``-``; each
   opens one nesting level and the parser refuses more than ``MAX_NESTING_DEPTH`` of them, so
   Python's stack is bounded (about 8 frames per level) and a 10 000-deep expression is a clean
   ``FilterSyntaxError``. Chains (``a || b || c``, ``a + b - c``) are flat n-ary nodes, so
   their length (bounded only by the 4 KiB limit) never becomes stack depth, neither here nor
   during evaluation.
3. **Compile.** The AST becomes a tree of closures ``f(meta, payload)``. Sub-expressions without
   a path are constant-folded by running the reference interpreter on them once. Comparisons
   with a constant side (the usual ``path OP literal``) get specialised closures that test
   the common types first (``str``, ``int``, ``float``) and fall back to the general semantic
   functions for the rest; ``LIKE`` with a literal pattern is pre-split into folded segments.
   Constants on the left of ``==``/``!=``/ordering are swapped to the right.
4. **Evaluate.** ``CompiledFilter.matches`` calls the root closure: a handful of Python calls
   for a typical filter, no parsing, no dictionary of variables, no exceptions used for flow.

AST nodes (tuples)
------------------
``(CONST, value)``, ``(PATH, source, keys)`` with ``source`` ``META``/``DATA`` and ``keys`` a
tuple of ``str`` (member) and ``int`` (index), ``(NEG, node)``, ``(ARITH, first, ((op, node),
...))`` evaluated left to right, ``(CMP, op, left, right)``, ``(NOT, node)``, ``(AND, nodes)``,
``(OR, nodes)``. ``_interpret`` evaluates this AST directly with the general semantic functions;
it is the reference the compiled closures (and the Cython twin) are tested against.

Values
------
Operands evaluate to JSON values (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``/
``tuple``, ``dict``) or to the sentinel ``MISSING`` (absent path, undefined arithmetic).
``MISSING`` behaves like JavaScript's NaN: unequal to everything (so ``!=`` is true), not
ordered, falsy, and absorbing in arithmetic.
"""

import math
import operator
import re

from pubnub_fast.filters import MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, FilterSyntaxError

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING_DEPTH",
    "CompiledFilter",
    "FilterSyntaxError",
    "compile_filter",
]


class _Missing:
    """The value of an absent path or an undefined arithmetic result (one instance)."""

    __slots__ = ()

    def __repr__(self):
        return "MISSING"

    def __bool__(self):
        return False


MISSING = _Missing()

# ---------------------------------------------------------------------------------------------
# Value semantics (shared by the interpreter, constant folding and the compiled closures)
# ---------------------------------------------------------------------------------------------

# Value kinds, in the order _kind tests them.
_K_MISSING, _K_NULL, _K_BOOL, _K_STR, _K_NUM, _K_OBJ, _K_ARR, _K_OTHER = range(8)

# JSON number text; checked before int()/float(), which would also accept "1_0", " 7", "nan".
_NUMERIC_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# Longer integer text is read as a float: int() of long text costs quadratic time per message.
_EXACT_INT_CHARS = 40
# Integers beyond this magnitude take part in arithmetic as floats, so a chain of ``*`` over
# large message values cannot build huge integers.
_INT_LIMIT = 1 << 63


def _kind(v):
    if v is MISSING:
        return _K_MISSING
    if v is None:
        return _K_NULL
    if v is True or v is False:
        return _K_BOOL
    if isinstance(v, str):
        return _K_STR
    if isinstance(v, (int, float)):
        return _K_NUM
    if isinstance(v, dict):
        return _K_OBJ
    if isinstance(v, (list, tuple)):
        return _K_ARR
    return _K_OTHER


def _number_text(text):
    """The number written by ``text``, which is known to be JSON number text."""
    if len(text) > _EXACT_INT_CHARS or "." in text or "e" in text or "E" in text:
        return float(text)  # never raises for number text; may be inf
    return int(text)


def _numeric_string(s):
    """The number a numeric string stands for, or None."""
    if not s or s[0] not in "-0123456789" or _NUMERIC_RE.fullmatch(s) is None:
        return None
    return _number_text(s)


def _number(v):
    """A number (int/float) for numeric operands (numbers, numeric strings), else None."""
    if v is True or v is False:
        return None  # bool is an int subclass but not a number here
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        return _numeric_string(v)
    return None


def _truthy(v):
    """JavaScript truthiness: missing, null, false, 0, NaN and "" are false."""
    if v is MISSING or v is None or v is False:
        return False
    if v is True:
        return True
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, (int, float)):
        return v == v and v != 0  # v == v is false for NaN
    return True


def _deep_eq(a, b):
    try:
        return bool(a == b)
    except Exception:  # e.g. RecursionError on absurdly deep nesting: not equal, not a crash
        return False


def _eq(a, b):
    """``a == b`` in the filter language (see pubnub_fast.filters)."""
    ka = _kind(a)
    kb = _kind(b)
    if ka == _K_MISSING or kb == _K_MISSING:
        return False
    if ka == kb:
        if ka == _K_STR or ka == _K_NUM or ka == _K_BOOL:
            return a == b
        if ka == _K_NULL:
            return True
        if ka == _K_OBJ or ka == _K_ARR:
            return _deep_eq(a, b)
        return False
    if ka == _K_NUM and kb == _K_STR:
        x = _numeric_string(b)
        return x is not None and a == x
    if ka == _K_STR and kb == _K_NUM:
        x = _numeric_string(a)
        return x is not None and x == b
    if kb == _K_BOOL:
        a, b, ka, kb = b, a, kb, ka
    if ka == _K_BOOL:  # and b is not a bool
        if kb == _K_STR:
            return b == ("true" if a else "false")
        if kb == _K_NUM:
            return b == (1 if a else 0)
    return False


def _order(cmp, a, b):
    x = _number(a)
    if x is None:
        return False
    y = _number(b)
    if y is None:
        return False
    return cmp(x, y)


def _like_parts(pattern):
    """Split a LIKE pattern at its unescaped ``*`` into case-folded literal segments.

    ``\\`` makes the next character literal; a trailing lone backslash is itself literal. The
    result always has one more segment than the pattern has wildcards.
    """
    parts = []
    buf = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            buf.append(pattern[i + 1])
            i += 2
            continue
        if c == "*":
            parts.append("".join(buf).casefold())
            buf = []
        else:
            buf.append(c)
        i += 1
    parts.append("".join(buf).casefold())
    return tuple(parts)


def _like_match(parts, value):
    """Whether the string ``value`` matches the segments of ``_like_parts`` (whole value).

    With wildcards, the first segment must be a prefix and the last a suffix (not overlapping);
    the middle ones are found left to right, each at its leftmost place after the previous one.
    Leftmost placement is optimal for ``*``-only patterns, so there is no backtracking and the
    cost is at most O(len(value) * len(pattern)).
    """
    s = value.casefold()
    if len(parts) == 1:
        return s == parts[0]
    first = parts[0]
    last = parts[-1]
    if len(s) < len(first) + len(last) or not s.startswith(first) or not s.endswith(last):
        return False
    pos = len(first)
    end = len(s) - len(last)
    for k in range(1, len(parts) - 1):
        segment = parts[k]
        if segment:
            j = s.find(segment, pos, end)
            if j < 0:
                return False
            pos = j + len(segment)
    return True


def _like(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return _like_match(_like_parts(b), a)
    return False


def _contains(a, b):
    if b is MISSING:
        return False
    ka = _kind(a)
    if ka == _K_STR:
        return isinstance(b, str) and b in a
    if ka == _K_ARR:
        for element in a:
            if _eq(element, b):
                return True
    return False


def _operand(v):
    """An arithmetic operand: the number of ``v`` with huge integers as floats, or None."""
    x = _number(v)
    if x is None or isinstance(x, float):
        return x
    if -_INT_LIMIT <= x <= _INT_LIMIT:
        return x
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _div(x, y):
    if y == 0:
        return MISSING
    return x / y


def _mod(x, y):
    if y == 0:
        return MISSING
    if isinstance(x, int) and isinstance(y, int):
        r = abs(x) % abs(y)  # sign of the dividend, as C / JavaScript
        return -r if x < 0 else r
    try:
        return math.fmod(x, y)
    except ValueError:  # fmod(inf, y): undefined
        return MISSING


_ARITH_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _div, "%": _mod}
_ORDER_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _arith(fn, a, b):
    x = _operand(a)
    if x is None:
        return MISSING
    y = _operand(b)
    if y is None:
        return MISSING
    return fn(x, y)


def _negate(v):
    x = _number(v)
    if x is None:
        return MISSING
    return -x


def _compare(op, a, b):
    if op == "==":
        return _eq(a, b)
    if op == "!=":
        return not _eq(a, b)
    if op == "like":
        return _like(a, b)
    if op == "contains":
        return _contains(a, b)
    return _order(_ORDER_OPS[op], a, b)


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------

_T_END, _T_NUM, _T_STR, _T_NAME, _T_KEYWORD, _T_OP, _T_ERROR = range(7)

_TOKEN_RE = re.compile(
    r"""(?P<space>[ \t\r\n\f\v]+)
      | (?P<number>[0-9]+(?:\.[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>==|!=|<=|>=|&&|\|\||[=<>!+\-*/%().\[\]])""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_KEYWORDS = ("like", "contains")
_CMP_OPS = frozenset(("==", "!=", "<", "<=", ">", ">="))


def _unescape_match(m):
    c = m.group(1)
    return c if c in "\\'\"" else m.group(0)


def _tokenize(expression):
    """Tokens ``(kind, text, position, value)``.

    The list ends with an ``_T_END`` token, or with an ``_T_ERROR`` token (value: the reason)
    at the first character that starts no token.
    """
    tokens = []
    append = tokens.append
    match = _TOKEN_RE.match
    pos = 0
    n = len(expression)
    while pos < n:
        m = match(expression, pos)
        if m is None:
            # Not raised here: the parser reports it only if no earlier token is wrong, so the
            # error always points at the first problem from the left.
            c = expression[pos]
            if c == "'" or c == '"':
                reason = "unterminated string literal (no closing %s)" % c
            else:
                reason = "unexpected character %r" % c
            append((_T_ERROR, c, pos, reason))
            return tokens
        group = m.lastgroup
        text = m.group()
        if group == "op":
            append((_T_OP, text, pos, "==" if text == "=" else text))
        elif group == "name":
            low = text.lower()
            if low in _KEYWORDS:
                append((_T_KEYWORD, text, pos, low))
            else:
                append((_T_NAME, text, pos, text))
        elif group == "string":
            append((_T_STR, text, pos, _ESCAPE_RE.sub(_unescape_match, text[1:-1])))
        elif group == "number":
            append((_T_NUM, text, pos, _number_text(text)))
        pos = m.end()
    append((_T_END, "", n, None))
    return tokens


def _describe(token):
    if token[0] == _T_END:
        return "end of input"
    text = token[1]
    if len(text) > 24:
        text = text[:20] + "..."
    return repr(text)


# ---------------------------------------------------------------------------------------------
# Parser (protocol.md §6.5)
# ---------------------------------------------------------------------------------------------

_CONST, _PATH, _NEG, _ARITH, _CMP, _NOT, _AND, _OR = range(8)
_META, _DATA = 0, 1


class _Parser:
    __slots__ = ("expression", "tokens", "i", "depth")

    def __init__(self, expression, tokens):
        self.expression = expression
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def fail(self, token, reason):
        if token[0] == _T_ERROR:
            reason = token[3]  # the tokenizer's own, more precise, complaint
        raise FilterSyntaxError(self.expression, token[2], reason)

    def is_op(self, token, value):
        return token[0] == _T_OP and token[3] == value

    def enter(self, token):
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            self.fail(token, "expression nested more than %d levels deep" % MAX_NESTING_DEPTH)

    def parse(self):
        node = self.parse_or()
        token = self.tokens[self.i]
        if token[0] != _T_END:
            if token[0] in (_T_NAME, _T_NUM, _T_STR) or (
                token[0] == _T_OP and token[3] in ("(", "!")
            ):
                self.fail(token, "unexpected %s (missing && or || before it?)" % _describe(token))
            self.fail(token, "unexpected %s" % _describe(token))
        return node

    def parse_or(self):
        operands = [self.parse_and()]
        while self.is_op(self.tokens[self.i], "||"):
            self.i += 1
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else (_OR, tuple(operands))

    def parse_and(self):
        operands = [self.parse_not()]
        while self.is_op(self.tokens[self.i], "&&"):
            self.i += 1
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else (_AND, tuple(operands))

    def parse_not(self):
        token = self.tokens[self.i]
        if self.is_op(token, "!"):
            self.enter(token)
            self.i += 1
            node = self.parse_not()
            self.depth -= 1
            return (_NOT, node)
        return self.parse_cmp()

    def cmp_op(self, token):
        if token[0] == _T_KEYWORD or (token[0] == _T_OP and token[3] in _CMP_OPS):
            return token[3]
        return None

    def parse_cmp(self):
        left = self.parse_sum()
        op = self.cmp_op(self.tokens[self.i])
        if op is None:
            return left
        self.i += 1
        right = self.parse_sum()
        token = self.tokens[self.i]
        if self.cmp_op(token) is not None:
            self.fail(
                token,
                "unexpected %s: comparisons cannot be chained (join them with && or ||)"
                % _describe(token),
            )
        return (_CMP, op, left, right)

    def parse_sum(self):
        first = self.parse_prod()
        rest = []
        token = self.tokens[self.i]
        while token[0] == _T_OP and token[3] in ("+", "-"):
            self.i += 1
            rest.append((token[3], self.parse_prod()))
            token = self.tokens[self.i]
        return first if not rest else (_ARITH, first, tuple(rest))

    def parse_prod(self):
        first = self.parse_unary()
        rest = []
        token = self.tokens[self.i]
        while token[0] == _T_OP and token[3] in ("*", "/", "%"):
            self.i += 1
            rest.append((token[3], self.parse_unary()))
            token = self.tokens[self.i]
        return first if not rest else (_ARITH, first, tuple(rest))

    def parse_unary(self):
        token = self.tokens[self.i]
        if self.is_op(token, "-"):
            self.enter(token)
            self.i += 1
            node = self.parse_unary()
            self.depth -= 1
            return (_NEG, node)
        return self.parse_primary()

    def parse_primary(self):
        token = self.tokens[self.i]
        kind = token[0]
        if kind == _T_NAME:
            return self.parse_path()
        if kind == _T_STR or kind == _T_NUM:
            self.i += 1
            return (_CONST, token[3])
        if self.is_op(token, "("):
            self.enter(token)
            self.i += 1
            node = self.parse_or()
            close = self.tokens[self.i]
            if not self.is_op(close, ")"):
                self.fail(
                    close,
                    "expected ')' to close the '(' at position %d, found %s"
                    % (token[2], _describe(close)),
                )
            self.i += 1
            self.depth -= 1
            return node
        self.fail(token, "unexpected %s" % _describe(token))

    def parse_path(self):
        tokens = self.tokens
        root = tokens[self.i][1]
        self.i += 1
        if root == "meta":
            source, keys = _META, []
        elif root == "data":
            source, keys = _DATA, []
        else:
            source, keys = _META, [root]
        while True:
            token = tokens[self.i]
            if self.is_op(token, "."):
                name = tokens[self.i + 1]
                if name[0] != _T_NAME and name[0] != _T_KEYWORD:
                    self.fail(name, "expected a name after '.', found %s" % _describe(name))
                keys.append(name[1])
                self.i += 2
            elif self.is_op(token, "["):
                index = tokens[self.i + 1]
                if index[0] == _T_STR:
                    keys.append(index[3])
                elif index[0] == _T_NUM:
                    if "." in index[1]:
                        self.fail(index, "an index must be a whole number, found %r" % index[1])
                    try:
                        keys.append(int(index[1]))
                    except ValueError:  # more digits than int() accepts
                        self.fail(index, "index too large")
                else:
                    self.fail(
                        index,
                        "expected a string or number index after '[', found %s" % _describe(index),
                    )
                close = tokens[self.i + 2]
                if not self.is_op(close, "]"):
                    self.fail(close, "expected ']' after the index, found %s" % _describe(close))
                self.i += 3
            else:
                return (_PATH, source, tuple(keys))


def _parse(expression):
    if not isinstance(expression, str):
        raise TypeError("a filter expression must be a str, not %s" % type(expression).__name__)
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise FilterSyntaxError(
            expression,
            MAX_EXPRESSION_LENGTH,
            "expression longer than %d characters" % MAX_EXPRESSION_LENGTH,
        )
    tokens = _tokenize(expression)
    if tokens[0][0] == _T_END:
        return None  # empty or blank: no filter
    return _Parser(expression, tokens).parse()


# ---------------------------------------------------------------------------------------------
# Reference interpreter
# ---------------------------------------------------------------------------------------------


def _resolve(source, keys, meta, payload):
    if source == _DATA:
        v = payload
    elif meta is None:
        return MISSING
    else:
        v = meta
    for key in keys:
        if key.__class__ is str:
            if not isinstance(v, dict):
                return MISSING
            v = v.get(key, MISSING)
        elif isinstance(v, (list, tuple)):
            if key >= len(v):
                return MISSING
            v = v[key]
        elif isinstance(v, dict):
            v = v.get(str(key), MISSING)
        else:
            return MISSING
        if v is MISSING:
            return MISSING
    return v


def _interpret(node, meta, payload):
    """Evaluate an AST node directly: the reference semantics (slow, simple)."""
    kind = node[0]
    if kind == _CONST:
        return node[1]
    if kind == _PATH:
        return _resolve(node[1], node[2], meta, payload)
    if kind == _NEG:
        return _negate(_interpret(node[1], meta, payload))
    if kind == _ARITH:
        value = _interpret(node[1], meta, payload)
        for op, operand in node[2]:
            value = _arith(_ARITH_OPS[op], value, _interpret(operand, meta, payload))
        return value
    if kind == _CMP:
        return _compare(
            node[1], _interpret(node[2], meta, payload), _interpret(node[3], meta, payload)
        )
    if kind == _NOT:
        return not _truthy(_interpret(node[1], meta, payload))
    if kind == _AND:
        return all(_truthy(_interpret(n, meta, payload)) for n in node[1])
    return any(_truthy(_interpret(n, meta, payload)) for n in node[1])  # _OR


# ---------------------------------------------------------------------------------------------
# Compiler: AST -> closures f(meta, payload)
# ---------------------------------------------------------------------------------------------


def _is_const(node):
    kind = node[0]
    if kind == _CONST:
        return True
    if kind == _PATH:
        return False
    if kind == _NEG or kind == _NOT:
        return _is_const(node[1])
    if kind == _ARITH:
        return _is_const(node[1]) and all(_is_const(n) for _, n in node[2])
    if kind == _CMP:
        return _is_const(node[2]) and _is_const(node[3])
    return all(_is_const(n) for n in node[1])  # _AND, _OR


def _constant(value):
    return lambda meta, payload: value


def _compile_path(source, keys):
    if len(keys) == 1 and keys[0].__class__ is str:
        key = keys[0]
        if source == _DATA:

            def get(meta, payload):
                if isinstance(payload, dict):
                    return payload.get(key, MISSING)
                return MISSING

        else:

            def get(meta, payload):
                if isinstance(meta, dict):
                    return meta.get(key, MISSING)
                return MISSING

        return get
    if not keys:
        if source == _DATA:
            return lambda meta, payload: payload
        return lambda meta, payload: MISSING if meta is None else meta
    return lambda meta, payload: _resolve(source, keys, meta, payload)


def _compile_value(node):
    """A closure returning the value of ``node`` (MISSING for undefined)."""
    if _is_const(node):
        return _constant(_interpret(node, None, None))
    kind = node[0]
    if kind == _PATH:
        return _compile_path(node[1], node[2])
    if kind == _NEG:
        operand = _compile_value(node[1])
        return lambda meta, payload: _negate(operand(meta, payload))
    if kind == _ARITH:
        first = _compile_value(node[1])
        rest = tuple((_ARITH_OPS[op], _compile_value(n)) for op, n in node[2])
        if len(rest) == 1:
            fn, second = rest[0]

            def arith(meta, payload):
                a = first(meta, payload)
                b = second(meta, payload)
                # Fast path: two plain ints that need no bounding.
                if (
                    a.__class__ is int
                    and b.__class__ is int
                    and -_INT_LIMIT <= a <= _INT_LIMIT
                    and -_INT_LIMIT <= b <= _INT_LIMIT
                ):
                    return fn(a, b)
                return _arith(fn, a, b)

            return arith

        def chain(meta, payload):
            value = first(meta, payload)
            for fn, operand in rest:
                value = _arith(fn, value, operand(meta, payload))
            return value

        return chain
    return _compile_test(node)  # comparisons and logic: their value is a bool


def _compile_test(node):
    """A closure returning the truthiness of ``node`` as a bool."""
    if _is_const(node):
        return _constant(_truthy(_interpret(node, None, None)))
    kind = node[0]
    if kind == _CMP:
        return _compile_cmp(node[1], node[2], node[3])
    if kind == _NOT:
        operand = _compile_test(node[1])
        return lambda meta, payload: not operand(meta, payload)
    if kind == _AND or kind == _OR:
        operands = tuple(_compile_test(n) for n in node[1])
        if len(operands) == 2:
            a, b = operands
            if kind == _AND:
                return lambda meta, payload: a(meta, payload) and b(meta, payload)
            return lambda meta, payload: a(meta, payload) or b(meta, payload)
        if kind == _AND:

            def all_of(meta, payload):
                for operand in operands:
                    if not operand(meta, payload):
                        return False
                return True

            return all_of

        def any_of(meta, payload):
            for operand in operands:
                if operand(meta, payload):
                    return True
            return False

        return any_of
    value = _compile_value(node)
    return lambda meta, payload: _truthy(value(meta, payload))


def _compile_cmp(op, left, right):
    if _is_const(left) and not _is_const(right) and op in _FLIPPED:
        op, left, right = _FLIPPED[op], right, left
    get = _compile_value(left)
    if not _is_const(right):
        other = _compile_value(right)
        if op == "==":
            return lambda meta, payload: _eq(get(meta, payload), other(meta, payload))
        if op == "!=":
            return lambda meta, payload: not _eq(get(meta, payload), other(meta, payload))
        if op == "like":
            return lambda meta, payload: _like(get(meta, payload), other(meta, payload))
        if op == "contains":
            return lambda meta, payload: _contains(get(meta, payload), other(meta, payload))
        cmp = _ORDER_OPS[op]
        return lambda meta, payload: _order(cmp, get(meta, payload), other(meta, payload))
    c = _interpret(right, None, None)
    if op == "==" or op == "!=":
        return _compile_eq_const(get, c, op == "!=")
    if op == "like":
        return _compile_like_const(get, c)
    if op == "contains":
        return _compile_contains_const(get, c)
    return _compile_order_const(get, _ORDER_OPS[op], c)


def _compile_eq_const(get, c, negate):
    # ``(x == y) is not negate`` is x == y for ==, its negation for != (both sides are bools).
    ctype = c.__class__
    if ctype is str:
        cnum = _numeric_string(c)

        def eq_str(meta, payload):
            v = get(meta, payload)
            vtype = v.__class__
            if vtype is str:
                return (v == c) is not negate
            if cnum is not None and (vtype is int or vtype is float):
                return (v == cnum) is not negate
            return _eq(v, c) is not negate

        return eq_str
    if ctype is int or ctype is float:

        def eq_num(meta, payload):
            v = get(meta, payload)
            vtype = v.__class__
            if vtype is int or vtype is float:
                return (v == c) is not negate
            return _eq(v, c) is not negate

        return eq_num
    return lambda meta, payload: _eq(get(meta, payload), c) is not negate


def _compile_order_const(get, cmp, c):
    cnum = _number(c)
    if cnum is None:
        return _constant(False)

    def order(meta, payload):
        v = get(meta, payload)
        vtype = v.__class__
        if vtype is int or vtype is float:
            return cmp(v, cnum)
        x = _number(v)
        return x is not None and cmp(x, cnum)

    return order


def _compile_like_const(get, pattern):
    if not isinstance(pattern, str):
        return _constant(False)
    parts = _like_parts(pattern)
    if len(parts) == 1:
        (whole,) = parts

        def like_exact(meta, payload):
            v = get(meta, payload)
            return isinstance(v, str) and v.casefold() == whole

        return like_exact
    if len(parts) == 2 and not parts[1]:
        (prefix, _) = parts

        def like_prefix(meta, payload):
            v = get(meta, payload)
            return isinstance(v, str) and v.casefold().startswith(prefix)

        return like_prefix
    if len(parts) == 3 and not parts[0] and not parts[2]:
        (_, middle, _) = parts

        def like_anywhere(meta, payload):
            v = get(meta, payload)
            return isinstance(v, str) and middle in v.casefold()

        return like_anywhere

    def like(meta, payload):
        v = get(meta, payload)
        return isinstance(v, str) and _like_match(parts, v)

    return like


def _compile_contains_const(get, c):
    if c.__class__ is not str:
        return lambda meta, payload: _contains(get(meta, payload), c)

    def contains_str(meta, payload):
        v = get(meta, payload)
        vtype = v.__class__
        if vtype is str:
            return c in v
        if vtype is list:
            for element in v:
                if element.__class__ is str:
                    if element == c:
                        return True
                elif _eq(element, c):
                    return True
            return False
        return _contains(v, c)

    return contains_str


# ---------------------------------------------------------------------------------------------
# Public twin API
# ---------------------------------------------------------------------------------------------


def _match_all(meta, payload):
    return True


class CompiledFilter:
    """A compiled filter expression; ``compile_filter(e)`` is ``CompiledFilter(expression=e)``.

    ``expression`` is the source text; ``matches(meta, payload)`` evaluates the filter for one
    message and never raises for JSON-like ``meta``/``payload``.
    """

    __slots__ = ("_expression", "_test")

    def __init__(self, *, expression):
        ast = _parse(expression)
        self._expression = expression
        self._test = _match_all if ast is None else _compile_test(ast)

    @property
    def expression(self):
        """The source text of the filter."""
        return self._expression

    def matches(self, meta, payload):
        """Whether a message with publish ``meta`` and decoded ``payload`` passes the filter."""
        return self._test(meta, payload)

    def __repr__(self):
        return "CompiledFilter(expression=%r)" % (self._expression,)

    def __reduce__(self):
        return (compile_filter, (self._expression,))


def compile_filter(expression):
    """Compile ``expression``; raise ``FilterSyntaxError`` if it is not a valid filter."""
    return CompiledFilter(expression=expression)
