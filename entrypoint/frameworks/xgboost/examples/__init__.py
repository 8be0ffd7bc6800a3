"""xgboost's bundled examples (Framework.examples names them; `mlf train` runs them with no project)."""
