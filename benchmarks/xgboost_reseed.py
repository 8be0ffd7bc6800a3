"""The cost of resumable XGBoost rounds: the XGBoost example's training with the per-round reseeding
(mlfcore.entrypoint.frameworks.xgboost.resume: `load_config` and a new `seed` before every round) against without it.

Usage: mlf run --no-lint -- python -m benchmarks.xgboost_reseed [--rounds 30] [--repeat 7]
Run under `mlf run`, so both trainings get the contract's threads and seed. Alternates the two in one process and
prints each one's median wall time and their ratio; the results go in docs/distributed.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from mlfcore.entrypoint.frameworks.xgboost.examples.xgboost_digits import train

    seconds: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as scratch:
        train(Path(scratch) / "warm", rounds=args.rounds)  # imports and the data, once
        for index in range(args.repeat):
            for reseed in (True, False):
                start = time.perf_counter()
                train(Path(scratch) / f"{index}-{reseed}", rounds=args.rounds, reseed=reseed)
                seconds[reseed].append(time.perf_counter() - start)
    with_, without = statistics.median(seconds[True]), statistics.median(seconds[False])
    print(f"{args.rounds} rounds, median of {args.repeat}: reseeded {with_:.3f} s, XGBoost's own {without:.3f} s, "
          f"ratio {with_ / without:.2f}")


if __name__ == "__main__":
    main()
