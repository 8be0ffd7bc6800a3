"""Which per-round treatment lets a continued XGBoost training give the uninterrupted model, bit for bit: the table
in docs/distributed.md ("XGBoost").

Usage: mlf run --no-lint -- python -m benchmarks.xgboost_continue
For each treatment and each sampling setting, trains digits (`hist`, 10 rounds) uninterrupted, and 4 rounds then 6
more continued from the saved model, and prints whether the two models' JSON is the same.
"""

from __future__ import annotations

import hashlib


def _treatment(name: str, offset: int) -> list:
    import xgboost

    from mlfcore.entrypoint.frameworks.xgboost.resume import round_seed

    class PerRound(xgboost.callback.TrainingCallback):
        def before_iteration(self, model, epoch, evals_log):
            if name == "load_config + seed(round)":
                model.load_config(model.save_config())
            model.set_param({"seed": round_seed(0, offset + epoch)})
            return False

    return [] if name in ("none", "seed_per_iteration") else [PerRound()]


def _digest(booster) -> str:
    return hashlib.sha256(bytes(booster.save_raw("json"))).hexdigest()


def same(name: str, subsample: float, colsample: float) -> bool:
    import xgboost

    from mlfcore.entrypoint.examples import outputs

    x, y, _, _ = outputs.digits()
    data = xgboost.DMatrix(x.reshape(len(x), -1), y)
    params = {"tree_method": "hist", "objective": "multi:softprob", "num_class": 10, "max_depth": 4, "eta": 0.3,
              "subsample": subsample, "colsample_bytree": colsample, "seed": 0,
              "seed_per_iteration": name == "seed_per_iteration"}
    whole = xgboost.train(params, data, 10, callbacks=_treatment(name, 0))
    first = xgboost.train(params, data, 4, callbacks=_treatment(name, 0))
    continued = xgboost.train(params, data, 6, xgb_model=xgboost.Booster(model_file=first.save_raw("ubj")),
                              callbacks=_treatment(name, 4))
    return _digest(whole) == _digest(continued)


def main() -> None:
    settings = {"no sampling": (1.0, 1.0), "subsample 0.8": (0.8, 1.0), "colsample_bytree 0.8": (1.0, 0.8),
                "both": (0.8, 0.8)}
    print("| per-round treatment | " + " | ".join(settings) + " |")
    for name in ("none", "seed_per_iteration", "seed(round)", "load_config + seed(round)"):
        cells = ["same" if same(name, *values) else "differs" for values in settings.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
