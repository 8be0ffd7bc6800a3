# Pattern from tks0123456789/XGBoost_vs_LightGBM@627cc000db2dc7d7394aba4cb87b2890ca84bb58 utility.py:24-25 (DMatrix
# built from arrays and xgb.train with the histogram tree method).
import xgboost as xgb


def fit(X_train, y_train, X_valid, y_valid, rounds: int):
    train = xgb.DMatrix(X_train, label=y_train)
    valid = xgb.DMatrix(X_valid, label=y_valid)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "seed": 0}
    return xgb.train(params, train, rounds, evals=[(valid, "valid")])
