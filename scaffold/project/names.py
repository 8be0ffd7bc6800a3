"""What a project may be called: one name serves as directory, distribution, import package and image name.

The allowed names are the intersection of three rules:
- Docker's repository path component: lowercase `[a-z0-9]+` joined by `.`, `_`, `__` or `-` runs
  (distribution/reference's grammar); we leave out `.` so the name is also a Python package;
- PEP 503/508 distribution names (letters, digits, `-`, `_`, `.`; start and end alphanumeric);
- a Python import package (the name with `-` as `_`): an identifier, not a keyword, no leading digit.
"""

from __future__ import annotations

import keyword
import re

from mlfcore.entrypoint.errors import UsageError

MAX_LENGTH = 64
_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*")
ALLOWED = ("lowercase letters, digits and single '-' or '_' between them, starting with a letter, "
           f"at most {MAX_LENGTH} characters, not a Python keyword")


def package_name(name: str) -> str:
    """The import package of project `name`."""
    return name.replace("-", "_")


def validated(name: str) -> str:
    """Return `name` when it is a valid project name; raise UsageError saying what is allowed otherwise."""
    problem = _problem(name)
    if problem:
        raise UsageError(f"invalid project name {name!r}: {problem}", hint=f"allowed: {ALLOWED}")
    return name


def _problem(name: str) -> str | None:
    if not name:
        return "the name is empty"
    if len(name) > MAX_LENGTH:
        return f"{len(name)} characters, more than {MAX_LENGTH}"
    if "/" in name or ".." in name or "\\" in name:
        return "a name is not a path"
    if any(c.isspace() for c in name):
        return "it contains whitespace"
    if name[0].isdigit():
        return "it starts with a digit"
    if name != name.lower():
        return "it has uppercase letters"
    if not _PATTERN.fullmatch(name):
        return "it has characters or separators Docker and Python packages do not both allow"
    if keyword.iskeyword(package_name(name)):
        return "it is a Python keyword"
    return None
