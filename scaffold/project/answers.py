"""The answers a project is rendered from: options first, prompts for the rest in a terminal, defaults otherwise.

Prompts appear only when standard input is a terminal and --no-input was not given, so CI and scripts get the
documented defaults (cookiecutter's --no-input behaves the same way).
"""

from __future__ import annotations

import datetime
import getpass
import os
import re
import sys
from dataclasses import asdict, dataclass, field

from mlfcore.entrypoint.errors import UsageError

from . import frameworks, names, toolkit

LICENSES = ("MIT", "Apache-2.0", "BSD-3-Clause")
DEPLOY_TARGETS = ("slurm", "k8s")
DEFAULT_LICENSE = "MIT"
DEFAULT_REGISTRY = "ghcr.io"
# The project's [tool.mlf] seed and thread count, repeated in its deployment files.
SEED = 0
THREADS = 2
# Deployment files name the project's image by digest; until it is published the digest is this placeholder, which
# the files' comments say to replace (its length keeps it a syntactically valid sha256 digest).
UNPUBLISHED_DIGEST = "sha256:" + "0" * 64
# Our images are built for x86-64; the contract's CPU dispatch pins are per architecture.
IMAGE_ARCH = "x86_64"
# GitHub login rules: alphanumerics and single hyphens, at most 39 characters; lowercase as image names need.
_OWNER = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}")
_REGISTRY = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


@dataclass(frozen=True)
class Answers:
    name: str
    framework: str
    variant: str
    owner: str
    registry: str
    license: str
    description: str
    from_image: str
    deploy: tuple[str, ...] = ()
    year: int = field(default_factory=lambda: datetime.date.today().year)
    toolkit_version: str = field(default_factory=toolkit.version)

    @property
    def package(self) -> str:
        return names.package_name(self.name)

    @property
    def image(self) -> str:
        """The project's own image, where its publish workflow pushes it."""
        return f"{self.registry}/{self.owner}/{self.name}"

    def context(self) -> dict:
        """The template variables: every answer, the derived names, the framework row and the pins."""
        values = asdict(self)
        spec = toolkit.image(self.framework)
        values.update(package=self.package, image=self.image, fw=frameworks.FRAMEWORKS[self.framework],
                      framework_label=f"{spec.framework} {spec.framework_version}",
                      pins=toolkit.pins(self.framework, self.variant), seed=SEED, threads=THREADS,
                      contract_env=contract_environment(), image_digest=UNPUBLISHED_DIGEST,
                      expect=first_fingerprint(self.framework, self.variant))
        return values


def first_fingerprint(framework: str, variant: str) -> str:
    """What the project's default run gives in its image: its template's golden value, measured by mlfcore (`make
    golden`) and proven by every CI run of mlfcore's tests; empty when none is recorded for this variant."""
    from ..golden import check

    return check.template_value(framework, variant, IMAGE_ARCH) or ""


def contract_environment() -> dict[str, str]:
    """The determinism contract's variables for the project's settings, as its deployment files set them."""
    from mlfcore.entrypoint import contract

    return contract.environment(contract.Settings(seed=SEED, threads=THREADS, portable=True), arch=IMAGE_ARCH)


def default_owner() -> str:
    """$GITHUB_REPOSITORY_OWNER in a workflow, else the login name, lowercased; "owner" when neither is valid."""
    candidate = (os.environ.get("GITHUB_REPOSITORY_OWNER") or getpass.getuser() or "").lower()
    return candidate if _OWNER.fullmatch(candidate) else "owner"


def default_description(framework: str) -> str:
    return f"A deterministic {framework} project on mlfcore."


def interactive(no_input: bool) -> bool:
    return not no_input and sys.stdin.isatty()


def choose(value: str | None, allowed: tuple[str, ...], what: str, default: str, ask: bool) -> str:
    """`value` when given (checked against `allowed`), else a prompt in a terminal, else `default`."""
    if value is None and ask:
        import typer
        from click import Choice

        value = typer.prompt(what, default=default, type=Choice(allowed))
    value = default if value is None else value
    if value not in allowed:
        raise UsageError(f"unknown {what} {value!r}", hint=f"choose one of {', '.join(allowed)}")
    return value


def text(value: str | None, what: str, default: str, ask: bool) -> str:
    if value is None and ask:
        import typer

        value = typer.prompt(what, default=default)
    return default if value is None else value


def check_description(description: str) -> str:
    if not description.strip() or any(ord(c) < 32 for c in description):
        raise UsageError(f"invalid description {description!r}", hint="one line of text, without control characters")
    return description


def check_owner(owner: str) -> str:
    if not _OWNER.fullmatch(owner):
        raise UsageError(f"invalid owner {owner!r}",
                         hint="a GitHub user or organisation in lowercase: letters, digits, single '-'")
    return owner


def check_registry(registry: str) -> str:
    if not _REGISTRY.fullmatch(registry):
        raise UsageError(f"invalid registry {registry!r}", hint="a host name with an optional port, e.g. ghcr.io")
    return registry


def check_deploy(targets: list[str] | None) -> tuple[str, ...]:
    for target in targets or ():
        if target not in DEPLOY_TARGETS:
            raise UsageError(f"unknown deploy target {target!r}", hint=f"choose from {', '.join(DEPLOY_TARGETS)}")
    return tuple(sorted(set(targets or ())))
