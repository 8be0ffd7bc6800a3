"""Push images with the docker SDK: credentials kept in memory, rich progress per layer, the digest each push made.

Credentials come from `--password-stdin` or the environment (GHCR_TOKEN, else GITHUB_TOKEN; DOCKERHUB_TOKEN for
Docker Hub) — never from the command line (it is world-readable in /proc/<pid>/cmdline), never printed, never
written: the SDK sends them to the engine in the X-Registry-Auth header of each request (Docker Engine API,
"Authentication"), so no `docker login` writes ~/.docker/config.json.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import CheckFailed, UsageError
from mlfcore.scaffold import references

TOKEN_VARIABLES = ("GHCR_TOKEN", "GITHUB_TOKEN")
USERNAME_VARIABLES = ("GITHUB_ACTOR",)


class RegistryError(UsageError):
    """The registry refused the credentials or does not answer: one line that says what to check."""


class PushFailed(CheckFailed):
    """The engine reported an error while pushing (the message is the engine's)."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)  # never in a repr, a log line or an error message

    def auth_config(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}


def credentials(username: str | None, password_stdin: str | None, token_variables=TOKEN_VARIABLES,
                user_variables=USERNAME_VARIABLES) -> Credentials | None:
    """The credentials to push with: the stdin password, else the first token variable set; None when neither
    (the engine then pushes with what it has, e.g. a `docker login` done before)."""
    password = password_stdin.rstrip("\r\n") if password_stdin is not None else next(
        (os.environ[name] for name in token_variables if os.environ.get(name)), None)
    if password is None:
        return None
    username = username or next((os.environ[name] for name in user_variables if os.environ.get(name)), None)
    if not username:
        raise UsageError("a token was given but no user name: pass --username (for GHCR, your GitHub user)")
    if not password:
        raise UsageError("the password on standard input is empty: pipe the token into --password-stdin")
    return Credentials(username, password)


def registry_host(reference: str) -> str:
    """The registry host of a reference (references.host, the one parser)."""
    return references.host(reference)


def _hide(text: str, secret: Credentials | None) -> str:
    return text.replace(secret.password, "***") if secret and secret.password else text


def _refusal(host: str, message: str, secret: Credentials | None) -> RegistryError:
    lowered = message.lower()
    if "unauthorized" in lowered or "authentication required" in lowered or "denied" in lowered:
        user = secret.username if secret else "(none)"
        return RegistryError(f"registry {host} refused the credentials of user {user!r}: check the token "
                             "(--password-stdin, GHCR_TOKEN or GITHUB_TOKEN) and that it may write packages")
    if "connection refused" in lowered or "no such host" in lowered or "timeout" in lowered \
            or "i/o timeout" in lowered or "no route" in lowered:
        return RegistryError(f"registry {host} does not answer ({_reason(message)}): check --registry and "
                             "that the registry is up")
    return RegistryError(f"registry {host}: {_hide(_reason(message), secret)}")


def _reason(message: str) -> str:
    """The last clause of an engine error, on one line ('Get "https://…/v2/": dial tcp …: connection refused')."""
    return " ".join(message.split()).rsplit(": ", 1)[-1]


def login(client, host: str, secret: Credentials | None) -> None:
    """Check the credentials against the registry before anything is pushed (the engine's /auth call)."""
    if secret is None:
        return
    import docker

    try:
        client.login(secret.username, secret.password, registry=host, reauth=True)
    except docker.errors.APIError as failure:
        raise _refusal(host, str(failure.explanation or failure), secret) from None


def push(client, reference: str, secret: Credentials | None) -> str:
    """Push one REPOSITORY:TAG, showing each layer's progress on stderr; returns the digest the registry gave."""
    import docker
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    parsed = references.parse(reference)
    auth = secret.auth_config() if secret else None
    digest = ""
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console.err(),
                  transient=True) as progress:
        layers: dict[str, int] = {}
        try:
            for event in client.api.push(parsed.repository, tag=parsed.tag or references.DEFAULT_TAG, stream=True, decode=True, auth_config=auth):
                if "error" in event or "errorDetail" in event:
                    message = event.get("errorDetail", {}).get("message") or event.get("error", "")
                    raise _refusal(registry_host(reference), message, secret)
                digest = (event.get("aux") or {}).get("Digest") or digest
                _show(progress, layers, event)
        except docker.errors.APIError as failure:
            raise _refusal(registry_host(reference), str(failure.explanation or failure), secret) from None
    if not references.is_digest(digest):
        raise PushFailed(f"pushing {reference} reported no digest: the engine's push did not finish")
    console.info(f"pushed {console.escape(reference)} [dim]{digest}[/]")
    return digest


def _show(progress, layers: dict[str, int], event: dict) -> None:
    layer, detail = event.get("id"), event.get("progressDetail") or {}
    if not layer or len(layer) != 12:  # layer ids are 12 hex digits; other ids are tags
        return
    if layer not in layers:
        layers[layer] = progress.add_task(layer, total=None)
    status = event.get("status", "")
    if detail.get("total"):
        progress.update(layers[layer], completed=detail.get("current", 0), total=detail["total"],
                        description=f"{layer} {status}")
    else:
        progress.update(layers[layer], description=f"{layer} {status}")
