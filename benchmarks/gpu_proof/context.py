"""What every part of the proof shares: its options, its time budget, its child processes and their environments.

A part runs its work as child processes, each given at most what is left of the part's budget; one that outruns
it is stopped (SIGTERM to its process group, which `mlf` passes on to its training, then SIGKILL) and the part is
recorded as cut. After each piece of work the part calls `save()`, so the report on disk is never more than one
piece behind, whatever stops the proof.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A stopped `mlf` gets this long to end its training child and close its run before the group is killed.
GRACE_SECONDS = 5
# Below this much budget a child process is not started: starting Python and importing torch, and then stopping
# it within its grace, takes longer.
MINIMUM_SECONDS = 2 * GRACE_SECONDS + 5
# Each part's default budget in seconds, in the order the parts run: what a cut-short call should keep first (the
# machine and the lint truth are cheap and only a GPU gives them). They add up to 465 s, inside the 8 minutes the
# proof may take on one GPU; each is a cap, not an estimate.
BUDGETS = {"machine": 30, "lint": 70, "determinism": 200, "resume": 75, "bench": 90}


@dataclass(frozen=True)
class Options:
    parts: tuple[str, ...]
    budgets: dict[str, float]  # part → seconds
    runs: int
    quick: bool
    fake_device: bool
    output: Path
    fresh: bool
    commit: str | None
    command: str  # as given, for the report

    @property
    def device(self) -> str:
        return "cpu" if self.fake_device else "cuda"


@dataclass
class Ran:
    argv: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool

    def tail(self, lines: int = 6) -> str:
        return "\n".join((self.stderr or self.stdout).strip().splitlines()[-lines:])


def run(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> Ran:
    """Run `argv` in its own process group; stop the whole group once `timeout` seconds have passed."""
    started = time.perf_counter()
    child = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        out, err = child.communicate(timeout=max(timeout, 0.1))
        return Ran(list(argv), child.returncode, out, err, time.perf_counter() - started, False)
    except subprocess.TimeoutExpired:
        _stop(child)
    try:
        out, err = child.communicate(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:  # a grandchild in another group still holds the pipes: leave it the output
        out, err = "", ""
    return Ran(list(argv), child.returncode, out, err, time.perf_counter() - started, True)


def _stop(child: subprocess.Popen) -> None:
    """SIGTERM to the group (mlf ends its training on it), then SIGKILL to whatever is left of the group."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def plain_environment(fake_device: bool) -> dict[str, str]:
    """This process's environment without the contract's variables and mlf's own: each command of the proof
    starts from the same ground, whatever the machine exported. A fake device hides every GPU."""
    from mlfcore.entrypoint import contract, variables

    ours = set(contract.NAMES) | {value for key, value in vars(variables).items() if key.startswith("MLF_")}
    env = {name: value for name, value in os.environ.items() if name not in ours}
    if fake_device:
        env[variables.CUDA_VISIBLE_DEVICES] = ""
    return env


def mlf_command() -> list[str]:
    """The `mlf` console script of this Python's environment."""
    script = Path(sys.executable).parent / "mlf"
    return [str(script)] if script.is_file() else ["mlf"]


@dataclass
class Context:
    options: Options
    results: dict
    save: Callable[[], None]
    scratch: Path
    part: str = ""
    deadline: float = 0.0
    python: str = sys.executable
    log: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr, flush=True))

    def start(self, part: str) -> dict:
        """Begin `part`: its clock starts, its earlier record is replaced; returns the part's record."""
        self.part = part
        self.deadline = time.monotonic() + self.options.budgets[part]
        record = {"status": "running", "budget": self.options.budgets[part], "cut": False, "data": {}, "notes": []}
        self.results["parts"][part] = record
        return record

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def enough(self) -> bool:
        return self.left() >= MINIMUM_SECONDS

    def run(self, argv: Sequence[str], *, cwd: Path = ROOT, env: Mapping[str, str] | None = None,
            share: float = 1.0) -> Ran:
        """Run `argv` for at most `share` of the part's budget, and never past it: stopped early enough that
        stopping it (SIGTERM, its grace, SIGKILL) still ends inside the budget."""
        environment = env if env is not None else plain_environment(self.options.fake_device)
        timeout = min(self.left(), share * self.options.budgets[self.part]) - 2 * GRACE_SECONDS
        return run(argv, cwd=cwd, env=environment, timeout=timeout)
