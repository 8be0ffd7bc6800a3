"""The JSON copy of a rule table in the user cache: the same document as the TOML, used instead of parsing it."""

import tomllib

from mlfcore.entrypoint.lint import tables


def test_the_cached_copy_is_the_toml_document_and_spares_the_parse(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tables.folder("torch") / "torch-2.13.toml"
    first = tables._document(path)
    assert first == tomllib.loads(path.read_text(encoding="utf-8"))
    assert len(list((tmp_path / "mlfcore" / "lint-tables").glob("torch-2.13-*.json"))) == 1

    def refuse(text):
        raise AssertionError("parsed the TOML although a cached copy exists")

    monkeypatch.setattr(tomllib, "loads", refuse)
    assert tables._document(path) == first


def test_an_unwritable_cache_still_gives_the_document(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder should be
    path = tables.DATA / "contract.toml"
    assert tables._document(path) == tomllib.loads(path.read_text(encoding="utf-8"))


def test_a_damaged_copy_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tables.folder("xgboost") / "xgboost-3.2.toml"
    tables._document(path)
    (copy,) = (tmp_path / "mlfcore" / "lint-tables").glob("xgboost-3.2-*.json")
    copy.write_text("{broken")
    assert tables._document(path) == tomllib.loads(path.read_text(encoding="utf-8"))
    assert copy.read_text().startswith("{\"")
