"""Push one of our images to where identity says it is published: `make push/<name> VARIANT= REGISTRY=`, which runs
`python -m mlfcore.scaffold.images.push NAME --variant V [--registry R] [--username U] [--password-stdin]`.

The locally built image (its full tag) is tagged with every published reference — full tag, sha-<commit>, moving
tags — in each registry (the default, GHCR, and Docker Hub when DOCKERHUB_USERNAME/DOCKERHUB_TOKEN are set; or only
--registry), then pushed with mlfcore.scaffold.push. On a release the git tag must match mlfcore's version. Prints
`<repository>@sha256:<digest>` per registry on stdout (`--format json`: the refs and digests).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from mlfcore.entrypoint import console
from mlfcore.entrypoint.errors import MlfError, UsageError
from mlfcore.scaffold import identity, push
from mlfcore.scaffold.images import table


def _secret(registry: str, args: argparse.Namespace, stdin: str | None) -> push.Credentials | None:
    if registry == identity.registry_prefix(identity.DOCKER_HUB) and not args.registry:
        return push.credentials(os.environ.get("DOCKERHUB_USERNAME"), None, token_variables=("DOCKERHUB_TOKEN",))
    return push.credentials(args.username, stdin)


def push_image(client, name: str, variant: str, registry: str, secret: push.Credentials | None) -> dict:
    """Tag the local build with every published reference in REGISTRY and push them; one digest for all."""
    import docker

    version = identity.release_version()
    local = identity.tags(name, variant)[0]
    try:
        built = client.images.get(local)
    except docker.errors.ImageNotFound:
        raise UsageError(f"{local} is not built: run `make image/{name} VARIANT={variant}` first") from None
    refs = identity.published_refs(name, variant, registry, version, identity.commit() or None)
    push.login(client, push.registry_host(refs[0]), secret)
    digests = set()
    for ref in refs:
        repository, _, tag = ref.rpartition(":")
        built.tag(repository, tag)
        digests.add(push.push(client, ref, secret))
    if len(digests) != 1:
        raise MlfError(f"the tags of {name}:{variant} were pushed with different digests: {sorted(digests)}")
    repository = refs[0].rpartition(":")[0]
    return {"image": name, "variant": variant, "repository": repository, "refs": refs,
            "digest": next(iter(digests)), "reference": f"{repository}@{next(iter(digests))}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image")
    parser.add_argument("--variant", default="cpu")
    parser.add_argument("--registry", default="", help="only this registry (e.g. ghcr.io/<owner>, 127.0.0.1:5000)")
    parser.add_argument("--username", default=None, help="the registry user (default $GITHUB_ACTOR)")
    parser.add_argument("--password-stdin", action="store_true", help="read the token from standard input")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    import docker

    stdin = sys.stdin.read() if args.password_stdin else None
    client = docker.from_env(timeout=600)
    try:
        table.check_variant(args.image, args.variant)
        registries = [identity.registry_prefix(args.registry)] if args.registry else identity.publish_registries()
        results = [push_image(client, args.image, args.variant, registry, _secret(registry, args, stdin))
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
