"""The step hook in XGBoost's training: one boosting round is one step."""

from __future__ import annotations

from ...steps import Steps


def xgboost_callback(steps: Steps):
    """An XGBoost callback: one boosting round is one step; returning True stops training (XGBoost's protocol,
    xgboost.callback.TrainingCallback.after_iteration)."""
    import xgboost

    class XGBoostSteps(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            steps.model = model  # the booster after this round, for the save callback
            return steps.done(raise_on_stop=False)

    return XGBoostSteps()
