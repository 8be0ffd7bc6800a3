"""TensorFlow's and Keras' entries of the determinism contract (contract.py places them in its slots)."""

from ...contract import AT_USE, ENV, SEED, SWITCH, Entry, THREADS_WHY, fixed, portable, seed_value, threads_value

# The generic entries TensorFlow's libraries read (cuBLAS, oneDNN, NCCL).
READS = ("CUBLAS_WORKSPACE_CONFIG", "ONEDNN_MAX_CPU_ISA", "NCCL_ALGO", "NCCL_NVLS_ENABLE")

ENTRIES = {
    "gpu": (
        Entry("TF_DETERMINISTIC_OPS", ENV, fixed("1"), ("tensorflow",),
              "deterministic op paths in TensorFlow before 2.8 and some later op paths", read=AT_USE),
        Entry("TF_CUDNN_DETERMINISTIC", ENV, fixed("1"), ("tensorflow",),
              "deterministic cuDNN convolution algorithms in TensorFlow", read=AT_USE),
    ),
    "threads": (
        Entry("TF_NUM_INTRAOP_THREADS", ENV, threads_value, ("tensorflow",), THREADS_WHY),
        Entry("TF_NUM_INTEROP_THREADS", ENV, threads_value, ("tensorflow",), THREADS_WHY),
    ),
    "library use": (
        Entry("TF_ENABLE_ONEDNN_OPTS", ENV, portable({"x86_64": "0", "aarch64": "0"}), ("tensorflow",),
              "TensorFlow turns oneDNN on by default on AVX-512 hosts only; measured, on vs off differ"),
    ),
    "switches": (
        Entry("tf.config.experimental.enable_op_determinism", SWITCH, fixed("True"), ("tensorflow",),
              "deterministic TensorFlow ops, or UnimplementedError where none exists"),
        Entry("tf.config.threading", SWITCH, threads_value, ("tensorflow",), THREADS_WHY),
    ),
    "seeds": (
        Entry("keras.utils.set_random_seed", SEED, seed_value, ("tensorflow",),
              "TensorFlow's and Keras' global seeds"),
    ),
}
