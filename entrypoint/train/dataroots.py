"""Named data roots: data that lives outside the project (a lab's shared, read-only data set), declared by name.

```toml
[tool.mlf]
data = ["data/labels.csv", "atlas:images/train"]   # NAME:PATH is PATH under the data root NAME

[tool.mlf.data_roots]
atlas = "/data/atlas"
```

A file under a root is hashed and recorded as `atlas:images/train/0001.png`: the root's name and the path below
it, never the host's absolute path, so the same data gives the same tree hash on every host whatever its mount
point. Each host may put the root elsewhere: `MLF_DATA_ROOT_ATLAS=/mnt/atlas` (the name upper-cased, every
character other than a letter or digit an underscore) overrides the pyproject.toml path. A container mounts each
root read-only at the path pyproject.toml names (`docker_mounts`), so the project's configuration holds inside.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from .. import variables
from ..errors import ConfigError, UsageError

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
SEPARATOR = ":"


def variable(name: str) -> str:
    """The environment variable that moves root `name` on this host: MLF_DATA_ROOT_<NAME>."""
    return variables.MLF_DATA_ROOT_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def declared(project_config) -> dict[str, Path]:
    """[tool.mlf.data_roots] as pyproject.toml writes it (ConfigError on a bad name or path)."""
    table = project_config.table("data_roots")
    where = f"{project_config.path}: [tool.mlf.data_roots]"
    found = {}
    for name, path in table.items():
        if not NAME.match(name):
            raise ConfigError(f"{where}: {name!r} is no root name", hint="a letter, then letters, digits, - or _")
        if not isinstance(path, str) or not Path(path).is_absolute():
            raise ConfigError(f"{where}: {name} must be an absolute path, got {path!r}",
                              hint=f'e.g. {name} = "/data/{name}"')
        found[name] = Path(path)
    return found


def resolve(project_config, environ: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Each root's folder on this host: MLF_DATA_ROOT_<NAME>, else pyproject.toml's path."""
    environ = os.environ if environ is None else environ
    roots = {}
    for name, path in declared(project_config).items():
        moved = environ.get(variable(name), "").strip()
        roots[name] = Path(moved) if moved else path
    return roots


def split(entry: str, roots: Mapping[str, Path], origin: str = "[tool.mlf] data") -> tuple[str | None, str]:
    """("atlas", "images/train") for "atlas:images/train" when atlas is a declared root; (None, entry) otherwise. A
    NAME: prefix that names no root is an error when it looks like one (a file name with a colon is rare; a typo in
    a root's name is not). `origin` says where the entry came from: the configuration, or a command line."""
    name, separator, relative = entry.partition(SEPARATOR)
    if not separator or not NAME.match(name):
        return None, entry
    if name not in roots:
        known = ", ".join(roots) or "none is declared"
        raise UsageError(f"{origin}: {entry!r} names the data root {name!r}, which is not declared",
                         hint=f"declare it in [tool.mlf.data_roots] ({known})")
    return name, relative or "."


def folder(name: str, roots: Mapping[str, Path]) -> Path:
    """Root `name`'s folder, which must exist here (UsageError naming the variable that moves it)."""
    path = roots[name]
    if not path.is_dir():
        raise UsageError(f"the data root {name!r} is {path}, which is no folder on this host ({variable(name)} "
                         "says where it is here)",
                         hint=f"mount the data there, or set {variable(name)} to where it is on this host "
                              f"(in a container: -v HOST_PATH:{path}:ro)")
    return path


def docker_mounts(roots: Mapping[str, str]) -> list[str]:
    """`-v PATH:PATH:ro` for each root (recorded paths): the data read-only, at the path the project names."""
    return [f"{path}:{path}:ro" for _, path in sorted(roots.items())]


def differences(recorded: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """What differs between two data records' per-file hashes, one phrase each, roots named."""
    changed = sorted(name for name in recorded.keys() & current.keys() if recorded[name] != current[name])
    missing = sorted(recorded.keys() - current.keys())
    added = sorted(current.keys() - recorded.keys())
    found = []
    for label, names in (("differ", changed), ("are missing here", missing), ("are new here", added)):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            found.append(f"{len(names)} file(s) {label}: {shown}")
    return found
