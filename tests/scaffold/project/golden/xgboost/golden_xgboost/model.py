"""The model: an XGBoost `hist` classifier. Row and column subsampling draw random numbers every round, so the
seed the contract gives decides which rows and columns each tree sees."""

from __future__ import annotations


def build(rounds: int):
    import xgboost

    return xgboost.XGBClassifier(tree_method="hist", n_estimators=rounds, max_depth=4, learning_rate=0.3,
                                 subsample=0.8, colsample_bytree=0.8, eval_metric="mlogloss")
