"""The step hook: counting, periodic checkpoints, stopping at a step and on SIGTERM, agreement across ranks."""

import os
import signal

import pytest

from mlfcore.entrypoint import variables
from mlfcore.entrypoint.steps import EXIT_PREEMPTED, Preempted, Steps, keras_callback, xgboost_callback

pytestmark = pytest.mark.stress  # signals delivered to this process


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
    steps = Steps(lambda step, why: saved.append((step, why)), environ={}, agree=lambda mine: max(mine, 1)).start()
    with pytest.raises(Preempted):
        steps.done()
    assert saved == [(1, "another rank stops")]
    # a stop step of its own that this rank has not reached yet is not why it stops
    later = Steps(lambda step, why: saved.append((step, why)), environ={variables.MLF_STOP_AT_STEP: "5"},
                  agree=lambda mine: max(mine, 1)).start()
    with pytest.raises(Preempted):
        later.done()
    assert saved[-1] == (1, "another rank stops")


def test_a_signal_on_any_rank_is_the_reason_every_rank_records():
    # The race a SIGTERM to the whole job makes: this rank's handler has not run yet when it checks, another
    # rank's has. The group's reason is the signal, on this rank too, and this rank's own later signal changes
    # nothing.
    other_rank = 256 + signal.SIGTERM
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), environ={},
                  agree=lambda mine: max(mine, other_rank)).start()
    try:
        assert steps.done(raise_on_stop=False) is True
        assert saved == [(1, "signal SIGTERM")]
    finally:
        steps.close()


def test_a_signal_outranks_the_stop_step_in_the_agreement():
    codes = []

    def agree(mine):
        codes.append(mine)
        return mine

    steps = Steps(lambda step, why: None, environ={variables.MLF_STOP_AT_STEP: "1"}, agree=agree).start()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        assert steps.done(raise_on_stop=False) is True
    finally:
        steps.close()
    stop_step_code = 1
    assert codes[0] > stop_step_code and steps.stop_reason() == "signal SIGTERM"


def test_a_signal_after_the_last_steps_end_is_checkpointed_by_stop_reason():
    # The window a framework's own loop leaves: the last batch's callback has run, fit has not returned yet.
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), environ={}).start()
    try:
        assert steps.done(raise_on_stop=False) is False
        os.kill(os.getpid(), signal.SIGTERM)
        assert steps.stop_reason() == "signal SIGTERM"
        assert saved == [(1, "signal SIGTERM")] and steps.step == 1  # at the step reached, no step counted
        assert steps.stop_reason() == "signal SIGTERM" and len(saved) == 1  # acted on once
    finally:
        steps.close()


def test_boundary_raises_preempted_after_its_checkpoint_and_is_quiet_without_a_stop():
    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), every=1, environ={}).start()
    steps.done()
    assert steps.boundary() is False and saved == [(1, None)]  # no periodic checkpoint at a boundary
    os.kill(os.getpid(), signal.SIGTERM)
    with pytest.raises(Preempted) as stopped:
        steps.boundary()
    assert stopped.value.code == 143 and saved[-1] == (1, "signal SIGTERM")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # closed before raising


def test_a_boundary_takes_part_in_the_agreement():
    codes = []
    steps = Steps(lambda step, why: None, environ={}, agree=lambda mine: codes.append(mine) or 256 + 15).start()
    try:
        assert steps.boundary(raise_on_stop=False) is True and codes == [0]
        assert steps.stopped == "signal SIGTERM"  # another rank's signal
    finally:
        steps.close()


def test_a_signal_after_the_last_boundary_lets_the_training_finish_and_says_so(capsys):
    steps = Steps(lambda step, why: None, environ={}).start()
    steps.done()
    os.kill(os.getpid(), signal.SIGTERM)
    steps.close()
    assert "SIGTERM arrived after the last step (step 1): the training finishes" in capsys.readouterr().err
    assert steps.stopped is None


def test_a_bad_environment_value_is_a_clear_error():
    with pytest.raises(ValueError, match="MLF_CHECKPOINT_EVERY must be a non-negative integer, got 'ten'"):
        Steps(environ={variables.MLF_CHECKPOINT_EVERY: "ten"})


def test_an_xgboost_round_is_a_step_and_a_stop_ends_the_boosting():
    import numpy as np
    import xgboost

    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), stop_at=3, environ={}).start()
    rows = np.random.default_rng(0).random((64, 4))
    booster = xgboost.train({"nthread": 1}, xgboost.DMatrix(rows, label=rows[:, 0]), 10,
                            callbacks=[xgboost_callback(steps)])
    assert booster.num_boosted_rounds() == 3
    assert saved == [(3, "MLF_STOP_AT_STEP=3")] and steps.model is not None


@pytest.mark.slow  # imports TensorFlow (about 10 s)
def test_a_keras_batch_is_a_step_and_a_stop_ends_fit():
    import keras
    import numpy as np

    saved = []
    steps = Steps(lambda step, why: saved.append((step, why)), stop_at=2, environ={}).start()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    rows = np.zeros((40, 3), dtype="float32")
    model.fit(rows, rows[:, :1], batch_size=4, epochs=3, verbose=0, callbacks=[keras_callback(steps)])
    assert steps.step == 2 and saved == [(2, "MLF_STOP_AT_STEP=2")]
    assert int(model.optimizer.iterations.numpy()) == 2
