"""A small, strict CBOR (RFC 8949) codec: what Access Manager v3 tokens need, nothing more.

Supported: unsigned and negative integers (up to 64-bit), byte strings, UTF-8 text strings,
arrays, maps, ``false``/``true``/``null`` and half/single/double floats — all of *definite*
length. Not supported, and reported as errors: indefinite-length items, tags, ``undefined`` and
other simple values, reserved encodings.

Both directions are iterative (an explicit stack, never Python recursion), so deeply nested
input cannot exhaust the interpreter's stack; nesting is limited by ``max_depth``. The decoder
also limits the input size and checks every declared length against the bytes that remain
before allocating anything, so a tiny input cannot announce a huge array. Every problem raises
:class:`CBORDecodeError` / :class:`CBOREncodeError` (both ``ValueError``) with the offset and
the reason; nothing else escapes for any input bytes.

    >>> dumps({b"v": 2}).hex()
    'a1417602'
    >>> loads(dumps([1, -2, "three", b"4", 5.5, None, True]))
    [1, -2, 'three', b'4', 5.5, None, True]
"""
import itertools
import struct

__all__ = ["loads", "dumps", "CBORDecodeError", "CBOREncodeError", "DEFAULT_MAX_DEPTH", "DEFAULT_MAX_SIZE"]

#: Deepest nesting of arrays/maps accepted (both directions).
DEFAULT_MAX_DEPTH = 64
#: Largest input ``loads`` accepts, in bytes.
DEFAULT_MAX_SIZE = 1024 * 1024

_UINT64_LIMIT = 1 << 64
_NO_KEY = object()
_KEY_TYPES = (str, bytes, int, float, bool, type(None))
_MAJOR_NAMES = ("unsigned integer", "negative integer", "byte string", "text string", "array", "map", "tag",
                "simple value/float")


class CBORDecodeError(ValueError):
    """The input is not CBOR this codec accepts (malformed, truncated, unsupported, too big)."""


class CBOREncodeError(ValueError):
    """The value cannot be encoded (unsupported type, integer out of range, too deeply nested)."""


# --- decoding ------------------------------------------------------------------------------------

def loads(data, *, max_depth=DEFAULT_MAX_DEPTH, max_size=DEFAULT_MAX_SIZE):
    """Decode one CBOR item that spans all of ``data`` (bytes-like).

    Byte strings come back as ``bytes``, text strings as ``str``, arrays as ``list``, maps as
    ``dict`` (keys in encoded order; a duplicate key is an error, as is a key that is an array
    or a map).
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif not isinstance(data, bytes):
        raise TypeError("CBOR input must be bytes-like, not %s" % type(data).__name__)
    size = len(data)
    if size > max_size:
        raise CBORDecodeError("CBOR input is %d bytes; the limit is %d" % (size, max_size))
    if size == 0:
        raise CBORDecodeError("CBOR input is empty")

    pos = 0
    # frames: [container, items still expected, pending map key (or _NO_KEY), offset of the head]
    stack = []
    while True:
        if pos >= size:
            raise CBORDecodeError("CBOR input is truncated: an item is missing at offset %d" % pos)
        start = pos
        initial = data[pos]
        pos += 1
        major = initial >> 5
        info = initial & 0x1F

        if major == 7:
            value, pos = _simple_or_float(data, pos, info, start)
        else:
            if info < 24:
                arg = info
            elif info <= 27:
                width = 1 << (info - 24)
                if size - pos < width:
                    raise CBORDecodeError("CBOR input is truncated: the %s at offset %d needs %d more bytes"
                                          % (_MAJOR_NAMES[major], start, width))
                arg = int.from_bytes(data[pos:pos + width], "big")
                pos += width
            elif info == 31:
                raise CBORDecodeError("indefinite-length %s at offset %d is not supported"
                                      % (_MAJOR_NAMES[major], start))
            else:
                raise CBORDecodeError("reserved additional information %d at offset %d" % (info, start))

            if major == 0:
                value = arg
            elif major == 1:
                value = -1 - arg
            elif major == 2 or major == 3:
                if arg > size - pos:
                    raise CBORDecodeError("CBOR input is truncated: the %s at offset %d declares %d bytes, "
                                          "%d remain" % (_MAJOR_NAMES[major], start, arg, size - pos))
                raw = data[pos:pos + arg]
                pos += arg
                if major == 2:
                    value = raw
                else:
                    try:
                        value = raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise CBORDecodeError("the text string at offset %d is not valid UTF-8 (%s)"
                                              % (start, exc.reason)) from None
            elif major == 4 or major == 5:
                # every item takes at least one byte: reject impossible lengths before allocating
                needed = arg if major == 4 else 2 * arg
                if needed > size - pos:
                    raise CBORDecodeError("CBOR input is truncated: the %s at offset %d declares %d items, "
                                          "only %d bytes remain" % (_MAJOR_NAMES[major], start, arg, size - pos))
                if arg == 0:
                    value = [] if major == 4 else {}
                else:
                    if len(stack) >= max_depth:
                        raise CBORDecodeError("CBOR nesting deeper than %d levels at offset %d" % (max_depth, start))
                    stack.append([[] if major == 4 else {}, arg, _NO_KEY, start])
                    continue
            else:  # major 6
                raise CBORDecodeError("CBOR tag %d at offset %d is not supported" % (arg, start))

        # hand the finished value to its container; completed containers bubble up
        while True:
            if not stack:
                if pos != size:
                    raise CBORDecodeError("%d unexpected bytes after the CBOR item (offset %d)" % (size - pos, pos))
                return value
            frame = stack[-1]
            container = frame[0]
            if type(container) is list:
                container.append(value)
                frame[1] -= 1
            elif frame[2] is _NO_KEY:
                if not isinstance(value, _KEY_TYPES):
                    raise CBORDecodeError("a map key must be a scalar, not %s (map at offset %d)"
                                          % (type(value).__name__, frame[3]))
                frame[2] = value
                break
            else:
                key = frame[2]
                if key in container:
                    raise CBORDecodeError("duplicate map key %r (map at offset %d)" % (key, frame[3]))
                container[key] = value
                frame[2] = _NO_KEY
                frame[1] -= 1
            if frame[1]:
                break
            stack.pop()
            value = container


def _simple_or_float(data, pos, info, start):
    """Major type 7: ``false``/``true``/``null`` or a float; returns ``(value, new_pos)``."""
    if info == 20:
        return False, pos
    if info == 21:
        return True, pos
    if info == 22:
        return None, pos
    if 25 <= info <= 27:
        width, fmt = ((2, ">e"), (4, ">f"), (8, ">d"))[info - 25]
        if len(data) - pos < width:
            raise CBORDecodeError("CBOR input is truncated: the float at offset %d needs %d more bytes"
                                  % (start, width))
        return struct.unpack(fmt, data[pos:pos + width])[0], pos + width
    if info == 23:
        raise CBORDecodeError("CBOR 'undefined' at offset %d is not supported" % start)
    if info == 31:
        raise CBORDecodeError("unexpected CBOR 'break' at offset %d (indefinite lengths are not supported)" % start)
    if info == 24 or info < 20:
        raise CBORDecodeError("CBOR simple value at offset %d is not supported" % start)
    raise CBORDecodeError("reserved additional information %d at offset %d" % (info, start))


# --- encoding ------------------------------------------------------------------------------------

def _head(out, major, arg):
    kind = major << 5
    if arg < 24:
        out.append(kind | arg)
    elif arg < 0x100:
        out.append(kind | 24)
        out.append(arg)
    elif arg < 0x10000:
        out.append(kind | 25)
        out += arg.to_bytes(2, "big")
    elif arg < 0x100000000:
        out.append(kind | 26)
        out += arg.to_bytes(4, "big")
    else:
        out.append(kind | 27)
        out += arg.to_bytes(8, "big")


def dumps(value, *, max_depth=DEFAULT_MAX_DEPTH):
    """Encode ``value`` as CBOR (definite lengths; the shortest integer/length heads).

    ``None``, ``bool``, ``int`` (−2⁶⁴ … 2⁶⁴−1), ``float`` (as a double), ``str``, bytes-like,
    ``list``/``tuple`` and ``dict`` (keys in insertion order). A self-referencing container
    fails on the depth limit.
    """
    out = bytearray()
    stack = [iter((value,))]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        if item is None:
            out.append(0xF6)
        elif item is True:
            out.append(0xF5)
        elif item is False:
            out.append(0xF4)
        elif isinstance(item, int):
            if 0 <= item < _UINT64_LIMIT:
                _head(out, 0, item)
            elif -_UINT64_LIMIT <= item < 0:
                _head(out, 1, -1 - item)
            else:
                raise CBOREncodeError("integer %d does not fit in 64 bits" % item)
        elif isinstance(item, float):
            out.append(0xFB)
            out += struct.pack(">d", item)
        elif isinstance(item, str):
            try:
                raw = item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise CBOREncodeError("text cannot be encoded as UTF-8: %s" % exc.reason) from None
            _head(out, 3, len(raw))
            out += raw
        elif isinstance(item, (bytes, bytearray, memoryview)):
            raw = bytes(item)
            _head(out, 2, len(raw))
            out += raw
        elif isinstance(item, (list, tuple)):
            if len(stack) > max_depth:
                raise CBOREncodeError("value nested deeper than %d levels (or self-referencing)" % max_depth)
            _head(out, 4, len(item))
            stack.append(iter(item))
        elif isinstance(item, dict):
            if len(stack) > max_depth:
                raise CBOREncodeError("value nested deeper than %d levels (or self-referencing)" % max_depth)
            for key in item:
                if not isinstance(key, _KEY_TYPES):
                    raise CBOREncodeError("a map key must be a scalar, not %s" % type(key).__name__)
            _head(out, 5, len(item))
            stack.append(itertools.chain.from_iterable(list(item.items())))
        else:
            raise CBOREncodeError("cannot encode %s as CBOR" % type(item).__name__)
    return bytes(out)
