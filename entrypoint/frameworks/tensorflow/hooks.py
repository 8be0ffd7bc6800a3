"""TensorFlow's and Keras' seeds and switches, applied by the child bootstrap right after their import
(bootstrap/_mlf_hooks.py) and by `apply_contract`. Imports nothing from mlfcore: the bootstrap loads this file by
path in any interpreter. Each hook records what it applied through `opts.note(entry name, value)`.
"""

def apply_tensorflow(tf, opts):
    tf.random.set_seed(opts.seed)
    opts.note("tf.random.set_seed", opts.seed)
    if "tf.config.experimental.enable_op_determinism" not in opts.relax:
        tf.config.experimental.enable_op_determinism()
        opts.note("tf.config.experimental.enable_op_determinism", True)
    if "tf.config.threading" not in opts.relax:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(opts.threads)
            tf.config.threading.set_inter_op_parallelism_threads(opts.threads)
            opts.note("tf.config.threading", opts.threads)
        except RuntimeError:
            pass  # the runtime already started; TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS pinned it


def apply_keras(keras, opts):
    # Seeds Python, NumPy, the backend and Keras 3's own global SeedGenerator state.
    keras.utils.set_random_seed(opts.seed)
    opts.note("keras.utils.set_random_seed", opts.seed)


# module name -> what to apply once it has been imported
HOOKS = {
    "tensorflow": apply_tensorflow,
    "keras": apply_keras,
}
