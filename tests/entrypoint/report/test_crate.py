"""The report folder read back as an RO-Crate by ro-crate-py: every file is an entity whose sha256 and size match
the file, and the run's model, metrics, code, data and image are entities with their checksums."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote

from rocrate.rocrate import ROCrate

METADATA = "ro-crate-metadata.json"


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {METADATA}


def _check_every_file(folder: Path) -> ROCrate:
    crate = ROCrate(folder)
    files = [e for e in crate.data_entities if "File" in (e.type if isinstance(e.type, list) else [e.type])]
    described = {}
    for entity in [*files, crate.preview]:  # ro-crate-py types the page CreativeWork, as RO-Crate 1.1 did
        path = folder / unquote(entity.id)
        content = path.read_bytes()
        assert entity["sha256"] == hashlib.sha256(content).hexdigest(), entity.id
        assert entity["contentSize"] == str(len(content)), entity.id
        described[unquote(entity.id)] = entity
    assert set(described) == _files(folder)  # every file, and nothing that is not there
    return crate


def test_every_file_of_the_crate_has_its_checksum(single, recorded):
    crate = _check_every_file(single.folder)
    run_id = recorded.verified[0]
    action = crate.dereference(f"#run-{run_id}")
    assert action.type == "CreateAction" and action["identifier"] == run_id
    assert action["actionStatus"] == "http://schema.org/CompletedActionStatus"
    results = {entity.id for entity in action["result"]}
    assert {f"runs/{run_id}/outputs/weight.npy", f"runs/{run_id}/metrics.json"} <= results
    data = json.loads((single.folder / f"runs/{run_id}/mlf/data.json").read_text())
    objects = {entity.id: entity for entity in action["object"]}
    assert objects[f"#data-{run_id}"]["sha256"] == data["tree_sha256"]
    assert [part["sha256"] for part in objects[f"#data-{run_id}"]["hasPart"]] == [data["files"]["data.csv"]]
    source = json.loads((single.folder / f"runs/{run_id}/mlf/sysinfo.json").read_text())["project"]["source"]
    assert objects[f"#code-{run_id}"]["sha256"] == source["sha256"]
    assert "#mlfcore" in {entity.id for entity in action["instrument"]}
    assert crate.preview is not None and crate.root_dataset["description"].startswith("reproduced bit for bit")


def test_an_attached_crate_names_the_outputs_by_their_fingerprint_digests(recorded, tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(recorded.project)
    client = MlflowClient(f"sqlite:///{recorded.project / 'mlflow.db'}")
    run_id = recorded.reproduction
    folder = Path(client.download_artifacts(run_id, "report", str(tmp_path)))
    crate = _check_every_file(folder)
    recorded_fingerprint = json.loads((folder / f"runs/{run_id}/mlf/fingerprint.json").read_text())
    tensor = next(a for a in recorded_fingerprint["artifacts"] if a["name"] == "weight.npy")
    output = crate.dereference(f"#output-{run_id}/weight.npy")
    assert output["sha256"] == tensor["sha256"]
