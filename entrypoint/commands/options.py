"""Options shared by the commands that run under the contract (run, env, train, verify)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import run_settings

Seed = Annotated[Optional[int], typer.Option("--seed", min=0, max=run_settings.SEED_MAX,
                                             help="Seed for every generator and PYTHONHASHSEED "
                                                  "\\[default: \\[tool.mlf] seed, else $MLF_SEED, else 0].")]
Threads = Annotated[Optional[int], typer.Option("--threads", min=1, max=run_settings.MAX_THREADS,
                                                help="The one thread count for every library, the same on every host "
                                                     "\\[default: \\[tool.mlf] threads, else $MLF_THREADS, else 2].")]
Portable = Annotated[Optional[bool], typer.Option("--portable/--no-portable",
                                                  help="Pin CPU kernel dispatch to a portable level (AVX2 on x86-64) "
                                                       "\\[default: \\[tool.mlf] portable, else on].",
                                                  show_default=False)]
AllowNondeterministic = Annotated[bool, typer.Option("--allow-nondeterministic",
                                                     help="Run even when the environment contradicts the contract; "
                                                          "the run's record says it is non-deterministic.")]
Project = Annotated[Path, typer.Option("--project", "-C", help="Project directory: its pyproject.toml \\[tool.mlf] "
                                                               "is read and its Python files are linted.",
                                       exists=True, file_okay=False, dir_okay=True)]


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


# train, verify, reproduce: the summary for people goes to stderr either way; json adds the data on stdout.
OutputFormat = Annotated[TextOrJson, typer.Option("--format", help="text for people; json for programs (on stdout; "
                                                                   "--json is the same).")]


def wants_json(output_format: TextOrJson, as_json: bool) -> bool:
    """--format json, or its older spelling --json."""
    return as_json or output_format is TextOrJson.json
