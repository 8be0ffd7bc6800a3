"""XGBoost's shotgun updater in keyword arguments, set_params, and params dicts."""

from __future__ import annotations

import pytest

from ...lint.conftest import rule_ids


@pytest.mark.parametrize("source, rule", [
    ('params = {"booster": "gblinear", "eta": 0.1}\nxgb.train(params, dtrain)', "xgb-gblinear-shotgun"),
    ('xgb.train({"booster": "gblinear"}, dtrain)', "xgb-gblinear-shotgun"),
    ('params = dict(booster="gblinear", eta=0.1)', "xgb-gblinear-shotgun"),
    ('params = {"booster": "gblinear", "updater": "shotgun"}', "xgb-shotgun"),
    ('model.set_params(booster="gblinear")', "xgb-gblinear-shotgun"),
    ('from xgboost import XGBRegressor\nXGBRegressor(n_estimators=10, booster="gblinear")', "xgb-gblinear-shotgun"),
    ('from xgboost.sklearn import XGBClassifier as C\nC(updater="shotgun")', "xgb-shotgun"),
])
def test_found(lint, source, rule):
    assert rule in rule_ids(lint("import xgboost as xgb\n" + source + "\n"))


@pytest.mark.parametrize("source", [
    'params = {"booster": "gblinear", "updater": "coord_descent"}',
    'params = {"booster": "gbtree", "tree_method": "hist"}',
    'params = dict(booster="gblinear", updater="coord_descent")',
    'xgb.XGBRegressor(booster="gbtree")',
    'xgb.XGBRegressor(**params)',
])
def test_not_found(lint, source):
    found = rule_ids(lint("import xgboost as xgb\n" + source + "\n"))
    assert not [r for r in found if r.startswith("xgb-")], found


def test_params_dict_in_a_module_without_xgboost_is_not_xgboosts(lint):
    assert rule_ids(lint('config = {"booster": "gblinear"}\n')) == []
