"""Findings of unchanged files, kept between pre-run gates: a file is parsed again only when it changed.

The pre-run gate lints what a command imports before every `mlf run` and `mlf train`; a project's files rarely
change between two runs. A file's findings are re-used while its stat key (path and files.FileKey: size, mtime,
ctime, inode, and the racy-file rule, as the data-hash cache uses them) and the rule set are unchanged. The rule
set's identity covers what decides a finding besides the file: the active rules and their tables (which follow the
installed framework versions), and the linter's own code (the size and mtime of every file of this package and of
each framework's lint part and tables, so an edited or upgraded mlfcore never reads findings of an older linter). Files with a note that they could not be
checked completely are never cached: the gate must look at them again.

One JSON file per project root in the user cache folder (cachedir.py), replaced atomically; two runs saving at once
lose at most the other's new entries, which only costs a re-check. A damaged file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from stat import S_ISREG

from ..files import FileKey as Key
from ..files import atomic_write
from .framework_parts import lint_parts
from .model import Finding

VERSION = 1
_FIELDS = ("path", "line", "col", "rule", "severity", "symbol", "message", "fix", "code", "device", "cell")


def ruleset_identity(ruleset) -> str:
    """What, besides a file's bytes, decides its findings (rules.RuleSet), as one digest."""
    package = Path(__file__).resolve().parent
    files = [*package.rglob("*")]
    for _, part in lint_parts():
        files += [Path(part.__file__).resolve(), *Path(part.TABLES).resolve().rglob("*")]
    own = sorted((str(p), info.st_size, info.st_mtime_ns)
                 for p in files if "__pycache__" not in p.parts
                 for info in (p.stat(),) if S_ISREG(info.st_mode))  # one stat a file: this runs on every gate
    # The rules' contents come from this package's files (tables included), which `own` covers; what varies at run
    # time is which matches the installed versions let in (a match's `requires`), so each kept entry is named by
    # its rule and requirements, not by its whole repr (8 ms a gate run, against well under 1 ms).
    entries = {kind: sorted(f"{name}:{rule.id}:{match.requires}" for name, found in table.items()
                            for rule, match in found)
               for kind, table in (("symbol", ruleset.by_symbol), ("method", ruleset.by_method),
                                   ("assign", ruleset.by_assign))}
    handlers = sorted(getattr(h, "__qualname__", repr(h)) for h in (*ruleset.dict_handlers,
                      *(h for found in ruleset.call_handlers.values() for h in found)))
    payload = json.dumps([VERSION, own, sorted(ruleset.active), ruleset.tables, entries, handlers,
                          sorted(f"{r.id}:{r.severity}" for r in ruleset.rules.values())], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def folder() -> Path:
    from ..cachedir import user_cache

    return user_cache() / "lint"


class Cache:
    """Findings by (absolute path, display path) for one project root and one rule set."""

    def __init__(self, root: Path, identity: str, where: Path | None = None) -> None:
        name = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:32]
        self.path = (where or folder()) / f"{name}.json"
        self.identity = identity
        self._entries: dict[str, list] = {}
        self._changed = False
        try:
            payload = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(payload, dict) and payload.get("identity") == identity:
                self._entries = payload.get("files") or {}
        except (OSError, ValueError):  # missing or damaged: a cache, so check the files instead
            pass

    @staticmethod
    def key(path: str) -> Key | None:
        try:
            return Key.of(os.stat(path))
        except OSError:
            return None

    def get(self, display: str, path: str) -> tuple[list[Finding], int] | None:
        entry = self._entries.get(os.path.abspath(path))
        key = self.key(path)
        if not entry or key is None or entry[0] != display or Key(*entry[1]) != key:
            return None
        try:
            return [Finding(**dict(zip(_FIELDS, row))) for row in entry[3]], int(entry[2])
        except (TypeError, ValueError):
            return None

    def put(self, display: str, path: str, findings: list[Finding], lines: int, key: Key | None) -> None:
        """Keep `findings` of `path` as stat'ed (`key`) before it was read; racy or incomplete ones are not kept."""
        if key is None or key.racy(time.time_ns()) or self.key(path) != key:
            return
        if any(f.rule in ("file-skipped", "file-unreadable", "file-incomplete") for f in findings):
            return
        self._entries[os.path.abspath(path)] = [display, [key.size, key.mtime_ns, key.ctime_ns, key.inode], lines,
                                                [[getattr(f, name) for name in _FIELDS] for f in findings]]
        self._changed = True

    def save(self) -> None:
        """Write this run's new entries, dropping those of files that no longer exist."""
        if not self._changed:
            return
        entries = {path: entry for path, entry in self._entries.items() if os.path.exists(path)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps({"identity": self.identity, "files": entries}, separators=(",", ":")))
        except OSError:  # a read-only home: the next run checks the files again, which is only slower
            pass
        self._changed = False
