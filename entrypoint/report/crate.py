"""The report as an RO-Crate (https://w3id.org/ro/crate/1.3, the version ro-crate-py 0.16 writes), written
with ro-crate-py (`rocrate`).

- Every file in the folder is a File entity with its `sha256` (schema.org's property, in the RO-Crate context)
  and `contentSize`: the records, the metric histories, the outputs, the summaries and the page itself.
- Each run is a CreateAction (as RO-Crate's Process Run Crate profile describes a run): its instrument is mlfcore
  and the image it ran in (the image's digest as its sha256, where the host passed one), its object the code (the
  commit, the source files' hash) and the data (the tree hash and each file's sha256), its result the outputs.
- Outputs that were not copied (a report attached to its own run, whose outputs MLflow already holds) are
  contextual entities with the digests the result fingerprint recorded.
- The page is the crate's `ro-crate-preview.html`. RO-Crate suggests the preview carry a copy of the metadata
  in a script element; this one does not: the metadata holds the page's checksum, which the page cannot contain,
  and the page runs no script of any kind.
"""

from __future__ import annotations

import hashlib
import mimetypes
from io import BytesIO
from pathlib import Path

from ..files import sha256 as file_sha256  # the one file hash
from .content import Content
from .model import Run

METADATA = "ro-crate-metadata.json"
PREVIEW = "ro-crate-preview.html"
MLFCORE = "#mlfcore"
SOURCE_URL = "https://github.com/mlfcore/mlfcore"  # pyproject.toml [project.urls] Source
DATA_ENTITIES = 1000  # per run; data.json, in the crate, lists every file's sha256 beyond that
STATUS = {"FINISHED": "http://schema.org/CompletedActionStatus", "FAILED": "http://schema.org/FailedActionStatus",
          "KILLED": "http://schema.org/FailedActionStatus", "RUNNING": "http://schema.org/ActiveActionStatus"}


def files(folder: Path) -> list[dict]:
    """Every file under `folder` (but the crate's metadata and page), sorted, with its sha256 and size."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name not in (METADATA, PREVIEW):
            found.append({"path": name, "sha256": file_sha256(path), "bytes": path.stat().st_size})
    return found


def _file(crate, folder: Path, entry: dict):
    kind = mimetypes.guess_type(entry["path"])[0] or "application/octet-stream"
    return crate.add_file(folder / entry["path"], dest_path=entry["path"],
                          properties={"name": Path(entry["path"]).name, "sha256": entry["sha256"],
                                      "contentSize": str(entry["bytes"]), "encodingFormat": kind})


def _entity(crate, identifier: str, properties: dict):
    from rocrate.model.contextentity import ContextEntity

    return crate.add(ContextEntity(crate, identifier, properties=properties))


def _image(crate, run: Run):
    if not run.image:
        return None
    ref = run.image
    properties = {"@type": "SoftwareApplication", "name": ref, "description": "the container image the run ran in"}
    if "@sha256:" in ref:
        properties["sha256"] = ref.rsplit("@sha256:", 1)[1]
    return _entity(crate, f"#image-{run.run_id}", properties)


def _code(crate, run: Run):
    project = (run.records.get("sysinfo") or {}).get("project") or {}
    source = project.get("source") or {}
    if not project.get("commit") and not source:
        return None
    properties = {"@type": "SoftwareSourceCode", "name": f"the code of run {run.run_id}",
                  "description": "the project's source files, hashed by name (docs/sysinfo.md, 'The source hash')"}
    if project.get("commit"):
        properties["version"] = project["commit"]
    if source.get("sha256"):
        properties["sha256"] = source["sha256"]
    return _entity(crate, f"#code-{run.run_id}", properties)


def _data(crate, run: Run) -> list:
    data = run.records.get("data")
    if not data:
        return []
    tree = _entity(crate, f"#data-{run.run_id}", {
        "@type": "CreativeWork", "name": f"the training data of run {run.run_id}", "sha256": data.get("tree_sha256"),
        "contentSize": str(data.get("total_bytes")),
        "description": f"tree hash ({data.get('algorithm')}) over every data file; the files are not in this crate"})
    parts = [_entity(crate, f"#data-{run.run_id}/{name}", {"@type": "CreativeWork", "name": name, "sha256": digest})
             for name, digest in sorted((data.get("files") or {}).items())[:DATA_ENTITIES]]
    if parts:
        tree["hasPart"] = parts
    return [tree]


def _uncopied_outputs(crate, run: Run) -> list:
    """The outputs by the digests their fingerprint recorded, when they were not copied into the crate."""
    artifacts = [a for a in (run.records.get("fingerprint") or {}).get("artifacts", []) if a["kind"] != "metric"]
    return [_entity(crate, f"#output-{run.run_id}/{artifact['name']}", {
        "@type": "CreativeWork", "name": artifact["name"], "sha256": artifact["sha256"],
        "description": f"an output ({artifact['kind']}), held by the run's MLflow artifacts; its digest is the "
                       "result fingerprint's"}) for artifact in artifacts]


def _action(crate, run: Run, content: Content, by_path: dict, tool) -> None:
    outputs = [by_path[name] for name in run.outputs if name in by_path] or _uncopied_outputs(crate, run)
    metrics = by_path.get(f"{run.folder}/metrics.json")
    verdict = content.report.verdicts.get(run.run_id)
    properties = {"@type": "CreateAction", "name": f"mlf train run {run.run_id}", "identifier": run.run_id,
                  "actionStatus": {"@id": STATUS.get(run.status, "http://schema.org/PotentialActionStatus")},
                  "instrument": [e for e in (tool, _image(crate, run)) if e is not None],
                  "object": [e for e in (_code(crate, run), *_data(crate, run)) if e is not None],
                  "result": outputs + ([metrics] if metrics else [])}
    if run.start:
        properties["startTime"] = run.start.isoformat()
    if run.end:
        properties["endTime"] = run.end.isoformat()
    if run.fingerprint:
        properties["description"] = f"result fingerprint {run.fingerprint}" + (
            f"; {verdict.headline}" if verdict else "")
    _entity(crate, f"#run-{run.run_id}", properties)


def write(folder: Path, content: Content, html: str) -> None:
    """Describe every file in `folder` and write the crate's metadata and page into it."""
    from rocrate.model.preview import Preview
    from rocrate.rocrate import ROCrate

    report = content.report
    crate = ROCrate()
    crate.name = f"Reproducibility report: {', '.join(run.run_id for run in report.runs)}"
    crate.description = content.headline()
    crate.datePublished = report.generated.isoformat(timespec="seconds")
    by_path = {entry["path"]: _file(crate, folder, entry) for entry in content.files}
    tool = _entity(crate, MLFCORE, {"@type": "SoftwareApplication", "name": "mlfcore",
                                    "version": report.mlfcore_version, "url": SOURCE_URL})
    for run in report.all_runs():
        _action(crate, run, content, by_path, tool)
    page = html.encode("utf-8")
    crate.add(Preview(crate, BytesIO(page), properties={
        "name": "the reproducibility report", "sha256": hashlib.sha256(page).hexdigest(),
        "contentSize": str(len(page)), "encodingFormat": "text/html"}))
    crate.write(folder)
