"""THE golden table as committed: every entry measured, with its host and record; docs/PROOF.md generated from it;
and the reader refuses what would make it ambiguous."""

import re

import pytest

from mlfcore.entrypoint.train import expect, fingerprint
from mlfcore.scaffold.golden import docs, hosts, table

ENTRY = '[[entries]]\nexample = "xgboost_digits"\nruntime = "venv"\nparams = { rounds = "4" }\n'


@pytest.fixture(scope="module")
def committed():
    return table.load()


def test_every_entry_is_measured_with_this_mlfs_algorithm_by_a_listed_host_whose_record_is_kept(committed):
    assert committed.entries and committed.hosts
    for entry in committed.entries:
        assert entry.fingerprint, f"{entry.id} has no golden value: `make golden` measures it"
        value = expect.parse(entry.fingerprint, entry.id)
        assert value.algorithm == fingerprint.ALGORITHM, (
            f"{entry.id} holds a value of fingerprint algorithm {value.algorithm}, this mlf computes "
            f"{fingerprint.ALGORITHM}: `make golden REASON='algorithm: ...'` records the new values")
        assert entry.id in committed.host(entry.host).proved  # the recording host proved it
        assert hosts.load(entry) is not None, f"records/{entry.record_name} is missing"


def test_the_suite_trains_fast_examples_in_the_venv_and_in_the_cpu_images(committed):
    suite = [entry for entry in committed.entries if entry.suite]
    for example in ("pytorch_digits", "keras_digits", "xgboost_digits"):
        assert {entry.runtime for entry in suite if entry.example == example} == {"venv", "image"}, example


def test_docs_proof_is_generated_from_the_committed_table(committed):
    assert not docs.stale(committed), "docs/PROOF.md is stale: run `make golden-docs`"
    page = docs.render(committed)
    for entry in committed.entries:
        assert entry.fingerprint.partition(":")[2][:docs.SHOWN] in page
    for host in committed.hosts:
        assert f"| {host.id} | {host.model} |" in page


def test_the_table_reads_back_what_it_writes(committed, tmp_path):
    path = tmp_path / "fingerprints.toml"
    table.write(committed, path)
    assert table.load(path) == committed
    assert table.render(committed) == table.PATH.read_text(encoding="utf-8")  # the committed file is written so


@pytest.mark.parametrize(("text", "words"), [
    (ENTRY + 'colour = "blue"\n', "unknown field 'colour'"),
    (ENTRY + ENTRY, "appears twice"),
    (ENTRY + 'mode = "sideways"\n', "mode must be empty, no-portable, resume-at=K or nproc=N"),
    (ENTRY + 'mode = "no-portable"\n', "names the ISA level its value holds for"),
    (ENTRY + 'fingerprint = "v2:abc"\nhost = "h"\ndate = "d"\nreason = "r"\n', "the digest has 3 hex digits"),
    (ENTRY + f'fingerprint = "v2:{"a" * 64}"\n', "names its host, date and reason"),
    (ENTRY + f'fingerprint = "v2:{"a" * 64}"\nhost = "h"\ndate = "d"\nreason = "r"\n', "no host 'h'"),
    (ENTRY.replace('runtime = "venv"', 'runtime = "image"'), "an image entry names its image and variant"),
    ("[[entries\n", "not valid TOML"),
])
def test_a_malformed_table_is_refused_naming_the_entry_and_field(text, words):
    with pytest.raises(table.TableError, match=re.escape(words)):
        table.parse(text)
