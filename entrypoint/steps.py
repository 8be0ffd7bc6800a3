"""The step hook: what one training step is, per framework, and what happens at a step's end.

One small API serves resume, preemption, `mlf verify --resume-at` and `mlf bench`. A step is one update of the
model: one optimizer step of a loop the program writes (PyTorch's), which calls `steps.done()` after it; one batch
of Keras' `fit` or one boosting round of XGBoost, through the framework's callback. Each framework's adapter — torch's agreement between
ranks, Keras' and XGBoost's callbacks — and its resume live in its folder (frameworks/<name>/steps.py, resume.py,
docs/distributed.md); this module is the part every framework shares.

At the end of every step the hook may checkpoint (every N steps, `MLF_CHECKPOINT_EVERY`), and it stops the training
— after a checkpoint — when SIGTERM arrived (what Slurm's `--signal` and Kubernetes send before the kill), or when
the step named by `MLF_STOP_AT_STEP` is reached (`mlf verify --resume-at`, `mlf bench`). A stopped training exits
with `EXIT_PREEMPTED` (143, the code of a process ended by SIGTERM), so supervisors and `mlf train` see it as killed.
Checkpoints happen only where the training's state is consistent: at a step's end (`done()`), or between steps where
the state is still that of the last step's end (`boundary()`, `stop_reason()`: after an epoch's batches, after a
framework's own loop returned). A signal in the middle of a step is acted on when the step ends, which takes
milliseconds for the bundled examples (the grace period is Slurm's `--signal` lead time or Kubernetes'
`terminationGracePeriodSeconds`, 30 s by default). A signal that lands after a step's end, while the framework winds
its loop down (Keras ends the epoch, XGBoost evaluates its last round), sees no further step end in that loop: the
caller's `stop_reason()` after the loop acts on it — checkpoint first, then the reason. (Measured on a busy 2-core
machine: Keras' end of an epoch took 28 to 160 ms between the last batch's callback and `fit` returning; a SIGTERM
landing there used to end the run with exit 143 and no stop checkpoint.) A signal that lands after the last
boundary a training calls lets it finish: it exits 0 with its outputs complete, and `close()` says so on stderr.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from . import variables

EXIT_PREEMPTED = 128 + signal.SIGTERM


def stop_at(step: int) -> dict[str, str]:
    """The variables that make a training's step hook checkpoint after `step` and stop: what `mlf verify
    --resume-at` and `mlf bench` give the training (the one writer of MLF_STOP_AT_STEP; Steps reads it)."""
    if not isinstance(step, int) or isinstance(step, bool) or step < 1:
        raise ValueError(f"the stop step must be a positive integer, got {step!r}")
    return {variables.MLF_STOP_AT_STEP: str(step)}
_SIGNALLED = 256  # reason codes at or above it are a signal: _SIGNALLED + its number


class Preempted(SystemExit):
    """Raised by `Steps.done()` after the checkpoint when the training must stop; exits the process with 143."""

    def __init__(self, step: int, reason: str) -> None:
        super().__init__(EXIT_PREEMPTED)
        self.step = step
        self.reason = reason


def _int_from(environ, name: str) -> int | None:
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a non-negative integer, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {raw!r}")
    return value


class Steps:
    """Counts steps and decides, at each step's end, whether to checkpoint and whether to stop.

    `save(step, stopping)` writes the checkpoint of the state after `step` steps (`stopping`: why the training
    stops after it, or None). `every` (default: MLF_CHECKPOINT_EVERY,
    else never) checkpoints periodically; `stop_at` (default: MLF_STOP_AT_STEP) stops after that step. SIGTERM is
    caught from `start()` to `close()` and acted on at the next step end. `times` keeps each step's duration when
    asked (`mlf bench`).
    """

    def __init__(self, save: Callable[[int, str | None], None] | None = None, *, every: int | None = None,
                 stop_at: int | None = None, environ=None, keep_times: bool = False,
                 agree: Callable[[int], int] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self.save = save
        # In a distributed run every rank must stop at the same step (a checkpoint is a collective), and for the
        # same stated reason: `agree` turns this rank's reason code into the group's, the highest any rank has
        # (torch_agreement: an all-reduce MAX). A SIGTERM sent to the whole job reaches the ranks microseconds
        # apart; with a flag alone, a rank whose handler ran just after its own check recorded "another rank
        # stops" in the checkpoint while it had been signalled too (seen once in a CI run of the 2-rank test).
        self.agree = agree
        self.every = every if every is not None else _int_from(environ, variables.MLF_CHECKPOINT_EVERY)
        self.stop_at = stop_at if stop_at is not None else _int_from(environ, variables.MLF_STOP_AT_STEP)
        self.step = 0
        self.signalled: int | None = None
        self.stopped: str | None = None  # why the training stops, once a step's end or a boundary acted on it
        # `mlf bench` asks for each step's duration in a file, written when the training stops
        self.times_file = environ.get(variables.MLF_STEP_TIMES) or None
        self.times: list[float] | None = [] if keep_times or self.times_file else None
        self._previous = None
        self._last = time.perf_counter()

    def start(self, step: int = 0) -> Steps:
        """Begin counting at `step` (the step a checkpoint restored) and catch SIGTERM. Idempotent."""
        self.step = step
        self._last = time.perf_counter()
        if self._previous is None:
            self._previous = signal.signal(signal.SIGTERM, self._on_signal)
        return self

    def _on_signal(self, signum, _frame) -> None:
        self.signalled = signum  # acted on at the step's end: state is only consistent between steps

    def close(self) -> None:
        """Stop catching SIGTERM (the previous handler is back). A signal caught after the last step's end and
        boundary was not acted on: the training finishes, and this says so."""
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
            self._previous = None
            if self.signalled is not None and self.stopped is None:
                import sys

                sys.stderr.write(f"mlf: {signal.Signals(self.signalled).name} arrived after the last step (step "
                                 f"{self.step}): the training finishes instead of stopping\n")
                sys.stderr.flush()

    def stop_reason(self) -> str | None:
        """Why the training stops, or None when it goes on. Call it between steps, where the state is the last
        step's (after a framework's loop returned): a stop that arrived after that step's end is acted on here
        first, as `boundary()` does — so a signal never ends the training without its checkpoint."""
        self.boundary(raise_on_stop=False)
        return self.stopped

    def _code(self) -> int:
        """This rank's reason to stop as a number that orders reasons by strength: 0 none, 1 the stop step,
        _SIGNALLED + signal number for a signal (a signal outranks the stop step: it will kill the process)."""
        if self.signalled is not None:
            return _SIGNALLED + self.signalled
        if self.stop_at is not None and self.step >= self.stop_at:
            return 1
        return 0

    def _reason(self, code: int) -> str | None:
        if code >= _SIGNALLED:
            return f"signal {signal.Signals(code - _SIGNALLED).name}"
        if code == 1:
            # the ranks normally read the same environment, so the stop step is the group's; a rank that has not
            # reached a stop step of its own says that another rank stopped the group
            reached = self.stop_at is not None and self.step >= self.stop_at
            return f"{variables.MLF_STOP_AT_STEP}={self.stop_at}" if reached else "another rank stops"
        return None

    def done(self, *, raise_on_stop: bool = True) -> bool:
        """One step ended. Checkpoint when due; when the training must stop, checkpoint and raise Preempted (or
        return True with `raise_on_stop=False`, for frameworks that stop through their own flag)."""
        now = time.perf_counter()
        if self.times is not None:
            self.times.append(now - self._last)
        self._last = now
        self.step += 1
        return self._act(raise_on_stop, periodic=True)

    def boundary(self, *, raise_on_stop: bool = True) -> bool:
        """Between steps, where the state is still that of the last step's end (after an epoch's batches, before
        its evaluation): act on a stop that arrived since then as `done()` would — checkpoint at the step reached,
        then raise Preempted (or return True). Counts no step. In a distributed run every rank calls it at the
        same place (it takes part in the agreement). True at once when the training already stopped."""
        if self.stopped is not None:
            return True
        return self._act(raise_on_stop, periodic=False)

    def _act(self, raise_on_stop: bool, periodic: bool) -> bool:
        code = self._code()
        if self.agree is not None:
            code = self.agree(code)  # the group's reason: every rank checkpoints and records the same one
        reason = self._reason(code)
        due = reason is not None or (periodic and self.every and self.step % self.every == 0)
        if due and self.save is not None:
            self.save(self.step, reason)
        if reason is None:
            return False
        self.stopped = reason
        if self.times_file:
            Path(self.times_file).write_text(json.dumps({"first_step": self.step - len(self.times) + 1,
                                                         "seconds": self.times}))
        if raise_on_stop:
            self.close()
            raise Preempted(self.step, reason)
        return True


# The frameworks' step adapters live in their folders (frameworks/<name>/steps.py); these names stay importable
# from here, where docs/distributed.md documented them.
_ADAPTERS = {"torch_agreement": "torch", "keras_callback": "tensorflow", "xgboost_callback": "xgboost"}


def __getattr__(name: str):
    if name in _ADAPTERS:
        from importlib import import_module

        return getattr(import_module(f"{__package__}.frameworks.{_ADAPTERS[name]}.steps"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
