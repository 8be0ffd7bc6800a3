"""The frameworks' tests use the lint tests' `lint` fixture (a snippet linted in-process)."""

from ..lint.conftest import lint  # noqa: F401 — the fixture
