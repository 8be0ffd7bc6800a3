"""XGBoost: its contract entries and hooks (seed and thread count for every Booster), the per-round reseeding
resume adapter and step callback, lint rules and table, what sysinfo reads of the library, the `.ubj` reader, and
the bundled examples."""

from ..interface import Component, Example, Framework


def _cpu_only(installed: dict[str, str]) -> list[str]:
    # XGBoost publishes its CPU-only build as a distribution of its own on PyPI.
    return [f"xgboost-cpu=={installed['xgboost-cpu']}"] if "xgboost-cpu" in installed else []


FRAMEWORK = Framework(
    name="xgboost",
    title="XGBoost",
    import_name="xgboost",
    modules=("xgboost",),
    components=(Component("xgboost", ("xgboost", "xgboost-cpu")),),
    cpu_only=_cpu_only,
    parts=("contract", "hooks", "lint", "probe", "formats"),
    examples=(Example("xgboost_digits", "examples.xgboost_digits", {"rounds": ("int", 30)}, smoke={"rounds": 5}),),
)
