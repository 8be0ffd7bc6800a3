"""Every environment variable that mlf itself reads or sets, named once.

The determinism contract's own variables (PYTHONHASHSEED, OMP_NUM_THREADS, ...) are named in `contract.py`,
which is their single source of truth.
"""

# Run settings: defaults for --seed / --threads when neither the flag nor [tool.mlf] gives one.
MLF_SEED = "MLF_SEED"
MLF_THREADS = "MLF_THREADS"

# Set by `mlf run` for the child's bootstrap (bootstrap/_mlf_hooks.py reads them by the same literal names,
# because that module must import nothing from mlfcore).
MLF_ACTIVE = "MLF_ACTIVE"  # "1" while a child runs under the contract
MLF_RELAX = "MLF_RELAX"  # comma-separated contract switches relaxed by the allow list
MLF_NONDETERMINISTIC = "MLF_NONDETERMINISTIC"  # "1" when --allow-nondeterministic was given
MLF_PORTABLE = "MLF_PORTABLE"  # "0" with --no-portable: switches that pin CPU dispatch in-process then do not
MLF_BOOTSTRAP_MARK = "MLF_BOOTSTRAP_MARK"  # a file each Python child's bootstrap appends its PID to

# Baked into the images: NAME=VALUE pairs separated by ";" that the image set. A variable whose value still equals
# the baked one was not set by the user, so `mlf run --seed 7` in an image is not a conflict with the baked seed.
MLF_IMAGE_CONTRACT = "MLF_IMAGE_CONTRACT"

# Output and debugging.
MLF_DEBUG = "MLF_DEBUG"  # "1": show tracebacks of unexpected errors
NO_COLOR = "NO_COLOR"  # https://no-color.org

# Baked into each image at build time (images/base/Dockerfile, images/framework.Dockerfile), read by `mlf sysinfo` and the run records. An image
# cannot know its own digest, so the environment key uses the name, tag, variant and the hash of its lock file.
MLF_IMAGE_NAME = "MLF_IMAGE_NAME"  # e.g. mlfcore/pytorch
MLF_IMAGE_TAG = "MLF_IMAGE_TAG"  # e.g. 0.1.0-torch2.13.0-cpu
MLF_IMAGE_VARIANT = "MLF_IMAGE_VARIANT"  # cpu | cuda
MLF_IMAGE_LOCK_HASH = "MLF_IMAGE_LOCK_HASH"  # sha256 of the image's hash-locked requirements
MLF_IMAGE_EXAMPLE = "MLF_IMAGE_EXAMPLE"  # framework images: the bundled example, e.g. pytorch_digits
# A build argument only (never in a container's environment): the image's build inputs as JSON (commit, its time,
# dirty, the locks, the builder), which the build writes into the manifest for `mlf sysinfo` and `mlf reproduce`.
MLF_IMAGE_BUILD = "MLF_IMAGE_BUILD"
# Passed in by the host (`docker run -e MLF_IMAGE_REF=... -e MLF_IMAGE_DIGEST=...`): what the image is called and
# its digest, which a container cannot read itself; recorded and used by `mlf reproduce` (sysinfo/image.py).
MLF_IMAGE_REF = "MLF_IMAGE_REF"  # e.g. ghcr.io/me/trainer:1.2
MLF_IMAGE_DIGEST = "MLF_IMAGE_DIGEST"  # e.g. sha256:0f3c...
# Baked into the images: "1" makes `mlf CMD ...` run CMD when it is not an mlf command (entrypoint/cli/dispatch.py), so
# `docker run IMAGE bash` and `docker run IMAGE python x.py` work as in other images.
MLF_DISPATCH = "MLF_DISPATCH"

# `mlf train` (entrypoint/train/): with no project it runs the bundled example MLF_IMAGE_EXAMPLE names (above);
# the training child gets its own output folder.
MLF_OUTPUT_DIR = "MLF_OUTPUT_DIR"  # set for the training child: the folder this run writes its outputs to
# MLF_DATA_ROOT_<NAME>: where the data root NAME of [tool.mlf.data_roots] is on this host (train/dataroots.py).
MLF_DATA_ROOT_PREFIX = "MLF_DATA_ROOT_"

# MLflow's own variables, read by mlf and passed to the training child so it logs into the same run.
MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI"
MLFLOW_RUN_ID = "MLFLOW_RUN_ID"
MLFLOW_EXPERIMENT_ID = "MLFLOW_EXPERIMENT_ID"
MLFLOW_EXPERIMENT_NAME = "MLFLOW_EXPERIMENT_NAME"  # the default experiment, as in MLflow (before MLproject's name:)
# Set for the training child: the name of the experiment mlf opened the run in (the bootstrap names it when user
# code calls mlflow.set_experiment() with another one; bootstrap/_mlf_hooks.py reads it by this literal name).
MLF_EXPERIMENT = "MLF_EXPERIMENT"
# A tracking server's credentials, as MLflow reads them (mlflow/environment_variables.py). mlf reads the user name
# for its messages and keeps all three from the training child, which logs into the project's store only.
MLFLOW_TRACKING_USERNAME = "MLFLOW_TRACKING_USERNAME"
MLFLOW_TRACKING_PASSWORD = "MLFLOW_TRACKING_PASSWORD"
MLFLOW_TRACKING_TOKEN = "MLFLOW_TRACKING_TOKEN"
# How long (seconds) delivering a run waits for a tracking server that does not answer before the run is left
# pending in the project (train/remote.py; default 30).
MLF_DELIVERY_TIMEOUT = "MLF_DELIVERY_TIMEOUT"
MLFLOW_LOGGING_LEVEL = "MLFLOW_LOGGING_LEVEL"  # WARNING for the child unless set: MLflow's INFO lines are noise
CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES"  # CUDA's own: which devices a CUDA program sees (gate, sysinfo)
GIT_PYTHON_REFRESH = "GIT_PYTHON_REFRESH"  # "quiet" for the child unless set (train/pipeline.py says why)

# Resume and preemption (entrypoint/steps.py, entrypoint/checkpoint.py): set by `mlf train` for the training child,
# readable by any training that uses the step hook.
MLF_CHECKPOINT_DIR = "MLF_CHECKPOINT_DIR"  # the folder the training checkpoints to and resumes from
MLF_CHECKPOINT_EVERY = "MLF_CHECKPOINT_EVERY"  # checkpoint every N steps (unset: only when stopping)
MLF_STOP_AT_STEP = "MLF_STOP_AT_STEP"  # checkpoint after step N and stop (mlf verify --resume-at, mlf bench)
MLF_ENVIRONMENT_KEY = "MLF_ENVIRONMENT_KEY"  # the run's environment key, written into checkpoints and checked
MLF_WORLD_SIZE = "MLF_WORLD_SIZE"  # ranks in all (mlf --nproc x --nnodes), for the record and the key
# A scheduler's job id that survives a requeue (Slurm: $SLURM_JOB_ID). Checkpoints name it, and `mlf train` resumes
# only a checkpoint that names the same one (none matches none).
MLF_JOB_ID = "MLF_JOB_ID"
MLF_STEP_TIMES = "MLF_STEP_TIMES"  # mlf bench: a file the step hook writes each step's duration to when it stops
