"""Credentials and registry errors of mlfcore.scaffold.registry_client, without an engine (the real round trip is in
test_publish.py)."""

from __future__ import annotations

import pytest

from mlfcore.entrypoint.errors import UsageError
from mlfcore.scaffold import registry_client


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in (*registry_client.TOKEN_VARIABLES, *registry_client.USERNAME_VARIABLES):
        monkeypatch.delenv(name, raising=False)


def test_stdin_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("GHCR_TOKEN", "from-env")
    assert registry_client.credentials("me", "from-stdin\n").password == "from-stdin"


def test_ghcr_token_then_github_token_and_the_actor(monkeypatch):
    assert registry_client.credentials("me", None) is None
    monkeypatch.setenv("GITHUB_TOKEN", "second")
    monkeypatch.setenv("GITHUB_ACTOR", "actor")
    assert (registry_client.credentials(None, None).username, registry_client.credentials(None, None).password) == ("actor", "second")
    monkeypatch.setenv("GHCR_TOKEN", "first")
    assert registry_client.credentials(None, None).password == "first"


def test_the_password_is_in_no_repr():
    secret = registry_client.Credentials("me", "s3cret-token")
    assert "s3cret-token" not in repr(secret) and "s3cret-token" not in str(secret)


@pytest.mark.parametrize(("username", "stdin", "words"), [
    (None, "token", "no user name"),
    ("me", "\n", "standard input is empty"),
])
def test_incomplete_credentials_are_usage_errors(username, stdin, words):
    with pytest.raises(UsageError, match=words):
        registry_client.credentials(username, stdin)


@pytest.mark.parametrize(("reference", "host"), [
    ("ghcr.io/mlfcore/base:1", "ghcr.io"), ("127.0.0.1:5000/x/y:1", "127.0.0.1:5000"),
    ("localhost/y:1", "localhost"), ("mlfcore/pytorch:latest", "docker.io"), ("ubuntu:24.04", "docker.io"),
])
def test_registry_host(reference, host):
    assert registry_client.registry_host(reference) == host


def test_an_engine_error_never_echoes_the_token():
    secret = registry_client.Credentials("me", "tok-123")
    error = registry_client._refusal("r.example", 'Get "https://r.example/v2/": weird failure tok-123', secret)
    assert "tok-123" not in str(error) and "r.example" in str(error)
