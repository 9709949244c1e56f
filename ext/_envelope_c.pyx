# cython: language_level=3, embedsignature=True
"""Compiled twin of the subscribe-envelope hot path (``pubnub_fast/_envelope_py.py`` is the pure
twin and carries the full explanation: wire format, dispatch order, decryption rule, what is
skipped). Same names, signatures and behaviour.

C-level choices
---------------
* **Two phases.** Phase 1 parses the whole body into ``_Item`` records (only the keys dispatch
  needs: ``b c d e i p u cmt``; ``a f k o s`` and unknown keys are validated and skipped without
  building objects). Phase 2 validates and dispatches the records, calling ``decrypt``,
  ``file_url`` and ``on_skip``. No user code runs before the whole body has been accepted, so a
  body the decoder refuses can be re-done by the fallback path without calling anything twice.
* **A strict decoder, and a fallback.** The decoder accepts only RFC 8259 JSON in UTF-8 (strict:
  no encoded surrogates), nesting up to ``_MAX_DEPTH``, and produces exactly what ``json.loads``
  produces for it (ints via ``PyLong``, floats via ``PyOS_string_to_double`` like ``float()``,
  surrogate-pair escapes joined, lone ones kept). Anything else — ``NaN``, a BOM, an escaped key
  in an item, invalid UTF-8 — is *refused*, and the body goes through the pure twin's loader
  (``ujson``, then ``json``) and the same dispatch. So both twins agree on every input.
* **Strings.** ASCII without escapes (the norm) is one scan and one ``memcpy``. Object keys and
  the item fields ``b c i cmt`` go through a small direct-mapped cache of ASCII strings (they
  repeat in every item), and so do string values of up to 8 characters (enums, names, flags
  repeat too); a hit saves an allocation and a deallocation. Strings are immutable, so sharing is
  invisible. The buffer is always NUL-terminated (bytes, compact ASCII str, UTF-8 of a str), and
  NUL is never valid where the decoder looks, so scans stop at the end without a bounds test.
* **Results** are created with the type's ``tp_new`` and their attributes set in the order the
  model's ``__init__`` sets them (so ``vars()`` is identical, and instances keep CPython's shared
  key layout) — ``__init__`` would only repeat checks already made here.
* **Decryption fast path.** When ``decrypt`` is the ``decrypt`` method of a
  ``pubnub_fast.crypto.PubNubCryptoModule`` (not overridden), the module's own per-cryptor hooks
  (``_decrypt_message_b64``) are called directly — for the built-in legacy (CBC only) and ACRH
  cryptors whose hook is not overridden, what the hook does (the crypto twin's ``decrypt_b64``
  with the cryptor's key and IV rule, read per body) without its Python frame — and the plaintext
  bytes are decoded by the decoder above; anything unusual goes through ``decrypt`` itself. The
  result (value or exception) is the one ``decrypt`` gives — ``tests/test_envelope.py`` compares
  them.
* **Delivery.** ``deliver`` calls listener methods with ``PyObject_VectorcallMethod`` (no bound
  method object per call), with the same lookup ``getattr`` does.
"""
import json
import logging
import sys

import ujson

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_New, PyDict_SetItem
from cpython.list cimport PyList_Append, PyList_New
from cpython.long cimport PyLong_FromLongLong
from cpython.object cimport PyObject, PyObject_SetAttr, PyTypeObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from libc.stdint cimport uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy

from pubnub_fast.models.consumer.objects_v2.channel import PNChannelMetadataResult
from pubnub_fast.models.consumer.objects_v2.memberships import PNMembershipResult
from pubnub_fast.models.consumer.objects_v2.uuid import PNUUIDMetadataResult
from pubnub_fast.models.consumer.pubsub import (
    PNFileMessageResult,
    PNMessageActionResult,
    PNMessageResult,
    PNPresenceEventResult,
    PNSignalMessageResult,
)
from pubnub_fast.listeners import Listeners
from pubnub_fast.models.server.subscribe import MalformedSubscribeResponse

cdef extern from "Python.h":
    object PyObject_VectorcallMethod(object name, PyObject** args, size_t nargsf, PyObject* kwnames)
    object PyUnicode_New(Py_ssize_t size, uint32_t maxchar)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    bint PyUnicode_IS_COMPACT_ASCII(object o)
    int PyUnicode_4BYTE_KIND
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyUnicode_DecodeUTF8(const char* s, Py_ssize_t size, const char* errors)
    const char* PyUnicode_AsUTF8AndSize(object o, Py_ssize_t* size) except NULL
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0
    object PyFloat_FromDouble(double v)
    object PyLong_FromString(const char* s, char** pend, int base)
    object PyLong_FromUnicodeObject(object u, int base)

__all__ = [
    "MalformedSubscribeResponse",
    "EVENT_METHODS",
    "loads",
    "loads_strict",
    "parse_subscribe",
    "deliver",
    "encode_subscribe",
    "encode_item",
    "frame_subscribe",
]

logger = logging.getLogger("pubnub_fast.envelope")
_listener_logger = logging.getLogger("pubnub_fast")

EVENT_METHODS = ("message", "signal", "presence", "message_action", "file", "uuid", "channel", "membership")

cdef str _PRESENCE_SUFFIX = "-pnpres"

cdef dict _OBJECTS_EVENTS = {
    "uuid": ("uuid", PNUUIDMetadataResult),
    "channel": ("channel", PNChannelMetadataResult),
    "membership": ("membership", PNMembershipResult),
}

cdef object _ujson_loads = ujson.loads
cdef object _json_loads = json.loads

# Listener method names (interned by the compiler)
cdef str M_MESSAGE = "message"
cdef str M_SIGNAL = "signal"
cdef str M_PRESENCE = "presence"
cdef str M_ACTION = "message_action"
cdef str M_FILE = "file"

# Attribute names, in each model's __init__ order
cdef str A_MESSAGE = "message"
cdef str A_SUBSCRIPTION = "subscription"
cdef str A_CHANNEL = "channel"
cdef str A_TIMETOKEN = "timetoken"
cdef str A_USER_METADATA = "user_metadata"
cdef str A_PUBLISHER = "publisher"
cdef str A_ERROR = "error"
cdef str A_CMT = "custom_message_type"
cdef str A_FILE_URL = "file_url"
cdef str A_FILE_ID = "file_id"
cdef str A_FILE_NAME = "file_name"
cdef str A_EVENT = "event"
cdef str A_UUID = "uuid"
cdef str A_TIMESTAMP = "timestamp"
cdef str A_OCCUPANCY = "occupancy"
cdef str A_STATE = "state"
cdef str A_JOIN = "join"
cdef str A_LEAVE = "leave"
cdef str A_TIMEOUT = "timeout"
cdef str A_TYPE = "type"
cdef str A_VALUE = "value"
cdef str A_MESSAGE_TIMETOKEN = "message_timetoken"
cdef str A_ACTION_TIMETOKEN = "action_timetoken"
cdef str A_DATA = "data"

# Payload keys
cdef str K_T = "t"
cdef str K_ACTION = "action"
cdef str K_UUID = "uuid"
cdef str K_TIMESTAMP = "timestamp"
cdef str K_OCCUPANCY = "occupancy"
cdef str K_DATA = "data"
cdef str K_JOIN = "join"
cdef str K_LEAVE = "leave"
cdef str K_TIMEOUT = "timeout"
cdef str K_TYPE = "type"
cdef str K_EVENT = "event"
cdef str K_FILE = "file"
cdef str K_MESSAGE = "message"
cdef str K_ID = "id"
cdef str K_NAME = "name"
cdef str K_VALUE = "value"
cdef str K_MESSAGE_TIMETOKEN = "messageTimetoken"
cdef str K_ACTION_TIMETOKEN = "actionTimetoken"

cdef tuple _EMPTY_TUPLE = ()


class _Refused(Exception):
    """The strict decoder does not accept this input (the fallback loader decides)."""


# --------------------------------------------------------------------------------------------
# Strict JSON decoder over a NUL-terminated UTF-8 buffer
# --------------------------------------------------------------------------------------------

cdef enum:
    _MAX_DEPTH = 500            # deeper documents go to the fallback loader
    _KEY_CACHE_SIZE = 1024      # a power of two
    _KEY_CACHE_MAX_LEN = 32
    _SHORT_VALUE = 8            # short string values (enums, names, flags) are shared through the cache too
    _NUMBER_STACK = 64

ctypedef struct _Src:
    const unsigned char* s
    Py_ssize_t n
    Py_ssize_t i
    int depth

cdef PyObject* _key_cache[_KEY_CACHE_SIZE]   # owned references (or NULL)


cdef inline object _refuse():
    raise _Refused()


cdef inline object _ascii_str(const unsigned char* p, Py_ssize_t length):
    cdef object text = PyUnicode_New(length, 127)
    memcpy(PyUnicode_DATA(text), p, <size_t>length)
    return text


cdef object _cached_ascii(const unsigned char* p, Py_ssize_t length):
    """An ASCII str for ``p[:length]``, shared with earlier equal strings when it is cached."""
    cdef size_t h = 2166136261u
    cdef Py_ssize_t k
    cdef PyObject* entry
    cdef object text
    if length > _KEY_CACHE_MAX_LEN:
        return _ascii_str(p, length)
    for k in range(length):
        h = (h ^ p[k]) * 16777619u
    h = (h ^ <size_t>length) & (_KEY_CACHE_SIZE - 1)
    entry = _key_cache[h]
    if entry != NULL and PyUnicode_GET_LENGTH(<object>entry) == length and \
            memcmp(PyUnicode_DATA(<object>entry), p, <size_t>length) == 0:
        return <object>entry
    text = _ascii_str(p, length)
    # Re-read the slot: the allocation may have run a finalizer that parsed (and cached) too.
    entry = _key_cache[h]
    Py_INCREF(text)
    _key_cache[h] = <PyObject*>text
    Py_XDECREF(entry)
    return text


cdef inline void _ws(_Src* src) noexcept:
    cdef const unsigned char* s = src.s
    cdef Py_ssize_t i = src.i
    cdef unsigned char c = s[i]
    while c == 32 or c == 10 or c == 13 or c == 9:
        i += 1
        c = s[i]
    src.i = i


cdef inline int _hex(unsigned char c) noexcept:
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return -1


cdef int _hex4(const unsigned char* p) noexcept:
    """The value of 4 hex digits at ``p``, or -1 (stops at the first non-hex byte, so at NUL)."""
    cdef int value = 0
    cdef int digit
    cdef int k
    for k in range(4):
        digit = _hex(p[k])
        if digit < 0:
            return -1
        value = (value << 4) | digit
    return value


cdef int _utf8_sequence(const unsigned char* p, uint32_t* out) noexcept:
    """Length of the strict UTF-8 sequence at ``p`` (lead byte >= 0x80) and its code point; 0 if invalid."""
    cdef unsigned char c = p[0]
    cdef unsigned char lo = 0x80
    cdef unsigned char hi = 0xBF
    cdef int extra
    cdef uint32_t cp
    cdef int k
    if 0xC2 <= c <= 0xDF:
        extra = 1
        cp = c & 0x1F
    elif 0xE0 <= c <= 0xEF:
        extra = 2
        cp = c & 0x0F
        if c == 0xE0:
            lo = 0xA0
        elif c == 0xED:
            hi = 0x9F  # no encoded surrogates
    elif 0xF0 <= c <= 0xF4:
        extra = 3
        cp = c & 0x07
        if c == 0xF0:
            lo = 0x90
        elif c == 0xF4:
            hi = 0x8F
    else:
        return 0
    for k in range(1, extra + 1):
        c = p[k]
        if c < lo or c > hi:
            return 0
        lo = 0x80
        hi = 0xBF
        cp = (cp << 6) | (c & 0x3F)
    out[0] = cp
    return extra + 1


cdef object _string_escaped(_Src* src, Py_ssize_t start):
    """Decode a string with escapes; ``start`` is just after the opening quote."""
    cdef const unsigned char* s = src.s
    cdef Py_ssize_t j = start
    cdef unsigned char c
    cdef uint32_t* out
    cdef Py_ssize_t k = 0
    cdef int cp
    cdef int low
    cdef int length
    cdef uint32_t code
    # First pass: find the closing quote (the decoded length is at most the byte length).
    while True:
        c = s[j]
        if c == 34:
            break
        if c == 92:
            j += 1
            if s[j] == 0:
                _refuse()
        elif c < 0x20:
            _refuse()
        j += 1
    out = <uint32_t*>malloc(<size_t>(j - start + 1) * sizeof(uint32_t))
    if out == NULL:
        raise MemoryError()
    try:
        j = start
        while True:
            c = s[j]
            if c == 34:
                break
            if c == 92:
                c = s[j + 1]
                j += 2
                if c == 34 or c == 92 or c == 47:
                    out[k] = c
                elif c == 98:
                    out[k] = 8
                elif c == 102:
                    out[k] = 12
                elif c == 110:
                    out[k] = 10
                elif c == 114:
                    out[k] = 13
                elif c == 116:
                    out[k] = 9
                elif c == 117:
                    cp = _hex4(s + j)
                    if cp < 0:
                        _refuse()
                    j += 4
                    # A high surrogate followed by an escaped low one is one character
                    # (json.scanstring does the same; lone surrogates are kept as they are).
                    if 0xD800 <= cp <= 0xDBFF and s[j] == 92 and s[j + 1] == 117:
                        low = _hex4(s + j + 2)
                        if low < 0:
                            _refuse()
                        if 0xDC00 <= low <= 0xDFFF:
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                            j += 6
                    out[k] = <uint32_t>cp
                else:
                    _refuse()
                k += 1
            elif c < 0x80:
                out[k] = c  # control characters were refused in the first pass
                k += 1
                j += 1
            else:
                length = _utf8_sequence(s + j, &code)
                if length == 0:
                    _refuse()
                out[k] = code
                k += 1
                j += length
        src.i = j + 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, k)
    finally:
        free(out)


cdef inline Py_ssize_t _plain_run(const unsigned char* s, Py_ssize_t j, Py_ssize_t n) noexcept:
    """The first index >= ``j`` where an 8-byte word of ``s[:n]`` may hold a byte that ends a plain
    string run: ``"``, ``\\``, a control character or a non-ASCII byte (SWAR: eight bytes per step;
    the byte loop of the caller decides exactly from there). Words never read past ``n``."""
    cdef uint64_t w, t, u
    while j + 8 <= n:
        memcpy(&w, s + j, 8)
        t = w ^ 0x2222222222222222ULL      # '"' -> zero byte
        u = w ^ 0x5C5C5C5C5C5C5C5CULL      # '\\' -> zero byte
        if (((t - 0x0101010101010101ULL) & ~t) | ((u - 0x0101010101010101ULL) & ~u) |
                ((w - 0x2020202020202020ULL) & ~w) | w) & 0x8080808080808080ULL:
            break
        j += 8
    return j


cdef object _string(_Src* src, bint cached):
    """Decode the string at ``src.i`` (on its opening quote)."""
    cdef const unsigned char* s = src.s
    cdef Py_ssize_t start = src.i + 1
    cdef Py_ssize_t j = _plain_run(s, start, src.n)
    cdef unsigned char c
    cdef bint ascii = True
    while True:
        c = s[j]
        if c == 34:
            break
        if c == 92:
            return _string_escaped(src, start)
        if c < 0x20:
            _refuse()
        if c >= 0x80:
            ascii = False
        j += 1
    src.i = j + 1
    if ascii:
        if cached or j - start <= _SHORT_VALUE:
            return _cached_ascii(s + start, j - start)
        return _ascii_str(s + start, j - start)
    try:
        return PyUnicode_DecodeUTF8(<const char*>(s + start), j - start, NULL)
    except UnicodeDecodeError:
        _refuse()


cdef int _skip_string(_Src* src) except -1:
    """Validate the string at ``src.i`` without building it (ASCII without escapes is the norm)."""
    cdef const unsigned char* s = src.s
    cdef Py_ssize_t j = _plain_run(s, src.i + 1, src.n)
    cdef unsigned char c
    while True:
        c = s[j]
        if c == 34:
            src.i = j + 1
            return 0
        if c == 92 or c >= 0x80:
            _string(src, False)  # rare: decode to validate
            return 0
        if c < 0x20:
            _refuse()
        j += 1


cdef object _number(_Src* src):
    cdef const unsigned char* s = src.s
    cdef Py_ssize_t start = src.i
    cdef Py_ssize_t i = start
    cdef bint negative = False
    cdef bint is_float = False
    cdef Py_ssize_t digits_start
    cdef long long value = 0
    cdef char stack[_NUMBER_STACK]
    cdef char* text
    cdef Py_ssize_t length
    cdef double number
    cdef Py_ssize_t k
    if s[i] == 45:  # '-'
        negative = True
        i += 1
    digits_start = i
    if s[i] == 48:  # a leading 0 stands alone
        i += 1
    elif 49 <= s[i] <= 57:
        while 48 <= s[i] <= 57:
            i += 1
    else:
        _refuse()  # includes -Infinity
    if s[i] == 46:  # '.'
        is_float = True
        i += 1
        if not (48 <= s[i] <= 57):
            _refuse()
        while 48 <= s[i] <= 57:
            i += 1
    if s[i] == 101 or s[i] == 69:  # 'e' / 'E'
        is_float = True
        i += 1
        if s[i] == 43 or s[i] == 45:
            i += 1
        if not (48 <= s[i] <= 57):
            _refuse()
        while 48 <= s[i] <= 57:
            i += 1
    src.i = i
    length = i - start
    if not is_float and i - digits_start <= 18:
        for k in range(digits_start, i):
            value = value * 10 + (s[k] - 48)
        return PyLong_FromLongLong(-value if negative else value)
    if length < _NUMBER_STACK:
        text = stack
    else:
        text = <char*>malloc(<size_t>length + 1)
    if text == NULL:
        raise MemoryError()
    try:
        memcpy(text, s + start, <size_t>length)
        text[length] = 0
        if is_float:
            number = PyOS_string_to_double(text, NULL, NULL)  # what float() does: inf on overflow
            return PyFloat_FromDouble(number)
        try:
            return PyLong_FromString(text, NULL, 10)
        except ValueError:  # beyond sys.get_int_max_str_digits(): let json.loads say so
            _refuse()
    finally:
        if text != stack:
            free(text)


cdef object _value(_Src* src):
    """Decode the value at ``src.i`` (no leading whitespace)."""
    cdef const unsigned char* s = src.s
    cdef unsigned char c = s[src.i]
    if c == 34:
        return _string(src, False)
    if c == 123:
        return _object(src)
    if c == 91:
        return _array(src)
    if c == 45 or 48 <= c <= 57:
        return _number(src)
    if c == 116 and src.i + 4 <= src.n and memcmp(s + src.i, b"true", 4) == 0:
        src.i += 4
        return True
    if c == 102 and src.i + 5 <= src.n and memcmp(s + src.i, b"false", 5) == 0:
        src.i += 5
        return False
    if c == 110 and src.i + 4 <= src.n and memcmp(s + src.i, b"null", 4) == 0:
        src.i += 4
        return None
    _refuse()  # NaN, Infinity, garbage


cdef inline object _value_cached(_Src* src):
    if src.s[src.i] == 34:
        return _string(src, True)
    return _value(src)


cdef object _object(_Src* src):
    cdef const unsigned char* s = src.s
    cdef dict result = PyDict_New()
    cdef object key
    cdef object value
    src.depth += 1
    if src.depth > _MAX_DEPTH:
        _refuse()
    src.i += 1
    _ws(src)
    if s[src.i] == 125:
        src.i += 1
        src.depth -= 1
        return result
    while True:
        if s[src.i] != 34:
            _refuse()
        key = _string(src, True)
        _ws(src)
        if s[src.i] != 58:
            _refuse()
        src.i += 1
        _ws(src)
        value = _value(src)
        PyDict_SetItem(result, key, value)
        _ws(src)
        if s[src.i] == 44:
            src.i += 1
            _ws(src)
        elif s[src.i] == 125:
            src.i += 1
            src.depth -= 1
            return result
        else:
            _refuse()


cdef object _array(_Src* src):
    cdef const unsigned char* s = src.s
    cdef list result = PyList_New(0)
    src.depth += 1
    if src.depth > _MAX_DEPTH:
        _refuse()
    src.i += 1
    _ws(src)
    if s[src.i] == 93:
        src.i += 1
        src.depth -= 1
        return result
    while True:
        PyList_Append(result, _value(src))
        _ws(src)
        if s[src.i] == 44:
            src.i += 1
            _ws(src)
        elif s[src.i] == 93:
            src.i += 1
            src.depth -= 1
            return result
        else:
            _refuse()


cdef int _skip_value(_Src* src) except -1:
    cdef unsigned char c = src.s[src.i]
    if c == 34:
        return _skip_string(src)
    _value(src)  # numbers and literals are cheap; nested values are rare here
    return 0


cdef object _document(const unsigned char* s, Py_ssize_t n):
    """The whole buffer as one JSON value, or ``_Refused``."""
    cdef _Src src
    src.s = s
    src.n = n
    src.i = 0
    src.depth = 0
    _ws(&src)
    value = _value(&src)
    _ws(&src)
    if src.i != n:
        _refuse()
    return value


cdef const unsigned char* _buffer(object body, Py_ssize_t* size) except NULL:
    """A NUL-terminated UTF-8 view of ``body`` (bytes or str)."""
    if type(body) is bytes:
        size[0] = PyBytes_GET_SIZE(body)
        return <const unsigned char*>PyBytes_AS_STRING(body)
    if PyUnicode_IS_COMPACT_ASCII(body):
        size[0] = PyUnicode_GET_LENGTH(body)
        return <const unsigned char*>PyUnicode_DATA(body)
    return <const unsigned char*>PyUnicode_AsUTF8AndSize(body, size)


cdef object _as_document(object body):
    """``body`` as bytes or str (bytearray copied: nothing may change it under the parser)."""
    if type(body) is bytes or type(body) is str:
        return body
    if isinstance(body, str):
        return str(body)
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    raise TypeError("a JSON document must be bytes or str, not %s" % type(body).__name__)


def loads(body):
    """Decode a JSON document (bytes, bytearray or str): ``ujson``, else ``json`` (see the module doc).

    Raises ``ValueError`` (``json.JSONDecodeError``, ``UnicodeDecodeError``) when neither accepts
    it, ``RecursionError`` for absurdly deep nesting, ``TypeError`` for another type of input.
    """
    cdef Py_ssize_t size
    cdef const unsigned char* buf
    body = _as_document(body)
    try:
        buf = _buffer(body, &size)
    except UnicodeEncodeError:  # a str with lone surrogates
        pass
    else:
        try:
            return _document(buf, size)
        except _Refused:
            pass
    return _fallback_loads(body)


def loads_strict(body):
    """Decode a JSON document exactly as ``json.loads`` does (no ujson leniency such as ``01``).

    The compiled decoder first; what it refuses goes to ``json.loads`` itself. Raises like
    ``json.loads`` (``ValueError``, ``RecursionError``; ``TypeError`` for another type of input).
    """
    cdef Py_ssize_t size
    cdef const unsigned char* buf
    body = _as_document(body)
    try:
        buf = _buffer(body, &size)
    except UnicodeEncodeError:  # a str with lone surrogates
        pass
    else:
        try:
            return _document(buf, size)
        except _Refused:
            pass
    return _json_loads(body)


cdef object _fallback_loads(object body):
    try:
        return _ujson_loads(body)
    except (ValueError, OverflowError, RecursionError):
        return _json_loads(body)


# --------------------------------------------------------------------------------------------
# Phase 1: the envelope, item by item
# --------------------------------------------------------------------------------------------

@cython.freelist(128)
@cython.freelist(128)
@cython.no_gc
cdef class _Item:
    """The fields of one ``m`` item that dispatch needs (``None`` when absent).

    Short-lived (phase 1 to phase 2 of one body), so instances come from a free list; never part
    of a reference cycle (nothing but the parser holds one), so not tracked by the cyclic GC —
    100 items per response would otherwise bring a collection of the young generation every
    few responses."""
    cdef object raw          # the item as decoded (fallback path; non-object items), else None
    cdef bint is_object
    cdef bint has_d
    cdef bint p_is_object    # "p" is a JSON object; its "t" is in pt (None when absent)
    cdef object c, d, b, e, i, pt, u, cmt
    cdef Py_ssize_t start, end   # byte span of the item in the body (decoder path)


cdef _Item _item_from_value(object value):
    cdef _Item item = _Item.__new__(_Item)
    item.raw = value
    if type(value) is dict:
        item.is_object = True
        item.c = value.get("c")
        item.has_d = "d" in value
        item.d = value.get("d")
        item.b = value.get("b")
        item.e = value.get("e")
        item.i = value.get("i")
        publish = value.get("p")
        if type(publish) is dict:
            item.p_is_object = True
            item.pt = publish.get("t")
        item.u = value.get("u")
        item.cmt = value.get("cmt")
    return item


cdef object _decode_publish(_Src* src):
    """Decode the ``p`` object at ``src.i`` and return its ``t`` (None when absent): a digit
    string of up to 18 digits, the norm, becomes the int dispatch would make of it right away."""
    cdef const unsigned char* s = src.s
    cdef object timetoken = None
    cdef Py_ssize_t key_start
    cdef Py_ssize_t key_len
    cdef Py_ssize_t j
    cdef long long number
    src.depth += 1
    if src.depth > _MAX_DEPTH:
        _refuse()
    src.i += 1
    _ws(src)
    if s[src.i] == 125:
        src.i += 1
        src.depth -= 1
        return None
    while True:
        if s[src.i] != 34:
            _refuse()
        key_start = src.i + 1
        key_len = 0
        while 0x20 <= s[key_start + key_len] < 0x80 and s[key_start + key_len] != 34 \
                and s[key_start + key_len] != 92:
            key_len += 1
        if s[key_start + key_len] != 34:
            _refuse()
        src.i = key_start + key_len + 1
        _ws(src)
        if s[src.i] != 58:
            _refuse()
        src.i += 1
        _ws(src)
        if key_len == 1 and s[key_start] == 116 and s[src.i] == 34:  # t, a string
            j = src.i + 1
            number = 0
            while 48 <= s[j] <= 57 and j - src.i <= 18:
                number = number * 10 + (s[j] - 48)
                j += 1
            if s[j] == 34 and j > src.i + 1:
                timetoken = PyLong_FromLongLong(number)
                src.i = j + 1
            else:
                timetoken = _string(src, False)
        elif key_len == 1 and s[key_start] == 116:
            timetoken = _value(src)
        else:
            _skip_value(src)
        _ws(src)
        if s[src.i] == 44:
            src.i += 1
            _ws(src)
        elif s[src.i] == 125:
            src.i += 1
            src.depth -= 1
            return timetoken
        else:
            _refuse()


cdef _Item _decode_item(_Src* src):
    """Decode the item object at ``src.i``, keeping only the fields dispatch needs."""
    cdef const unsigned char* s = src.s
    cdef _Item item = _Item.__new__(_Item)
    cdef Py_ssize_t key_start
    cdef Py_ssize_t key_len
    cdef unsigned char key0
    item.is_object = True
    item.start = src.i
    src.depth += 1
    if src.depth > _MAX_DEPTH:
        _refuse()
    src.i += 1
    _ws(src)
    if s[src.i] == 125:
        src.i += 1
        src.depth -= 1
        item.end = src.i
        return item
    while True:
        if s[src.i] != 34:
            _refuse()
        key_start = src.i + 1
        key_len = 0
        while 0x20 <= s[key_start + key_len] < 0x80 and s[key_start + key_len] != 34 \
                and s[key_start + key_len] != 92:
            key_len += 1
        if s[key_start + key_len] != 34:
            _refuse()  # escapes or non-ASCII in an item key: let the fallback decide
        src.i = key_start + key_len + 1
        _ws(src)
        if s[src.i] != 58:
            _refuse()
        src.i += 1
        _ws(src)
        key0 = s[key_start]
        if key_len == 1:
            if key0 == 100:      # d
                item.d = _value(src)
                item.has_d = True
            elif key0 == 99:     # c
                item.c = _value_cached(src)
            elif key0 == 112:    # p
                if s[src.i] == 123:
                    item.p_is_object = True
                    item.pt = _decode_publish(src)
                else:
                    item.p_is_object = False
                    item.pt = None
                    _skip_value(src)
            elif key0 == 98:     # b
                item.b = _value_cached(src)
            elif key0 == 105:    # i
                item.i = _value_cached(src)
            elif key0 == 101:    # e
                item.e = _value(src)
            elif key0 == 117:    # u
                item.u = _value(src)
            else:                # a f k o s: not needed
                _skip_value(src)
        elif key_len == 3 and memcmp(s + key_start, b"cmt", 3) == 0:
            item.cmt = _value_cached(src)
        else:
            _skip_value(src)
        _ws(src)
        if s[src.i] == 44:
            src.i += 1
            _ws(src)
        elif s[src.i] == 125:
            src.i += 1
            src.depth -= 1
            item.end = src.i
            return item
        else:
            _refuse()


cdef list _decode_items(_Src* src):
    cdef const unsigned char* s = src.s
    cdef list items = PyList_New(0)
    cdef _Item item
    src.depth += 1
    src.i += 1
    _ws(src)
    if s[src.i] == 93:
        src.i += 1
        src.depth -= 1
        return items
    while True:
        if s[src.i] == 123:
            PyList_Append(items, _decode_item(src))
        else:
            item = _Item.__new__(_Item)
            item.raw = _value(src)
            PyList_Append(items, item)
        _ws(src)
        if s[src.i] == 44:
            src.i += 1
            _ws(src)
        elif s[src.i] == 93:
            src.i += 1
            src.depth -= 1
            return items
        else:
            _refuse()


cdef tuple _decode_envelope(const unsigned char* s, Py_ssize_t n):
    """``(timetoken, region, items)`` decoded from the buffer, or ``None`` when the decoder or
    the envelope's shape says no (the fallback path then decides, with the same messages)."""
    cdef _Src src
    cdef object metadata = None
    cdef object items = None
    cdef Py_ssize_t key_start
    cdef Py_ssize_t key_len
    src.s = s
    src.n = n
    src.i = 0
    src.depth = 0
    _ws(&src)
    if s[src.i] != 123:
        return None
    src.depth = 1
    src.i += 1
    _ws(&src)
    if s[src.i] != 125:
        while True:
            if s[src.i] != 34:
                _refuse()
            key_start = src.i + 1
            key_len = 0
            while 0x20 <= s[key_start + key_len] < 0x80 and s[key_start + key_len] != 34 \
                    and s[key_start + key_len] != 92:
                key_len += 1
            if s[key_start + key_len] != 34:
                _refuse()
            src.i = key_start + key_len + 1
            _ws(&src)
            if s[src.i] != 58:
                _refuse()
            src.i += 1
            _ws(&src)
            if key_len == 1 and s[key_start] == 116:      # t
                metadata = _value(&src)
            elif key_len == 1 and s[key_start] == 109:    # m
                if s[src.i] == 91:
                    items = _decode_items(&src)
                else:
                    items = _value(&src)
            else:
                _skip_value(&src)
            _ws(&src)
            if s[src.i] == 44:
                src.i += 1
                _ws(&src)
            elif s[src.i] == 125:
                break
            else:
                _refuse()
    src.i += 1
    _ws(&src)
    if src.i != n:
        _refuse()
    if type(items) is not list or type(metadata) is not dict:
        return None
    timetoken = metadata.get("t")
    if type(timetoken) is int and timetoken >= 0:
        timetoken = str(timetoken)
    elif type(timetoken) is not str or not _is_digits(timetoken):
        return None
    region = metadata.get("r")
    if type(region) is str and _is_digits(region):
        region = int(region)
    elif type(region) is not int:
        return None
    return timetoken, region, items


cdef bint _is_digits(str text):
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text)
    cdef const unsigned char* p
    cdef Py_ssize_t k
    if length == 0 or not PyUnicode_IS_COMPACT_ASCII(text):
        return False
    p = <const unsigned char*>PyUnicode_DATA(text)
    for k in range(length):
        if not (48 <= p[k] <= 57):
            return False
    return True


cdef tuple _load_envelope(object body):
    """The pure twin's ``_load_envelope`` (same checks, same messages), over ``_Item`` records."""
    try:
        envelope = _fallback_loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedSubscribeResponse("subscribe response is not JSON (%s: %s)" % (type(exc).__name__, exc)) \
            from None
    if type(envelope) is not dict:
        raise MalformedSubscribeResponse("subscribe response is not a JSON object: %.200r" % (envelope,))
    metadata = envelope.get("t")
    if type(metadata) is not dict:
        raise MalformedSubscribeResponse('subscribe response has no "t" object: %.200r' % (envelope,))
    timetoken = metadata.get("t")
    if type(timetoken) is int and timetoken >= 0:
        timetoken = str(timetoken)
    elif type(timetoken) is not str or not _is_digits(timetoken):
        raise MalformedSubscribeResponse("subscribe response timetoken t.t is not a digit string: %.200r"
                                         % (timetoken,))
    region = metadata.get("r")
    if type(region) is str and _is_digits(region):
        region = int(region)
    elif type(region) is not int:
        raise MalformedSubscribeResponse("subscribe response region t.r is not an integer: %.200r" % (region,))
    items = envelope.get("m")
    if type(items) is not list:
        raise MalformedSubscribeResponse('subscribe response has no "m" list: %.200r' % (items,))
    return timetoken, region, [_item_from_value(item) for item in items]


# --------------------------------------------------------------------------------------------
# Decryption
# --------------------------------------------------------------------------------------------

cdef class _Decryptor:
    """Calls ``decrypt``, or — for a ``PubNubCryptoModule.decrypt`` — does what it does, faster."""
    cdef object decrypt
    cdef object legacy_hook      # cryptor "0000"._decrypt_message_b64, or None
    cdef object acrh_hook        # cryptor "ACRH"._decrypt_message_b64, or None
    # what those two hooks do, called without their Python frame when they are the built-in ones
    # (crypto_core's decrypt_b64 of the selected crypto twin, with the cryptor's key and IV rule)
    cdef object b64_decrypt      # crypto_core._decrypt_b64, or None: call the hooks
    cdef object legacy_key, legacy_iv, acrh_key
    cdef bint legacy_direct, acrh_direct
    cdef object decryption_error
    cdef object decryption_error_class
    cdef object json_or_text
    cdef object utf8_text
    cdef bint fast

    cdef object call(self, object value):
        cdef str text
        cdef object hook
        cdef object plain
        cdef Py_ssize_t size
        if not self.fast or type(value) is not str:
            return self.decrypt(value)
        text = <str>value
        # The module's own routing on the base64 text (pubnub_fast.crypto.PubNubCryptoModule):
        # not "UE5FR" -> no PNED header -> legacy cryptor; "UE5FRAFBQ1JIE" + [A-P] -> ACRH with a
        # 16-byte IV; anything else -> the module's general path.
        if not text.startswith("UE5FR"):
            hook = self.legacy_hook
        elif text.startswith("UE5FRAFBQ1JIE") and PyUnicode_GET_LENGTH(text) > 13 and \
                65 <= <Py_UCS4>text[13] <= 80:
            hook = self.acrh_hook
        else:
            hook = None
        if hook is None:
            return self.decrypt(value)
        try:
            if hook is self.legacy_hook and self.legacy_direct:
                plain = self.b64_decrypt(self.legacy_key, text, self.legacy_iv)
            elif hook is self.acrh_hook and self.acrh_direct:
                plain = self.b64_decrypt(self.acrh_key, text, None, 10)
            else:
                plain = hook(text)
        except self.decryption_error_class as exc:
            raise self.decryption_error() from exc
        if type(plain) is bytes:
            # Valid UTF-8 JSON: the decoder's value is what json_or_text(utf8_text(plain)) gives.
            try:
                return _document(<const unsigned char*>PyBytes_AS_STRING(plain), PyBytes_GET_SIZE(plain))
            except _Refused:
                pass
        return self.json_or_text(self.utf8_text(plain))


cdef _Decryptor _decryptor(object decrypt):
    cdef _Decryptor result = _Decryptor.__new__(_Decryptor)
    result.decrypt = decrypt
    result.fast = False
    crypto = sys.modules.get("pubnub_fast.crypto")
    if crypto is None:  # decrypt cannot be one of its modules
        return result
    base = getattr(crypto, "PubNubCryptoModule", None)
    module = getattr(decrypt, "__self__", None)
    if base is None or module is None or not isinstance(module, base):
        return result
    if getattr(decrypt, "__func__", None) is not base.decrypt or type(module).decrypt is not base.decrypt:
        return result
    cryptor_map = getattr(module, "cryptor_map", None)
    if type(cryptor_map) is not dict:
        return result
    from pubnub_fast import crypto_core
    from pubnub_fast._crypto_errors import DecryptionError
    legacy = cryptor_map.get(module.FALLBACK_CRYPTOR_ID)
    acrh = cryptor_map.get(crypto_core.PubNubAesCbcCryptor.CRYPTOR_ID)
    result.legacy_hook = getattr(legacy, "_decrypt_message_b64", None)
    result.acrh_hook = getattr(acrh, "_decrypt_message_b64", None)
    result.b64_decrypt = crypto_core._decrypt_b64
    # the built-in hooks, not overridden: PubNubLegacyCryptor with CBC only (its key, and the
    # static IV unless the IV travels with the message), PubNubAesCbcCryptor (IV after the header)
    if result.legacy_hook is not None and isinstance(legacy, crypto_core.PubNubLegacyCryptor) and \
            type(legacy)._decrypt_message_b64 is crypto_core.PubNubLegacyCryptor._decrypt_message_b64 and \
            legacy._cbc_only is True and type(legacy._key) is bytes:
        result.legacy_direct = True
        result.legacy_key = legacy._key
        result.legacy_iv = None if legacy.use_random_iv else crypto_core.STATIC_IV
    if result.acrh_hook is not None and isinstance(acrh, crypto_core.PubNubAesCbcCryptor) and \
            type(acrh)._decrypt_message_b64 is crypto_core.PubNubAesCbcCryptor._decrypt_message_b64 and \
            type(acrh._key) is bytes:
        result.acrh_direct = True
        result.acrh_key = acrh._key
    result.decryption_error = crypto_core.decryption_error
    result.decryption_error_class = DecryptionError
    result.json_or_text = crypto_core.json_or_text
    result.utf8_text = crypto_core.utf8_text
    result.fast = True
    return result


# --------------------------------------------------------------------------------------------
# Phase 2: dispatch
# --------------------------------------------------------------------------------------------

cdef inline object _new(object cls):
    return (<PyTypeObject*>cls).tp_new(cls, <PyObject*>_EMPTY_TUPLE, NULL)


cdef object _message_result(object cls, object message, object subscription, str channel, object timetoken,
                            _Item item, object error):
    cdef object result = _new(cls)
    PyObject_SetAttr(result, A_MESSAGE, message)
    PyObject_SetAttr(result, A_SUBSCRIPTION, subscription)
    PyObject_SetAttr(result, A_CHANNEL, channel)
    PyObject_SetAttr(result, A_TIMETOKEN, timetoken)
    PyObject_SetAttr(result, A_USER_METADATA, item.u)
    PyObject_SetAttr(result, A_PUBLISHER, item.i)
    PyObject_SetAttr(result, A_ERROR, error)
    PyObject_SetAttr(result, A_CMT, item.cmt)
    return result


cdef object _publish_timetoken(object value):
    """``int(p.t)`` for a digit string or an int, else None."""
    cdef Py_ssize_t length
    cdef const unsigned char* p
    cdef long long number = 0
    cdef Py_ssize_t k
    if type(value) is str:
        if not _is_digits(<str>value):
            return None
        length = PyUnicode_GET_LENGTH(value)
        if length > 18:
            return PyLong_FromUnicodeObject(value, 10)
        p = <const unsigned char*>PyUnicode_DATA(value)
        for k in range(length):
            number = number * 10 + (p[k] - 48)
        return PyLong_FromLongLong(number)
    if type(value) is int:
        return value
    return None


cdef object _file_url(object file_url, str channel, object file_id, object file_name):
    try:
        return file_url(channel, file_id, file_name)
    except Exception:
        logger.warning("subscribe: could not build the download URL of file %r (%r) on %r", file_id, file_name,
                       channel, exc_info=True)
        return None


cdef object _dispatch(_Item item, _Decryptor decryptor, object file_url):
    """``(method, result)`` for one item, or the reason (a str) it is skipped."""
    cdef object channel_obj = item.c
    cdef str channel
    cdef object payload = item.d
    cdef object timetoken
    cdef object subscription = item.b
    cdef object type_obj = item.e
    cdef long message_type
    cdef object value
    cdef object error
    cdef object result
    if not item.is_object:
        return "malformed: the item is not an object"
    if type(channel_obj) is not str:
        return "malformed: no channel (c)"
    channel = <str>channel_obj
    if not item.has_d:
        return "malformed: no payload (d)"
    if not item.p_is_object:
        return "malformed: no publish timetoken (p)"
    timetoken = _publish_timetoken(item.pt)
    if timetoken is None:
        return "malformed: the publish timetoken p.t is not an integer"
    if subscription is not None:
        if type(subscription) is not str:
            return "malformed: the subscription (b) is not a string"
        if subscription == channel:
            subscription = None
    if type_obj is None:
        message_type = 0
    elif type(type_obj) is int:
        if not (-2147483647 <= type_obj <= 2147483647):
            return "unknown message type e=%d" % type_obj
        message_type = type_obj
    elif type(type_obj) is str and _is_digits(type_obj):  # the docs once show "e": "4"
        type_obj = int(type_obj)
        if type_obj > 2147483647:
            return "unknown message type e=%d" % type_obj
        message_type = type_obj
    else:
        return "malformed: the type (e) is not an integer"

    if _PRESENCE_SUFFIX in channel:
        if type(payload) is not dict:
            return "malformed: the presence payload is not an object"
        if channel.endswith(_PRESENCE_SUFFIX):
            channel = channel[:-7]
        if subscription is not None and subscription.endswith(_PRESENCE_SUFFIX):
            subscription = subscription[:-7]
        result = _new(PNPresenceEventResult)
        PyObject_SetAttr(result, A_EVENT, payload.get(K_ACTION))
        PyObject_SetAttr(result, A_UUID, payload.get(K_UUID))
        PyObject_SetAttr(result, A_TIMESTAMP, payload.get(K_TIMESTAMP))
        PyObject_SetAttr(result, A_OCCUPANCY, payload.get(K_OCCUPANCY))
        PyObject_SetAttr(result, A_STATE, payload.get(K_DATA))
        PyObject_SetAttr(result, A_SUBSCRIPTION, subscription)
        PyObject_SetAttr(result, A_CHANNEL, channel)
        PyObject_SetAttr(result, A_TIMETOKEN, timetoken)
        PyObject_SetAttr(result, A_USER_METADATA, None)
        PyObject_SetAttr(result, A_JOIN, payload.get(K_JOIN))
        PyObject_SetAttr(result, A_LEAVE, payload.get(K_LEAVE))
        PyObject_SetAttr(result, A_TIMEOUT, payload.get(K_TIMEOUT))
        return (M_PRESENCE, result)

    if message_type == 0:
        error = None
        if decryptor is not None:
            try:
                value = decryptor.call(payload)
            except Exception as exc:
                value = payload
                error = exc
        else:
            value = payload
        return (M_MESSAGE, _message_result(PNMessageResult, value, subscription, channel, timetoken, item, error))

    if message_type == 1:
        return (M_SIGNAL, _message_result(PNSignalMessageResult, payload, subscription, channel, timetoken, item,
                                          None))

    if message_type == 2:
        if type(payload) is not dict:
            return "malformed: the App Context payload is not an object"
        kind = _OBJECTS_EVENTS.get(payload.get(K_TYPE))
        if kind is None:
            return "unknown App Context event type %.50r" % (payload.get(K_TYPE),)
        result = _new((<tuple>kind)[1])
        PyObject_SetAttr(result, A_EVENT, payload.get(K_EVENT))
        PyObject_SetAttr(result, A_DATA, payload.get(K_DATA))
        return ((<tuple>kind)[0], result)

    if message_type == 3:
        action = payload.get(K_DATA) if type(payload) is dict else None
        if type(action) is not dict:
            return "malformed: the message action payload has no data object"
        result = _new(PNMessageActionResult)
        PyObject_SetAttr(result, A_TYPE, action.get(K_TYPE))
        PyObject_SetAttr(result, A_VALUE, action.get(K_VALUE))
        PyObject_SetAttr(result, A_MESSAGE_TIMETOKEN, action.get(K_MESSAGE_TIMETOKEN))
        PyObject_SetAttr(result, A_UUID, action.get(K_UUID) if K_UUID in action else item.i)
        PyObject_SetAttr(result, A_ACTION_TIMETOKEN, action.get(K_ACTION_TIMETOKEN))
        PyObject_SetAttr(result, A_SUBSCRIPTION, subscription)
        PyObject_SetAttr(result, A_CHANNEL, channel)
        PyObject_SetAttr(result, A_EVENT, payload.get(K_EVENT))
        return (M_ACTION, result)

    if message_type == 4:
        error = None
        value = payload
        if decryptor is not None:
            try:
                value = decryptor.call(payload)
            except Exception as exc:
                value = payload
                error = exc
        file_info = value.get(K_FILE) if type(value) is dict else None
        url = None
        if type(file_info) is dict:
            message = value.get(K_MESSAGE)
            file_id = file_info.get(K_ID)
            file_name = file_info.get(K_NAME)
            if file_url is not None and type(file_id) is str and type(file_name) is str:
                url = _file_url(file_url, channel, file_id, file_name)
        elif error is not None:
            message = payload
            file_id = None
            file_name = None
        else:
            return "malformed: the file payload has no file object"
        result = _message_result(PNFileMessageResult, message, subscription, channel, timetoken, item, error)
        PyObject_SetAttr(result, A_FILE_URL, url)
        PyObject_SetAttr(result, A_FILE_ID, file_id)
        PyObject_SetAttr(result, A_FILE_NAME, file_name)
        return (M_FILE, result)

    return "unknown message type e=%d" % message_type


cdef object _skip(object on_skip, object item, str reason):
    if on_skip is not None:
        on_skip(item, reason)
    elif reason.startswith("malformed"):
        logger.warning("subscribe: skipped an item (%s): %.300r", reason, item)
    else:
        logger.debug("subscribe: skipped an item (%s): %.300r", reason, item)


def parse_subscribe(body, decrypt=None, file_url=None, on_skip=None):
    """Parse a ``/v2/subscribe`` response body into ``(timetoken, region, events)``.

    ``body`` is the raw response (bytes or str). ``timetoken`` is ``t.t`` (a digit string),
    ``region`` ``t.r`` (an int), ``events`` the list of ``(listener_method_name, result)`` pairs in
    envelope order. ``decrypt`` (``value -> value``, raising on failure) decrypts message and file
    payloads; ``file_url(channel, file_id, file_name) -> str`` builds file download URLs (else
    ``file_url`` is ``None``); ``on_skip(item, reason)`` is told about every skipped item.

    Raises ``MalformedSubscribeResponse`` (a ``ValueError``) when the body is not JSON or not the
    ``{"t": {"t", "r"}, "m": [...]}`` shape.
    """
    cdef Py_ssize_t size
    cdef const unsigned char* buf = NULL
    cdef tuple envelope = None
    cdef list items
    cdef list events
    cdef _Item item
    cdef _Decryptor decryptor = None
    body = _as_document(body)
    try:
        buf = _buffer(body, &size)
    except UnicodeEncodeError:  # a str with lone surrogates
        buf = NULL
    if buf != NULL:
        try:
            envelope = _decode_envelope(buf, size)
        except _Refused:
            envelope = None
    if envelope is None:
        buf = NULL
        envelope = _load_envelope(body)
    timetoken, region, items = envelope
    if decrypt is not None:
        decryptor = _decryptor(decrypt)
    events = PyList_New(0)
    for item in items:
        outcome = _dispatch(item, decryptor, file_url)
        if type(outcome) is tuple:
            PyList_Append(events, outcome)
        else:
            raw = item.raw
            if raw is None and item.is_object and buf != NULL:
                raw = _fallback_loads(PyBytes_FromStringAndSize(<const char*>buf + item.start, item.end - item.start))
            _skip(on_skip, raw, outcome)
    return timetoken, region, events


def deliver(loop, list events, status, event_key):
    """Deliver the ``events`` of one subscribe response to the listeners of the
    ``SubscriptionLoop`` ``loop`` (dedupe, decryption-error status, listener calls): see the pure
    twin. The loop runs in C; the dedupe memory is the loop's ``OrderedDict``; listener methods
    are called with ``PyObject_VectorcallMethod`` (no bound method object per call)."""
    cdef object recent = loop._recent
    cdef object keys = recent._keys
    cdef Py_ssize_t size = recent._size
    cdef object holder = loop._listeners
    cdef object pubnub = loop._pubnub
    # a Listeners subclass overriding announce (sync/asyncio styles) is called through it
    cdef object announce = None if type(holder).announce is Listeners.announce else holder.announce
    cdef object announce_all = None if announce is None else getattr(holder, "announce_all", None)
    cdef list batch = [] if announce_all is not None else None
    cdef object move_to_end = keys.move_to_end
    cdef object popitem = keys.popitem
    cdef object pair, method, result, key, error, listener
    cdef PyObject* args[3]
    args[1] = <PyObject*>pubnub
    for pair in events:
        method = (<tuple>pair)[0]
        result = (<tuple>pair)[1]
        if type(result) is PNMessageResult:
            key = (getattr(result, A_CHANNEL), getattr(result, A_TIMETOKEN))
        else:
            key = event_key(method, result)
        if key is not None:
            if key in keys:
                move_to_end(key)
                continue
            keys[key] = None
            if len(keys) > size:
                popitem(False)
        if method == M_MESSAGE or method == "file":
            error = getattr(result, A_ERROR, None)
            if error is not None:
                if batch:
                    announce_all(batch)
                    batch = []
                loop._announce_decryption_error(error, result, status)
        if announce is not None:
            if announce_all is not None:
                batch.append((method, result))
            else:
                announce(method, result)
            continue
        args[2] = <PyObject*>result
        for listener in holder._listeners:
            args[0] = <PyObject*>listener
            try:
                PyObject_VectorcallMethod(method, args, 3, NULL)
            except Exception:
                _listener_logger.exception("listener %r raised in %s()", listener, method)
    if batch:
        announce_all(batch)


# --------------------------------------------------------------------------------------------
# Encoding (the server side) — the same code as the pure twin: ujson is already C.
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Building bodies (the server side): the work is ujson's, so both twins share one implementation
# --------------------------------------------------------------------------------------------

from pubnub_fast._envelope_py import encode_item, encode_subscribe, frame_subscribe  # noqa: E402
