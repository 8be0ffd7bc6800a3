"""What keeps an MLproject from running under `mlflow run`, each with its fix; `mlf train` and `mlf lint` say it.

mlf fills two placeholders itself, `{output_dir}` and `{seed}` (project.py). MLflow formats an entry point's
command with its declared parameters alone (mlflow/projects/_project_spec.py, `EntryPoint.compute_command`), so a
command that uses either without declaring it crashes `mlflow run` with `KeyError: 'output_dir'`. Only MLproject
files matter: MLflow reads no pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from . import project

FIX = {
    project.OUTPUT_DIR: f"declare it under the entry point's parameters: {project.OUTPUT_DIR_DECLARATION} (mlf "
                        "train still gives each run its own folder inside it)",
    "seed": "take the seed in the code instead: `mlfcore.entrypoint.apply_contract().seed` is the run's seed",
}


def problems(point: project.EntryPoint) -> list[str]:
    """Why `mlflow run` cannot run this entry point; empty when it can, and for entry points not from an MLproject."""
    if point.source != project.MLPROJECT:
        return []
    used = set(project.placeholders(point.command, point.name))
    return [f"MLproject: entry point {point.name!r} uses {{{name}}}, which `mlflow run` cannot fill "
            f"(KeyError: {name!r}): {FIX[name]}"
            for name in project.RESERVED if name in used and name not in point.parameters]


def project_problems(root: Path) -> list[str]:
    """`problems` of every entry point of the MLproject in `root`. An MLproject that does not load is left to `mlf
    train`, which refuses it with the reason: `mlf lint` checks the code."""
    try:
        points = project.mlproject_entry_points(root)
    except UsageError:  # ConfigError too
        return []
    return [problem for point in points for problem in problems(point)]
