"""What torch reports about itself, for sysinfo's record (sysinfo/probe.py runs it in a child Python).

The record reads torch's installed files (installed_files.py) rather than importing torch; `imported` is what an
imported torch reports, which the tests compare with the files' reading.
"""

from __future__ import annotations

from .installed_files import report


def imported() -> dict:
    """What an imported torch reports (tests compare installed_files.py's reading with it)."""
    import torch

    report = {"version": torch.__version__, "cuda": torch.version.cuda, "hip": getattr(torch.version, "hip", None),
              "git_version": getattr(torch.version, "git_version", None)}
    cudnn = torch.backends.cudnn
    report["cudnn"] = cudnn.version() if cudnn.is_available() else None
    # Only CUDA builds have NCCL; its version call loads the library and creates no context.
    report["nccl"] = ".".join(map(str, torch.cuda.nccl.version())) if hasattr(torch._C, "_nccl_version") else None
    report["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    report["mkl"] = torch.backends.mkl.is_available()
    report["mkldnn"] = torch.backends.mkldnn.is_available()
    report["num_threads"] = torch.get_num_threads()
    return report


# component → what it reports (JSON-able); the module whose presence in sys.modules lets it be asked in-process;
# what a difference in it means (`mlf sysinfo --diff`, sysinfo/compare.py)
PROBES = {"torch": report}
MODULES = {"torch": "torch"}
WHY = {"torch": "what torch reported at run time (CUDA, cuDNN, NCCL, CPU capability)"}
