"""What JAX reports about its build, for sysinfo's record (sysinfo/probe.py runs it in a child Python), read from
jaxlib's files without importing jax (3 s of CPU on this project's 2-core machine): jaxlib/version.py is a
generated module that runs on its own; the CUDA backend is a plugin distribution of its own."""

from __future__ import annotations

from importlib import metadata

from ...installed import load_file, package_file

CUDA_PLUGINS = ("jax-cuda13-plugin", "jax-cuda12-plugin")


def report() -> dict:
    path = package_file("jaxlib", "version.py")
    if path is None:
        raise ImportError("jaxlib is not installed (no jaxlib/version.py)")
    version = load_file("_mlf_jaxlib_version", path)
    plugins = {}
    for name in CUDA_PLUGINS:
        try:
            plugins[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {"version": version._get_version_string(), "git_hash": getattr(version, "_git_hash", None),
            "cuda_plugins": plugins, "source": str(path)}


# component → what it reports (JSON-able); the module whose presence in sys.modules lets it be asked in-process;
# what a difference in it means (`mlf sysinfo --diff`, sysinfo/compare.py)
PROBES = {"jax": report}
MODULES = {"jax": "jax"}
WHY = {"jax": "what jaxlib reported at run time (its build and CUDA plugins)"}
