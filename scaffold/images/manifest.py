"""The build manifest of an image: its Python and Debian packages with versions, as JSON on stdout.

`python -m mlfcore.scaffold.images.manifest REF` runs the image once (pip's and dpkg's own listings, read inside
it) and prints {"image", "id", "python": {name: version}, "debian": {name: version}}. The workflow publishes it
with each released tag, so what an image holds can be read without pulling it.
"""

from __future__ import annotations

import json
import re
import sys

from mlfcore.entrypoint import console

# pip's JSON listing, a separator, then dpkg's (Package<TAB>Version per line): one container run for both.
_LIST = ("pip list --format json --disable-pip-version-check; echo '--- dpkg'; "
         "dpkg-query -W -f '${Package}\\t${Version}\\n'")


def collect(client, ref: str) -> dict:
    image = client.images.get(ref)
    output = client.containers.run(image.id, ["-c", _LIST], entrypoint=["bash"], remove=True).decode()
    python_part, _, debian_part = output.partition("--- dpkg\n")
    # Names normalised as PEP 503 says (pip lists "pyasn1_modules"; the locks write "pyasn1-modules").
    python = {re.sub(r"[-_.]+", "-", item["name"]).lower(): item["version"] for item in json.loads(python_part)}
    debian = dict(line.split("\t", 1) for line in debian_part.splitlines() if "\t" in line)
    return {"image": ref, "id": image.id, "python": dict(sorted(python.items())),
            "debian": dict(sorted(debian.items()))}


def main(argv: list[str] | None = None) -> int:
    import docker

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        console.error("usage: python -m mlfcore.scaffold.images.manifest IMAGE_REFERENCE")
        return 2
    client = docker.from_env(timeout=600)
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
