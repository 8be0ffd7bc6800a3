"""PyTorch's seeds and switches, applied by the child bootstrap right after `import torch` (bootstrap/_mlf_hooks.py)
and by `apply_contract`. Imports nothing from mlfcore: the bootstrap loads this file by path in any interpreter.
Each hook records what it applied through `opts.note(entry name, value)`.
"""

def apply_torch(torch, opts):
    torch.manual_seed(opts.seed)  # every device, CUDA included, lazily for devices not yet initialised
    opts.note("torch.manual_seed", opts.seed)
    warn_only = "torch.use_deterministic_algorithms" in opts.relax
    _use_deterministic_algorithms(torch, warn_only)
    opts.note("torch.use_deterministic_algorithms", "warn_only" if warn_only else True)
    if "torch.utils.deterministic.fill_uninitialized_memory" in opts.relax:
        torch.utils.deterministic.fill_uninitialized_memory = False
        opts.note("torch.utils.deterministic.fill_uninitialized_memory", False)
    if "torch.backends.cudnn.deterministic" not in opts.relax:
        torch.backends.cudnn.deterministic = True
        opts.note("torch.backends.cudnn.deterministic", True)
    if "torch.backends.cudnn.benchmark" not in opts.relax:
        torch.backends.cudnn.benchmark = False
        opts.note("torch.backends.cudnn.benchmark", False)
    if "torch.set_num_threads" not in opts.relax:
        torch.set_num_threads(opts.threads)
        try:
            torch.set_num_interop_threads(opts.threads)
        except RuntimeError:
            pass  # already set, or parallel work already started: torch allows it once, before first use
        opts.note("torch.set_num_threads", opts.threads)


def _use_deterministic_algorithms(torch, warn_only):
    """torch.use_deterministic_algorithms(True), without its import of torch._inductor.config.

    torch 2.13's use_deterministic_algorithms sets the C++ flag and `torch._inductor.config.deterministic`; importing
    that config pulls in dynamo, inductor and sympy (845 more modules), which doubled the CPU time of `import torch`
    under `mlf run` (2.6 s against 4.9 s, median of fresh processes, loaded machine). The C++ flag is set here; the
    inductor flag is set by a hook when a program first imports inductor's config (apply_inductor_config)."""
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:  # another torch: the public call does everything
        torch.use_deterministic_algorithms(True, warn_only=warn_only)
    else:
        setter(True, warn_only=warn_only)


def apply_inductor_config(config, opts):
    """What torch.use_deterministic_algorithms(True) sets in inductor: no on-device benchmarking that changes
    numerics (torch's docstring of use_deterministic_algorithms)."""
    if hasattr(config, "deterministic"):
        config.deterministic = True
        opts.note("torch._inductor.config.deterministic", True)


# module name -> what to apply once it has been imported
HOOKS = {
    "torch": apply_torch,
    "torch._inductor.config": apply_inductor_config,
}
