"""Golden xgboost project."""

__version__ = "0.1.0"
