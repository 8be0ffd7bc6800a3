"""The XGBoost example trained by several workers through XGBoost's own collective (a RabitTracker and N worker
processes), each on a fixed part of the rows: worker r holds rows r, r+N, r+2N, ... With `hist`, the workers
all-reduce their gradient histograms every round, so every worker ends with the same model; worker 0 writes it."""

from __future__ import annotations

import argparse
import multiprocessing
from pathlib import Path

from mlfcore.entrypoint import run_settings
from mlfcore.entrypoint.examples import outputs

PARAMS = {"tree_method": "hist", "max_depth": 4, "learning_rate": 0.3, "subsample": 0.8, "colsample_bytree": 0.8,
          "objective": "multi:softprob", "num_class": 10, "eval_metric": "mlogloss"}


def partitioning(workers: int) -> str:
    return f"strided: worker r of {workers} holds rows r, r+{workers}, ... of the training split"


def _worker(rank: int, workers: int, tracker_args: dict, rounds: int, output: str, seed: int, threads: int) -> None:
    import xgboost

    x_train, y_train, x_test, y_test = outputs.digits()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    with xgboost.collective.CommunicatorContext(**tracker_args, dmlc_task_id=f"worker-{rank}"):
        rank = xgboost.collective.get_rank()  # the tracker assigns ranks; the rows follow the assigned rank
        train = xgboost.DMatrix(x_train[rank::workers], label=y_train[rank::workers])
        test = xgboost.DMatrix(x_test, label=y_test)
        evals: dict = {}
        booster = xgboost.train({**PARAMS, "seed": seed, "nthread": threads}, train, rounds,
                                evals=[(test, "validation_0")], evals_result=evals, verbose_eval=False)
        if rank == 0:
            folder = outputs.prepare(Path(output))
            (folder / "model.json").write_bytes(bytes(booster.save_raw("json")))
            losses = evals["validation_0"]["mlogloss"]
            outputs.save_metrics(folder, [{"epoch": i, "loss": float(v)} for i, v in enumerate(losses)])


def train(output: Path, workers: int = 2, rounds: int = 10, seed: int = 0, threads: int = 1) -> None:
    from xgboost.tracker import RabitTracker

    tracker = RabitTracker(n_workers=workers, host_ip="127.0.0.1")
    tracker.start()
    # spawn: a fresh interpreter per worker, as on separate machines (fork would copy this process's state)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_worker, args=(rank, workers, tracker.worker_args(), rounds, str(output),
                                                       seed, threads)) for rank in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    tracker.wait_for()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise SystemExit(f"a worker failed with exit code {failed[0]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    # Without MLF_THREADS (run outside mlf) one thread a worker, as before; under mlf the run's count, shared.
    threads = run_settings.threads_from_environment() or 1
    train(args.output, args.workers, args.rounds, run_settings.seed(), max(1, threads // args.workers))
    print(f"{args.workers} workers, {partitioning(args.workers)}", flush=True)


if __name__ == "__main__":
    main()
