"""TFRecord framing, the container of TensorBoard event files, and its checksum (CRC32C), in plain Python.

A record on disk is: the data's length as a little-endian uint64, a masked CRC32C of those 8 bytes (uint32 LE), the
data, a masked CRC32C of the data (uint32 LE). The format is TensorFlow's (tensorflow/core/lib/io/record_writer.h,
"Format of a single record"; TensorBoard writes it in tensorboard/summary/writer/record_writer.py); the mask is
crc32c/crc32c.h's `Mask`: rotate right by 15 bits and add 0xa282ead8, so that a CRC of data that holds CRCs is not
itself trivially zero.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import CorruptEventFile, TruncatedEventFile

HEADER = struct.Struct("<QI")  # length, masked CRC32C of the length's 8 bytes
FOOTER = struct.Struct("<I")  # masked CRC32C of the data
_MASK_DELTA = 0xA282EAD8
_POLY = 0x82F63B78  # Castagnoli's polynomial, bit-reversed (RFC 3720, section 12.1 and appendix B.4)


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of `data`, one table lookup a byte. Pure Python on purpose: mlf reads event files in any
    image, and a fingerprint reads each file once (measured about 10 MB/s on one core, Python 3.11)."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(data: bytes) -> bytes:
    """`data` as one record: length, its CRC, the data, its CRC."""
    length = struct.pack("<Q", len(data))
    return length + FOOTER.pack(masked_crc(length)) + data + FOOTER.pack(masked_crc(data))


def _read(stream: BinaryIO, size: int, path: Path, offset: int, what: str) -> bytes:
    chunk = stream.read(size)
    if len(chunk) != size:
        raise TruncatedEventFile(path, offset, f"the file ends inside the record's {what} ({len(chunk)} of {size} "
                                               "bytes): the writer stopped mid-record")
    return chunk


def read_records(path: Path) -> Iterator[tuple[int, bytes]]:
    """(byte offset, data) of each record of the file at `path`, checksums verified.

    Raises CorruptEventFile at a checksum that does not match, and TruncatedEventFile where the file ends inside a
    record (see errors.py for why that is an error and not the end of the file)."""
    with path.open("rb") as stream:
        offset = 0
        while True:
            first = stream.read(1)
            if not first:
                return
            header = first + _read(stream, HEADER.size - 1, path, offset, "header")
            length, length_crc = HEADER.unpack(header)
            if masked_crc(header[:8]) != length_crc:
                raise CorruptEventFile(path, offset, "the record's length fails its CRC32C check")
            data = _read(stream, length, path, offset, "data")
            (data_crc,) = FOOTER.unpack(_read(stream, FOOTER.size, path, offset, "data checksum"))
            if masked_crc(data) != data_crc:
                raise CorruptEventFile(path, offset, "the record's data fails its CRC32C check")
            yield offset, data
            offset += HEADER.size + length + FOOTER.size
