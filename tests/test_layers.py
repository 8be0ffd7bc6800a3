"""The layers of mlfcore.entrypoint (docs/ARCHITECTURE.md), and the imports between them: a module imports its own
layer or the ones below, never one above; within the machinery, sysinfo < lint < supervise < train; and no two
modules import each other, directly or around a cycle. Imports inside functions count as much as those at the top.

The frameworks' folders are reached from below only through the registry (mlfcore.entrypoint.frameworks), by name at
run time (importlib), which no static import shows: that is the point of the registry.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "entrypoint"

# Layer of each module, by its dotted path inside mlfcore.entrypoint (prefix match, most specific first).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("__init__", "errors", "frozen", "variables", "run_settings", "console", "files", "cachedir",
                    "installed", "processes", "deprecated")),
    ("registry", ("frameworks.__init__", "frameworks.registry", "frameworks.interface")),
    ("contract", ("contract", "config", "api", "bootstrap")),
    ("step API", ("steps", "checkpoint", "host_rng", "tensorboard")),
    ("framework parts", ("frameworks.",)),
    ("sysinfo", ("sysinfo",)),
    ("lint", ("lint",)),
    ("supervise", ("supervise",)),
    ("train", ("train",)),
    ("programs", ("cli", "commands", "report", "examples", "frameworks.*.examples", "resume_torch", "resume_keras",
                  "resume_xgboost", "torchrun")),
)
ORDER = [name for name, _ in LAYERS]
# The interfaces a framework's part implements, which it may import although they sit above it.
INTERFACES = {"train.artifacts": "a formats part yields the fingerprint's artifacts"}


def module_name(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def layer_of(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "frameworks" and len(parts) > 2 and parts[2] == "examples":
        return "programs"
    best = None
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if prefix.endswith(".") and name.startswith(prefix) and name.split(".")[1] not in (
                    "__init__", "registry", "interface"):
                candidate = (len(prefix), layer)
            elif name == prefix or name.startswith(prefix + "."):
                candidate = (len(prefix) + 1, layer)
            else:
                continue
            best = max(best, candidate) if best else candidate
    assert best, f"{name} is in no layer: add it to LAYERS"
    return best[1]


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The entrypoint modules `path` imports (a package import counts as its __init__)."""
    name = module_name(path, root)
    package = name.split(".")[:-1] if not name.endswith("__init__") else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("mlfcore.entrypoint"):
                target = node.module.split(".")[2:]
            else:
                continue
            for alias in node.names:
                for candidate in (target + [alias.name], target):
                    dotted = ".".join(candidate)
                    if dotted in modules:
                        found.add(dotted)
                        break
                    if f"{dotted}.__init__" in modules:
                        found.add(f"{dotted}.__init__")
                        break
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mlfcore.entrypoint."):
                    dotted = ".".join(alias.name.split(".")[2:])
                    found.add(dotted if dotted in modules else f"{dotted}.__init__")
    return {target for target in found if target != name}


def graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in ROOT.rglob("*.py")}
    return {name: imports_of(path, set(paths)) for name, path in paths.items()}


def test_every_import_goes_to_the_same_layer_or_below():
    edges = graph()
    upward = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            if target in INTERFACES and layer_of(source) == "framework parts":
                continue
            if ORDER.index(layer_of(target)) > ORDER.index(layer_of(source)):
                upward.append(f"{source} ({layer_of(source)}) -> {target} ({layer_of(target)})")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def find_cycles(edges: dict[str, set[str]]) -> list[str]:
    """Each import cycle found by a depth-first walk, as `a -> b -> a`."""
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return cycles


def test_no_cycle_between_modules():
    assert find_cycles(graph()) == []


def test_the_check_sees_an_upward_import_and_a_cycle(tmp_path):
    """Negative control: layers of real modules, an import that goes up, and a cycle are recognised."""
    assert layer_of("lint.engine") == "lint" and layer_of("train.pipeline") == "train"
    assert layer_of("frameworks.torch.resume") == "framework parts" and layer_of("frameworks.registry") == "registry"
    assert layer_of("frameworks.jax.examples.jax_digits") == "programs"
    assert ORDER.index(layer_of("train.datacache")) > ORDER.index(layer_of("lint.cache"))  # the arrow that was wrong
    assert find_cycles({"train.fingerprint": {"train.formats"}, "train.formats": {"train.fingerprint"}}) == [
        "train.fingerprint -> train.formats -> train.fingerprint"]  # the cycle that was
    (tmp_path / "lint").mkdir()
    (tmp_path / "lint" / "cache.py").write_text("from ..train.datacache import Key\n")
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "datacache.py").write_text("")
    found = imports_of(tmp_path / "lint" / "cache.py", {"lint.cache", "train.datacache"}, root=tmp_path)
    assert found == {"train.datacache"}
