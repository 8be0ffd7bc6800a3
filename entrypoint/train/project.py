"""What `mlf train` runs: the project's entry point, its typed parameters and their values.

An entry point comes from, in order:
1. an MLflow `MLproject` file (`entry_points: NAME: {parameters: ..., command: ...}`, the MLflow Projects format);
2. `[tool.mlf.train]` in pyproject.toml (`command`, `parameters`);
3. nothing at all (an empty /workspace in an image): the bundled example the image names in $MLF_IMAGE_EXAMPLE,
   else the one for the single framework installed.

An MLproject is read with MLflow's own loader (`mlflow.projects._project_spec.load_project`, the function `mlflow run`
calls): its `name:` is the default experiment, its python_env/conda_env/docker_env are kept for the run's record.
Commands are rendered as MLflow renders them (`EntryPoint.compute_command`: `command.format(**values)` with each
value shell-quoted by MLflow's `_sanitize_value_dict`). Besides the parameters, `{output_dir}` (this run's own output
folder) and `{seed}` may be used. `mlflow run` knows only declared parameters (`compute_command` formats with them
alone: `KeyError: 'output_dir'`), so an MLproject may declare `output_dir` (a `string` with a default): its value
is then the folder the runs' own folders go into, for `mlf train` and for `mlflow run` in our images alike
(train/mlflow_run.py); train/mlflow_compat.py names what keeps an MLproject from running under `mlflow run`.
A rendered command without shell syntax runs as a direct argv; one with shell syntax (a multi-line or
backslash-continued `command: |`, pipes, `&&`, variables) runs under `/bin/sh -c`, as `mlflow run` runs every
command under `bash -c` (mlflow/projects/backend/local.py, `_run_entry_point`).
Every problem is a ConfigError / UsageError (exit 2) raised before anything is logged.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shlex
import string
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import config, frameworks, variables
from ..errors import ConfigError, UsageError

MLPROJECT = "MLproject"
DEFAULT_ENTRY_POINT = "main"
DEFAULT_OUTPUT_DIR = "outputs"
# Placeholders mlf fills itself; a parameter may not take these names, except OUTPUT_DIR (the module says why).
OUTPUT_DIR = "output_dir"
RESERVED = (OUTPUT_DIR, "seed")
# How an MLproject declares it, so that `mlflow run` can fill it too.
OUTPUT_DIR_DECLARATION = f"`{OUTPUT_DIR}: {{type: string, default: {DEFAULT_OUTPUT_DIR}}}`"
# Keys of [tool.mlf.train] and their types (config.py leaves sub-tables to their owners).
TRAIN_KEYS: dict[str, type] = {"command": str, "parameters": dict, "experiment": str, "output_dir": str}
# Characters that make a rendered command need a shell (POSIX "Shell Command Language", 2.2 and 2.6): operators,
# expansions, globs, comments, line continuations. Quoted values contain only what shlex.quote leaves bare, or quotes.
SHELL_SYNTAX = frozenset("|&;<>()$`\\\n*?[#~")
SHELL = "/bin/sh"


def _to_int(raw: str) -> int:
    value = float(raw) if any(c in raw for c in ".eE") else int(raw, 10)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(raw)
        value = int(value)
    return value


def _to_float(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _to_uri(raw: str) -> str:
    # MLflow's check for `uri` parameters (mlflow/projects/_project_spec.py, Parameter._compute_uri_value).
    from mlflow.utils import data_utils

    if not data_utils.is_uri(raw):
        raise ValueError(raw)
    return raw


def _to_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(raw)


# Parameter types: MLflow's (string, float, path, uri) plus int and bool. Each converts the text of a -P value.
TYPES: dict[str, Callable[[str], object]] = {
    "string": str, "str": str, "path": str, "uri": _to_uri,
    "float": _to_float, "int": _to_int, "integer": _to_int, "bool": _to_bool, "boolean": _to_bool,
}

@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None = None  # text, as in MLproject; None: required
    secret: bool = False  # `secret: true`: the value is redacted in every record and log (train/redact.py)

    def convert(self, raw: str) -> object:
        try:
            return TYPES[self.type](raw)
        except (ValueError, OverflowError):
            shown = "a value that is not" if self.secret else repr(raw)
            raise UsageError(f"parameter {self.name!r} must be of type {self.type}, got {shown}",
                             hint=f"pass -P {self.name}=<{self.type}>") from None


@dataclass(frozen=True)
class EntryPoint:
    """One resolved entry point. `source` says where it came from: "MLproject", "pyproject.toml" or "example"."""

    name: str
    command: str
    parameters: dict[str, Parameter]
    source: str
    example: str | None = None

    def values(self, given: Mapping[str, str]) -> dict[str, str]:
        """Every parameter's value as text (the -P value, else the default), checked against its type, as MLflow
        passes it on: `-P alpha=.5` renders `.5`. Unknown or missing → UsageError."""
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            known = ", ".join(self.parameters) or "none"
            raise UsageError(f"unknown parameter {unknown[0]!r} for entry point {self.name!r} ({self.source})",
                             hint=f"known parameters: {known}")
        values = {}
        for name, parameter in self.parameters.items():
            raw = given.get(name, parameter.default)
            if raw is None:
                raise UsageError(f"parameter {name!r} of entry point {self.name!r} has no default",
                                 hint=f"pass -P {name}=<{parameter.type}>")
            parameter.convert(str(raw))
            values[name] = str(raw)
        return values

    def render(self, values: Mapping[str, object], *, output_dir: Path, seed: int, root: Path) -> str:
        """The command as MLflow renders it: MLflow's own quoting of each value, then str.format. A `path` value
        names a local file that must exist (MLflow's check), made absolute against the project root."""
        from mlflow.projects._project_spec import EntryPoint as MlflowEntryPoint

        texts = {name: _text(value) for name, value in values.items()}
        for name, parameter in self.parameters.items():
            if parameter.type == "path" and name in texts:
                texts[name] = _local_path(name, texts[name], root)
        texts.update(output_dir=str(output_dir), seed=str(seed))
        return self.command.format(**MlflowEntryPoint._sanitize_value_dict(texts))

    def argv(self, values: Mapping[str, object], *, output_dir: Path, seed: int, root: Path | None = None) -> list[str]:
        """The command to start: a direct argv, or [/bin/sh, -c, command] when the command needs a shell."""
        command = self.render(values, output_dir=output_dir, seed=seed, root=root or Path.cwd())
        if needs_shell(command):
            return [SHELL, "-c", command]
        argv = shlex.split(command)
        # MLproject commands say `python`; run the interpreter mlf runs in when `python` is not on PATH (a venv).
        if argv and argv[0] in ("python", "python3") and not _on_path(argv[0]):
            argv[0] = sys.executable
        return argv


def needs_shell(command: str) -> bool:
    """Whether the rendered command may use shell syntax. A false "yes" (a quoted `|` in a value) costs one /bin/sh
    and changes nothing, since the quoting is the shell's own; a multi-line command always needs one."""
    return bool(set(command.strip()) & SHELL_SYNTAX)


def _local_path(name: str, value: str, root: Path) -> str:
    from mlflow.utils.file_utils import get_local_path_or_none

    local = get_local_path_or_none(value)
    if local is None:  # a remote URI: MLflow downloads it; mlf passes it on unchanged
        return value
    path = Path(local) if Path(local).is_absolute() else root / local
    if not path.exists():
        raise UsageError(f"parameter {name!r} is a path, and {value!r} does not exist (relative to {root})",
                         hint=f"pass -P {name}=<an existing file or folder>")
    return str(path.resolve())


@dataclass(frozen=True)
class Environment:
    """The MLproject's environment section, as MLflow's loader read it."""

    kind: str | None = None  # "python_env", "conda_env", "docker_env" (MLflow's env_type values), None
    file: Path | None = None  # python_env / conda_env file
    docker_image: str | None = None


@dataclass(frozen=True)
class Project:
    root: Path
    config: config.ProjectConfig
    entry_point: EntryPoint
    experiment: str
    output_root: Path  # each run writes into output_root/<run id>
    declared_outputs: tuple[str, ...] = field(default=())
    data: tuple[str, ...] = field(default=())
    environment: Environment = field(default=Environment())


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _on_path(name: str) -> bool:
    import shutil

    return shutil.which(name) is not None


def placeholders(command: str, where: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(command) if name is not None]
    except ValueError as err:
        raise ConfigError(f"{where}: the command {command!r} is not a valid template: {err}",
                          hint="placeholders are {name}; write {{ and }} for literal braces") from None


def _check_command(command: str, parameters: Mapping[str, Parameter], where: str) -> None:
    for name in placeholders(command, where):
        if name not in parameters and name not in RESERVED:
            raise ConfigError(f"{where}: the command uses {{{name}}}, which is no parameter",
                              hint=f"declare it under parameters, or use one of {', '.join(RESERVED)}")
    try:
        shlex.split(command)
    except ValueError as err:
        raise ConfigError(f"{where}: the command {command!r} cannot be split: {err}") from None


def _parameter(name: object, spec: object, where: str, mlproject: bool = False) -> Parameter:
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"{where}: parameter name {name!r} is not an identifier")
    if name in RESERVED and not (mlproject and name == OUTPUT_DIR):
        raise ConfigError(f"{where}: parameter {name!r} is reserved: mlf fills {{{name}}} itself")
    if isinstance(spec, str):  # MLflow's short form `epochs: float`
        spec = {"type": spec}
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: parameter {name!r} must be a type name or a table with type and default")
    extra = sorted(set(spec) - {"type", "default", "secret"})
    if extra:
        raise ConfigError(f"{where}: parameter {name!r} has unknown key {extra[0]!r}",
                          hint="keys: type, default, secret")
    if not isinstance(spec.get("secret", False), bool):
        raise ConfigError(f"{where}: parameter {name!r}: secret must be true or false")
    kind = str(spec.get("type", "string"))
    if kind not in TYPES:
        raise ConfigError(f"{where}: parameter {name!r} has unknown type {kind!r}",
                          hint=f"types: {', '.join(TYPES)}")
    default = spec.get("default")
    # An MLproject default as `mlflow run` passes it: str() of the YAML value (`_sanitize_value_dict`), so a YAML
    # `false` is "False" for both runners.
    text = str(default) if mlproject else _text(default)
    parameter = Parameter(name, kind, None if default is None else text, spec.get("secret", False))
    if parameter.default is not None:
        try:
            parameter.convert(parameter.default)
        except UsageError:
            raise ConfigError(f"{where}: the default of {name!r} ({default!r}) is not of type {kind}") from None
    if name == OUTPUT_DIR:
        _check_output_parameter(parameter, where)
    return parameter


def _check_output_parameter(parameter: Parameter, where: str) -> None:
    # `string`: MLflow's `path` type must name an existing file (_project_spec.py, Parameter._compute_path_value),
    # and a new project has no output folder yet.
    if parameter.type not in ("string", "str"):
        raise ConfigError(f"{where}: parameter {OUTPUT_DIR!r} must be of type string, not {parameter.type}",
                          hint=f"declare it as {OUTPUT_DIR_DECLARATION}")
    if parameter.default is not None:
        try:
            output_folder(parameter.default)
        except UsageError as err:
            raise ConfigError(f"{where}: the default of {OUTPUT_DIR!r}: {err.message}", hint=err.hint) from None


def output_folder(value: str) -> Path:
    """The folder an `output_dir` value names, relative to the project: inside it, or UsageError (exit 2). In a
    container started by `mlflow run` the project is /workspace, so a host path would name nothing there."""
    path = Path(value)
    if not value.strip() or path.is_absolute() or ".." in path.parts:
        raise UsageError(f"parameter {OUTPUT_DIR!r} must be a folder inside the project, got {value!r}",
                         hint=f"pass -P {OUTPUT_DIR}=<a relative folder>, e.g. {DEFAULT_OUTPUT_DIR}")
    return path


def _parameters(table: object, where: str, mlproject: bool = False) -> dict[str, Parameter]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: parameters must be a mapping of name to type or table")
    return {name: _parameter(name, spec, where, mlproject) for name, spec in table.items()}


def _from_mlproject(path: Path, name: str) -> EntryPoint:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid YAML: {err}", hint="fix the MLproject file, then run again") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot be read: {err.strerror or err}",
                          hint="make it a readable file, then run again") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: an MLproject file is a mapping with an entry_points section")
    points = document.get("entry_points")
    if not isinstance(points, dict) or not points:
        raise ConfigError(f"{path}: no entry_points mapping", hint="see https://mlflow.org/docs/latest/projects.html")
    if name not in points:
        raise UsageError(f"{path}: no entry point {name!r}", hint=f"entry points: {', '.join(map(str, points))}")
    spec = points[name]
    where = f"{path}: entry point {name!r}"
    if not isinstance(spec, dict) or not isinstance(spec.get("command"), str) or not spec["command"].strip():
        raise ConfigError(f"{where} needs a command (a string)")
    parameters = _parameters(spec.get("parameters"), where, mlproject=True)
    _check_command(spec["command"], parameters, where)
    return EntryPoint(name, spec["command"], parameters, MLPROJECT)


def mlproject_entry_points(root: Path) -> list[EntryPoint]:
    """Every entry point of the MLproject in `root`, read with YAML alone (no MLflow import: `mlf lint` calls it);
    none without an MLproject. ConfigError / UsageError as `load` raises them."""
    path = Path(root) / MLPROJECT
    if not path.is_file():
        return []
    import yaml  # after the check: 16 ms of `mlf lint`'s start-up in a project without an MLproject

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as err:
        raise ConfigError(f"{path}: cannot be read as YAML: {err}") from None
    points = document.get("entry_points") if isinstance(document, dict) else None
    return [_from_mlproject(path, name) for name in (points if isinstance(points, dict) else {})]


def _mlflow_project(root: Path) -> tuple[str | None, Environment]:
    """The MLproject's name and environment, read by MLflow's own loader (it also refuses two environment
    sections, a docker_env without an image, and a python_env/conda_env file that does not exist)."""
    from mlflow.exceptions import MlflowException
    from mlflow.projects._project_spec import load_project

    try:
        loaded = load_project(str(root))
    except (MlflowException, AttributeError, TypeError) as err:
        message = getattr(err, "message", str(err))
        raise ConfigError(f"{root / MLPROJECT}: {message}", hint="see https://mlflow.org/docs/latest/projects.html")
    docker = loaded.docker_env or {}
    declared = loaded.env_type if (loaded.env_config_path or docker) else None
    environment = Environment(declared, Path(loaded.env_config_path) if loaded.env_config_path else None,
                              docker.get("image"))
    name = loaded.name if isinstance(loaded.name, str) and loaded.name.strip() else None
    return name, environment


def _from_pyproject(table: dict, where: str, name: str) -> EntryPoint:
    parameters = _parameters(table.get("parameters"), where)
    _check_command(table["command"], parameters, where)
    return EntryPoint(name, table["command"], parameters, "pyproject.toml")


def default_example(environ: Mapping[str, str] | None = None) -> str:
    """The bundled example to run with no project: $MLF_IMAGE_EXAMPLE (set by the image), else the only one whose
    framework is installed."""
    environ = os.environ if environ is None else environ
    examples = frameworks.examples()
    named = environ.get(variables.MLF_IMAGE_EXAMPLE)
    if named:
        if named not in examples:
            raise UsageError(f"{variables.MLF_IMAGE_EXAMPLE}={named!r} names no bundled example",
                             hint=f"bundled examples: {', '.join(examples)}")
        return named
    found = [name for name, (framework, example) in examples.items()
             if not example.opt_in and importlib.util.find_spec(framework.import_name) is not None]
    if len(found) == 1:
        return found[0]
    reason = "no framework is installed" if not found else f"several frameworks are installed ({', '.join(found)})"
    raise UsageError(f"no MLproject and no [tool.mlf.train] here, and {reason} to pick a bundled example",
                     hint=f"add an MLproject, or set {variables.MLF_IMAGE_EXAMPLE} to one of "
                          f"{', '.join(examples)}")


def example_entry_point(name: str) -> EntryPoint:
    """The entry point of a bundled example (its framework's Framework.examples names it and its parameters)."""
    framework, example = frameworks.examples()[name]
    parameters = {key: Parameter(key, kind, str(default)) for key, (kind, default) in example.parameters.items()}
    flags = " ".join(f"--{key} {{{key}}}" for key in parameters)
    module = frameworks.example_module(framework, example)
    command = f"{shlex.quote(sys.executable)} -m {module} --output {{output_dir}} {flags}"
    return EntryPoint(DEFAULT_ENTRY_POINT, command, parameters, "example", example=name)


def _train_table(project_config: config.ProjectConfig) -> dict:
    table = project_config.table("train")
    where = f"{project_config.path}: [tool.mlf.train]"
    for key, value in table.items():
        expected = TRAIN_KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{where}: unknown key {key!r}", hint=f"known keys: {', '.join(TRAIN_KEYS)}")
        if not isinstance(value, expected):
            raise ConfigError(f"{where}: {key} must be of type {expected.__name__}, got {value!r}")
    return table


def _strings(project_config: config.ProjectConfig, key: str) -> tuple[str, ...]:
    values = project_config.values.get(key, [])
    if not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"{project_config.path}: [tool.mlf] {key} must be a list of paths (strings)")
    for value in values:
        if Path(value).is_absolute() or ".." in Path(value).parts:
            raise ConfigError(f"{project_config.path}: [tool.mlf] {key}: {value!r} must be a path inside the project")
    return tuple(values)


def output_root(project_root: Path) -> Path:
    """Where the project's runs write their outputs (and their owner locks): [tool.mlf.train] output_dir."""
    project_config = config.load(project_root)
    output_dir = _train_table(project_config).get("output_dir", DEFAULT_OUTPUT_DIR)
    if Path(output_dir).is_absolute() or ".." in Path(output_dir).parts:
        raise ConfigError(f"{project_config.path}: [tool.mlf.train] output_dir must be a path inside the project")
    return Path(project_root).resolve() / output_dir


def load(project_dir: Path | str, entry_point: str = DEFAULT_ENTRY_POINT, experiment: str | None = None,
         environ: Mapping[str, str] | None = None) -> Project:
    """Resolve the project in `project_dir`. Raises UsageError / ConfigError (exit 2) on bad input."""
    root = Path(project_dir)
    if not root.exists():
        raise UsageError(f"project directory {root} does not exist", hint="give an existing directory")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory", hint="give the project's directory")
    root = root.resolve()
    project_config = config.load(root)
    table = _train_table(project_config)
    mlproject = root / MLPROJECT
    if mlproject.exists() and not mlproject.is_file():
        raise ConfigError(f"{mlproject} is not a file", hint="an MLproject is a YAML file; move the folder away")
    mlproject_name, environment = None, Environment()
    if mlproject.is_file():
        clash = sorted({"command", "parameters"} & set(table))
        if clash:
            raise ConfigError(f"{root}: both MLproject and [tool.mlf.train] {clash[0]} define the entry point",
                              hint="keep one of them")
        point = _from_mlproject(mlproject, entry_point)
        if OUTPUT_DIR in point.parameters and "output_dir" in table:
            raise ConfigError(f"{root}: both MLproject's parameter {OUTPUT_DIR!r} and [tool.mlf.train] output_dir "
                              "name the output folder", hint="keep the MLproject parameter: `mlflow run` reads it")
        mlproject_name, environment = _mlflow_project(root)
    elif "command" in table:
        if entry_point != DEFAULT_ENTRY_POINT:
            raise UsageError(f"[tool.mlf.train] defines one entry point, not {entry_point!r}")
        point = _from_pyproject(table, f"{project_config.path}: [tool.mlf.train]", entry_point)
    elif "parameters" in table:
        raise ConfigError(f"{project_config.path}: [tool.mlf.train] has parameters but no command")
    else:
        point = example_entry_point(default_example(environ))
    environ = os.environ if environ is None else environ
    # MLflow's order: an explicit experiment, then MLFLOW_EXPERIMENT_NAME (mlflow.tracking.fluent); mlf adds
    # [tool.mlf.train] experiment and the MLproject's name before the folder's name.
    name = (experiment or environ.get(variables.MLFLOW_EXPERIMENT_NAME) or table.get("experiment")
            or mlproject_name or point.example or root.name or "Default")
    output_dir = table.get("output_dir", DEFAULT_OUTPUT_DIR)
    if Path(output_dir).is_absolute() or ".." in Path(output_dir).parts:
        raise ConfigError(f"{project_config.path}: [tool.mlf.train] output_dir must be a path inside the project")
    return Project(root, project_config, point, name, root / output_dir, _strings(project_config, "outputs"),
                   _strings(project_config, "data"), environment)


def with_outputs(spec: Project, values: Mapping[str, str]) -> Project:
    """The project with its output folder from a declared `output_dir` parameter's value (-P or default); the
    project as it is when the entry point declares none."""
    if OUTPUT_DIR not in spec.entry_point.parameters:
        return spec
    from dataclasses import replace

    return replace(spec, output_root=spec.root / output_folder(values[OUTPUT_DIR]))


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """`-P key=value` options as a mapping; a malformed one or a repeated key → UsageError."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-P {pair!r} is not key=value", hint="e.g. -P epochs=3")
        if key in values:
            raise UsageError(f"-P {key} is given twice")
        values[key] = value
    return values
