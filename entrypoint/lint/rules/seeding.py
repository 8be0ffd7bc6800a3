"""Seeding from the clock: `np.random.seed(int(time.time()))`, `torch.manual_seed(os.getpid())`.

The seed expression is searched for a call whose value differs on every run. Certain from the code, so an error
(contract-clock-seed): the call replaces the contract's seed with a new one each time.
"""

from __future__ import annotations

import ast

RULE = "contract-clock-seed"
# Calls that seed a global or new generator, by qualified name.
SEEDERS = frozenset({"random.seed", "numpy.random.seed", "torch.manual_seed", "torch.cuda.manual_seed",
                     "torch.cuda.manual_seed_all", "torch.random.manual_seed", "tensorflow.random.set_seed",
                     "keras.utils.set_random_seed", "numpy.random.RandomState", "numpy.random.default_rng",
                     "random.Random", "lightning.seed_everything", "lightning.pytorch.seed_everything",
                     "pytorch_lightning.seed_everything", "transformers.set_seed"})
# Values that differ on every run.
VARYING = frozenset({"time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns", "time.monotonic",
                     "time.monotonic_ns", "datetime.datetime.now", "datetime.datetime.utcnow",
                     "datetime.datetime.today", "os.getpid", "os.urandom", "uuid.uuid4", "secrets.randbits",
                     "secrets.token_bytes"})
NAMES = frozenset(s.rpartition(".")[2] for s in SEEDERS)


def check_seed_call(node: ast.Call, ctx) -> None:
    qualified = ctx.resolver.qualify(node.func)
    if qualified not in SEEDERS:
        return
    for arg in (*node.args, *(k.value for k in node.keywords)):
        for inner in ast.walk(arg):
            if type(inner) is ast.Call and ctx.resolver.qualify(inner.func) in VARYING:
                ctx.emit_id(RULE, node, qualified)
                return
