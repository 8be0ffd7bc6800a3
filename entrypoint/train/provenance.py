"""What ran: the tags a run records about its image, code and GPUs, and what `mlf reproduce` says when the code or
the package set here differs from the recorded run's.

The facts come from the sysinfo record (sysinfo/image.py identifies the image, sysinfo/project.py hashes the source
files); this module is the one owner of their tag names, so `train` writes and `reproduce` reads the same ones.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path

# sysinfo loads inside the functions: `mlf reproduce` imports this module, and `mlf run`'s start-up must not load
# sysinfo (tests/entrypoint/sysinfo/test_command.py checks it).

IMAGE = "mlf.image"  # what `docker run` takes: the ref the host passed, else our image's name:tag
IMAGE_VARIANT = "mlf.image_variant"
IMAGE_DERIVED = "mlf.image_derived"  # "true" for an image built FROM ours
IMAGE_PARENT = "mlf.image_parent"
PACKAGES = "mlf.packages_sha256"  # the installed Python distributions (sysinfo/image.py set_hash)
DEBIAN = "mlf.debian_sha256"
SOURCE = "mlf.source_sha256"  # the project's source files (sysinfo/project.py source)
GPUS = "mlf.gpu_count"  # GPUs visible to the run: `reproduce` asks for --gpus all only when there were some
# How many names a warning lists before "and N more".
SHOWN = 8


def tags(record: dict) -> dict[str, str]:
    """The provenance tags of a run whose sysinfo record is `record`."""
    from ..sysinfo import image as image_identity
    from ..sysinfo.key import lookup, visible_gpus

    image = lookup(record, "system", "container", "image") or {}
    found = {GPUS: str(len(visible_gpus(record)))}
    ref = image_identity.reference(image)
    if ref:
        found[IMAGE] = ref
    if image.get("variant") and (ref or image.get("manifest")):
        found[IMAGE_VARIANT] = image["variant"]
    if image.get("derived"):
        found[IMAGE_DERIVED] = "true"
        found[IMAGE_PARENT] = image.get("parent") or ""
    for tag, value in ((PACKAGES, image.get("packages_sha256")), (DEBIAN, image.get("debian_sha256")),
                       (SOURCE, lookup(record, "project", "source", "sha256"))):
        if value:
            found[tag] = value
    return found


def had_gpus(tags_: dict) -> bool:
    """Whether the recorded run saw GPUs. Runs recorded before the GPU count was a tag: a cuda image's."""
    if GPUS in tags_:
        return tags_[GPUS] != "0"
    return tags_.get(IMAGE_VARIANT) == "cuda"


def where(tags_: dict) -> str:
    """Where the recorded run ran, for the line above the `docker run` line."""
    if tags_.get(IMAGE):
        derived = f", built FROM {tags_[IMAGE_PARENT]}" if tags_.get(IMAGE_DERIVED) == "true" else ""
        return f"ran in {tags_[IMAGE]}{derived}"
    if tags_.get(IMAGE_DERIVED) == "true":
        return (f"ran in an image built FROM {tags_.get(IMAGE_PARENT)} whose name was not passed in (run it with "
                "-e MLF_IMAGE_REF=NAME:TAG to record it); replace IMAGE below with it")
    return "did not run in an mlfcore image (no image recorded)"


def rerun_image(tags: dict) -> str | None:
    """The image a re-run uses: the MLproject's docker_env image when it names one, else the image the run ran in."""
    return tags.get("mlf.docker_env_image") or tags.get("mlf.image")


def docker_line(tags: dict, params: dict[str, str], settings: dict[str, str],
                data_roots: dict[str, str] | None = None) -> str | None:
    """The exact `docker run` command that re-runs the recorded run in the image it used; None outside an image.
    The run's data roots are mounted read-only where the recorded run read them."""
    from . import dataroots
    from .project import DEFAULT_ENTRY_POINT

    image = rerun_image(tags) or ("IMAGE" if tags.get(IMAGE_DERIVED) == "true" else None)
    if not image:
        return None
    line = ["docker", "run", "--rm"]
    if had_gpus(tags):
        line += ["--gpus", "all"]
    for mount in dataroots.docker_mounts(data_roots or {}):
        line += ["-v", mount]
    line += ["-v", "$PWD:/workspace", image, "train"]
    if tags.get("mlf.entry_point", DEFAULT_ENTRY_POINT) != DEFAULT_ENTRY_POINT:
        line += ["-e", tags["mlf.entry_point"]]
    for name, value in sorted(params.items()):
        line += ["-P", f"{name}={value}"]
    line += ["--seed", settings["mlf.seed"], "--threads", settings["mlf.threads"]]
    if settings.get("mlf.portable") == "false":
        line.append("--no-portable")
    if settings.get("mlf.allow_nondeterministic") == "true":
        line.append("--allow-nondeterministic")
    # $PWD stays unquoted so the shell expands it; everything else is quoted as needed.
    return " ".join(part if part.startswith("$PWD") else shlex.quote(part) for part in line).replace(
        "-v $PWD:/workspace", '-v "$PWD":/workspace')


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def _recorded_record(store, run_id: str, project_dir: Path) -> dict | None:
    """The recorded run's sysinfo record, or None when it cannot be read here."""
    from mlflow.exceptions import MlflowException

    from . import tracking

    # Artifact locations are relative to the project (the store travels): resolve them from there.
    with tempfile.TemporaryDirectory(prefix="mlf-provenance-") as folder, tracking.in_project(project_dir.resolve()):
        try:
            path = tracking.client(store).download_artifacts(run_id, "mlf/sysinfo.json", folder)
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except (MlflowException, OSError, ValueError):
            return None


def code_warning(recorded_tags: dict, recorded_record: dict | None, project_dir: Path) -> str | None:
    from ..sysinfo import project as project_info
    from ..sysinfo.key import lookup

    if not recorded_tags.get(SOURCE):
        return None
    now = project_info.source(project_dir)
    if now["sha256"] == recorded_tags[SOURCE]:
        return None
    before = lookup(recorded_record or {}, "project", "source") or {}
    changed = project_info.changed_files(before, now) if before.get("files") else []
    detail = f": {len(changed)} source file(s) differ: {_listed(changed)}" if changed else ""
    return f"the code changed since the recorded run (source hash {recorded_tags[SOURCE][:12]} recorded, " \
           f"{now['sha256'][:12]} here){detail}"


def packages_warning(recorded_tags: dict, recorded_record: dict | None) -> str | None:
    from ..sysinfo import image as image_identity
    from ..sysinfo import packages

    if not recorded_tags.get(PACKAGES):
        return None
    installed = packages.installed()
    if image_identity.set_hash(installed) == recorded_tags[PACKAGES]:
        return None
    recorded = (recorded_record or {}).get("packages")
    found = image_identity.differences(recorded, installed) if isinstance(recorded, dict) else []
    detail = f": {_listed(found)}" if found else ""
    return f"the installed Python packages differ from the recorded run's{detail}"


def warnings(store, run_id: str, recorded_tags: dict, project_dir: Path) -> list[str]:
    """What differs between the recorded run and here, before it is re-run: the code, the Python packages and the
    Debian packages. Empty when all match (or the run recorded none of them)."""
    from ..sysinfo import image as image_identity

    recorded_record = _recorded_record(store, run_id, project_dir) if recorded_tags.get(SOURCE) or recorded_tags.get(PACKAGES) \
        else None
    found = [code_warning(recorded_tags, recorded_record, project_dir),
             packages_warning(recorded_tags, recorded_record)]
    debian = recorded_tags.get(DEBIAN)
    if debian and debian != image_identity.set_hash(image_identity.debian_packages()):
        found.append("the installed Debian packages differ from the recorded run's")
    return [warning for warning in found if warning]
