"""torch state dicts (`.pt`, `.pth`) as the result fingerprint reads them (train/formats.py): one artifact per entry,
`file::key`, tensors by dtype, shape and raw bytes; a file torch cannot load weights-only is compared by content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from ...train.artifacts import FILE, SEPARATOR, Artifact, file, tensor


def _digest(value) -> tuple[str, str, tuple[int, ...]]:
    import torch

    value = value.detach().cpu().contiguous()
    raw = value.reshape(-1).view(torch.uint8).numpy().tobytes() if value.numel() else b""
    digest = hashlib.sha256(f"{value.dtype}|{tuple(value.shape)}|".encode())
    digest.update(raw)
    return digest.hexdigest(), str(value.dtype), tuple(value.shape)


def _flatten(prefix: str, value) -> Iterator[tuple[str, object]]:
    if isinstance(value, Mapping):
        for key in sorted(value, key=str):
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), value[key])
    else:
        yield prefix, value


def state_dict(name: str, path: Path) -> Iterator[Artifact]:
    try:
        import torch
    except ImportError:  # no torch here: the file is still compared, by content
        yield file(name, path)
        return
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 — not a weights-only torch file (a pickled module): compare its bytes
        yield file(name, path)
        return
    if not isinstance(loaded, Mapping) and not isinstance(loaded, torch.Tensor):
        yield file(name, path)
        return
    for key, value in _flatten("", loaded if isinstance(loaded, Mapping) else {"": loaded}):
        member = f"{name}{SEPARATOR}{key}" if key else name
        if isinstance(value, torch.Tensor):
            yield tensor(member, _digest(value))
        else:
            text = json.dumps(value, sort_keys=True, default=repr).encode()
            yield Artifact(member, FILE, hashlib.sha256(text).hexdigest())


def load_tensor(path: Path, key: str):
    """A state dict's tensor by the key the fingerprint gives it, as a NumPy array (for mismatch details)."""
    import torch

    loaded = torch.load(path, map_location="cpu", weights_only=True)
    value = dict(_flatten("", loaded if isinstance(loaded, Mapping) else {"": loaded}))[key]
    return value.detach().float().numpy() if value.dtype == torch.bfloat16 else value.detach().numpy()


# suffix → (reader, the fingerprint algorithm that first read it so, the tensor loader)
READERS = {".pt": (state_dict, 1, load_tensor), ".pth": (state_dict, 1, load_tensor)}
