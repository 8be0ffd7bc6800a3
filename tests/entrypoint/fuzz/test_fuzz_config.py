"""Property-based fuzzing of configuration parsing: [tool.mlf] in pyproject.toml, MLproject files and -P values.
Every input either parses or raises the typed error that the CLI turns into exit 2; never anything else."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlfcore.entrypoint import config
from mlfcore.entrypoint.errors import UsageError
from mlfcore.entrypoint.train import project

from ..reliability import note

FUZZ = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
KEYS = [*config.TOP_LEVEL_KEYS, "tool", "mlf", "seeds", "", "train.command", "lint.select"]
scalars = st.one_of(st.integers(-2**70, 2**70), st.booleans(), st.floats(), st.text(max_size=12),
                    st.lists(st.text(max_size=6), max_size=3))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    return str(value)


def _load(text: bytes):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pyproject.toml").write_bytes(text)
        try:
            loaded = config.load(folder)
            config.settings(loaded)
        except UsageError:  # ConfigError included: exit 2
            pass


@settings(**FUZZ, max_examples=2000)
@given(st.lists(st.tuples(st.sampled_from(KEYS), scalars), max_size=6), st.sampled_from(["[tool.mlf]", "[tool]",
                                                                                       "", "[tool.mlf.train]"]))
def test_tool_mlf_tables_parse_or_exit_2(counter, pairs, header):
    counter.append(1)
    empty = '""'
    body = "\n".join(f"{key or empty} = {_toml_value(value)}" for key, value in dict(pairs).items())
    _load(f"{header}\n{body}\n".encode())


@settings(**FUZZ, max_examples=1000)
@given(st.binary(max_size=400))
def test_random_pyproject_bytes_parse_or_exit_2(counter, junk):
    counter.append(1)
    _load(b"[tool.mlf]\n" + junk)


parameter_specs = st.one_of(st.none(), st.sampled_from([*project.TYPES, "tensor", ""]), st.fixed_dictionaries(
    {}, optional={"type": st.sampled_from([*project.TYPES, "x"]), "default": scalars, "extra": scalars}), scalars)
documents = st.one_of(scalars, st.fixed_dictionaries({}, optional={
    "name": scalars,
    "entry_points": st.one_of(scalars, st.dictionaries(st.sampled_from(["main", "other", "1"]), st.one_of(
        scalars, st.fixed_dictionaries({}, optional={
            "command": st.one_of(scalars, st.sampled_from(["python t.py {a}", "{output_dir} {seed}", "x {", "'",
                                                           "{a!r}", "{0}", "python {b} {{c}}"])),
            "parameters": st.one_of(scalars, st.dictionaries(st.sampled_from(["a", "b", "seed", "1x", ""]),
                                                             parameter_specs, max_size=3))})), max_size=3))}))


@settings(**FUZZ, max_examples=1500)
@given(documents, st.sampled_from(["main", "other"]))
def test_mlproject_documents_parse_or_exit_2(counter, document, name):
    counter.append(1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "MLproject"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        try:
            point = project._from_mlproject(path, name)
            point.argv(point.values({}), output_dir=Path(folder), seed=0)
        except UsageError:
            pass


@settings(**FUZZ, max_examples=2500)
@given(st.sampled_from(sorted(project.TYPES)), st.one_of(st.text(max_size=30), st.from_regex(
    r"\A[-+]?(\d{0,400}(\.\d*)?(e[-+]?\d{1,4})?|inf|nan|infinity|0x1f|1_000)\Z")))
def test_p_values_convert_or_exit_2(counter, kind, raw):
    counter.append(1)
    try:
        value = project.Parameter("p", kind).convert(raw)
    except UsageError as refused:
        assert refused.exit_code == 2 and "must be of type" in refused.message
        return
    if kind == "float":
        assert math.isfinite(value)
    if kind in ("int", "integer"):
        assert isinstance(value, int)


@pytest.fixture
def counter(request):
    cases: list[int] = []
    yield cases
    note("fuzzing", f"config: {request.node.name.removeprefix('test_').replace('_', ' ')}",
         "parsed or exit 2, no traceback", len(cases))
