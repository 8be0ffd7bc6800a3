"""Event files without TensorBoard: our writer's files read by TensorBoard itself, torch's files read by our reader,
damaged files refused with the offset of the record at fault."""

import os
import re
import socket
import struct

import numpy as np
import pytest

from mlfcore.entrypoint.tensorboard import (CorruptEventFile, ScalarWriter, TruncatedEventFile, is_event_file,
                                            records)
from mlfcore.entrypoint.tensorboard import eventfile, tfrecord, wire

SCALARS = [("loss", 1.0, 0), ("loss", 0.5, 1), ("loss", 1 / 3, 2), ("lr", 0.1, 2), ("loss", -2.5, 1 << 40)]


def write_scalars(folder, scalars=SCALARS):
    with ScalarWriter(folder) as writer:
        for tag, value, step in scalars:
            writer.add_scalar(tag, value, step)
    return writer.path


def float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def offsets(path):
    return [offset for offset, _ in tfrecord.read_records(path)]


def test_crc32c_known_answers():
    # The check value of CRC-32C (RFC 3720 appendix B.4; the "check" of the CRC catalogue's CRC-32/ISCSI).
    assert tfrecord.crc32c(b"123456789") == 0xE3069283
    assert tfrecord.crc32c(b"") == 0
    assert tfrecord.crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720 B.4: 32 bytes of zeros


def test_written_scalars_read_back_in_order_as_float32(tmp_path):
    path = write_scalars(tmp_path / "tb")
    assert is_event_file(path) and path.parent == tmp_path / "tb"
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{re.escape(socket.gethostname())}\.{os.getpid()}\.\d+",
                        path.name)
    got = list(records(path))
    assert [(v.tag, v.step, v.kind) for v in got] == [(t, s, "simple_value") for t, _, s in SCALARS]
    assert [v.scalar for v in got] == [float32(value) for _, value, _ in SCALARS]
    assert got[2].scalar != 1 / 3  # stored as a float32, as TensorBoard's simple_value is


def test_two_writers_in_one_second_write_two_files(tmp_path):
    first, second = write_scalars(tmp_path), write_scalars(tmp_path)
    assert first != second and first.exists() and second.exists()


def test_each_add_is_on_disk_before_close(tmp_path):
    writer = ScalarWriter(tmp_path)
    writer.add_scalar("loss", 0.25, 7)
    # Read while the writer is open, as a run killed now would leave the file.
    assert [(v.tag, v.step, v.scalar) for v in records(writer.path)] == [("loss", 7, 0.25)]
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match="is closed"):
        writer.add_scalar("loss", 0.5, 8)


@pytest.mark.parametrize(("tag", "step", "words"), [
    ("", 1, "non-empty string"), (None, 1, "non-empty string"), ("t", 1.0, "int64"), ("t", True, "int64"),
    ("t", 1 << 63, "int64")])
def test_bad_tags_and_steps_are_named(tmp_path, tag, step, words):
    with ScalarWriter(tmp_path) as writer, pytest.raises(ValueError, match=words):
        writer.add_scalar(tag, 1.0, step)


def test_numpy_numbers_are_taken(tmp_path):
    path = write_scalars(tmp_path, [("loss", np.float32(0.5), np.int64(3))])
    assert [(v.step, v.scalar) for v in records(path)] == [(3, 0.5)]


def test_out_of_range_values_become_infinities(tmp_path):
    path = write_scalars(tmp_path, [("big", 1e300, 0), ("small", -1e300, 0)])
    assert [v.scalar for v in records(path)] == [float("inf"), float("-inf")]


def test_tensorboard_itself_reads_our_files(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    write_scalars(tmp_path)
    accumulator = EventAccumulator(str(tmp_path))
    accumulator.Reload()
    assert sorted(accumulator.Tags()["scalars"]) == ["loss", "lr"]
    for tag in ("loss", "lr"):
        expected = [(step, float32(value)) for t, value, step in SCALARS if t == tag]
        assert [(e.step, e.value) for e in accumulator.Scalars(tag)] == expected
    assert accumulator.file_version == 2.0  # our first event, "brain.Event:2"


def test_we_read_torch_summary_writer_files(tmp_path):
    from tensorboard.compat.proto.summary_pb2 import HistogramProto
    from torch.utils.tensorboard import SummaryWriter

    values = np.arange(10, dtype=np.float64)
    with SummaryWriter(str(tmp_path)) as writer:
        writer.add_scalar("train/loss", 0.75, 3)
        writer.add_histogram("weights", values, 4)
    (path,) = [p for p in tmp_path.iterdir() if is_event_file(p)]
    got = list(records(path))
    assert [(v.tag, v.step, v.kind) for v in got] == [("train/loss", 3, "simple_value"), ("weights", 4, "histo")]
    assert got[0].scalar == 0.75
    histogram = HistogramProto.FromString(got[1].payload)  # the payload is the message's exact bytes
    assert (histogram.min, histogram.max, histogram.num, histogram.sum) == (0.0, 9.0, 10.0, 45.0)


def test_a_failed_checksum_names_the_file_and_offset_after_the_values_before_it(tmp_path):
    path = write_scalars(tmp_path)
    third = offsets(path)[2]  # the file version, loss@0, then this one: loss@1
    data = bytearray(path.read_bytes())
    data[third + 12 + 3] ^= 0x01  # a bit of the record's data
    path.write_bytes(bytes(data))
    got = []
    with pytest.raises(CorruptEventFile) as caught:
        got.extend(records(path))
    assert [(v.tag, v.step) for v in got] == [("loss", 0)]
    assert caught.value.offset == third and not isinstance(caught.value, TruncatedEventFile)
    assert str(path) in caught.value.message and f"byte {third}" in caught.value.message
    assert "data fails its CRC32C" in caught.value.message


def test_a_damaged_length_is_caught_before_it_is_used(tmp_path):
    path = write_scalars(tmp_path)
    second = offsets(path)[1]
    data = bytearray(path.read_bytes())
    data[second + 7] = 0x7F  # the length's top byte: ~9e18 bytes, were it believed
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptEventFile, match="length fails its CRC32C") as caught:
        list(records(path))
    assert caught.value.offset == second


@pytest.mark.parametrize("cut", [5, 12, 20, -1])  # in the header, after it, in the data, in the data's CRC
def test_a_truncated_last_record_is_an_error_after_the_records_before_it(tmp_path, cut):
    path = write_scalars(tmp_path)
    last = offsets(path)[-1]
    path.write_bytes(path.read_bytes()[:last + cut if cut > 0 else cut])
    got = []
    with pytest.raises(TruncatedEventFile) as caught:
        got.extend(records(path))
    assert [(v.tag, v.step) for v in got] == [(t, s) for t, _, s in SCALARS[:-1]]
    assert caught.value.offset == last and "truncated event file" in caught.value.message


def test_a_malformed_message_names_its_byte(tmp_path):
    path = tmp_path / f"{eventfile.PREFIX}bad"
    good = wire.field(2, wire.VARINT, 5)
    path.write_bytes(tfrecord.frame(good) + tfrecord.frame(good + b"\xff" * 11))  # a varint longer than 10 bytes
    with pytest.raises(CorruptEventFile, match="varint is longer than 10 bytes") as caught:
        list(records(path))
    second = len(tfrecord.frame(good))
    assert caught.value.offset == second + 12 + len(good)  # the record's offset, its header, the good field


def test_values_without_summaries_and_other_fields_are_skipped(tmp_path):
    # An event with a graph (4) and a log message (6), and a value with display metadata (9) before its tensor (8):
    # only the tensor's bytes come back.
    value = wire.field(1, wire.LENGTH, b"t") + wire.field(9, wire.LENGTH, b"meta") + wire.field(8, wire.LENGTH, b"xy")
    event = (wire.field(1, wire.FIXED64, struct.pack("<d", 1.5)) + wire.field(2, wire.VARINT, -4)
             + wire.field(4, wire.LENGTH, b"graph") + wire.field(6, wire.LENGTH, b"log")
             + wire.field(5, wire.LENGTH, wire.field(1, wire.LENGTH, value)))
    path = tmp_path / f"{eventfile.PREFIX}x"
    path.write_bytes(tfrecord.frame(wire.field(3, wire.LENGTH, b"brain.Event:2")) + tfrecord.frame(event))
    assert list(records(path)) == [eventfile.SummaryValue("t", -4, "tensor", b"xy")]
    with pytest.raises(ValueError, match="not a simple_value"):
        list(records(path))[0].scalar


def test_event_files_are_known_by_name(tmp_path):
    assert is_event_file("a/events.out.tfevents.1700000000.host.12.0.v2")
    assert not is_event_file("events.out.tfevents") and not is_event_file("x.events.out.tfevents.1")
