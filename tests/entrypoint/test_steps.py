"""The step hook: counting, periodic checkpoints, stopping at a step and on SIGTERM, agreement across ranks."""

import os
import signal

import pytest

from mlfcore.entrypoint import variables
from mlfcore.entrypoint.steps import EXIT_PREEMPTED, Preempted, Steps


def test_checkpoints_every_n_steps_and_counts_from_the_restored_step():
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), every=3, environ={}).start(4)
    for _ in range(5):
        assert steps.done() is False
    assert steps.step == 9
    assert saved == [(6, None), (9, None)]
    steps.close()


def test_stop_at_step_checkpoints_then_raises_preempted_with_143():
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)),
                  environ={variables.MLF_STOP_AT_STEP: "2"}).start()
    steps.done()
    with pytest.raises(Preempted) as stopped:
        steps.done()
    assert stopped.value.code == EXIT_PREEMPTED == 143
    assert saved == [(2, "MLF_STOP_AT_STEP=2")]


def test_sigterm_is_acted_on_at_the_end_of_the_step_not_before():
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), environ={}).start()
    try:
        os.kill(os.getpid(), signal.SIGTERM)  # the handler only records it: this process keeps running
        assert saved == []
        assert steps.done(raise_on_stop=False) is True
        assert saved == [(1, "signal SIGTERM")]
    finally:
        steps.close()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_another_ranks_stop_stops_this_one_at_the_same_step():
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), environ={}, agree=lambda mine: True).start()
    with pytest.raises(Preempted):
        steps.done()
    assert saved == [(1, "another rank stops")]


def test_a_bad_environment_value_is_a_clear_error():
    with pytest.raises(ValueError, match="MLF_CHECKPOINT_EVERY must be a non-negative integer, got 'ten'"):
        Steps(environ={variables.MLF_CHECKPOINT_EVERY: "ten"})
