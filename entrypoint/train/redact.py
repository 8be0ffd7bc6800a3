"""No secret enters a run's record, artifacts or mlf's output.

Three kinds are redacted to "***" in every string mlf records (params, tags, the sysinfo/lint/contract artifacts,
the fingerprint manifest) and in the command line it prints:
- credentials in URLs (`https://user:token@host/...`, a git remote's usual form for CI tokens);
- the values of environment variables whose names say they are secrets (…TOKEN, …PASSWORD, …SECRET, …API_KEY,
  …ACCESS_KEY, …PRIVATE_KEY, …CREDENTIALS; the naming GitHub Actions, AWS and Hugging Face use);
- the values of entry point parameters declared `secret: true` (MLproject or [tool.mlf.train]).
The training child still gets the real values: only what is written down is redacted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

MASK = "***"
SECRET_NAME = re.compile(r"(TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I)
URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s:@]+(?::[^/\s@]*)?@")
MIN_SECRET = 4  # shorter values ("1", "true") would mask ordinary text everywhere


class Redactor:
    def __init__(self, values: Iterable[str] = (), environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        found = {str(v) for v in values}
        found |= {value for name, value in environ.items() if SECRET_NAME.search(name)}
        # Longest first, so a secret that contains another is masked whole.
        self.values = sorted((v for v in found if len(v) >= MIN_SECRET), key=len, reverse=True)

    def text(self, text: str) -> str:
        text = URL_CREDENTIALS.sub(lambda m: m.group("scheme") + MASK + "@", text)
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def deep(self, value):
        """`value` (JSON-like: dicts, lists, strings) with every string redacted, keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.deep(k): self.deep(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.deep(v) for v in value]
        return value
