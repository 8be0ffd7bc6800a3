"""XGBoost's entries of the determinism contract (contract.py places them in its slots)."""

from ...contract import SEED, SWITCH, Entry, seed_value, threads_value

# The generic entries XGBoost's library reads (its OpenMP runtime).
READS = ("OMP_NUM_THREADS",)

ENTRIES = {
    "switches": (
        Entry("xgboost.nthread", SWITCH, threads_value, ("xgboost",),
              "XGBoost's default nthread is the host's core count; measured on 3.2.0, hist gives different bits at 1 "
              "and 2 threads, and it caps nthread at the CPUs it may use: affinity mask and CPU quota (mlf warns "
              "when it does)"),
    ),
    "seeds": (
        Entry("xgboost.seed", SEED, seed_value, ("xgboost",), "XGBoost's seed where the program gives none"),
    ),
}
