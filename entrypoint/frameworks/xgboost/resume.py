"""XGBoost training that resumes bitwise, row and column subsampling included: each boosting round's random numbers
are a function of (seed, round) alone, and a checkpoint holds the booster and the rounds done.

Why XGBoost's own `seed_per_iteration=True` is not enough (XGBoost 3.2.0, tag v3.2.0, commit 79912605):

- Row subsampling (`hist`) draws its seed from the process-wide generator (src/tree/hist/sampler.cc:22,
  `common::GlobalRandom()`), which `seed_per_iteration` reseeds with `seed * 127 + iter` (src/learner.cc:1096).
- Column subsampling draws from a `ColumnSampler`'s own engine (src/common/random.h:102, `rng_`). The tree updater
  creates it once, on its first `Update` (src/tree/updater_quantile_hist.cc:627, `MakeColumnSampler`, which takes its
  seed from the global generator, random.h:202), and keeps it for every later round. A continued training loads the
  model into a new learner, so its column sampler is seeded at the first continued round instead, and its first
  draw from the global generator also shifts the row sampling of that round. Neither state is in the saved model.
- `xgboost.train(xgb_model=...)` numbers the continued rounds from 0 (python-package/xgboost/training.py:184, `start_iteration = 0`), so
  `seed_per_iteration` would reseed with the wrong round anyway.

Measured here (digits, 10 rounds, continued after 4): with subsample=0.8 or colsample_bytree=0.8, plain continued
training, `seed_per_iteration=True`, and a per-round `seed` alone each give another model than the uninterrupted
run. `RoundSeeds` makes every round start as a continued training's first round does, in the uninterrupted run too:
before each round it reloads the booster's own configuration (`Booster.load_config`, which recreates the tree
updaters and so their column samplers: src/gbm/gbtree.cc:396, `updaters_.clear()`) and sets `seed` to a function of
(seed, true round), which reseeds the global generator when the learner is configured (src/learner.cc:534). Then the
continued model equals the uninterrupted one, bit for bit, with and without sampling.
"""

from __future__ import annotations

import json
from pathlib import Path

from ... import checkpoint, host_rng


def round_seed(seed: int, round_index: int) -> int:
    """The XGBoost `seed` of one round: NumPy's SeedSequence of (seed, round), as a 32-bit integer."""
    import numpy

    return int(numpy.random.SeedSequence([seed, round_index]).generate_state(1)[0])


class XGBoostResume:
    """Save and restore an XGBoost training (the booster, the rounds done, the loop's own values) into a checkpoint
    folder (checkpoint.py's layout, one process). `reseed=False` leaves each round's random state to XGBoost (a
    control: a continued training then differs)."""

    def __init__(self, folder: Path | None, seed: int, *, partitioning: str = "", reseed: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.seed = seed
        self.partitioning = partitioning
        self.reseed = reseed
        self.rounds = 0  # boosting rounds done
        self.booster = None
        self.extra: dict = {}
        self.restored: dict | None = None
        self._start = 0

    def callbacks(self) -> list:
        """XGBoost callbacks: the per-round seeding and the booster's tracking; list them before the step hook's."""
        import xgboost

        resume = self
        start = self.rounds
        before = self.extra.get("evals", {})  # the restored rounds' values: evals_log holds only this call's

        class RoundSeeds(xgboost.callback.TrainingCallback):
            def before_iteration(self, model, epoch, evals_log):
                if resume.reseed:
                    model.load_config(model.save_config())  # fresh tree updaters: fresh column samplers
                    model.set_param({"seed": round_seed(resume.seed, start + epoch)})
                return False

            def after_iteration(self, model, epoch, evals_log):
                resume.booster, resume.rounds = model, start + epoch + 1
                resume.extra["evals"] = {
                    data: {metric: before.get(data, {}).get(metric, []) + [float(v) for v in values]
                           for metric, values in metrics.items()} for data, metrics in evals_log.items()}
                return False

        return [RoundSeeds()]

    def save(self, step: int, stopping: str | None = None) -> None:
        """Write the booster and the rounds done, and commit the manifest (for `Steps(save=...)`)."""
        import numpy

        if self.folder is None:
            return
        meta = {"step": step, "rounds": self.rounds, "extra": self.extra, "rng": host_rng.capture()}
        model = numpy.frombuffer(bytes(self.booster.save_raw("ubj")), dtype=numpy.uint8)
        checkpoint.save_arrays(self.folder, step, {"model": model, "meta": json.dumps(meta, sort_keys=True)},
                               partitioning=self.partitioning, extra={"rounds": self.rounds, "stopped": stopping})

    def restore(self) -> int:
        """Load the folder's checkpoint: `booster` and `rounds` then continue it. The step reached, 0 without one."""
        import xgboost

        found = checkpoint.load_arrays(self.folder) if self.folder is not None else None
        if found is None:
            return 0
        manifest, arrays = found
        model, meta = arrays["model"].tobytes(), json.loads(str(arrays["meta"]))
        self.booster = xgboost.Booster(model_file=bytearray(model))
        host_rng.restore(meta["rng"])
        self.rounds, self.extra, self.restored = int(meta["rounds"]), meta["extra"], manifest
        return int(meta["step"])

    def evals(self, data: str, metric: str) -> list[float]:
        """Every round's value of `metric` on `data`, restored rounds included."""
        return list(self.extra.get("evals", {}).get(data, {}).get(metric, []))
