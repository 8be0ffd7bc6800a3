"""JAX's lint rules on snippets: each fires on what JAX's documentation names, and not on its neighbours."""

import pytest

from ...lint.conftest import rule_ids


@pytest.mark.parametrize("source, rule", [
    ("import jax\nimport jax.numpy as jnp\ny = jnp.zeros(3).at[i].add(v)\n", "jax-scatter-add"),
    ("import jax.numpy as jnp\ny = x.at[i].multiply(2.0)\n", "jax-scatter-add"),
    ("import jax\ns = jax.ops.segment_sum(data, ids, num_segments=4)\n", "jax-scatter-add"),
    ("from jax import lax\nout = lax.scatter_add(x, idx, upd, dnums)\n", "jax-scatter-add"),
    ("import jax.numpy as jnp\ny = x.at[i].set(v, unique_indices=True)\n", "jax-unique-indices"),
    ("import jax.numpy as jnp\ny = jnp.take(x, idx, unique_indices=True)\n", "jax-unique-indices"),
    ("import jax\nkey = jax.random.key(0, impl='rbg')\n", "jax-rbg-prng"),
    ("import jax\njax.config.update('jax_default_prng_impl', 'unsafe_rbg')\n", "contract-jax-prng-impl"),
    ("import jax\njax.config.update('jax_threefry_partitionable', False)\n", "contract-jax-threefry-partitionable"),
    ("import time\nimport jax\nkey = jax.random.PRNGKey(int(time.time()))\n", "contract-clock-seed"),
])
def test_found(lint, source, rule):
    assert rule in rule_ids(lint(source))


@pytest.mark.parametrize("source", [
    "import jax.numpy as jnp\ny = x.at[i].set(v)\n",  # no accumulation: set, not add
    "import jax.numpy as jnp\ny = x.at[i].get()\n",
    "import jax\njax.config.update('jax_default_prng_impl', 'threefry2x32')\n",
    "import jax\njax.config.update('jax_threefry_partitionable', True)\n",
    "import jax\nkey = jax.random.key(0)\n",
    "import jax\ns = jax.ops.segment_max(data, ids, num_segments=4)\n",  # max does not depend on order
    "seen = set()\nseen.add(1)\nfrom collections import Counter\nc.at[0].add(1)\n",  # no jax here
])
def test_not_found(lint, source):
    assert not {r for r in rule_ids(lint(source)) if r.startswith(("jax-", "contract-jax"))}


def test_the_scatter_finding_is_cuda_only_and_informational(lint):
    (finding,) = [f for f in lint("import jax.numpy as jnp\ny = x.at[i].add(v)\n").findings
                  if f.rule == "jax-scatter-add"]
    assert finding.severity == "info" and finding.device == "cuda"
