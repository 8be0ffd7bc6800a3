"""XGBoost's rules: one positive and one negative snippet each, which tests/entrypoint/lint/test_rules.py runs
with every other framework's (a linted rule without a case fails there)."""

from __future__ import annotations

XGB = "import xgboost as xgb\n"

# rule id → (prelude, positive statement, negative statement)
CASES: dict[str, tuple[str, str, str]] = {
    "xgb-gblinear-shotgun": (XGB, 'xgb.XGBRegressor(booster="gblinear")',
                             'xgb.XGBRegressor(booster="gblinear", updater="coord_descent")'),
    "xgb-shotgun": (XGB, 'xgb.XGBClassifier(updater="shotgun")', 'xgb.XGBClassifier(updater="coord_descent")'),
}
