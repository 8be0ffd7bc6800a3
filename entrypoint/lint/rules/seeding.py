"""Seeding from the clock: `np.random.seed(int(time.time()))`, `torch.manual_seed(os.getpid())`.

The seed expression is searched for a call whose value differs on every run. Certain from the code, so an error
(contract-clock-seed): the call replaces the contract's seed with a new one each time.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from ..framework_parts import union

RULE = "contract-clock-seed"
# Calls that seed a global or new generator, by qualified name; each framework's lint part adds its own (SEEDERS).
GENERIC_SEEDERS = frozenset({"random.seed", "numpy.random.seed", "numpy.random.RandomState",
                             "numpy.random.default_rng", "random.Random", "transformers.set_seed"})
# Values that differ on every run.
VARYING = frozenset({"time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns", "time.monotonic",
                     "time.monotonic_ns", "datetime.datetime.now", "datetime.datetime.utcnow",
                     "datetime.datetime.today", "os.getpid", "os.urandom", "uuid.uuid4", "secrets.randbits",
                     "secrets.token_bytes"})


@lru_cache(maxsize=None)
def seeders() -> frozenset[str]:
    return GENERIC_SEEDERS | union("SEEDERS")


def names() -> frozenset[str]:
    """The last part of every seeder's name: the calls the check is keyed by."""
    return frozenset(s.rpartition(".")[2] for s in seeders())


def check_seed_call(node: ast.Call, ctx) -> None:
    qualified = ctx.resolver.qualify(node.func)
    if qualified not in seeders():
        return
    for arg in (*node.args, *(k.value for k in node.keywords)):
        for inner in ast.walk(arg):
            if type(inner) is ast.Call and ctx.resolver.qualify(inner.func) in VARYING:
                ctx.emit_id(RULE, node, qualified)
                return
