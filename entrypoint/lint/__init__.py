"""`mlf lint`: find non-deterministic framework calls in Python sources before they cost a training run.

Library entry points: `lint_paths(paths, ...)` (what `mlf lint` calls) and `lint_project(project_dir, config=None)`,
both returning a `Report`; `gate.decide(...)` is the pre-run gate `mlf run` and `mlf train` share (lint/gate.py).
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterable

__all__ = ["LintConfig", "Report", "lint_paths", "lint_project"]


def __getattr__(name: str):
    """`LintConfig` and `Report` on first use: `mlf run` imports this package for its gate (lint/gate.py), which
    needs the engine only when the command imports files to check."""
    if name == "LintConfig":
        from .config import LintConfig

        return LintConfig
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def lint_paths(paths: Iterable[Path | str], *, base: Path | str = ".", config: LintConfig | None = None,
               select: list[str] | None = None, ignore: list[str] | None = None,
               versions: dict[str, str] | None = None, jobs: int | None = None, cache: bool = False) -> Report:
    """Lint `paths` (files or folders). Flags (`select`, `ignore`, `versions`: framework → rule table version)
    override `config`; `ignore` adds to config's. Paths in findings are shown relative to `base`. Raises UsageError
    for a path that does not exist, an unknown rule, or a framework version without a table. With `cache`, findings of files unchanged
    since an earlier call with the same rules are re-used (lint/cache.py, one cache per `base`)."""
    from . import engine, rules
    from .config import LintConfig
    from .report import Report

    config = config or LintConfig()
    ruleset = rules.build(select=list(select) if select is not None else
                          (list(config.select) if config.select is not None else None),
                          ignore=[*config.ignore, *(ignore or [])],
                          versions={**dict(config.versions), **(versions or {})})
    items, notes = engine.discover([Path(p) for p in paths], Path(base), config.exclude)
    findings, lines = _cached(items, ruleset, jobs, Path(base)) if cache else engine.check_files(items, ruleset, jobs)
    findings = [f for f in (*notes, *findings) if f.rule in ruleset.active]
    return Report(findings=findings, files=len(items), lines=lines, tables=ruleset.tables, rules=ruleset.rules)


def _cached(items: list[tuple[str, str]], ruleset, jobs: int | None, base: Path) -> tuple[list, int]:
    from . import cache, engine

    store = cache.Cache(base, cache.ruleset_identity(ruleset))
    findings: list = []
    lines = 0
    todo = []
    for display, path in items:
        hit = store.get(display, path)
        if hit is None:
            todo.append((display, path, store.key(path)))
        else:
            findings += hit[0]
            lines += hit[1]
    for (display, path, key), (found, count) in zip(todo, engine.check_each([t[:2] for t in todo], ruleset, jobs)):
        store.put(display, path, found, count, key)
        findings += found
        lines += count
    store.save()
    return findings, lines


def lint_project(project_dir: Path | str, config=None, *, jobs: int | None = None) -> Report:
    """Lint every Python file of a project, with its `[tool.mlf.lint]` settings.

    `config` is the project's `mlfcore.entrypoint.config.ProjectConfig` (loaded from `project_dir` when None) or
    a `LintConfig`."""
    from .config import LintConfig, from_table

    root = Path(project_dir)
    if config is None:
        from .. import config as project_config

        config = project_config.load(root)
    if not isinstance(config, LintConfig):
        config = from_table(config.table("lint"), config.path)
    return lint_paths([root], base=root, config=config, jobs=jobs)
