"""Findings about files rather than code: a file that could not be parsed is reported, never a crash."""

from __future__ import annotations

from ..model import Rule

SYNTAX = Rule(
    id="file-syntax", severity="warning",
    message="The file is not valid Python, so it was not checked.",
    fix="Fix the syntax error, or exclude the file ([tool.mlf.lint] exclude).")
ENCODING = Rule(
    id="file-encoding", severity="warning",
    message="The file cannot be decoded (PEP 263: UTF-8 unless a coding line says otherwise), so it was not checked.",
    fix="Save it as UTF-8, or declare its encoding on the first or second line: # -*- coding: latin-1 -*-.")
SKIPPED = Rule(
    id="file-skipped", severity="info",
    message="The file or folder was not checked.",
    fix="See the message; exclude the path ([tool.mlf.lint] exclude) to silence this note.")

# An error, not a note: a file that cannot be read may hold any error, and the pre-run gate must not let a command
# import code the linter never saw. One policy for `mlf lint` (exit 1, as for other errors) and the gate (blocks).
UNREADABLE = Rule(
    id="file-unreadable", severity="error",
    message="The file cannot be read (permissions, a broken or looping symlink), so it was not checked: it may "
            "hide an error.",
    fix="Make the file readable, or exclude it ([tool.mlf.lint] exclude) if it is not part of the project.")

# A check of mlf lint failed on this file: its findings are missing, the other checks' are kept. A warning, so the
# report shows it with its fix; `mlf lint` exits 70 and the pre-run gate blocks (the missing findings may be errors).
INCOMPLETE = Rule(
    id="file-incomplete", severity="warning",
    message="A check of mlf lint failed on this file (an internal error), so the file was checked incompletely: "
            "that check's findings are missing, the others are reported.",
    fix="Please report it with this file; meanwhile `# mlf: ignore` cannot help, exclude the file or run with "
        "--no-lint if you must.")

RULES = (SYNTAX, ENCODING, SKIPPED, UNREADABLE, INCOMPLETE)
