"""Typed errors. The library raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

# Exit codes shared by every command (README.md, "Exit codes").
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_CONTRACT = 3
# A bug in mlf itself. BSD's EX_SOFTWARE, so it never looks like a check result.
EXIT_INTERNAL = 70
# The run is recorded in the project but the tracking server has not received it (it did not answer): BSD's
# EX_TEMPFAIL, "a temporary failure ... the user is invited to retry" (sysexits.h); `mlf sync` is the retry.
EXIT_UNDELIVERED = 75


class MlfError(Exception):
    """An expected failure with a message meant for a person and an exit code."""

    exit_code = EXIT_CHECK_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(MlfError):
    """Bad usage or bad input: nothing was written."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """The project's configuration ([tool.mlf] in pyproject.toml) is invalid."""


class ContractConflict(MlfError):
    """The caller's environment contradicts the determinism contract."""

    exit_code = EXIT_CONTRACT

    def __init__(self, message: str, conflicts: list, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.conflicts = conflicts


class CheckFailed(MlfError):
    """A check ran and found something (lint errors, a verify mismatch)."""

    exit_code = EXIT_CHECK_FAILED
