"""python_env / conda_env files against the installed environment: one warning per unmet requirement."""

import platform
from importlib import metadata

from mlfcore.entrypoint.train import envcheck


def test_python_env_names_each_missing_or_different_requirement(tmp_path):
    numpy = metadata.version("numpy")
    (tmp_path / "requirements.txt").write_text(f"numpy=={numpy}\nrich<1\n")
    (tmp_path / "python_env.yaml").write_text(
        'python: "3.6"\nbuild_dependencies: [pip]\n'
        "dependencies:\n  - mlflow\n  - -r requirements.txt\n  - no-such-dist-here>=1\n")
    problems = envcheck.problems("python_env", tmp_path / "python_env.yaml")
    assert problems == [f"Python 3.6 is wanted, {platform.python_version()} is running",
                        f"rich<1 is wanted, rich {metadata.version('rich')} is installed",
                        "no-such-dist-here>=1 is not installed"]


def test_a_met_python_env_gives_no_warning(tmp_path):
    major_minor = ".".join(platform.python_version().split(".")[:2])
    (tmp_path / "python_env.yaml").write_text(f'python: "{major_minor}"\ndependencies: [numpy, pyyaml>=5]\n')
    assert envcheck.problems("python_env", tmp_path / "python_env.yaml") == []


def test_conda_env_checks_conda_and_pip_entries(tmp_path):
    numpy = metadata.version("numpy")
    (tmp_path / "conda.yaml").write_text(
        f"dependencies:\n  - python={platform.python_version()}\n  - numpy={numpy.split('.')[0]}\n"
        "  - scipy=0.1\n  - pip\n  - pip:\n    - no-such-dist-here\n")
    problems = envcheck.problems("conda_env", tmp_path / "conda.yaml")
    assert problems == [f"scipy=0.1 is wanted, scipy {metadata.version('scipy')} is installed",
                        "no-such-dist-here is not installed"]


def test_an_unreadable_file_is_a_warning_not_an_error(tmp_path):
    (tmp_path / "python_env.yaml").write_text("dependencies: [unclosed\n")
    (problem,) = envcheck.problems("python_env", tmp_path / "python_env.yaml")
    assert "could not be read" in problem
    assert envcheck.problems("docker_env", None) == []
