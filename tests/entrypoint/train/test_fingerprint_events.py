"""TensorBoard event files in the result fingerprint (algorithm 3): by the values logged under each tag of a folder,
not by their bytes (wall times) or names (time, host, process id); algorithm 2 still reads them by their bytes."""

import hashlib
import os
import struct
import subprocess
import sys

import pytest

from mlfcore.entrypoint.tensorboard import ScalarWriter, tfrecord, wire
from mlfcore.entrypoint.train import fingerprint

TORCH_LOG = """
import sys
import torch
from torch.utils.tensorboard import SummaryWriter

with SummaryWriter(sys.argv[1]) as writer:
    for step in range(5):
        writer.add_scalar("loss", 1 / (step + 1), step)
    writer.add_histogram("weights", torch.tensor([0.5, 1.5, 2.5]), 4)
"""

# A tiny Keras 3 fit with the TensorBoard callback: the model summary (tag `keras`), epoch metrics, the learning rate,
# weight histograms and the validation folder's own log.
KERAS_LOG = """
import sys
import numpy as np
import keras
import tensorflow as tf

keras.utils.set_random_seed(0)
tf.config.experimental.enable_op_determinism()
x = np.linspace(0, 1, 32, dtype="float32").reshape(16, 2)
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, x.sum(axis=1, keepdims=True), epochs=2, batch_size=8, verbose=0, validation_data=(x, x[:, :1]),
          callbacks=[keras.callbacks.TensorBoard(sys.argv[1], histogram_freq=1)])
"""


def run_all(script, *argument_lists):
    """Run `script` once a list of arguments, in separate processes at the same time; wait for all."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    started = [subprocess.Popen([sys.executable, "-c", script, *args], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for args in argument_lists]
    for process in started:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output


def take(folder, algorithm=fingerprint.ALGORITHM):
    return fingerprint.compute(fingerprint.output_files(folder), algorithm=algorithm)


def event_names(taken):
    return [a.name for a in taken.artifacts if a.kind == fingerprint.EVENTS]


def test_torch_logs_of_two_processes_agree_by_their_values(tmp_path):
    run_all(TORCH_LOG, [str(tmp_path / "a" / "tb")], [str(tmp_path / "b" / "tb")])
    names = {p.name for run in "ab" for p in (tmp_path / run / "tb").iterdir()}
    assert len(names) == 2  # each process named its file by its own pid
    first, second = take(tmp_path / "a"), take(tmp_path / "b")
    assert first.digest == second.digest and fingerprint.compare(first, second) is None
    assert event_names(first) == ["tb/events.out.tfevents::loss", "tb/events.out.tfevents::weights"]
    assert take(tmp_path / "a", 2).digest != take(tmp_path / "b", 2).digest  # version 2: by bytes, never equal


def test_keras_tensorboard_logs_of_two_processes_agree(tmp_path):
    run_all(KERAS_LOG, [str(tmp_path / "a" / "tb")], [str(tmp_path / "b" / "tb")])
    first, second = take(tmp_path / "a"), take(tmp_path / "b")
    # Measured with Keras 3.15 and TensorFlow 2.21: the two logs differ in wall times and file names only; the model
    # summary (`keras`, the model's JSON) and every value are the same bytes.
    assert fingerprint.compare(first, second, tmp_path / "a", tmp_path / "b") is None
    names = event_names(first)
    assert {"tb/train/events.out.tfevents::keras", "tb/train/events.out.tfevents::epoch_loss",
            "tb/validation/events.out.tfevents::epoch_loss"} <= set(names)
    assert [a for a in first.artifacts if a.kind != fingerprint.EVENTS] == []
    assert take(tmp_path / "a", 2).digest != take(tmp_path / "b", 2).digest


def write(folder, scalars, files=1):
    """`scalars` (tag, value, step) logged with our writer into `files` event files of `folder`, dealt in turn."""
    writers = [ScalarWriter(folder) for _ in range(files)]
    for index, (tag, value, step) in enumerate(scalars):
        writers[index % files].add_scalar(tag, value, step)
    for writer in writers:
        writer.close()
    return [w.path for w in writers]


SCALARS = [("loss", 0.5, 1), ("loss", 0.25, 2), ("accuracy", 0.75, 2), ("loss", 0.125, 3)]


def test_a_folders_files_are_one_log_whatever_their_number_order_or_names(tmp_path):
    write(tmp_path / "one" / "logs", SCALARS)
    write(tmp_path / "two" / "logs", SCALARS[::-1], files=2)
    write(tmp_path / "top", SCALARS)
    one = take(tmp_path / "one")
    assert one.digest == take(tmp_path / "two").digest
    assert event_names(one) == ["logs/events.out.tfevents::accuracy", "logs/events.out.tfevents::loss"]
    assert event_names(take(tmp_path / "top")) == ["events.out.tfevents::accuracy", "events.out.tfevents::loss"]
    write(tmp_path / "three" / "logs", SCALARS + [("loss", 0.125, 3)])  # logged twice: a difference
    mismatch = fingerprint.compare(one, take(tmp_path / "three"), tmp_path / "one", tmp_path / "three")
    assert mismatch.reason == "the second run logged more under this tag, from step 3 on"


def test_a_changed_value_is_named_by_its_tag_and_first_step(tmp_path):
    write(tmp_path / "a" / "logs", SCALARS)
    write(tmp_path / "b" / "logs", [(t, 0.375 if (t, s) == ("loss", 2) else v, s) for t, v, s in SCALARS])
    first, second = take(tmp_path / "a"), take(tmp_path / "b")
    assert first.digest != second.digest
    mismatch = fingerprint.compare(first, second, tmp_path / "a", tmp_path / "b")
    assert mismatch.artifact == "logs/events.out.tfevents::loss" and mismatch.others == 0
    assert mismatch.reason == "the values logged under this tag differ first at step 2 (0.25 != 0.375)"
    assert fingerprint.compare(first, second).reason == "the values logged under this tag differ"


def test_a_file_without_values_adds_nothing(tmp_path):
    write(tmp_path / "a", SCALARS)
    write(tmp_path / "b", SCALARS)
    write(tmp_path / "b", [])  # only its file-version event
    assert take(tmp_path / "a") == take(tmp_path / "b")


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_event_file_enters_by_its_bytes_under_its_own_name(tmp_path, damage):
    write(tmp_path / "a", SCALARS)
    write(tmp_path / "b", SCALARS[:2])  # loss at steps 1 and 2
    (damaged,) = write(tmp_path / "b", SCALARS[2:])  # accuracy at 2, loss at 3: lost to the damage below
    data = damaged.read_bytes()
    # The last record's data CRC fails, or the file ends inside that record.
    damaged.write_bytes(data[:-3] if damage == "truncate" else data[:-5] + bytes([data[-5] ^ 1]) + data[-4:])
    taken = take(tmp_path / "b")
    by_name = {a.name: a for a in taken.artifacts}
    assert sorted(by_name) == sorted([damaged.name, "events.out.tfevents::loss"])
    assert by_name[damaged.name].kind == fingerprint.FILE
    assert by_name[damaged.name].sha256 == hashlib.sha256(damaged.read_bytes()).hexdigest()
    assert taken.digest != take(tmp_path / "a").digest


def scalar_event(wall_time, step, tag, value):
    item = wire.field(1, wire.LENGTH, tag.encode()) + wire.field(2, wire.FIXED32, struct.pack("<f", value))
    return (wire.field(1, wire.FIXED64, struct.pack("<d", wall_time)) + wire.field(2, wire.VARINT, step)
            + wire.field(5, wire.LENGTH, wire.field(1, wire.LENGTH, item)))


def fixed_log(folder):
    """A log with fixed wall times, so that its bytes, and so its version 2 fingerprint, are known."""
    (folder / "tb").mkdir(parents=True)
    version = wire.field(1, wire.FIXED64, struct.pack("<d", 1.5)) + wire.field(3, wire.LENGTH, b"brain.Event:2")
    data = tfrecord.frame(version) + tfrecord.frame(scalar_event(2.5, 1, "loss", 0.5))
    (folder / "tb" / "events.out.tfevents.1700000000.host.1.0").write_bytes(
        data + tfrecord.frame(scalar_event(3.5, 2, "loss", 0.25)))
    (folder / "notes.txt").write_text("x")
    return folder


def test_version_2_reads_event_files_by_their_bytes_as_it_recorded_them(tmp_path):
    files = fingerprint.output_files(fixed_log(tmp_path))
    # Taken by mlf before version 3 existed (fingerprint algorithm 2), from these very bytes.
    recorded = "c00840d1eb647553c902488f6b2ac46097374ac0af3b3c7a7fd2bfde22266722"
    old = fingerprint.compute(files, {"loss": 0.25}, algorithm=2)
    assert old.digest == recorded and old.algorithm == 2
    assert [a.name for a in old.artifacts][:2] == ["notes.txt", "tb/events.out.tfevents.1700000000.host.1.0"]
    # Version 3 of the same, recorded when it was introduced: a change to it must bump the version.
    new = fingerprint.compute(files, {"loss": 0.25})
    assert new.algorithm == 3 and [a.name for a in new.artifacts][:2] == ["notes.txt", "tb/events.out.tfevents::loss"]
    assert new.digest == "77ea07ad945a95bf6c4e502ccbe2380e11c35d98fc10b3b34514ca9a1dbc8c88"


# A training preempted after logging steps 0-3 whose checkpoint was at step 2, resumed in a new writer: with
# `purge_step` (torch's way to tell TensorBoard of a restart: a SessionLog START at that step) TensorBoard shows
# steps 0-5 once each, as the uninterrupted run's log; without it, steps 2 and 3 twice. Both writers in one process,
# so their files' names (time, host, pid, a per-process counter) sort in the order they were opened, as a resumed
# run's, opened later, does.
RESUMED_LOG = """
import sys
from torch.utils.tensorboard import SummaryWriter

mode = sys.argv[2]
if mode == "whole":
    with SummaryWriter(sys.argv[1]) as writer:
        for step in range(6):
            writer.add_scalar("loss", 1 / (step + 1), step)
else:
    with SummaryWriter(sys.argv[1]) as writer:  # preempted after step 3
        for step in range(4):
            writer.add_scalar("loss", 1 / (step + 1), step)
    with SummaryWriter(sys.argv[1], purge_step=2 if mode == "purged" else None) as writer:  # resumed at step 2
        for step in range(2, 6):
            writer.add_scalar("loss", 1 / (step + 1), step)
"""


def test_a_resumed_log_that_tells_tensorboard_of_its_restart_agrees_with_the_uninterrupted_one(tmp_path):
    run_all(RESUMED_LOG, [str(tmp_path / "whole" / "tb"), "whole"], [str(tmp_path / "purged" / "tb"), "purged"],
            [str(tmp_path / "twice" / "tb"), "twice"])
    assert len(list((tmp_path / "purged" / "tb").iterdir())) == 2
    whole, purged, twice = (take(tmp_path / run) for run in ("whole", "purged", "twice"))
    assert purged.digest == whole.digest  # what TensorBoard shows: each step once
    mismatch = fingerprint.compare(whole, twice, tmp_path / "whole", tmp_path / "twice")
    assert mismatch is not None and mismatch.artifact == "tb/events.out.tfevents::loss"
    assert "differ first at step 2" in mismatch.describe()
