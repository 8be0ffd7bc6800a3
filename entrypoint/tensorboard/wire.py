"""The subset of the protobuf wire format that event files need, both ways, without the protobuf package.

A message is a sequence of fields, each a key varint (field number << 3 | wire type) and a value: a varint (type 0),
8 little-endian bytes (type 1), a varint length and that many bytes (type 2: strings, bytes, sub-messages, packed
repeated numbers) or 4 little-endian bytes (type 5) (https://protobuf.dev/programming-guides/encoding/). Types 3
and 4 (groups) are deprecated and never appear in TensorBoard's messages, so they are malformed here.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
_FIXED = {FIXED64: 8, FIXED32: 4}
_MAX_VARINT = 10  # 64 bits, 7 a byte


class WireError(ValueError):
    """A malformed message; `position` is the byte within it where reading failed."""

    def __init__(self, position: int, problem: str) -> None:
        super().__init__(problem)
        self.position = position


def read_varint(data: bytes, position: int) -> tuple[int, int]:
    """(value, position after it) of the varint at `position`."""
    value = 0
    for index in range(_MAX_VARINT):
        if position + index >= len(data):
            raise WireError(position, "a varint runs past the end of its message")
        byte = data[position + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, position + index + 1
    raise WireError(position, f"a varint is longer than {_MAX_VARINT} bytes")


def fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of each field of the message `data`, in order: a varint's value as an
    unsigned int, any other value as its exact bytes."""
    position = 0
    while position < len(data):
        start = position
        key, position = read_varint(data, position)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise WireError(start, "a field has number 0")
        if wire_type == VARINT:
            value, position = read_varint(data, position)
            yield number, wire_type, value
            continue
        if wire_type == LENGTH:
            size, position = read_varint(data, position)
        elif wire_type in _FIXED:
            size = _FIXED[wire_type]
        else:
            raise WireError(start, f"field {number} has wire type {wire_type}, which event files do not use")
        if position + size > len(data):
            raise WireError(start, f"field {number} runs past the end of its message")
        yield number, wire_type, data[position:position + size]
        position += size


def signed64(value: int) -> int:
    """An int64 field's value: a varint holds a negative int64 as its 64-bit two's complement."""
    return value - (1 << 64) if value >= 1 << 63 else value


# --- writing --------------------------------------------------------------------------------------------------------

def varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # a negative int64 as its two's complement, ten bytes
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number: int, wire_type: int, value: int | bytes) -> bytes:
    """One field: its key, then a varint, or the fixed bytes as given, or the bytes length-prefixed."""
    key = varint(number << 3 | wire_type)
    if wire_type == VARINT:
        return key + varint(int(value))
    if wire_type == LENGTH:
        return key + varint(len(value)) + bytes(value)
    if len(value) != _FIXED[wire_type]:
        raise ValueError(f"field {number}: a wire type {wire_type} value has {_FIXED[wire_type]} bytes, "
                         f"not {len(value)}")
    return key + bytes(value)
