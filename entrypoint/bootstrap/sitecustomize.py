"""Started by Python at interpreter start in a child of `mlf run` (this folder is first on PYTHONPATH)."""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _chain_next_sitecustomize():
    """Run the sitecustomize this file shadows (Debian's Python ships one), so we add to it, never replace it."""
    for entry in sys.path:
        candidate = os.path.join(entry or os.getcwd(), "sitecustomize.py")
        if os.path.abspath(entry or os.getcwd()) == _HERE or not os.path.isfile(candidate):
            continue
        # Run as importing it would, without importlib.util (5 ms of every Python start under mlf, -X importtime):
        # a module object of its own, its source compiled with its file name for tracebacks.
        module = type(sys)("_mlf_chained_sitecustomize")
        module.__file__ = candidate
        with open(candidate, "rb") as stream:
            exec(compile(stream.read(), candidate, "exec"), module.__dict__)
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
