"""TensorFlow and Keras: their contract entries and hooks, the Keras resume adapter and step callback, lint rules
and table, what sysinfo reads of the build, the `.keras`/`.h5` readers, and the bundled example."""

from ..interface import Component, Example, Framework


def _cpu_only(installed: dict[str, str]) -> list[str]:
    # TensorFlow publishes its CPU-only build as a distribution of its own on PyPI.
    return [f"tensorflow-cpu=={installed['tensorflow-cpu']}"] if "tensorflow-cpu" in installed else []


FRAMEWORK = Framework(
    name="tensorflow",
    title="TensorFlow/Keras",
    import_name="tensorflow",
    modules=("tensorflow", "keras", "tf_keras"),
    components=(Component("tensorflow", ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel",
                                       "tensorflow-macos", "tf-nightly", "tf-nightly-cpu")),
                Component("keras", ("keras", "tf-keras"))),
    cpu_only=_cpu_only,
    parts=("contract", "hooks", "lint", "probe", "formats"),
    examples=(Example("keras_digits", "examples.keras_digits", {"epochs": ("int", 3)}, smoke={"epochs": 1}),),
)
