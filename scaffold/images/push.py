"""Push one of our images to where identity says it is published: `make push/<name> VARIANT= REGISTRY=`, which runs
`python -m mlfcore.scaffold.images.push NAME --variant V [--registry R] [--username U] [--password-stdin]`.

The locally built image (its full tag) is tagged with every published reference — full tag, sha-<commit>, moving
tags — in each registry (the default, GHCR, and Docker Hub when DOCKERHUB_USERNAME/DOCKERHUB_TOKEN are set; or only
--registry), then pushed with mlfcore.scaffold.registry_client. On a release the git tag must match mlfcore's version. Prints
`<repository>@sha256:<digest>` per registry on stdout (`--format json`: the refs and digests).

A variant published for several architectures (images.toml `arches`; x86_64 and aarch64 for the cpu images that
have an aarch64 lock) is pushed as one manifest list per tag: each architecture's local build (`…-aarch64` for
aarch64) goes to a per-architecture tag (`<full tag>-<arch>`, as jupyter/docker-stacks publishes `aarch64-` and
`x86_64-` tags before merging them), then mlfcore.scaffold.manifest_list writes the list over those digests under
every published tag. The digest printed is the list's: what `docker pull` resolves, signs and attests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import MlfError, UsageError
from mlfcore.scaffold import engine, identity, manifest_list, references, registry_client
from mlfcore.scaffold.images import table


def _secret(registry: str, args: argparse.Namespace, stdin: str | None) -> registry_client.Credentials | None:
    if registry == identity.registry_prefix(identity.DOCKER_HUB) and not args.registry:
        return registry_client.credentials(os.environ.get("DOCKERHUB_USERNAME"), None, token_variables=("DOCKERHUB_TOKEN",))
    return registry_client.credentials(args.username, stdin)


def _local(client, name: str, variant: str, arch: str):
    import docker

    local = identity.tags(name, variant, arch=arch)[0]
    try:
        return client.images.get(local)
    except docker.errors.ImageNotFound:
        hint = "" if arch == table.DEFAULT_ARCH else f" ARCH={arch}"
        raise UsageError(f"{local} is not built: run `make image/{name} VARIANT={variant}{hint}` first") from None


def _push_tags(client, built, refs: list[str], secret: registry_client.Credentials | None) -> str:
    """Tag BUILT with every ref and push them; the one digest they share."""
    digests = set()
    for ref in refs:
        parsed = references.parse(ref)
        built.tag(parsed.repository, parsed.tag)
        digests.add(registry_client.push(client, ref, secret))
    if len(digests) != 1:
        raise MlfError(f"the tags {refs} were pushed with different digests: {sorted(digests)}")
    return next(iter(digests))


def push_image(client, name: str, variant: str, registry: str, secret: registry_client.Credentials | None,
               arches: list[str] | None = None) -> dict:
    """Push the local build(s) of NAME:VARIANT under every published reference in REGISTRY; one digest for all
    (a manifest list's when ARCHES, default the table's, holds more than one architecture)."""
    version = identity.release_version()
    arches = arches or table.image(name).arches_of(variant)
    builds = {arch: _local(client, name, variant, arch) for arch in arches}
    refs = identity.published_refs(name, variant, registry, version, identity.commit() or None)
    repository = references.parse(refs[0]).repository
    registry_client.login(client, references.host(refs[0]), secret)
    platforms = {}
    if len(arches) == 1:
        digest = _push_tags(client, builds[arches[0]], refs, secret)
    else:
        for arch, built in builds.items():
            platforms[arch] = _push_tags(client, built, [f"{refs[0]}-{arch}"], secret)
        digest = manifest_list.push_list(repository, [references.parse(ref).tag for ref in refs], platforms, secret)
    return {"image": name, "variant": variant, "repository": repository, "refs": refs, "digest": digest,
            "reference": f"{repository}@{digest}", "platforms": platforms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image")
    parser.add_argument("--variant", default="cpu")
    parser.add_argument("--registry", default="", help="only this registry (e.g. ghcr.io/<owner>, 127.0.0.1:5000)")
    parser.add_argument("--username", default=None, help="the registry user (default $GITHUB_ACTOR)")
    parser.add_argument("--password-stdin", action="store_true", help="read the token from standard input")
    parser.add_argument("--arch", action="append", choices=sorted(table.ARCHES), default=None,
                        help="push only these architectures' builds (repeatable; default: every one the table lists)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    stdin = sys.stdin.read() if args.password_stdin else None
    client = engine.client()
    try:
        table.check_variant(args.image, args.variant)
        registries = [identity.registry_prefix(args.registry)] if args.registry else identity.publish_registries()
        results = [push_image(client, args.image, args.variant, registry, _secret(registry, args, stdin),
                              args.arch)
                   for registry in registries]
    except (table.TableError, identity.IdentityError) as error:
        console.error(str(error))
        return 2
    except MlfError as error:
        console.error(error.message, error.hint)
        return error.exit_code
    finally:
        client.close()
    console.out(json.dumps(results) if args.format == "json" else "\n".join(r["reference"] for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
