"""The project's pending deliveries: runs recorded in the project that a tracking server has not received whole.

One small JSON file per run, `<project>/.mlf/outbox/<run id>.json`, written (atomically) when the run is created on
the server, before any training, and removed once the server holds everything with the run's final state. The
record itself is the run in the project's own store (mlflow.db and mlruns/): the entry only says where it goes.
So an mlf that is killed, a server that is down when the training ends, or a disk that fills leaves an entry that
`mlf sync` (or the next `mlf train` here) finds and delivers. The target is kept without credentials: they come
from the environment of whoever delivers (MLFLOW_TRACKING_USERNAME / _PASSWORD), never from a file mlf wrote.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import files
from . import remote

FOLDER = Path(".mlf") / "outbox"


@dataclass(frozen=True)
class Entry:
    run_id: str
    target: str  # the server, without credentials
    experiment: str  # the experiment's name (ids differ between the project's store and the server)

    def path(self, project_root: Path) -> Path:
        return Path(project_root) / FOLDER / f"{self.run_id}.json"


def add(project_root: Path, run_id: str, uri: str, experiment: str) -> Entry:
    entry = Entry(run_id, remote.bare(uri), experiment)
    path = entry.path(project_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomically(path, json.dumps(asdict(entry), indent=2) + "\n")
    return entry


def done(project_root: Path, run_id: str) -> None:
    (Path(project_root) / FOLDER / f"{run_id}.json").unlink(missing_ok=True)
    (Path(project_root) / FOLDER / f"{run_id}.sent").unlink(missing_ok=True)


def sent(project_root: Path, run_id: str) -> dict[str, int]:
    """The run's artifact files the server has received (path -> size), as note_sent recorded them."""
    try:
        lines = (Path(project_root) / FOLDER / f"{run_id}.sent").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        name, tab, size = line.rpartition("\t")
        if tab and size.isdigit():  # a line cut short by a crash is ignored: that file is sent again
            found[name] = int(size)
    return found


def note_sent(project_root: Path, run_id: str, name: str, size: int) -> None:
    """Append one received file to the run's `.sent` list (one line, written after the server took the file)."""
    with open(Path(project_root) / FOLDER / f"{run_id}.sent", "a", encoding="utf-8") as handle:
        handle.write(f"{name}\t{size}\n")


def pending(project_root: Path) -> list[Entry]:
    """Every entry of the project, oldest first; a damaged file is skipped (the run is still in the store)."""
    folder = Path(project_root) / FOLDER
    found = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:  # another mlf may deliver and remove an entry meanwhile
            document = json.loads(path.read_text(encoding="utf-8"))
            entry = Entry(str(document["run_id"]), str(document["target"]), str(document["experiment"]))
            found.append((path.stat().st_mtime, path.name, entry))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return [entry for _, _, entry in sorted(found)]
