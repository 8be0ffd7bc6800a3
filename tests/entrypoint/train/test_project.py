"""Entry points: MLproject, [tool.mlf.train], the bundled example; typed -P values."""

import sys

import pytest

from mlfcore.entrypoint.errors import ConfigError, UsageError
from mlfcore.entrypoint.train import project

MLPROJECT = """\
name: demo
entry_points:
  main:
    parameters:
      epochs: {type: int, default: 3}
      rate: {type: float, default: 0.1}
      name: string
      flag: {type: bool, default: false}
    command: "python train.py --epochs {epochs} --rate {rate} --name {name} --out {output_dir} --seed {seed}"
  other:
    command: "python other.py"
"""


@pytest.fixture
def mlproject(tmp_path):
    (tmp_path / "MLproject").write_text(MLPROJECT)
    return tmp_path


def test_mlproject_entry_point_defaults_and_types(mlproject):
    spec = project.load(mlproject)
    assert spec.entry_point.source == "MLproject"
    values = spec.entry_point.values({"name": "x y", "epochs": "5"})
    # Checked against their types, passed on as text, as MLflow passes them (the default's YAML value as text).
    assert values == {"epochs": "5", "rate": "0.1", "name": "x y", "flag": "false"}
    argv = spec.entry_point.argv(values, output_dir=mlproject / "out", seed=7)
    assert argv[-6:] == ["--name", "x y", "--out", str(mlproject / "out"), "--seed", "7"]
    assert spec.experiment == "demo"  # the MLproject's name:
    assert spec.output_root == mlproject / "outputs"


def test_python_becomes_this_interpreter_when_not_on_path(mlproject, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    spec = project.load(mlproject, "other")
    assert spec.entry_point.argv({}, output_dir=mlproject, seed=0)[0] == sys.executable


@pytest.mark.parametrize("given, message", [
    ({"nope": "1"}, "unknown parameter 'nope'"),
    ({"name": "a", "epochs": "three"}, "must be of type int"),
    ({"name": "a", "rate": "fast"}, "must be of type float"),
    ({"name": "a", "flag": "maybe"}, "must be of type bool"),
    ({}, "'name' of entry point 'main' has no default"),
])
def test_bad_parameter_values_are_usage_errors(mlproject, given, message):
    with pytest.raises(UsageError, match=message) as caught:
        project.load(mlproject).entry_point.values(given)
    assert caught.value.exit_code == 2


def test_unknown_entry_point(mlproject):
    with pytest.raises(UsageError, match="no entry point 'missing'"):
        project.load(mlproject, "missing")


@pytest.mark.parametrize("text, message", [
    ("entry_points: [", "not valid YAML"),
    ("- a list", "a mapping"),
    ("name: x", "no entry_points"),
    ("entry_points: {main: {parameters: {}}}", "needs a command"),
    ("entry_points: {main: {command: 'python t.py {epochs}'}}", "uses {epochs}, which is no parameter"),
    ("entry_points: {main: {command: 'x', parameters: {a: {type: tensor}}}}", "unknown type 'tensor'"),
    ("entry_points: {main: {command: 'x', parameters: {a: {type: int, default: 1.5}}}}", "is not of type int"),
    ("entry_points: {main: {command: 'x', parameters: {seed: int}}}", "reserved"),
    ("entry_points: {main: {command: 'x \"unclosed'}}", "cannot be split"),
])
def test_malformed_mlproject_is_a_config_error(tmp_path, text, message):
    (tmp_path / "MLproject").write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        project.load(tmp_path)
    assert caught.value.exit_code == 2


def test_pyproject_train_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlf.train]\ncommand = "python t.py --n {n} --out {output_dir}"\nexperiment = "exp"\n'
        'output_dir = "results"\nparameters = { n = { type = "int", default = 1 } }\n'
        '[tool.mlf]\noutputs = ["results"]\ndata = ["data"]\n')
    spec = project.load(tmp_path)
    assert (spec.entry_point.source, spec.experiment, spec.output_root) == ("pyproject.toml", "exp",
                                                                            tmp_path / "results")
    assert spec.declared_outputs == ("results",) and spec.data == ("data",)
    assert spec.entry_point.values({"n": "4"}) == {"n": "4"}


@pytest.mark.parametrize("table, message", [
    ('command = 1', "command must be of type str"),
    ('comand = "x"', "unknown key 'comand'"),
    ('parameters = { n = "int" }', "parameters but no command"),
    ('command = "x"\noutput_dir = "../up"', "inside the project"),
])
def test_bad_train_table(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.mlf.train]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        project.load(tmp_path)


def test_mlproject_and_a_train_command_clash(mlproject):
    (mlproject / "pyproject.toml").write_text('[tool.mlf.train]\ncommand = "python x.py"\n')
    with pytest.raises(ConfigError, match="both MLproject"):
        project.load(mlproject)


def test_missing_project_directory(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        project.load(tmp_path / "nope")


def test_an_empty_folder_runs_the_example_the_image_names(tmp_path):
    spec = project.load(tmp_path, environ={"MLF_IMAGE_EXAMPLE": "xgboost_digits"})
    assert spec.entry_point.example == "xgboost_digits" and spec.experiment == "xgboost_digits"
    argv = spec.entry_point.argv(spec.entry_point.values({}), output_dir=tmp_path / "o", seed=0)
    assert argv[1:4] == ["-m", "mlfcore.entrypoint.examples.xgboost_digits", "--output"]
    assert argv[-2:] == ["--rounds", "30"]


def test_an_unknown_image_example_is_refused(tmp_path):
    with pytest.raises(UsageError, match="names no bundled example"):
        project.default_example({"MLF_IMAGE_EXAMPLE": "nope"})


def test_without_an_image_example_the_single_installed_framework_decides(monkeypatch):
    monkeypatch.setattr(project.importlib.util, "find_spec", lambda name: object() if name == "xgboost" else None)
    assert project.default_example({}) == "xgboost_digits"
    monkeypatch.setattr(project.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match="no framework is installed"):
        project.default_example({})


@pytest.mark.parametrize("pairs, message", [(["x"], "not key=value"), (["=1"], "not key=value"),
                                            (["a=1", "a=2"], "given twice")])
def test_parse_assignments(pairs, message):
    with pytest.raises(UsageError, match=message):
        project.parse_assignments(pairs)
    assert project.parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}


BACKSLASHED = """\
name: continued
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      rate: {type: float, default: 0.5}
      note: {type: string, default: "a b"}
    command: |
        python train.py \\
          --rate={rate} \\
          --note {note}
"""


def test_a_backslash_continued_command_renders_as_mlflow_renders_it_and_runs_under_sh(tmp_path):
    from mlflow.projects._project_spec import load_project

    (tmp_path / "MLproject").write_text(BACKSLASHED)
    (tmp_path / "python_env.yaml").write_text("dependencies: [numpy]\n")
    spec = project.load(tmp_path)
    values = spec.entry_point.values({"rate": ".25"})
    assert values == {"rate": ".25", "note": "a b"}  # as given, as MLflow passes it on
    rendered = spec.entry_point.render(values, output_dir=tmp_path, seed=0, root=tmp_path)
    # MLflow's own rendering of the same entry point and values (what `mlflow run` executes under bash -c).
    assert rendered == load_project(str(tmp_path)).get_entry_point("main").compute_command(values, None)
    argv = spec.entry_point.argv(values, output_dir=tmp_path, seed=0, root=tmp_path)
    assert argv[:2] == [project.SHELL, "-c"] and "--rate=.25 \\\n" in argv[2] and "--note 'a b'" in argv[2]
    assert spec.experiment == "continued"
    assert spec.environment == project.Environment("python_env", tmp_path / "python_env.yaml", None)


def test_a_plain_command_stays_a_direct_argv():
    assert not project.needs_shell("python train.py --rate 0.5 --note 'a b'\n")
    assert project.needs_shell("python a.py && python b.py")
    assert project.needs_shell("python a.py \\\n  --x 1")


def test_docker_env_names_an_image_and_mlflows_loader_checks_it(tmp_path):
    (tmp_path / "MLproject").write_text("docker_env: {image: 'me/iris:1'}\nentry_points: {main: {command: x}}\n")
    assert project.load(tmp_path).environment.docker_image == "me/iris:1"
    (tmp_path / "MLproject").write_text("docker_env: {}\npython_env: p.yaml\nentry_points: {main: {command: x}}\n")
    with pytest.raises(ConfigError, match="multiple environment fields"):
        project.load(tmp_path)


@pytest.mark.parametrize("kind, value, accepted", [
    ("uri", "s3://bucket/data", True), ("uri", "not a uri", False),
    ("float", "inf", False), ("float", "nan", False), ("float", "1e-3", True),
    ("path", "data.csv", True), ("path", "missing.csv", False),
])
def test_typed_parameters_follow_mlflows_checks(tmp_path, kind, value, accepted):
    (tmp_path / "data.csv").write_text("x\n1\n")
    (tmp_path / "MLproject").write_text(f"entry_points: {{main: {{parameters: {{p: {kind}}}, command: 'x {{p}}'}}}}\n")
    point = project.load(tmp_path).entry_point
    if accepted:
        argv = point.argv(point.values({"p": value}), output_dir=tmp_path, seed=0, root=tmp_path)
        assert argv[-1] == (str(tmp_path / value) if kind == "path" else value)
    else:
        with pytest.raises(UsageError, match="parameter 'p'"):
            point.argv(point.values({"p": value}), output_dir=tmp_path, seed=0, root=tmp_path)

