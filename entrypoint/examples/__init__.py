"""Bundled examples, one per framework image, on scikit-learn's digits (ships in the package: nothing is downloaded).

Each writes its trained parameters in a canonical, byte-stable form — `tensors/<name>.npy` for neural networks,
`model.json` for XGBoost — and `metrics.json`, so two runs can be compared bit for bit.
"""
