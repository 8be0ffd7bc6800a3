"""`mlf train`, `mlf verify`, `mlf reproduce`: deterministic training runs, tracked in MLflow and fingerprinted.

- project.py: the entry point (MLproject, [tool.mlf.train] or the bundled example) and its typed parameters;
- datahash.py: SHA-256 of the declared input data, per file and one tree hash;
- tracking.py: the MLflow store (MLFLOW_TRACKING_URI, else sqlite in the project) and its checks;
- fingerprint.py: the result fingerprint and the comparison that names the first differing artifact;
- pipeline.py: one run, in order: contract, lint, sysinfo, MLflow run, data hashes, training, fingerprint;
- mlflow_run.py: the same, in the run `mlflow run` opened, when it starts an entry point in our images;
- mlflow_compat.py: what keeps an MLproject from running under `mlflow run`, with its fix.

Nothing heavy loads here: MLflow is imported only inside the functions that track.
"""
