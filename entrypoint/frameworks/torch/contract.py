"""PyTorch's entries of the determinism contract (contract.py places them in its slots)."""

from ...contract import (ENV, PORTABLE_DISPATCH, SEED, SWITCH, Entry, THREADS_WHY, fixed, portable, seed_value,
                         threads_value)

# The generic entries torch's libraries read (cuBLAS, OpenMP, MKL, oneDNN, NCCL).
READS = ("CUBLAS_WORKSPACE_CONFIG", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MKL_CBWR", "ONEDNN_MAX_CPU_ISA",
         "NCCL_ALGO", "NCCL_NVLS_ENABLE")

ENTRIES = {
    # torch's capability names: default, avx2, avx512 on x86-64; default, sve256 on Arm (the contract's levels).
    "kernel dispatch": (
        Entry("ATEN_CPU_CAPABILITY", ENV, portable(PORTABLE_DISPATCH), ("torch",),
              "CPU kernel dispatch decides the bits: measured, torch's default and avx2 kernels differ"),
    ),
    "switches": (
        Entry("torch.use_deterministic_algorithms", SWITCH, fixed("True"), ("torch",),
              "replaces atomics-based kernels by deterministic ones, or raises where none exists"),
        Entry("torch.utils.deterministic.fill_uninitialized_memory", SWITCH, fixed("True"), ("torch",),
              "with deterministic algorithms torch fills new uninitialised memory (NaN for floats) so a read of it "
              "gives the same bits; Megatron-LM reports it costs about 15% and is safe to turn off in most code "
              "(`mlf bench` measures it; relax it with [tool.mlf] allow)"),
        Entry("torch.backends.cudnn.deterministic", SWITCH, fixed("True"), ("torch",),
              "deterministic cuDNN convolution algorithms"),
        Entry("torch.backends.cudnn.benchmark", SWITCH, fixed("False"), ("torch",),
              "benchmarking picks convolution algorithms by timing, which differs run to run"),
        Entry("torch.set_num_threads", SWITCH, threads_value, ("torch",), THREADS_WHY),
    ),
    "seeds": (
        Entry("torch.manual_seed", SEED, seed_value, ("torch",), "torch's generators on the CPU and every CUDA device"),
    ),
}
