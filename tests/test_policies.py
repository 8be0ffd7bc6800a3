"""One owner per policy: each policy below is written in one module, and a second copy anywhere else fails here.

Each test reads the sources (AST, not text: comments and docstrings may name a policy) or drives every entry point
with the same input, so a copy that drifts from its owner is caught whether or not anyone remembers it exists.

| policy                                   | owner                               |
| ---                                      | ---                                 |
| the seed and thread count: ranges, the one reader of MLF_SEED / MLF_THREADS | entrypoint/run_settings.py |
| writing a file whole or not at all; the file hash; the stat key | entrypoint/files.py                 |
| image references and the digest pattern  | scaffold/references.py              |
| the docker client (CLI and SDK)          | scaffold/engine.py                  |
| OCI labels                               | scaffold/identity.py                |
| a framework's pinned version             | images/images.toml framework_version |
| the stop step (MLF_STOP_AT_STEP)         | entrypoint/steps.py (stop_at)       |
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("entrypoint", "scaffold", "benchmarks")


def _modules(*trees: str) -> dict[str, ast.AST]:
    return {path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for tree in trees for path in sorted((ROOT / tree).rglob("*.py"))}


MODULES = _modules(*SOURCES)


def _docstring_ids(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def code_strings(tree: ast.AST) -> list[str]:
    skip = _docstring_ids(tree)
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip]


def calls(tree: ast.AST) -> list[str]:
    """Every call's callee as written: `os.replace`, `docker.from_env`, `x.rpartition`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func, parts = node.func, []
            while isinstance(func, ast.Attribute):
                parts.append(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                parts.append(func.id)
            found.append(".".join(reversed(parts)))
    return found


def attributes(tree: ast.AST) -> list[str]:
    return [f"{node.value.id}.{node.attr}" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)]


def offenders(predicate, owners: set[str], allowed: dict[str, str] | None = None) -> list[str]:
    allowed = allowed or {}
    return [path for path, tree in MODULES.items()
            if path not in owners and path not in allowed and predicate(tree)]


# --- the seed and the thread count -----------------------------------------------------------------------------

READERS = ("""
import json, os, sys
from mlfcore.entrypoint import config, run_settings
sys.path.insert(0, os.path.join(os.path.dirname(run_settings.__file__), "bootstrap"))
import _mlf_hooks
out = {}
def attempt(name, read):
    try:
        out[name] = read()
    except Exception as err:  # each reader's own error type: the test compares outcomes, not types
        out[name] = "error"
attempt("[tool.mlf] resolution", lambda: config.settings(config.load(sys.argv[1])).seed)
attempt("the training's reader", run_settings.seed)
attempt("the child bootstrap", lambda: _mlf_hooks.options_from_environment().seed)
def api():
    from mlfcore.entrypoint import apply_contract
    return apply_contract().seed
attempt("apply_contract", api)
print(json.dumps(out))
""")


@pytest.mark.parametrize("raw", ["", "  ", "7", " 7 ", "x", "-1", "4294967295", "4294967296"])
def test_every_entry_point_reads_mlf_seed_the_same_way(raw, tmp_path):
    env = {key: value for key, value in __import__("os").environ.items() if not key.startswith("MLF_")}
    done = subprocess.run([sys.executable, "-c", READERS, str(tmp_path)], env={**env, "MLF_SEED": raw},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(set(map(str, outcomes.values()))) == 1, f"MLF_SEED={raw!r}: {outcomes}"
    expected = {"": 0, "  ": 0, "7": 7, " 7 ": 7, "4294967295": 4294967295}.get(raw, "error")
    assert set(outcomes.values()) == {expected}


def test_only_run_settings_reads_the_seed_and_thread_variables():
    # contract.child_environment writes them for the child; reading them is run_settings' alone.
    def reads(tree):
        names = {"variables.MLF_SEED", "variables.MLF_THREADS"}
        return bool(names & set(attributes(tree))) or bool({"MLF_SEED", "MLF_THREADS"} & set(code_strings(tree)))

    assert offenders(reads, {"entrypoint/run_settings.py", "entrypoint/variables.py", "entrypoint/contract.py"}) == []


def test_only_run_settings_writes_the_seed_range():
    def writes(tree):
        return any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)
                   and isinstance(node.left, ast.Constant) and node.left.value == 2
                   and isinstance(node.right, ast.Constant) and node.right.value == 32 for node in ast.walk(tree)) \
            or any(isinstance(node, ast.Constant) and node.value in (2**32, 2**32 - 1) for node in ast.walk(tree))

    # tensorboard/tfrecord.py's 0xFFFFFFFF is CRC32C's initial register and its 32-bit mask, not a seed range.
    assert offenders(writes, {"entrypoint/run_settings.py", "entrypoint/tensorboard/tfrecord.py"}) == []


@pytest.mark.parametrize("args", [["--threads", "1024"], ["--threads", "1025"], ["--seed", "4294967295"],
                                  ["--seed", "4294967296"]])
def test_the_fast_path_and_the_typer_command_take_the_same_ranges(args, tmp_path):
    """`mlf run` starts through its fast path; the Typer command (python -m mlfcore.entrypoint.cli) is the same
    command: both accept or refuse a value alike, with one message."""
    command = [*args, "--no-lint", "--", sys.executable, "-c", "pass"]
    fast = subprocess.run([str(Path(sys.executable).parent / "mlf"), "run", *command], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    typer = subprocess.run([sys.executable, "-m", "mlfcore.entrypoint.cli", "run", *command], capture_output=True,
                           text=True, timeout=120, cwd=tmp_path)
    assert (fast.returncode, fast.stderr) == (typer.returncode, typer.stderr)


# --- files -------------------------------------------------------------------------------------------------------

def test_files_are_written_whole_only_by_files_py():
    def renames(tree):
        return bool({"os.replace", "os.rename", "tempfile.mkstemp", "tempfile.NamedTemporaryFile"} & set(calls(tree)))

    allowed = {
        "entrypoint/train/store.py": "MLflow's migrations create the database under the store's lock; its scratch "
                                     "name is what the next creation's cleanup finds",
        "entrypoint/train/ownership.py": "a lock file renamed into place once locked: reap() must never see it "
                                         "unlocked (not a file's content)",
        "entrypoint/train/tracking.py": "a probe that the store's folder is writable, removed at once",
        "entrypoint/supervise/child.py": "the bootstrap's mark file when TMPDIR is unusable: created empty, "
                                         "never replaced",
        "scaffold/project/render.py": "moves a rendered tree from its staging folder into place, file by file",
        "entrypoint/report/folder.py": "moves a whole report folder into place, the old one aside until it is",
        "entrypoint/train/mlflow_run.py": "a probe that the run's artifact folder is writable, removed at once",
        "entrypoint/commands/tensorboard.py": "moves a run's downloaded event files from their scratch folder into "
                                              "the user cache, whole",
    }
    assert offenders(renames, {"entrypoint/files.py"}, allowed) == []


def test_files_are_hashed_only_by_files_py():
    def hashes_files(tree):
        return any(isinstance(node, ast.FunctionDef) and node.name in ("sha256", "file_sha256")
                   for node in ast.walk(tree))

    assert offenders(hashes_files, {"entrypoint/files.py", "entrypoint/checkpoint.py"}) == []
    from mlfcore.entrypoint import checkpoint, files

    assert checkpoint.sha256.__code__.co_names == ("files", "sha256")  # a delegate, not a copy


# --- images --------------------------------------------------------------------------------------------------------

def test_image_references_are_parsed_only_by_references_py():
    def parses(tree):
        splits = [call for call in calls(tree) if call.endswith((".rpartition", ".partition", ".split", ".rsplit"))]
        separators = {node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                      and isinstance(node.func, ast.Attribute) and node.func.attr in ("rpartition", "partition",
                                                                                       "split", "rsplit")
                      and node.args and isinstance(node.args[0], ast.Constant)}
        return bool(splits) and "@" in separators

    assert offenders(parses, {"scaffold/references.py"}) == []


def test_the_digest_pattern_is_written_once():
    def writes(tree):
        return any("sha256:[0-9a-f]" in text for text in code_strings(tree))

    assert offenders(writes, {"scaffold/references.py"}) == []


def test_the_docker_client_is_chosen_only_by_engine_py():
    def chooses(tree):
        return "docker.from_env" in calls(tree) or "/usr/bin/docker" in code_strings(tree)

    assert offenders(chooses, {"scaffold/engine.py"}) == []


def test_oci_labels_are_named_only_by_identity_and_the_dockerfiles_name_the_same_keys():
    def names(tree):
        return any(text.startswith("org.opencontainers.image.") for text in code_strings(tree))

    assert offenders(names, {"scaffold/identity.py"}) == []
    from mlfcore.scaffold import identity

    ours = set(identity.labels("base", "cpu", base_name="b", base_digest="d", lock_hash="h"))
    for dockerfile in (ROOT / "images").rglob("*Dockerfile"):
        if dockerfile.parent.name == "builder":  # the pinned build tool's image: never shipped, so never labelled
            continue
        keys = set(re.findall(r"\b(org\.opencontainers\.image\.[a-z.]+)=", dockerfile.read_text()))
        assert keys and keys <= ours, f"{dockerfile.relative_to(ROOT)} labels {sorted(keys - ours)} identity does not"
    assert identity.oci_labels("p", "1.0", source="https://x") == {
        "org.opencontainers.image.title": "p", "org.opencontainers.image.version": "1.0",
        "org.opencontainers.image.source": "https://x"}


def test_a_frameworks_version_is_pinned_once_and_every_copy_agrees():
    """images.toml's framework_version is the pin: the rows' requirements say {version}; pyproject's extras and the
    workflow's CPU wheel, which cannot read the table, must say the same."""
    from mlfcore.entrypoint import frameworks
    from mlfcore.scaffold.images import table

    raw = tomllib.loads((ROOT / "images" / "images.toml").read_text())["images"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    workflow = (ROOT / ".github" / "workflows" / "images.yml").read_text()
    registered = {framework.name for framework in frameworks.registered()}
    for name, spec in table.IMAGES.items():
        if spec.framework not in registered:
            continue
        version = spec.framework_version
        written = [item for items in raw[name]["requirements"].values() for item in items]
        assert not any(version in item for item in written), f"{name}: write the pin as {{version}}: {written}"
        pinned = [item for item in extras[spec.framework] if "==" in item and item.split("==")[1] == version]
        assert pinned, f"pyproject's {spec.framework} extra does not pin {version}: {extras[spec.framework]}"
        for found in re.findall(rf'"{re.escape(spec.framework)}==([^"+]+)', workflow):
            assert found == version, f"the images workflow pins {spec.framework}=={found}, the table {version}"



def test_the_base_image_pins_what_pyproject_s_extras_pin():
    """A pin the base image's table row writes out (TensorBoard) is the one pyproject's extra of that package has:
    `pip install 'mlfcore[tensorboard]'` and the images give the same version."""
    raw = tomllib.loads((ROOT / "images" / "images.toml").read_text())["images"]["base"]["requirements"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    pinned = {item for items in extras.values() for item in items if "==" in item}
    written = [item for items in raw.values() for item in items if not item.startswith(".")]
    assert written, "the base row pins nothing besides mlfcore's own dependencies"
    assert [item for item in written if item not in pinned] == []

# --- the stop step -------------------------------------------------------------------------------------------------

def test_only_steps_py_names_the_stop_step():
    def names(tree):
        return "variables.MLF_STOP_AT_STEP" in attributes(tree) or "MLF_STOP_AT_STEP" in code_strings(tree)

    assert offenders(names, {"entrypoint/steps.py", "entrypoint/variables.py"}) == []


def test_the_scans_can_fail():
    """Each scan finds the copy it exists to find (the negative controls of the tests above)."""
    tree = ast.parse("import os, docker\nos.replace(a, b)\nr.rpartition('@')\nS = 2**32\nx = 'sha256:[0-9a-f]{64}'\n"
                     "c = docker.from_env()\nenv = variables.MLF_SEED\nk = 'org.opencontainers.image.title'\n")
    assert "os.replace" in calls(tree) and "docker.from_env" in calls(tree) and "r.rpartition" in calls(tree)
    assert "variables.MLF_SEED" in attributes(tree)
    assert any("sha256:[0-9a-f]" in text for text in code_strings(tree))
    assert any(text.startswith("org.opencontainers.image.") for text in code_strings(tree))
    assert not code_strings(ast.parse("'''docstring: MLF_SEED is read by run_settings'''\n"))
