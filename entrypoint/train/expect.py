"""An expected result fingerprint: the value a project commits and `mlf verify` proves on every machine.

The one written form is `v<algorithm>:<64 hex digits>`, e.g. `v3:3511fcbe…`: `mlf verify` prints it,
`mlf verify --expect` and `[tool.mlf] expect` take it, mlfcore's own golden table stores it. The algorithm version is
part of the value because a digest alone cannot say which algorithm made it (train/fingerprint.py ALGORITHM): a
value recorded by another version can never match, and saying so is more useful than a mismatch.

`parse()` checks the form only; `current()` also requires this mlf's algorithm version. Both raise UsageError
(exit 2) naming what is wrong and how to write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError
from .fingerprint import ALGORITHM, ALGORITHMS

_FORM = re.compile(r"v(?P<algorithm>[0-9]+):(?P<digest>[0-9a-fA-F]*)")
DIGITS = 64  # a SHA-256 digest in hex


@dataclass(frozen=True)
class Expected:
    algorithm: int
    digest: str  # lowercase hex

    def __str__(self) -> str:
        return written(self.digest, self.algorithm)


def written(digest: str, algorithm: int = ALGORITHM) -> str:
    """The form a project commits: `v<algorithm>:<digest>`."""
    return f"v{algorithm}:{digest}"


def _example() -> str:
    return written("<64 hex digits>")


def parse(text: object, where: str) -> Expected:
    """`text` as an expected fingerprint; `where` names its source in the message (`--expect`, a file's key)."""
    if not isinstance(text, str):
        raise UsageError(f"{where} must be a string like {_example()}, got {text!r}")
    value = text.strip()
    match = _FORM.fullmatch(value)
    if match is None:
        if re.fullmatch(r"[0-9a-fA-F]+", value):
            raise UsageError(f"{where}: {value[:16]}… names no fingerprint algorithm version",
                             hint=f"write it as {written(value.lower()[:12] + '…')}, as `mlf verify` prints it: "
                                  "a digest alone cannot say which algorithm made it")
        raise UsageError(f"{where}: {value!r} is not a fingerprint", hint=f"write it as {_example()}, as "
                                                                          "`mlf verify` prints it")
    digest = match["digest"]
    if len(digest) != DIGITS:
        raise UsageError(f"{where}: the digest has {len(digest)} hex digits, a fingerprint has {DIGITS}",
                         hint="copy the whole value `mlf verify` printed: a shortened one cannot prove the bits")
    return Expected(int(match["algorithm"]), digest.lower())


def current(text: object, where: str) -> Expected:
    """`parse()`, and the value must be of this mlf's fingerprint algorithm."""
    expected = parse(text, where)
    if expected.algorithm == ALGORITHM:
        return expected
    if expected.algorithm in ALGORITHMS:
        raise UsageError(f"{where} was recorded with fingerprint algorithm {expected.algorithm}; this mlf computes "
                         f"version {ALGORITHM}, so the value can never match",
                         hint="record it again with this mlf: `mlf verify` prints the new value")
    raise UsageError(f"{where} names fingerprint algorithm {expected.algorithm}, which this mlf does not know (it "
                     f"knows {', '.join(str(v) for v in sorted(ALGORITHMS))})",
                     hint="it was recorded by a newer mlf: use that version, or record the value again with this one")
