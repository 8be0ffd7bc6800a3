"""Started by Python at interpreter start in a child of `mlf run` (this folder is first on PYTHONPATH)."""

import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _chain_next_sitecustomize():
    """Run the sitecustomize this file shadows (Debian's Python ships one), so we add to it, never replace it."""
    for entry in sys.path:
        candidate = os.path.join(entry or os.getcwd(), "sitecustomize.py")
        if os.path.abspath(entry or os.getcwd()) == _HERE or not os.path.isfile(candidate):
            continue
        spec = importlib.util.spec_from_file_location("_mlf_chained_sitecustomize", candidate)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return


if os.environ.get("MLF_ACTIVE") == "1":
    sys.path.insert(0, _HERE)
    try:
        import _mlf_hooks

        _mlf_hooks.install_from_environment()
        _mlf_hooks.mark_bootstrapped()
    finally:
        sys.path.remove(_HERE)
_chain_next_sitecustomize()
