# cython: language_level=3, embedsignature=True
"""Compiled twin of ``pubnub_fast._filters_py``: the same names, the same behaviour.

The algorithm (tokens with positions, recursive descent with a nesting limit, constant folding,
comparisons specialised for a constant side, linear LIKE matching) is explained in
``_filters_py``; the language in ``pubnub_fast.filters``. Only C-level choices are noted here:

* The parser pulls tokens lazily from the string with a hand-written scanner (no token list, no
  regular expression). A character that starts no token raises when the parser steps onto it,
  which is exactly where the pure twin reports its error token: both point at the leftmost
  problem, with the same position and reason.
* There is no tuple AST: the parser builds ``cdef class`` nodes whose ``value``/``test`` are
  C-level virtual methods, so evaluating a filter is a walk of C calls with no Python frames.
  A node whose children are all constants is evaluated once while it is built (folding).
* Values stay Python objects and arithmetic and ordering go through the Python number protocol,
  so int/float mixing, true division and big integers give the pure twin's results exactly.
  ``==`` on values never uses ``PyObject_RichCompareBool`` (its identity shortcut would make a
  NaN equal to itself, which the pure twin's ``==`` does not).
"""
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.object cimport Py_EQ, Py_GE, Py_GT, Py_LE, Py_LT, PyObject_RichCompare
from cpython.unicode cimport PyUnicode_Find, PyUnicode_Tailmatch

import math

from pubnub_fast.filters import MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, FilterSyntaxError

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING_DEPTH",
    "CompiledFilter",
    "FilterSyntaxError",
    "compile_filter",
]

cdef Py_ssize_t _MAX_LENGTH = MAX_EXPRESSION_LENGTH
cdef int _MAX_DEPTH = MAX_NESTING_DEPTH
cdef Py_ssize_t _EXACT_INT_CHARS = 40
cdef object _INT_LIMIT = 1 << 63
cdef object _INF = float("inf")
cdef object _fmod = math.fmod


class _Missing:
    """The value of an absent path or an undefined arithmetic result (one instance)."""

    __slots__ = ()

    def __repr__(self):
        return "MISSING"

    def __bool__(self):
        return False


MISSING = _Missing()
cdef object _MISSING = MISSING  # a C global: `is _MISSING` is a pointer comparison

# ---------------------------------------------------------------------------------------------
# Value semantics
# ---------------------------------------------------------------------------------------------

cdef enum:
    K_MISSING, K_NULL, K_BOOL, K_STR, K_NUM, K_OBJ, K_ARR, K_OTHER

cdef enum:
    # comparison operators, then arithmetic, then punctuation (token codes too)
    O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_LIKE, O_CONTAINS,
    O_ADD, O_SUB, O_MUL, O_DIV, O_MOD,
    O_AND, O_OR, O_NOT, O_LPAREN, O_RPAREN, O_DOT, O_LBRACKET, O_RBRACKET


cdef inline int _kind(object v) noexcept:
    if v is _MISSING:
        return K_MISSING
    if v is None:
        return K_NULL
    if v is True or v is False:
        return K_BOOL
    if isinstance(v, str):
        return K_STR
    if isinstance(v, (int, float)):
        return K_NUM
    if isinstance(v, dict):
        return K_OBJ
    if isinstance(v, (list, tuple)):
        return K_ARR
    return K_OTHER


cdef inline bint _is_number(object v) noexcept:
    """An exact int or float (the fast paths; subclasses take the general route)."""
    return type(v) is int or type(v) is float


cdef object _numeric_string(str s):
    """The number of JSON number text ``s``, or None (the pure twin's regular expression)."""
    cdef Py_ssize_t n = len(s)
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t start
    cdef bint is_float = False
    cdef bint negative = False
    cdef Py_UCS4 c
    cdef long long small = 0
    if n == 0:
        return None
    if s[0] == u"-":
        negative = True
        i = 1
    start = i
    while i < n:
        c = s[i]
        if c < u"0" or c > u"9":
            break
        i += 1
    if i == start:
        return None
    if i < n and s[i] == u".":
        i += 1
        start = i
        while i < n:
            c = s[i]
            if c < u"0" or c > u"9":
                break
            i += 1
        if i == start:
            return None
        is_float = True
    if i < n and (s[i] == u"e" or s[i] == u"E"):
        i += 1
        if i < n and (s[i] == u"+" or s[i] == u"-"):
            i += 1
        start = i
        while i < n:
            c = s[i]
            if c < u"0" or c > u"9":
                break
            i += 1
        if i == start:
            return None
        is_float = True
    if i != n:
        return None
    if is_float or n > _EXACT_INT_CHARS:
        return float(s)
    if n <= 18:  # at most 18 digits: fits a long long, skip int()'s parser
        for i in range(1 if negative else 0, n):
            small = small * 10 + (<long long>s[i] - 48)
        return -small if negative else small
    return int(s)


cdef object _number(object v):
    if v is True or v is False:
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        return _numeric_string(<str>v)
    return None


cdef bint _truthy(object v) except -1:
    cdef double d
    if v is _MISSING or v is None or v is False:
        return False
    if v is True:
        return True
    if isinstance(v, str):
        return len(<str>v) > 0
    if isinstance(v, float):
        d = v
        return d == d and d != 0.0
    if isinstance(v, int):
        return v != 0
    return True


cdef inline bint _py_eq(object a, object b) except -1:
    # PyObject_RichCompare + truth test, like Python's ``a == b`` (no identity shortcut).
    return PyObject_RichCompare(a, b, Py_EQ)


cdef bint _deep_eq(object a, object b):
    try:
        return _py_eq(a, b)
    except Exception:  # e.g. RecursionError on absurdly deep nesting: not equal, not a crash
        return False


cdef bint _eq(object a, object b) except -1:
    cdef int ka = _kind(a)
    cdef int kb = _kind(b)
    cdef object x
    if ka == K_MISSING or kb == K_MISSING:
        return False
    if ka == kb:
        if ka == K_STR or ka == K_NUM or ka == K_BOOL:
            return _py_eq(a, b)
        if ka == K_NULL:
            return True
        if ka == K_OBJ or ka == K_ARR:
            return _deep_eq(a, b)
        return False
    if ka == K_NUM and kb == K_STR:
        x = _numeric_string(<str>b)
        return x is not None and _py_eq(a, x)
    if ka == K_STR and kb == K_NUM:
        x = _numeric_string(<str>a)
        return x is not None and _py_eq(x, b)
    if kb == K_BOOL:
        a, b = b, a
        ka, kb = kb, ka
    if ka == K_BOOL:  # and b is not a bool
        if kb == K_STR:
            return _py_eq(b, "true" if a is True else "false")
        if kb == K_NUM:
            return _py_eq(b, 1 if a is True else 0)
    return False


cdef bint _order(int op, object a, object b) except -1:
    cdef object x = _number(a)
    cdef object y
    if x is None:
        return False
    y = _number(b)
    if y is None:
        return False
    return PyObject_RichCompare(x, y, _RICH[op])


cdef int[6] _RICH
_RICH[O_LT] = Py_LT
_RICH[O_LE] = Py_LE
_RICH[O_GT] = Py_GT
_RICH[O_GE] = Py_GE


cdef tuple _like_parts(str pattern):
    cdef list parts = []
    cdef list buf = []
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t n = len(pattern)
    cdef Py_UCS4 c
    while i < n:
        c = pattern[i]
        if c == u"\\" and i + 1 < n:
            buf.append(pattern[i + 1])
            i += 2
            continue
        if c == u"*":
            parts.append("".join(buf).casefold())
            buf = []
        else:
            buf.append(c)
        i += 1
    parts.append("".join(buf).casefold())
    return tuple(parts)


cdef bint _like_match(tuple parts, str value) except -1:
    cdef str s = value.casefold()
    cdef str first, last, segment
    cdef Py_ssize_t k, j, pos, end
    cdef Py_ssize_t count = len(parts)
    if count == 1:
        return s == <str>parts[0]
    first = <str>parts[0]
    last = <str>parts[count - 1]
    if len(s) < len(first) + len(last):
        return False
    if not PyUnicode_Tailmatch(s, first, 0, len(s), -1):
        return False
    if not PyUnicode_Tailmatch(s, last, 0, len(s), 1):
        return False
    pos = len(first)
    end = len(s) - len(last)
    for k in range(1, count - 1):
        segment = <str>parts[k]
        if len(segment):
            j = PyUnicode_Find(s, segment, pos, end, 1)
            if j < 0:
                return False
            pos = j + len(segment)
    return True


cdef bint _like(object a, object b) except -1:
    if isinstance(a, str) and isinstance(b, str):
        return _like_match(_like_parts(<str>b), <str>a)
    return False


cdef bint _contains(object a, object b) except -1:
    cdef int ka
    if b is _MISSING:
        return False
    ka = _kind(a)
    if ka == K_STR:
        return isinstance(b, str) and (<str>b in <str>a)
    if ka == K_ARR:
        for element in a:
            if _eq(element, b):
                return True
    return False


cdef object _operand(object v):
    cdef object x = _number(v)
    cdef int overflow = 0
    if x is None or isinstance(x, float):
        return x
    if type(x) is int:
        # Fits a long long: within the +-2**63 bound without two Python comparisons.
        PyLong_AsLongLongAndOverflow(x, &overflow)
        if overflow == 0:
            return x
    if -_INT_LIMIT <= x <= _INT_LIMIT:
        return x
    try:
        return float(x)
    except OverflowError:
        return _INF if x > 0 else -_INF


cdef object _arith(int op, object a, object b):
    cdef object x = _operand(a)
    cdef object y
    cdef object r
    if x is None:
        return _MISSING
    y = _operand(b)
    if y is None:
        return _MISSING
    if op == O_ADD:
        return x + y
    if op == O_SUB:
        return x - y
    if op == O_MUL:
        return x * y
    if y == 0:
        return _MISSING
    if op == O_DIV:
        return x / y
    if isinstance(x, int) and isinstance(y, int):
        r = abs(x) % abs(y)  # sign of the dividend, as C / JavaScript
        return -r if x < 0 else r
    try:
        return _fmod(x, y)  # math.fmod, exactly as the pure twin
    except ValueError:
        return _MISSING


cdef object _negate(object v):
    cdef object x = _number(v)
    if x is None:
        return _MISSING
    return -x


# ---------------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------------

cdef class _Node:
    cdef bint is_const

    cdef object value(self, object meta, object payload):
        raise NotImplementedError

    cdef bint test(self, object meta, object payload) except -1:
        return _truthy(self.value(meta, payload))


cdef class _BoolNode(_Node):
    """Comparisons and logic: the value is the test."""

    cdef object value(self, object meta, object payload):
        return True if self.test(meta, payload) else False


cdef class _Const(_Node):
    cdef object v
    cdef bint truth

    cdef object value(self, object meta, object payload):
        return self.v

    cdef bint test(self, object meta, object payload) except -1:
        return self.truth


cdef _Const _const(object v):
    cdef _Const node = _Const.__new__(_Const)
    node.v = v
    node.truth = _truthy(v)
    node.is_const = True
    return node


cdef class _Path(_Node):
    cdef bint data
    cdef tuple keys

    cdef object value(self, object meta, object payload):
        cdef object v
        if self.data:
            v = payload
        elif meta is None:
            return _MISSING
        else:
            v = meta
        for key in self.keys:
            if type(key) is str:
                if not isinstance(v, dict):
                    return _MISSING
                v = (<dict>v).get(key, _MISSING)
            elif isinstance(v, (list, tuple)):
                if key >= len(v):
                    return _MISSING
                v = v[key]
            elif isinstance(v, dict):
                v = (<dict>v).get(str(key), _MISSING)
            else:
                return _MISSING
            if v is _MISSING:
                return _MISSING
        return v


cdef class _MemberOf(_Node):
    """``meta.key`` / ``data.key`` (and a bare ``key``): the most common operand."""

    cdef bint data
    cdef str key

    cdef object value(self, object meta, object payload):
        cdef object v = payload if self.data else meta
        if isinstance(v, dict):
            return (<dict>v).get(self.key, _MISSING)
        return _MISSING


cdef _Node _path(bint data, list keys):
    cdef _Path node
    cdef _MemberOf member
    if len(keys) == 1 and type(keys[0]) is str:
        member = _MemberOf.__new__(_MemberOf)
        member.data = data
        member.key = keys[0]
        return member
    node = _Path.__new__(_Path)
    node.data = data
    node.keys = tuple(keys)
    return node


cdef class _Neg(_Node):
    cdef _Node operand

    cdef object value(self, object meta, object payload):
        return _negate(self.operand.value(meta, payload))


cdef class _Arith(_Node):
    cdef _Node first
    cdef tuple operands  # of _Node
    cdef bytes ops  # one operator code per operand

    cdef object value(self, object meta, object payload):
        cdef object v = self.first.value(meta, payload)
        cdef const unsigned char* codes = self.ops
        cdef Py_ssize_t k
        for k in range(len(self.operands)):
            v = _arith(codes[k], v, (<_Node>self.operands[k]).value(meta, payload))
        return v


cdef class _Compare(_BoolNode):
    """Both sides computed per message."""

    cdef _Node left
    cdef _Node right
    cdef int op

    cdef bint test(self, object meta, object payload) except -1:
        cdef object a = self.left.value(meta, payload)
        cdef object b = self.right.value(meta, payload)
        if self.op == O_EQ:
            return _eq(a, b)
        if self.op == O_NE:
            return not _eq(a, b)
        if self.op == O_LIKE:
            return _like(a, b)
        if self.op == O_CONTAINS:
            return _contains(a, b)
        return _order(self.op, a, b)


cdef class _EqConst(_BoolNode):
    """``x == constant`` / ``x != constant``: common types first, then the general rule."""

    cdef _Node left
    cdef object c
    cdef object cnum  # the constant as a number (a numeric string's number), or None
    cdef bint c_is_str
    cdef bint negate

    cdef bint test(self, object meta, object payload) except -1:
        cdef object v = self.left.value(meta, payload)
        if type(v) is str:
            if self.c_is_str:
                return (<str>v == <str>self.c) != self.negate
        elif _is_number(v) and self.cnum is not None:
            return _py_eq(v, self.cnum) != self.negate
        return _eq(v, self.c) != self.negate


cdef class _OrderConst(_BoolNode):
    cdef _Node left
    cdef object cnum
    cdef int rich

    cdef bint test(self, object meta, object payload) except -1:
        cdef object v = self.left.value(meta, payload)
        if not _is_number(v):
            v = _number(v)
            if v is None:
                return False
        return PyObject_RichCompare(v, self.cnum, self.rich)


cdef class _LikeConst(_BoolNode):
    cdef _Node left
    cdef tuple parts

    cdef bint test(self, object meta, object payload) except -1:
        cdef object v = self.left.value(meta, payload)
        if isinstance(v, str):
            return _like_match(self.parts, <str>v)
        return False


cdef class _ContainsConst(_BoolNode):
    cdef _Node left
    cdef object c

    cdef bint test(self, object meta, object payload) except -1:
        cdef object v = self.left.value(meta, payload)
        if type(v) is str and type(self.c) is str:
            return <str>self.c in <str>v
        return _contains(v, self.c)


cdef class _Not(_BoolNode):
    cdef _Node operand

    cdef bint test(self, object meta, object payload) except -1:
        return not self.operand.test(meta, payload)


cdef class _All(_BoolNode):
    cdef tuple operands

    cdef bint test(self, object meta, object payload) except -1:
        for node in self.operands:
            if not (<_Node>node).test(meta, payload):
                return False
        return True


cdef class _Any(_BoolNode):
    cdef tuple operands

    cdef bint test(self, object meta, object payload) except -1:
        for node in self.operands:
            if (<_Node>node).test(meta, payload):
                return True
        return False


cdef _Node _folded(_Node node):
    # Constant folding: a node built only from constants is evaluated once, now.
    if node.is_const:
        return _const(node.value(None, None))
    return node


cdef int[8] _FLIP
_FLIP[O_EQ] = O_EQ
_FLIP[O_NE] = O_NE
_FLIP[O_LT] = O_GT
_FLIP[O_LE] = O_GE
_FLIP[O_GT] = O_LT
_FLIP[O_GE] = O_LE


cdef _Node _comparison(int op, _Node left, _Node right):
    cdef _Compare general
    cdef _EqConst eq
    cdef _OrderConst order
    cdef _LikeConst like
    cdef _ContainsConst contains
    cdef object c
    if left.is_const and right.is_const:
        general = _Compare.__new__(_Compare)
        general.op, general.left, general.right = op, left, right
        return _const(general.value(None, None))
    if left.is_const and op != O_LIKE and op != O_CONTAINS:
        left, right = right, left
        op = _FLIP[op]
    if not right.is_const:
        general = _Compare.__new__(_Compare)
        general.op, general.left, general.right = op, left, right
        return general
    c = (<_Const>right).v
    if op == O_EQ or op == O_NE:
        eq = _EqConst.__new__(_EqConst)
        eq.left, eq.c, eq.negate = left, c, op == O_NE
        eq.c_is_str = type(c) is str
        if eq.c_is_str:
            eq.cnum = _numeric_string(<str>c)
        elif _is_number(c):
            eq.cnum = c
        else:
            eq.cnum = None
        return eq
    if op == O_LIKE:
        if not isinstance(c, str):
            return _const(False)
        like = _LikeConst.__new__(_LikeConst)
        like.left, like.parts = left, _like_parts(<str>c)
        return like
    if op == O_CONTAINS:
        contains = _ContainsConst.__new__(_ContainsConst)
        contains.left, contains.c = left, c
        return contains
    c = _number(c)
    if c is None:
        return _const(False)
    order = _OrderConst.__new__(_OrderConst)
    order.left, order.cnum, order.rich = left, c, _RICH[op]
    return order


# ---------------------------------------------------------------------------------------------
# Parser (protocol.md §6.5), reading tokens lazily
# ---------------------------------------------------------------------------------------------

cdef enum:
    T_END, T_NUM, T_STR, T_NAME, T_KEYWORD, T_OP


cdef inline bint _is_space(Py_UCS4 c) noexcept:
    return c == u" " or c == u"\t" or c == u"\r" or c == u"\n" or c == u"\f" or c == u"\v"


cdef inline bint _is_digit(Py_UCS4 c) noexcept:
    return u"0" <= c <= u"9"


cdef inline bint _is_name_start(Py_UCS4 c) noexcept:
    return (u"a" <= c <= u"z") or (u"A" <= c <= u"Z") or c == u"_"


cdef inline bint _is_name_char(Py_UCS4 c) noexcept:
    return _is_name_start(c) or _is_digit(c)


cdef str _unescape(str body):
    # \\ \' \" stand for the character; any other backslash pair is kept as written.
    cdef list out = []
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t n = len(body)
    cdef Py_UCS4 c, d
    while i < n:
        c = body[i]
        if c == u"\\" and i + 1 < n:
            d = body[i + 1]
            if d != u"\\" and d != u"'" and d != u'"':
                out.append(c)
            out.append(d)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


cdef class _Parser:
    cdef str expr
    cdef Py_ssize_t n
    cdef Py_ssize_t pos  # where scanning continues
    cdef int depth
    # the current token
    cdef int kind
    cdef int op
    cdef Py_ssize_t start
    cdef Py_ssize_t end
    cdef object value

    cdef int fail(self, str reason) except -1:
        raise FilterSyntaxError(self.expr, self.start, reason)

    cdef str describe(self):
        cdef str text
        if self.kind == T_END:
            return "end of input"
        text = self.expr[self.start:self.end]
        if len(text) > 24:
            text = text[:20] + "..."
        return repr(text)

    cdef int advance(self) except -1:
        cdef str s = self.expr
        cdef Py_ssize_t n = self.n
        cdef Py_ssize_t i = self.pos
        cdef Py_UCS4 c, d
        cdef bint has_escape = False
        cdef str text
        while i < n and _is_space(s[i]):
            i += 1
        self.start = i
        self.value = None
        if i >= n:
            self.kind = T_END
            self.end = self.pos = n
            return 0
        c = s[i]
        if _is_digit(c):
            i += 1
            while i < n and _is_digit(s[i]):
                i += 1
            if i + 1 < n and s[i] == u"." and _is_digit(s[i + 1]):
                i += 2
                while i < n and _is_digit(s[i]):
                    i += 1
            self.kind = T_NUM
            self.value = _numeric_string(s[self.start:i])
        elif _is_name_start(c):
            i += 1
            while i < n and _is_name_char(s[i]):
                i += 1
            text = s[self.start:i]
            self.value = text.lower()
            if self.value == "like" or self.value == "contains":
                self.kind = T_KEYWORD
                self.op = O_LIKE if self.value == "like" else O_CONTAINS
            else:
                self.kind = T_NAME
                self.value = text
        elif c == u"'" or c == u'"':
            i += 1
            while i < n:
                d = s[i]
                if d == u"\\":
                    if i + 1 >= n:
                        i = n  # a trailing backslash escapes nothing: unterminated
                        break
                    has_escape = True
                    i += 2
                elif d == c:
                    break
                else:
                    i += 1
            if i >= n:
                raise FilterSyntaxError(
                    s, self.start, "unterminated string literal (no closing %s)" % c
                )
            text = s[self.start + 1:i]
            self.value = _unescape(text) if has_escape else text
            self.kind = T_STR
            i += 1
        else:
            self.kind = T_OP
            d = s[i + 1] if i + 1 < n else 0
            i += 2
            if c == u"=" and d == u"=":
                self.op = O_EQ
            elif c == u"!" and d == u"=":
                self.op = O_NE
            elif c == u"<" and d == u"=":
                self.op = O_LE
            elif c == u">" and d == u"=":
                self.op = O_GE
            elif c == u"&" and d == u"&":
                self.op = O_AND
            elif c == u"|" and d == u"|":
                self.op = O_OR
            else:
                i -= 1
                if c == u"=":
                    self.op = O_EQ
                elif c == u"<":
                    self.op = O_LT
                elif c == u">":
                    self.op = O_GT
                elif c == u"!":
                    self.op = O_NOT
                elif c == u"+":
                    self.op = O_ADD
                elif c == u"-":
                    self.op = O_SUB
                elif c == u"*":
                    self.op = O_MUL
                elif c == u"/":
                    self.op = O_DIV
                elif c == u"%":
                    self.op = O_MOD
                elif c == u"(":
                    self.op = O_LPAREN
                elif c == u")":
                    self.op = O_RPAREN
                elif c == u".":
                    self.op = O_DOT
                elif c == u"[":
                    self.op = O_LBRACKET
                elif c == u"]":
                    self.op = O_RBRACKET
                else:
                    raise FilterSyntaxError(s, self.start, "unexpected character %r" % s[i - 1])
        self.end = self.pos = i
        return 0

    cdef inline bint at_op(self, int op):
        return self.kind == T_OP and self.op == op

    cdef inline bint at_cmp(self):
        return self.kind == T_KEYWORD or (self.kind == T_OP and self.op <= O_GE)

    cdef int enter(self) except -1:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            self.fail("expression nested more than %d levels deep" % _MAX_DEPTH)
        return 0

    cdef _Node parse(self):
        cdef _Node node = self.parse_or()
        if self.kind != T_END:
            if self.kind == T_NAME or self.kind == T_NUM or self.kind == T_STR or (
                self.kind == T_OP and (self.op == O_LPAREN or self.op == O_NOT)
            ):
                self.fail("unexpected %s (missing && or || before it?)" % self.describe())
            self.fail("unexpected %s" % self.describe())
        return node

    cdef _Node logic(self, list operands, bint conjunction):
        cdef _BoolNode node
        if len(operands) == 1:
            return operands[0]
        if conjunction:
            node = _All.__new__(_All)
            (<_All>node).operands = tuple(operands)
        else:
            node = _Any.__new__(_Any)
            (<_Any>node).operands = tuple(operands)
        node.is_const = all((<_Node>n).is_const for n in operands)
        return _folded(node)

    cdef _Node parse_or(self):
        cdef list operands = [self.parse_and()]
        while self.at_op(O_OR):
            self.advance()
            operands.append(self.parse_and())
        return self.logic(operands, False)

    cdef _Node parse_and(self):
        cdef list operands = [self.parse_not()]
        while self.at_op(O_AND):
            self.advance()
            operands.append(self.parse_not())
        return self.logic(operands, True)

    cdef _Node parse_not(self):
        cdef _Not node
        if self.at_op(O_NOT):
            self.enter()
            self.advance()
            node = _Not.__new__(_Not)
            node.operand = self.parse_not()
            node.is_const = node.operand.is_const
            self.depth -= 1
            return _folded(node)
        return self.parse_cmp()

    cdef _Node parse_cmp(self):
        cdef _Node left = self.parse_sum()
        cdef _Node right
        cdef int op
        if not self.at_cmp():
            return left
        op = self.op
        self.advance()
        right = self.parse_sum()
        if self.at_cmp():
            self.fail(
                "unexpected %s: comparisons cannot be chained (join them with && or ||)"
                % self.describe()
            )
        return _comparison(op, left, right)

    cdef _Node arith(self, _Node first, list ops, list operands):
        cdef _Arith node
        cdef Py_ssize_t k
        if not operands:
            return first
        node = _Arith.__new__(_Arith)
        node.first = first
        node.operands = tuple(operands)
        node.ops = bytes(ops)
        node.is_const = first.is_const
        for k in range(len(operands)):
            node.is_const = node.is_const and (<_Node>operands[k]).is_const
        return _folded(node)

    cdef _Node parse_sum(self):
        cdef _Node first = self.parse_prod()
        cdef list ops = []
        cdef list operands = []
        while self.kind == T_OP and (self.op == O_ADD or self.op == O_SUB):
            ops.append(self.op)
            self.advance()
            operands.append(self.parse_prod())
        return self.arith(first, ops, operands)

    cdef _Node parse_prod(self):
        cdef _Node first = self.parse_unary()
        cdef list ops = []
        cdef list operands = []
        while self.kind == T_OP and (self.op == O_MUL or self.op == O_DIV or self.op == O_MOD):
            ops.append(self.op)
            self.advance()
            operands.append(self.parse_unary())
        return self.arith(first, ops, operands)

    cdef _Node parse_unary(self):
        cdef _Neg node
        if self.at_op(O_SUB):
            self.enter()
            self.advance()
            node = _Neg.__new__(_Neg)
            node.operand = self.parse_unary()
            node.is_const = node.operand.is_const
            self.depth -= 1
            return _folded(node)
        return self.parse_primary()

    cdef _Node parse_primary(self):
        cdef _Node node
        cdef Py_ssize_t opened
        if self.kind == T_NAME:
            return self.parse_path()
        if self.kind == T_STR or self.kind == T_NUM:
            node = _const(self.value)
            self.advance()
            return node
        if self.at_op(O_LPAREN):
            opened = self.start
            self.enter()
            self.advance()
            node = self.parse_or()
            if not self.at_op(O_RPAREN):
                self.fail(
                    "expected ')' to close the '(' at position %d, found %s"
                    % (opened, self.describe())
                )
            self.advance()
            self.depth -= 1
            return node
        self.fail("unexpected %s" % self.describe())

    cdef _Node parse_path(self):
        cdef str root = self.value
        cdef bint data = False
        cdef list keys = []
        cdef str text
        if root == "data":
            data = True
        elif root != "meta":
            keys.append(root)
        self.advance()
        while True:
            if self.at_op(O_DOT):
                self.advance()
                if self.kind != T_NAME and self.kind != T_KEYWORD:
                    self.fail("expected a name after '.', found %s" % self.describe())
                keys.append(self.expr[self.start:self.end])
                self.advance()
            elif self.at_op(O_LBRACKET):
                self.advance()
                if self.kind == T_STR:
                    keys.append(self.value)
                elif self.kind == T_NUM:
                    text = self.expr[self.start:self.end]
                    if "." in text:
                        self.fail("an index must be a whole number, found %r" % text)
                    try:
                        keys.append(int(text))
                    except ValueError:  # more digits than int() accepts
                        self.fail("index too large")
                else:
                    self.fail(
                        "expected a string or number index after '[', found %s" % self.describe()
                    )
                self.advance()
                if not self.at_op(O_RBRACKET):
                    self.fail("expected ']' after the index, found %s" % self.describe())
                self.advance()
            else:
                return _path(data, keys)


cdef _Node _compile(object expression):
    """The root node of ``expression``, or None for an empty (match-all) filter."""
    cdef _Parser parser
    if not isinstance(expression, str):
        raise TypeError("a filter expression must be a str, not %s" % type(expression).__name__)
    if len(<str>expression) > _MAX_LENGTH:
        raise FilterSyntaxError(
            expression, _MAX_LENGTH, "expression longer than %d characters" % _MAX_LENGTH
        )
    parser = _Parser.__new__(_Parser)
    parser.expr = expression
    parser.n = len(<str>expression)
    parser.advance()
    if parser.kind == T_END:
        return None
    return parser.parse()


# ---------------------------------------------------------------------------------------------
# Public twin API
# ---------------------------------------------------------------------------------------------

cdef class CompiledFilter:
    """A compiled filter expression; ``compile_filter(e)`` is ``CompiledFilter(expression=e)``."""

    cdef readonly str expression
    cdef _Node _root  # None: match everything

    def __init__(self, *, expression):
        self._root = _compile(expression)
        self.expression = expression

    def matches(self, meta, payload):
        """Whether a message with publish ``meta`` and decoded ``payload`` passes the filter."""
        if self._root is None:
            return True
        return self._root.test(meta, payload)

    def __repr__(self):
        return "CompiledFilter(expression=%r)" % (self.expression,)

    def __reduce__(self):
        return (compile_filter, (self.expression,))


def compile_filter(expression):
    """Compile ``expression``; raise ``FilterSyntaxError`` if it is not a valid filter."""
    return CompiledFilter(expression=expression)
