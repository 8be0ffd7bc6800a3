"""[tool.mlf]: flags override it, it overrides MLF_* and the defaults; unknown keys are errors naming the key."""

import pytest

from mlfcore.entrypoint import config
from mlfcore.entrypoint.errors import ConfigError


def write(folder, body):
    (folder / "pyproject.toml").write_text(body)
    return folder


def test_no_pyproject_means_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("MLF_SEED", raising=False)
    monkeypatch.delenv("MLF_THREADS", raising=False)
    settings = config.settings(config.load(tmp_path))
    assert (settings.seed, settings.threads, settings.portable) == (0, 2, True)


def test_precedence_flag_then_config_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MLF_SEED", "5")
    monkeypatch.setenv("MLF_THREADS", "6")
    assert config.settings(config.load(tmp_path)).seed == 5
    loaded = config.load(write(tmp_path, "[tool.mlf]\nseed = 11\nportable = false\n"))
    assert config.settings(loaded).seed == 11 and config.settings(loaded).threads == 6
    assert config.settings(loaded, seed=3).seed == 3
    assert config.settings(loaded).portable is False


def test_unknown_key_is_an_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="'sede'"):
        config.load(write(tmp_path, "[tool.mlf]\nsede = 1\n"))


@pytest.mark.parametrize("body", ["[tool.mlf]\nseed = 'one'\n", "[tool.mlf]\nthreads = true\n",
                                  "[tool.mlf]\nthreads = 0\n", "[tool.mlf]\nallow = ['NOPE']\n", "[tool.mlf\n"])
def test_bad_values_are_config_errors(tmp_path, body):
    with pytest.raises(ConfigError):
        config.settings(config.load(write(tmp_path, body)))


def test_a_bad_mlf_seed_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MLF_SEED", "abc")
    with pytest.raises(ConfigError, match="MLF_SEED"):
        config.settings(config.load(tmp_path))


def test_allow_must_list_names(tmp_path):
    with pytest.raises(ConfigError, match="allow must list"):
        config.load(write(tmp_path, "[tool.mlf]\nallow = [1, 'a']\n"))


def test_a_bad_value_names_where_it_came_from(tmp_path, monkeypatch):
    monkeypatch.setenv("MLF_THREADS", "0")
    with pytest.raises(ConfigError, match="^MLF_THREADS: threads"):
        config.settings(config.load(tmp_path))
    monkeypatch.delenv("MLF_THREADS")  # read (and refused) before the table's values are checked
    with pytest.raises(ConfigError, match=r"\[tool.mlf\] seed: seed"):
        config.settings(config.load(write(tmp_path, "[tool.mlf]\nseed = -5\n")))


def test_the_publish_table_of_mlf_scaffold_is_accepted(tmp_path):
    # docs/images.md tells users to set [tool.mlf.publish] registry; every mlf command reads the same file.
    loaded = config.load(write(tmp_path, '[tool.mlf]\nseed = 3\n[tool.mlf.publish]\nregistry = "ghcr.io/me"\n'))
    assert config.settings(loaded).seed == 3
    with pytest.raises(ConfigError, match="'publsh'"):
        config.load(write(tmp_path, '[tool.mlf.publsh]\nregistry = "ghcr.io/me"\n'))
