"""What differs between two images in the Docker engine, as an auditor compares a rebuild with the original (in the
manner of diffoci): their configurations key by key, and layer by layer every file by what decides the image's
bytes — type, mode, owner, size, content (sha256), link target and time.

Two images with the same id are the same bytes (the id is the sha256 of the configuration, which lists every
layer's sha256); this is for two that are not. Each difference is one line, the layer's own instruction named.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mlfcore.scaffold.images import builder

# Configuration keys that only restate the layers (compared file by file instead).
_SKIPPED = {"rootfs"}


class DiffError(Exception):
    """An image could not be read from the engine."""


def _save(ref: str, folder: Path) -> tuple[dict, list[Path]]:
    archive = folder / "image.tar"
    done = subprocess.run([builder.DOCKER, "save", "--output", str(archive), ref], capture_output=True, text=True)
    if done.returncode != 0:
        raise DiffError(f"docker save {ref} failed: {done.stderr.strip()}")
    with tarfile.open(archive) as saved:
        saved.extractall(folder / "saved", filter="data")
    archive.unlink()
    manifest = json.loads((folder / "saved" / "manifest.json").read_text())[0]
    config = json.loads((folder / "saved" / manifest["Config"]).read_text())
    return config, [folder / "saved" / layer for layer in manifest["Layers"]]


def _entries(layer: Path) -> dict[str, tuple]:
    found = {}
    with tarfile.open(layer) as files:
        for member in files:
            content = ""
            if member.isfile():
                digest = hashlib.sha256()
                handle = files.extractfile(member)
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                content = digest.hexdigest()
            found["/" + member.name.lstrip("./")] = (
                ("type", member.type.decode(errors="replace")), ("mode", oct(member.mode)),
                ("owner", f"{member.uid}:{member.gid}"), ("size", member.size), ("sha256", content),
                ("link", member.linkname), ("mtime", int(member.mtime)))
    return found


def _flatten(value, prefix: str = "") -> dict[str, str]:
    if isinstance(value, (dict, list)):
        flat = {}
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: json.dumps(value, sort_keys=True)}


def config_differences(first: dict, second: dict) -> list[str]:
    a = _flatten({key: value for key, value in first.items() if key not in _SKIPPED})
    b = _flatten({key: value for key, value in second.items() if key not in _SKIPPED})
    return [f"config {key}: {a.get(key, 'absent')} != {b.get(key, 'absent')}"
            for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def _instructions(config: dict) -> list[str]:
    """Each layer's instruction, from the history entries that made a layer."""
    return [entry.get("created_by", "")[:80] for entry in config.get("history", []) if not entry.get("empty_layer")]


def layer_differences(index: int, what: str, first: Path, second: Path) -> list[str]:
    a, b = _entries(first), _entries(second)
    found = []
    for path in sorted(set(a) | set(b)):
        if a.get(path) == b.get(path):
            continue
        if path not in a or path not in b:
            found.append(f"layer {index} ({what}): {path} only in the {'rebuild' if path in b else 'original'}")
            continue
        fields = [f"{name} {dict(a[path])[name]} != {dict(b[path])[name]}" for name, _ in a[path]
                  if dict(a[path])[name] != dict(b[path])[name]]
        found.append(f"layer {index} ({what}): {path}: {', '.join(fields)}")
    return found


def compare(original: str, rebuilt: str) -> list[str]:
    """Every difference between two images, configuration first, then the layers in order."""
    with tempfile.TemporaryDirectory(prefix="mlfcore-diff-") as scratch:
        (Path(scratch) / "a").mkdir()
        (Path(scratch) / "b").mkdir()
        config_a, layers_a = _save(original, Path(scratch) / "a")
        config_b, layers_b = _save(rebuilt, Path(scratch) / "b")
        found = config_differences(config_a, config_b)
        ids_a, ids_b = config_a["rootfs"]["diff_ids"], config_b["rootfs"]["diff_ids"]
        if len(ids_a) != len(ids_b):
            found.append(f"layers: {len(ids_a)} in the original, {len(ids_b)} in the rebuild")
        what = _instructions(config_b)
        for index, (id_a, id_b) in enumerate(zip(ids_a, ids_b)):
            if id_a != id_b:
                found += layer_differences(index, what[index] if index < len(what) else "?",
                                           layers_a[index], layers_b[index])
    return found
