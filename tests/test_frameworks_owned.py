"""A framework is one folder, reached through one registry: the files each framework owns, and a scan of every other
source file for a framework's name.

Each registered framework owns:
- entrypoint/frameworks/<name>/ (its record, parts, rule tables, examples);
- its row of images/images.toml (the row whose `framework` is its name) and images/<image>/;
- scaffold/templates/frameworks/<image>/ (the overlay `mlf-scaffold new --framework <image>` renders);
- its extra in pyproject.toml (and its place in the `frameworks` extra);
- its tests, tests/entrypoint/frameworks/<name>/.
Generic code — everything else under entrypoint/ and scaffold/ — imports no framework, names none in a string that
is code (an import name, a qualified name, an option), and reaches the frameworks' folders only through the
registry (mlfcore.entrypoint.frameworks). Prose may mention them: docstrings and comments cite sources.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from mlfcore.entrypoint import frameworks
from mlfcore.entrypoint.frameworks import interface

ROOT = Path(__file__).resolve().parents[1]
GENERIC_TREES = ("entrypoint", "scaffold")
IMAGES = tomllib.loads((ROOT / "images" / "images.toml").read_text())["images"]

# Generic files allowed to name a framework, each with the reason. Keep it short: a new entry needs a reason a
# reviewer accepts.
ALLOWED = {
    "entrypoint/frameworks/registry.py": "the registry: the one list of the frameworks' names",
    "entrypoint/__init__.py": "the public API re-exports torch's DataLoader helpers under their documented names",
    "entrypoint/deprecated.py": "the list of documented paths that moved into the frameworks' folders",
    "entrypoint/steps.py": "the frameworks' step adapters stay importable from the module docs/distributed.md names",
    "entrypoint/commands/lint.py": "`mlf lint --torch-version`, documented before --table, is kept as its alias",
    "entrypoint/commands/lint_core.py": "what `--torch-version` means: --table torch=X.Y (its alias, above)",
}
# The modules at old documented paths, kept as re-exports (deprecated.py lists them).
ALLOWED_SHIMS = {f"entrypoint/{name.removeprefix('mlfcore.entrypoint.').replace('.', '/')}.py"
                 for name in __import__("mlfcore.entrypoint.deprecated", fromlist=["MOVED"]).MOVED}


def image_of(name: str) -> str:
    """The image in images/images.toml whose row names the framework."""
    found = [image for image, row in IMAGES.items() if row["framework"] == name]
    assert len(found) == 1, f"images/images.toml has {len(found)} rows for framework {name}"
    return found[0]


def owned(name: str) -> list[str]:
    """The paths a framework owns (folders end with a slash)."""
    image = image_of(name)
    return [f"entrypoint/frameworks/{name}/", f"images/{image}/", f"scaffold/templates/frameworks/{image}/",
            f"tests/entrypoint/frameworks/{name}/"]


def test_the_registry_lists_exactly_the_folders():
    folders = {p.parent.name for p in (ROOT / "entrypoint" / "frameworks").glob("*/__init__.py")}
    assert set(frameworks.NAMES) == folders
    assert len(set(frameworks.NAMES)) == len(frameworks.NAMES)
    for framework in frameworks.registered():
        assert framework.name in frameworks.NAMES


@pytest.mark.parametrize("name", frameworks.NAMES)
def test_a_framework_has_every_place_of_the_checklist(name):
    framework = frameworks.get(name)
    for path in owned(name):
        assert (ROOT / path).is_dir(), f"{name} owns {path}, which does not exist"
    folder = ROOT / "entrypoint" / "frameworks" / name
    present = {part for part in interface.PARTS if (folder / f"{part}.py").is_file()}
    assert present == set(framework.parts), f"{name}: declared parts {framework.parts}, files for {sorted(present)}"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert name in extras, f"pyproject.toml has no `{name}` extra"
    assert name in extras["frameworks"][0].partition("[")[2].rstrip("]").split(","), "not in the frameworks extra"
    assert framework.import_name in framework.modules
    for example in framework.examples:
        assert (folder / (example.module.replace(".", "/") + ".py")).is_file(), example


def _code_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants that are code, not prose: every one but docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


_IDENTIFIER = re.compile(r"^-{0,2}([A-Za-z_][A-Za-z0-9_]*)[\w.\-]*$")


def names_of_frameworks(tree: ast.AST, forbidden: set[str]) -> list[str]:
    """What in a module names a framework: an import of one, an import of a framework's folder, or a code string
    whose first word is one (`"torch.manual_seed"`, `"--torch-version"`, `"xgboost"`)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.partition(".")[0] in forbidden]
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            top = parts[0] if node.level == 0 else None
            into_folder = "frameworks" in parts and parts.index("frameworks") + 1 < len(parts) \
                and parts[parts.index("frameworks") + 1] in frameworks.NAMES
            if top in forbidden or into_folder:
                found.append(f"line {node.lineno}: from {'.' * node.level}{node.module} import ...")
    for line, text in _code_strings(tree):
        matched = _IDENTIFIER.match(text)
        into_folder = any(f"frameworks.{name}" in text or f"frameworks/{name}/" in text for name in frameworks.NAMES)
        if (matched and matched.group(1) in forbidden) or into_folder:
            found.append(f"line {line}: {text!r}")
    return found


def _generic_files() -> list[Path]:
    inside = [f"entrypoint/frameworks/{name}/" for name in frameworks.NAMES]
    files = []
    for tree in GENERIC_TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not any(relative.startswith(prefix) for prefix in inside):
                files.append(path)
    return files


def forbidden_names() -> set[str]:
    return {module for framework in frameworks.registered() for module in (framework.name, *framework.modules)}


def test_generic_code_names_no_framework():
    forbidden = forbidden_names()
    offenders = {}
    for path in _generic_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or relative in ALLOWED_SHIMS:
            continue
        found = names_of_frameworks(ast.parse(path.read_text(encoding="utf-8")), forbidden)
        if found:
            offenders[relative] = found
    assert not offenders, "generic code names a framework (reach it through mlfcore.entrypoint.frameworks):\n" + \
        "\n".join(f"  {path}: {'; '.join(found)}" for path, found in offenders.items())


def test_the_scan_finds_each_way_of_naming_one():
    """The scan can fail: each way generic code could name a framework is caught, prose is not."""
    forbidden = forbidden_names()
    for source in ("import torch\n", "from xgboost import Booster\n", "from ..frameworks.torch import data\n",
                   "NAME = 'tensorflow.random.set_seed'\n", "f(option='--torch-version')\n",
                   "def f():\n    '''Prose about torch is fine.'''\n    return 'keras'\n",
                   "import_module('.frameworks.xgboost.data', __name__)\n"):
        assert names_of_frameworks(ast.parse(source), forbidden), source
    for source in ("'''torch, said in prose'''\n", "# import torch\n", "from .. import frameworks\n",
                   "x = 'the torch example'\n", "y = 'torchvision-like'\n"):
        assert not names_of_frameworks(ast.parse(source), forbidden - {"torchvision"}), source


def test_allowed_files_still_need_their_exception():
    """An exception no longer needed is removed, so the list says the truth."""
    forbidden = forbidden_names()
    for relative in ALLOWED:
        path = ROOT / relative
        assert path.is_file(), relative
        assert names_of_frameworks(ast.parse(path.read_text(encoding="utf-8")), forbidden), relative
