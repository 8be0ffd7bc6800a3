"""JAX: its contract switches (XLA's thread pool and flags, the PRNG) and hooks, the run's PRNG key, the resume
adapter, lint rules and table, what sysinfo reads of jaxlib, and the bundled example (JAX with optax)."""

from ..interface import Component, Example, Framework


def _cpu_only(installed: dict[str, str]) -> list[str]:
    # jaxlib runs on the CPU alone; JAX's CUDA backend is a plugin of its own (jax-cuda12-plugin, jax-cuda13-plugin).
    if "jaxlib" not in installed or any(name.startswith("jax-cuda") for name in installed):
        return []
    return [f"jaxlib=={installed['jaxlib']}"]


FRAMEWORK = Framework(
    name="jax",
    title="JAX",
    import_name="jax",
    modules=("jax", "jaxlib", "flax", "optax"),
    # framework.jax has been a field of the environment key since its first version
    components=(Component("jax", ("jaxlib",)),),
    cpu_only=_cpu_only,
    parts=("contract", "hooks", "lint", "probe"),
    examples=(Example("jax_digits", "examples.jax_digits", {"epochs": ("int", 3)}, smoke={"epochs": 1}),),
)
