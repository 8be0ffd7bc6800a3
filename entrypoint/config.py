"""The project's configuration: `[tool.mlf]` in pyproject.toml. Flags override it; it overrides the defaults."""

from __future__ import annotations

from pathlib import Path

from . import contract, run_settings
from .errors import ConfigError
from .frozen import Frozen

# Keys of [tool.mlf] and the type each must have. Sub-tables are validated by the parts that own them
# (lint: lint/config.py, train: train/project.py); an unknown key anywhere is an error naming it.
TOP_LEVEL_KEYS: dict[str, type | tuple[type, ...]] = {
    "seed": int,
    "threads": int,
    "portable": bool,
    "allow": list,
    "data": list,
    "data_roots": dict,  # named data folders outside the project (train/dataroots.py)
    "outputs": list,
    # The fingerprint `mlf verify` must give (v<algorithm>:<hex>); train/expect.py parses it when verify uses it.
    "expect": str,
    "lint": dict,
    "train": dict,
    # mlf-scaffold's table (`registry` for `mlf-scaffold publish`, scaffold/publish.py validates it): one
    # pyproject.toml serves both programs, so mlf accepts the table and reads nothing in it.
    "publish": dict,
}


class ProjectConfig(Frozen):
    """[tool.mlf] of one project; `path` is the pyproject.toml it came from (None when there is none)."""

    root: Path
    path: Path | None = None
    values: dict[str, object]
    FACTORIES = {"values": dict}

    def table(self, name: str) -> dict[str, object]:
        return dict(self.values.get(name, {}))


def load(project_dir: Path | str = ".") -> ProjectConfig:
    """Read [tool.mlf] from `project_dir`/pyproject.toml; a missing file or table is an empty configuration."""
    root = Path(project_dir).resolve()
    path = root / "pyproject.toml"
    if not path.exists():
        return ProjectConfig(root)
    import tomllib  # here: a project without pyproject.toml (and `mlf run` there) does not pay for the parser

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}", hint="fix the file, then run again") from err
    except OSError as err:  # a folder, no permission, an I/O error: never "no configuration"
        raise ConfigError(f"{path}: cannot be read: {err.strerror or err}",
                          hint="make it a readable file, then run again") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, got {tool!r}", hint="tools' settings go in [tool.NAME]")
    table = tool.get("mlf", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mlf] must be a table")
    for key, value in table.items():
        expected = TOP_LEVEL_KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.mlf]",
                              hint=f"known keys: {', '.join(TOP_LEVEL_KEYS)}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{path}: [tool.mlf] {key} must be of type {expected.__name__}, got {value!r}")
    allow = table.get("allow", [])
    if not all(isinstance(name, str) for name in allow):
        raise ConfigError(f"{path}: [tool.mlf] allow must list contract entry names (strings), got {allow!r}",
                          hint="`mlf env` lists the names")
    return ProjectConfig(root, path, table)


def _from_environment(read) -> int | None:
    """MLF_SEED or MLF_THREADS through their one reader (run_settings.py); a bad value is a ConfigError."""
    try:
        return read()
    except ValueError as err:
        raise ConfigError(str(err)) from None


def settings(config: ProjectConfig, *, seed: int | None = None, threads: int | None = None,
             portable: bool | None = None, allow_nondeterministic: bool = False) -> contract.Settings:
    """The run's settings: flag, else [tool.mlf], else MLF_SEED / MLF_THREADS, else the contract's defaults."""

    sources = []  # where each value came from, for the message when one is bad

    def pick(flag, key, reader, variable, default):
        if flag is not None:
            sources.append("the command line")
            return flag
        if key in config.values:
            sources.append(f"{config.path} [tool.mlf] {key}")
            return config.values[key]
        from_env = _from_environment(reader) if reader else None
        sources.append(variable if from_env is not None else "the defaults")
        return default if from_env is None else from_env

    values = {"seed": pick(seed, "seed", run_settings.seed_from_environment, run_settings.SEED_VARIABLE,
                           contract.DEFAULT_SEED),
              "threads": pick(threads, "threads", run_settings.threads_from_environment,
                              run_settings.THREADS_VARIABLE, contract.DEFAULT_THREADS),
              "portable": pick(portable, "portable", None, None, True)}
    try:
        return contract.Settings(**values, allow_nondeterministic=allow_nondeterministic,
                                 allow=tuple(config.values.get("allow", [])))
    except ValueError as err:
        culprit = next((where for name, where in zip(values, sources) if name in str(err)), None)
        raise ConfigError(f"{culprit or config.path or 'the settings'}: {err}") from err
