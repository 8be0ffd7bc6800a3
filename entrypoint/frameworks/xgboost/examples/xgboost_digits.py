"""An XGBoost `hist` classifier on digits with row and column subsampling: the XGBoost image's bundled example.

With MLF_CHECKPOINT_DIR set it resumes from the checkpoint there and checkpoints when stopped (SIGTERM,
MLF_STOP_AT_STEP) through the step hook; one step is one boosting round.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlfcore.entrypoint import checkpoint, run_settings
from mlfcore.entrypoint.examples import outputs, tracking
from mlfcore.entrypoint.frameworks.xgboost.resume import XGBoostResume
from mlfcore.entrypoint.frameworks.xgboost.steps import xgboost_callback
from mlfcore.entrypoint.steps import EXIT_PREEMPTED, Steps


def device(xgboost) -> str:
    """"cuda" when this XGBoost was built with CUDA and NVML sees a GPU under CUDA_VISIBLE_DEVICES, else "cpu"
    (XGBoost's `device` parameter; the xgboost-cpu wheel has no CUDA, its build_info() says USE_CUDA false)."""
    from mlfcore.entrypoint.sysinfo import gpu

    if not xgboost.build_info().get("USE_CUDA"):
        return "cpu"
    return "cuda" if gpu.collect().get("visible_count", 0) > 0 else "cpu"


def train(output: Path, rounds: int = 30, reseed: bool = True) -> list[dict] | None:
    """Train and write the outputs; None when the step hook stopped the training (after its checkpoint)."""
    import xgboost

    seed = run_settings.seed()
    x_train, y_train, x_test, y_test = outputs.digits()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    resume = XGBoostResume(checkpoint.folder_from_environment(), seed, partitioning="all rows", reseed=reseed)
    steps = Steps(save=resume.save).start(resume.restore())
    # Subsampling draws random numbers every round: RoundSeeds makes them a function of (seed, round), so a run
    # continued from a checkpoint draws what the uninterrupted one drew (mlfcore.entrypoint.frameworks.xgboost.resume).
    model = xgboost.XGBClassifier(tree_method="hist", n_estimators=rounds - resume.rounds, max_depth=4,
                                  learning_rate=0.3, subsample=0.8, colsample_bytree=0.8, eval_metric="mlogloss",
                                  device=device(xgboost), callbacks=[*resume.callbacks(), xgboost_callback(steps)])
    model.fit(x_train, y_train, eval_set=[(x_test, y_test)], verbose=False, xgb_model=resume.booster)
    stopping = steps.stop_reason() is not None  # before close(): a signal after the last round is checkpointed too
    steps.close()
    if stopping:
        return None
    history = [{"epoch": i, "loss": loss} for i, loss in enumerate(resume.evals("validation_0", "mlogloss"))]
    history[-1]["accuracy"] = float((model.predict(x_test) == y_test).mean())
    outputs.prepare(output)
    (output / "model.json").write_bytes(bytes(model.get_booster().save_raw("json")))
    outputs.save_metrics(output, history)
    outputs.save_event_files(output, history)
    for row in history:
        tracking.log_epoch(row)
    tracking.log_model("xgboost", model, x_test[:5], ("xgboost", "xgboost-cpu"))
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-reseed", action="store_true",
                        help="leave each round's random state to XGBoost (shows that it matters: a resumed run differs)")
    args = parser.parse_args(argv)
    history = outputs.train_or_exit(train, output=args.output, rounds=args.rounds, reseed=not args.no_reseed)
    if history is None:
        sys.exit(EXIT_PREEMPTED)
    print(f"{len(history)} rounds: loss {history[-1]['loss']:.4f} accuracy {history[-1]['accuracy']:.4f}",
          flush=True)


if __name__ == "__main__":
    main()
