"""`mlf-scaffold rebuild-check IMAGE[@DIGEST]`: rebuild an image from its source and the build inputs its labels
carry, as an auditor would, and say whether the rebuild is the same image.

The labels (mlfcore.scaffold.identity.build_labels) name the commit, its time (SOURCE_DATE_EPOCH), whether the
checkout was dirty, the builder, and for our images the Debian lock, its snapshot time and the OS base. The check:

1. refuses an image without build inputs (exit 2) and calls one built from a dirty checkout not reproducible (exit
   1): no rebuild from the commit can give it;
2. clones the commit from the repository it lives in (this checkout for our images, `--project DIR` for a
   project's) into a temporary folder, so nothing of the working tree reaches the rebuild;
3. rebuilds there without any cache, in a fresh builder storage: our images with that commit's own build code
   (`python -m mlfcore.scaffold.images.build`, run from the clone), a project's with `mlf-scaffold publish`'s build;
   the parent of a framework image is rebuilt first when the engine does not hold it, and must be identical too;
4. compares the ids; when they differ, mlfcore.scaffold.images.diff names the first differing paths.

The rebuild is put into the engine under a scratch name that is removed afterwards: no tag of the user's changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from mlfcore.entrypoint.errors import CheckFailed, UsageError
from mlfcore.scaffold import identity, references, source
from mlfcore.scaffold.images import builder, diff, table

# The Docker architectures of the table's.
ARCH = {"amd64": "x86_64", "arm64": "aarch64"}
# How many differences the text output shows.
SHOWN = 20


class NotReproducible(CheckFailed):
    """The image cannot be rebuilt to itself (built from a dirty checkout)."""


@dataclass
class Outcome:
    image: str
    original: str
    rebuilt: str | None
    inputs: dict[str, str]
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.rebuilt == self.original

    def as_dict(self) -> dict:
        return {"image": self.image, "original": self.original, "rebuilt": self.rebuilt,
                "identical": self.identical, "inputs": self.inputs, "differences": self.differences}


def inspect(reference: str) -> dict:
    """The engine's record of REFERENCE (pulled when absent); an @DIGEST must be its id or a registry digest."""
    parsed = references.parse(reference)
    name, digest = parsed.name, parsed.digest
    answer = builder.docker("image", "inspect", reference if not digest else name)
    if answer.returncode != 0 and builder.docker("pull", "--quiet", reference).returncode == 0:
        answer = builder.docker("image", "inspect", reference)
    if answer.returncode != 0:
        raise UsageError(f"{reference} is not in the Docker engine and could not be pulled: pull or build it first")
    attrs = json.loads(answer.stdout)[0]
    known = {attrs["Id"], *(references.parse(item).digest for item in attrs.get("RepoDigests") or [])}
    if digest and digest not in known:
        raise UsageError(f"{name} is {attrs['Id']} here, not {digest}: pull {reference} first")
    return attrs


def inputs_of(reference: str, attrs: dict) -> dict[str, str]:
    inputs = identity.build_inputs(attrs["Config"].get("Labels") or {})
    if not {"revision", "epoch", "builder"} <= set(inputs) or inputs["revision"] == source.UNKNOWN:
        raise UsageError(f"{reference} carries no build inputs (io.mlfcore.build.* labels): it was not built by "
                         "`make image/<name>` or `mlf-scaffold publish` from a git commit, so there is nothing to "
                         "rebuild it from")
    if inputs.get("dirty") != "false":
        raise NotReproducible(f"{reference} is not reproducible: it was built from commit {inputs['revision'][:12]} "
                              "with uncommitted changes (io.mlfcore.build.dirty=true), which no rebuild can have")
    return inputs


def clone(repository: Path, revision: str, into: Path) -> Path:
    """REVISION of REPOSITORY, checked out alone in INTO (git's alternates: nothing is copied but the work tree)."""
    if subprocess.run(["git", "-C", str(repository), "cat-file", "-e", f"{revision}^{{commit}}"],
                      capture_output=True).returncode != 0:
        raise UsageError(f"commit {revision} is not in {repository}: fetch it (git fetch) or pass the repository "
                         "the image was built from (--project for a project's image)")
    target = into / "source"
    for command in (["git", "clone", "--quiet", "--shared", "--no-checkout", str(repository), str(target)],
                    ["git", "-C", str(target), "checkout", "--quiet", "--detach", revision]):
        subprocess.run(command, check=True, capture_output=True)
    return target


def _namespace(attrs: dict) -> str:
    env = dict(item.partition("=")[::2] for item in attrs["Config"].get("Env") or [])
    return env.get("MLF_IMAGE_NAME", "").rpartition("/")[0] or identity.namespace()


def _require(name: str, image_id: str, what: str, hint: str) -> None:
    if builder.image_id(name) != image_id:
        raise UsageError(f"{what} {name} is not the one the image was built FROM ({image_id}): {hint}")


def _build_ours(checkout: Path, attrs: dict, scratch: str, options: dict) -> str:
    """The commit's own `python -m mlfcore.scaffold.images.build`, run from the clone, without any cache."""
    labels = attrs["Config"]["Labels"]
    name = labels[identity.OCI + "title"].rpartition("/")[2]
    variant, arch = labels["io.mlfcore.image.variant"], ARCH[attrs["Architecture"]]
    os_base = references.parse(labels[identity.BUILD_LABELS["os_base"]])
    os_name, os_id = os_base.name, os_base.digest or ""
    snapshot = labels.get(identity.BUILD_LABELS["debian_snapshot"], "")
    _require(os_name, os_id, "the OS base", f"run `make os-base OS_BASE={os_name}` (with DEBIAN_SNAPSHOT={snapshot} "
                                            "when today's mirror bootstraps other packages)")
    # `mlfcore` resolved to the clone's packages first (PYTHONPATH comes before the editable install's finder).
    shim = checkout.parent / "shim" / "mlfcore"
    shim.mkdir(parents=True, exist_ok=True)
    for package in ("entrypoint", "scaffold"):
        if not (shim / package).is_symlink():
            (shim / package).symlink_to(checkout / package)
    env = {**os.environ, "PYTHONPATH": str(shim.parent), identity.NAMESPACE_VARIABLE: _namespace(attrs),
           source.SOURCE_DATE_EPOCH: labels[identity.BUILD_LABELS["epoch"]]}
    command = [sys.executable, "-m", "mlfcore.scaffold.images.build", name, "--variant", variant, "--arch", arch,
               "--fresh-storage", "--no-tag", scratch, "--base-image", os_name]
    for option in ("wheelhouse", "ca_bundle"):
        if options.get(option):
            command += [f"--{option.replace('_', '-')}", options[option]]
    if options.get("snapshot"):
        command += ["--debian-snapshot", snapshot]
    if subprocess.run(command, env=env, cwd=checkout, stdout=sys.stderr).returncode != 0:
        raise CheckFailed(f"rebuilding {name}:{variant} from commit {labels[identity.OCI + 'revision'][:12]} "
                          "failed (the builder's output is above)")
    return builder.image_id(scratch)


def _build_project(checkout: Path, attrs: dict, scratch: str) -> str:
    from mlfcore.scaffold import publish

    labels = attrs["Config"]["Labels"]
    project = publish.read_project(checkout, registry="rebuild-check.invalid")
    inputs = source.of(checkout)
    epoch = int(labels[identity.BUILD_LABELS["epoch"]])
    built = publish.build_image(checkout, scratch, publish.project_labels(project, source.Source(
        inputs.revision, epoch, inputs.dirty)), epoch, scope="rebuild-check", no_cache=True)
    return built


def check(reference: str, *, project: Path | None = None, wheelhouse: str = "", ca_bundle: str = "",
          snapshot: bool = False) -> Outcome:
    attrs = inspect(reference)
    inputs = inputs_of(reference, attrs)
    labels = attrs["Config"]["Labels"]
    is_project = identity.BUILD_LABELS["project"] in labels
    if not is_project and project is not None:
        raise UsageError(f"{reference} is one of our images, not a project's: leave out --project")
    repository = (project or Path(".")).resolve() if is_project else table.ROOT
    scratch = f"{_namespace(attrs)}/rebuild-check:{uuid.uuid4().hex[:12]}"
    outcome = Outcome(reference, attrs["Id"], None, inputs)
    with tempfile.TemporaryDirectory(prefix="mlfcore-rebuild-") as folder:
        checkout = clone(repository, inputs["revision"], Path(folder))
        try:
            if is_project:
                outcome.rebuilt = _build_project(checkout, attrs, scratch)
            else:
                _parents(checkout, attrs, {"wheelhouse": wheelhouse, "ca_bundle": ca_bundle, "snapshot": snapshot})
                outcome.rebuilt = _build_ours(checkout, attrs, scratch, {"wheelhouse": wheelhouse,
                                                                         "ca_bundle": ca_bundle, "snapshot": snapshot})
            if not outcome.identical:
                outcome.differences = diff.compare(attrs["Id"], scratch)
        finally:
            builder.docker("image", "rm", scratch)
    return outcome


def _parents(checkout: Path, attrs: dict, options: dict) -> None:
    """A framework image's parent must be in the engine under the name its label gives, with that id: when it is
    not, it is rebuilt from the same commit first (and tagged so only when the name is free and the id matches)."""
    labels = attrs["Config"]["Labels"]
    if labels.get(identity.OCI + "title", "").rpartition("/")[2] == table.root():
        return
    parent, parent_id = labels[identity.OCI + "base.name"], labels[identity.OCI + "base.digest"]
    if builder.image_id(parent) == parent_id:
        return
    if builder.image_id(parent):
        raise UsageError(f"{parent} is {builder.image_id(parent)} here, not the parent the image was built FROM "
                         f"({parent_id}): rebuild-check {parent} first, or remove that tag")
    scratch = f"{_namespace(attrs)}/rebuild-check:{uuid.uuid4().hex[:12]}"
    parent_attrs = {"Architecture": attrs["Architecture"], "Config": {"Env": attrs["Config"].get("Env"), "Labels": {
        **labels, identity.OCI + "title": f"{table.RAW['namespace']}/{table.root()}",
        "io.mlfcore.image.variant": table.image(table.root()).variants[0]}}}
    try:
        rebuilt = _build_ours(checkout, parent_attrs, scratch, options)
        if rebuilt != parent_id:
            raise CheckFailed(f"the parent {parent} rebuilt from the same commit is {rebuilt}, not {parent_id}: "
                              f"run `mlf-scaffold rebuild-check` on {parent} to see what differs")
        builder.docker("tag", rebuilt, parent)
    finally:
        builder.docker("image", "rm", scratch)
