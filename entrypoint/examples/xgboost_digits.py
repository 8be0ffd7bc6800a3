"""An XGBoost `hist` classifier on digits with row and column subsampling: the XGBoost image's bundled example."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlfcore.entrypoint.examples import outputs, tracking


def device(xgboost) -> str:
    """"cuda" when this XGBoost was built with CUDA and NVML sees a GPU under CUDA_VISIBLE_DEVICES, else "cpu"
    (XGBoost's `device` parameter; the xgboost-cpu wheel has no CUDA, its build_info() says USE_CUDA false)."""
    from mlfcore.entrypoint.sysinfo import gpu

    if not xgboost.build_info().get("USE_CUDA"):
        return "cpu"
    return "cuda" if gpu.collect().get("visible_count", 0) > 0 else "cpu"


def train(output: Path, rounds: int = 30) -> list[dict]:
    import xgboost

    x_train, y_train, x_test, y_test = outputs.digits()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    # Subsampling draws random numbers every round: the seed (given by the contract) decides which rows.
    model = xgboost.XGBClassifier(tree_method="hist", n_estimators=rounds, max_depth=4, learning_rate=0.3,
                                  subsample=0.8, colsample_bytree=0.8, eval_metric="mlogloss", device=device(xgboost))
    model.fit(x_train, y_train, eval_set=[(x_test, y_test)], verbose=False)
    losses = model.evals_result()["validation_0"]["mlogloss"]
    history = [{"epoch": i, "loss": float(loss)} for i, loss in enumerate(losses)]
    history[-1]["accuracy"] = float((model.predict(x_test) == y_test).mean())
    outputs.prepare(output)
    (output / "model.json").write_bytes(bytes(model.get_booster().save_raw("json")))
    outputs.save_metrics(output, history)
    for row in history:
        tracking.log_epoch(row)
    tracking.log_model("xgboost", model, x_test[:5], ("xgboost", "xgboost-cpu"))
    return history


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    history = train(args.output, rounds=args.rounds)
    print(f"{len(history)} rounds: loss {history[-1]['loss']:.4f} accuracy {history[-1]['accuracy']:.4f}",
          flush=True)


if __name__ == "__main__":
    main()
