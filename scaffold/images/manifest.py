"""The build manifest of an image: its Python and Debian packages with versions, as JSON on stdout.

`python -m mlfcore.scaffold.images.manifest REF` reads the manifest the image baked at build time (written by
mlfcore.entrypoint.sysinfo.image, the one owner of its format; `mlf sysinfo` compares the running container's
packages with it) and prints {"image", "id", "built_as", "python": {name: version}, "debian": {name: version}}. The
workflow publishes it with each released tag, so what an image holds can be read without pulling it.
"""

from __future__ import annotations

import json
import sys

from mlfcore.entrypoint import console
from mlfcore.entrypoint.sysinfo.image import MANIFEST_DIR, MANIFEST_NAME
from mlfcore.scaffold import engine


def collect(client, ref: str) -> dict:
    image = client.images.get(ref)
    output = client.containers.run(image.id, [str(MANIFEST_DIR / MANIFEST_NAME)], entrypoint=["cat"], remove=True)
    baked = json.loads(output.decode())
    return {"image": ref, "id": image.id, "built_as": baked["image"], "python": baked["python"]["packages"],
            "debian": baked["debian"]["packages"]}


def main(argv: list[str] | None = None) -> int:
    import docker

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        console.error("usage: python -m mlfcore.scaffold.images.manifest IMAGE_REFERENCE")
        return 2
    client = engine.client()
    try:
        console.out(json.dumps(collect(client, argv[0]), indent=1))
    except docker.errors.ImageNotFound:
        console.error(f"no image {argv[0]}: build it first (make image/<name>)")
        return 2
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
