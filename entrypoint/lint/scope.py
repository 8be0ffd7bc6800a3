"""Which of a project's files a command will import: the pre-run gate lints those, not every file in the folder.

The entry is read from the command line the way the interpreter reads it: `python [options] script.py`, `python -m
module`, `python -c CODE`, a launcher (`torchrun`, `python -m torch.distributed.run`, `accelerate launch`,
`deepspeed`) followed by its script, or a `.py` file run directly. From the entry, the project's own imports are
followed (absolute ones against the script's folder, which is sys.path[0], and the project root; relative ones
against the importing package), with each package's `__init__.py`. Imports of anything outside the project
(torch, numpy) end there.

When the entry cannot be followed — a shell command or pipeline, a program that is not Python, an entry file that
does not exist, a module not in the project (looked for in the root, `src/`, and where this interpreter finds its
top-level package), an import whose module name is computed at run time — the scope is
the whole project and `why` says which of these it was.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

from ..frozen import Frozen
from .framework_parts import union

PYTHON_OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "--check-hash-based-pycs"})
# Launchers whose target script is the real entry point; each framework's lint part adds its own (LAUNCHERS,
# LAUNCHER_MODULES: programs, and modules run with -m).
GENERIC_LAUNCHERS = frozenset({"deepspeed", "horovodrun", "mpirun"})
SHELL_TOKENS = frozenset({"|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "2>&1", "$(", "`"})
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh"})
IMPORTERS = frozenset({"importlib.import_module", "import_module", "__import__", "importlib.__import__"})


class Scope(Frozen):
    files: list[Path]  # the project files the command imports (whole: empty)
    whole: bool = False  # the entry could not be followed: lint the whole project
    why: str = ""  # what the entry was, or why it could not be followed
    entry: str = ""
    FACTORIES = {"files": list}

    def to_dict(self, root: Path) -> dict:
        return {"scope": "project" if self.whole else "imports", "entry": self.entry, "why": self.why,
                "files": [] if self.whole else [_relative(p, root) for p in self.files]}


def resolve(command: list[str], root: Path, exclude: Iterable[str] = ()) -> Scope:
    """The files `command`, started in `root`, will import from the project."""
    root = Path(root).resolve()
    found = _entry(list(command), root)
    if isinstance(found, str):
        return Scope(whole=True, why=found)
    kind, value = found
    if kind == "code":
        start, entry, base = [], "python -c", root
        sources = [("<-c>", value)]
    elif kind == "module":  # `python -m a.b` imports package a (and a.b) first, from where a is found
        value, base = value
        start, entry, sources = [value], _relative(value, root), []
        parts = value.relative_to(base).with_suffix("").parts
        start += [p for p in (_walk(base, list(parts[:-1])) or []) if p != value]
    else:
        start, entry, base, sources = [value], _relative(value, root), value.parent, []
    files, dynamic = _follow(start, sources, root, base)
    if dynamic:
        return Scope(whole=True, why=dynamic, entry=entry)
    patterns = tuple(exclude)
    kept = [f for f in files if not _excluded(_relative(f, root), patterns)]
    return Scope(files=kept, why=f"the files {entry} imports from the project", entry=entry)


def _entry(argv: list[str], root: Path) -> tuple[str, object] | str:
    """("script", path) | ("module", path) | ("code", source), or why the entry cannot be found."""
    if not argv:
        return "no command"
    if any(token in SHELL_TOKENS or token.startswith(("$(", "`")) for token in argv):
        return "a shell command line (pipes, redirections or command lists) cannot be followed"
    while argv and (argv[0] == "env" or ("=" in argv[0] and not argv[0].startswith(("-", "/", ".")))):
        argv = argv[1:]  # `env A=1 python train.py`
    if not argv:
        return "no command"
    program = os.path.basename(argv[0])
    if program in SHELLS:
        return f"{program} runs a shell script, which cannot be followed"
    if program.startswith("python") or program == "pypy3":
        return _python(argv[1:], root)
    if program in GENERIC_LAUNCHERS | union("LAUNCHERS"):
        return _launched(argv[1:], root, program)
    if program.endswith(".py"):
        return _script(argv[0], root)
    return f"{program} is not a Python interpreter or a known launcher, so what it imports cannot be followed"


def _python(args: list[str], root: Path) -> tuple[str, object] | str:
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "-c" and index + 1 < len(args):
            return "code", args[index + 1]
        if arg.startswith("-c") and len(arg) > 2:
            return "code", arg[2:]
        if arg == "-m" and index + 1 < len(args):
            return _module(args[index + 1], args[index + 2:], root)
        if arg.startswith("-m") and len(arg) > 2:
            return _module(arg[2:], args[index + 1:], root)
        if arg in PYTHON_OPTIONS_WITH_VALUE:
            index += 2
            continue
        if arg == "-" or not arg.startswith("-"):
            return _script(arg, root) if arg != "-" else "the program is read from standard input"
        index += 1
    return "an interactive interpreter (no script, module or -c)"


def _launched(args: list[str], root: Path, launcher: str) -> tuple[str, object] | str:
    module = "-m" in args or "--module" in args or "--no_python" in args
    for arg in args:
        if arg.endswith(".py") and not arg.startswith("-"):
            return _script(arg, root)
        if module and not arg.startswith("-") and (root / (arg.replace(".", "/") + ".py")).is_file():
            return _module(arg, [], root)
    return f"{launcher}: no script (.py) found on its command line"


def _module(name: str, rest: list[str], root: Path) -> tuple[str, object] | str:
    if name in union("LAUNCHER_MODULES"):
        return _launched(rest, root, f"python -m {name}")
    for import_root in _import_roots(name, root):
        base = import_root / name.replace(".", "/")
        for candidate in (base.with_suffix(".py"), base / "__main__.py"):
            if candidate.is_file():
                return "module", (candidate.resolve(), import_root)
    return f"module {name} is not a file of the project"


def _import_roots(name: str, root: Path) -> Iterable[Path]:
    """The project folders `python -m NAME` may find NAME in: the project root (sys.path[0] under -m is the working
    folder), its `src/` (the src layout, installed editable, as PyPA's packaging guide lays a project out), and the
    folder this interpreter's finders give NAME's top-level package when it is a regular package inside the project
    (a .pth or an editable install naming another folder). find_spec of a top-level name imports nothing: only a
    parent package would run code, and none is asked for."""
    yield root
    if (root / "src").is_dir():
        yield root / "src"
    try:
        spec = importlib.util.find_spec(name.partition(".")[0])
    except (ImportError, ValueError):
        return
    if spec is None or spec.origin is None:  # not found, or a namespace package (no one folder)
        return
    where = Path(spec.origin).resolve().parent
    location = where.parent if spec.submodule_search_locations else where
    if location not in (root, root / "src") and location.is_relative_to(root):
        yield location


def _script(path: str, root: Path) -> tuple[str, object] | str:
    candidate = Path(path) if os.path.isabs(path) else root / path
    if candidate.is_file():
        return "script", candidate.resolve()
    return f"the entry script {path} does not exist in the project"


def _follow(start: list[Path], sources: list[tuple[str, str]], root: Path, base: Path) -> tuple[list[Path], str]:
    """Every project file reachable by import from `start` (files) and `sources` (code strings), and why the
    scope must be the whole project ("" when it need not)."""
    seen: dict[Path, None] = {}
    todo: list[tuple[Path | None, str | bytes]] = [(None, code) for _, code in sources]
    for path in start:
        seen[path] = None
        todo.append((path, b""))
    searched = [base, root] if base != root else [root]
    while todo:
        path, text = todo.pop()
        if path is not None:
            try:
                text = path.read_bytes()
            except OSError:
                continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # the lint reports the file; its imports cannot be read
        where = _relative(path, root) if path is not None else "python -c"
        for module, level, names, line in _imports(tree):
            if module is None:
                return [], f"{where}:{line} imports a module whose name is computed at run time"
            for found in _locate(module, level, names, path, searched):
                if found not in seen:
                    seen[found] = None
                    todo.append((found, b""))
    return list(seen), ""


def _imports(tree: ast.AST):
    """(module, level, imported names, line) per import; module None for a dynamic import."""
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Import:
            for alias in node.names:
                yield alias.name, 0, (), node.lineno
        elif kind is ast.ImportFrom:
            yield node.module or "", node.level, tuple(a.name for a in node.names), node.lineno
        elif kind is ast.Call and _dotted(node.func) in IMPORTERS:
            first = node.args[0] if node.args else None
            if type(first) is ast.Constant and type(first.value) is str:
                yield first.value, 0, (), node.lineno
            else:
                yield None, 0, (), node.lineno


def _dotted(node: ast.AST) -> str:
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is ast.Name:
        parts.append(node.id)
    return ".".join(reversed(parts))


def _locate(module: str, level: int, names: tuple[str, ...], importer: Path | None,
            searched: list[Path]) -> list[Path]:
    """The project files an import loads: each package's __init__.py on the way, the module, and for `from
    package import name` the submodule `name` when it is one."""
    if level:
        if importer is None:
            return []
        anchor = importer.parent
        for _ in range(level - 1):
            anchor = anchor.parent
        bases = [anchor]
        parts = module.split(".") if module else []
    else:
        bases = searched
        parts = module.split(".")
    for folder in bases:
        found = _walk(folder, parts)
        if found is None:
            continue
        package = folder.joinpath(*parts)
        for name in names:
            for candidate in (package / f"{name}.py", package / name / "__init__.py"):
                if candidate.is_file():
                    found.append(candidate.resolve())
        return found
    return []


def _walk(folder: Path, parts: list[str]) -> list[Path] | None:
    found: list[Path] = []
    current = folder
    for index, part in enumerate(parts):
        current = current / part
        init = current / "__init__.py"
        if init.is_file():
            found.append(init.resolve())
        elif index == len(parts) - 1 and current.with_suffix(".py").is_file():
            found.append(current.with_suffix(".py").resolve())
        elif not current.is_dir():
            return None  # not in the project (torch, numpy): the import ends here
    return found


def _relative(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    name = relative.rpartition("/")[2]
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) or relative.startswith(p.rstrip("/") + "/")
               for p in patterns)
