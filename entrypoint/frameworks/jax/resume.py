"""The complete training state of a JAX run: what a resumed run needs to give the bits of an uninterrupted one.

JAX draws random numbers only from keys the program passes around. A loop whose every key is a function of (seed,
step) — `jax.random.fold_in(keys.run_key(), n)` — re-creates each key after a resume, so the state to save is what
the loop updates: its pytrees (the model's parameters, the optimizer's state), the position (epoch, batches done in
it), what it accumulates, and Python's and NumPy's global generators, as every framework's resume saves them.

A payload is a NumPy `.npz` (no pickle: loading it runs no code), one array per pytree leaf named by its path in the
tree, and one JSON document with the rest (checkpoint.save_arrays). Restoring fills a template of the same structure
— the freshly initialised pytrees — leaf by leaf, in the template's dtypes: a checkpoint of another model is refused.

Usage (examples/jax_digits.py, beside this file, is the reference):

    resume = JaxResume(folder)
    start = resume.restore(params=params, opt_state=opt_state)      # the step reached; 0 without a checkpoint
    params, opt_state = resume.state["params"], resume.state["opt_state"]
    steps = Steps(save=resume.save).start(start)
    ... every step: resume.state = {"params": params, "opt_state": opt_state}; resume.position = (epoch, batch)
        steps.done()
"""

from __future__ import annotations

import json
from pathlib import Path

from ... import checkpoint, host_rng


def _leaves(tree) -> list[tuple[str, object]]:
    """(path, leaf) of every leaf of a pytree, in JAX's flattening order."""
    import jax

    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return [(jax.tree_util.keystr(path), leaf) for path, leaf in flat]


class JaxResume:
    """Save and restore a JAX training's pytrees and position into a checkpoint folder (checkpoint.py's layout, one
    process)."""

    def __init__(self, folder: Path | None, *, partitioning: str = "") -> None:
        self.folder = Path(folder) if folder is not None else None
        self.partitioning = partitioning
        self.state: dict = {}  # name → pytree: set by the loop after each step
        self.position = (0, 0)  # (epoch, batches done in it) after the last step
        self.extra: dict = {}
        self.restored: dict | None = None

    def _payload(self, step: int) -> dict:
        import numpy

        arrays, paths = {}, {}
        for name, tree in self.state.items():
            leaves = _leaves(tree)
            paths[name] = [path for path, _ in leaves]
            arrays.update({f"{name}/{index:04d}": numpy.asarray(leaf) for index, (_, leaf) in enumerate(leaves)})
        meta = {"step": step, "position": list(self.position), "extra": self.extra, "paths": paths,
                "rng": host_rng.capture()}
        return {**arrays, "meta": json.dumps(meta, sort_keys=True)}

    def save(self, step: int, stopping: str | None = None) -> None:
        """Write the payload and commit the manifest (for `Steps(save=...)`)."""
        if self.folder is None:
            return
        checkpoint.save_arrays(self.folder, step, self._payload(step), partitioning=self.partitioning,
                               extra={"position": list(self.position), "stopped": stopping})

    def restore(self, **templates) -> int:
        """Load the folder's checkpoint into pytrees shaped like `templates` (name → pytree), which `state` then
        holds; the step reached, 0 when there is none (`state` is then the templates)."""
        import jax
        import jax.numpy as jnp

        self.state = dict(templates)
        found = checkpoint.load_arrays(self.folder) if self.folder is not None else None
        if found is None:
            return 0
        manifest, arrays = found
        meta = json.loads(str(arrays.pop("meta")))
        for name, template in templates.items():
            leaves = _leaves(template)
            if [path for path, _ in leaves] != meta["paths"].get(name):
                raise checkpoint.InvalidCheckpoint(
                    f"the checkpoint's {name} ({len(meta['paths'].get(name) or [])} arrays) does not match this "
                    f"training's ({len(leaves)})",
                    hint="resume with the model and optimizer that wrote the checkpoint, or remove it to start afresh")
            restored = [jnp.asarray(arrays[f"{name}/{index:04d}"], dtype=jnp.asarray(leaf).dtype)
                        for index, (_, leaf) in enumerate(leaves)]
            self.state[name] = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(template), restored)
        host_rng.restore(meta["rng"])
        self.position = tuple(meta["position"])
        self.extra = meta["extra"]
        self.restored = manifest
        return int(meta["step"])
