"""One tag for several architectures: write a manifest list over images already pushed by digest.

The engine API pushes one platform's image at a time and has no call that writes a list, and `docker manifest` /
`docker buildx imagetools` need a `docker login` that writes the token to ~/.docker/config.json. So the list is
written here, with the registry's HTTP API (the OCI distribution spec: `GET`/`PUT /v2/<name>/manifests/<ref>`),
with the credentials kept in memory like mlfcore.scaffold.registry_client. Auth follows the registry's 401 challenge: Basic
(distribution's htpasswd) or Bearer (distribution's token spec, as GHCR and Docker Hub answer), asking the realm for
a `repository:<name>:pull,push` token. The registry's TLS is trusted as the engine trusts it: the CA in
/etc/docker/certs.d/<host>/ca.crt when there is one (Docker docs, "Verify repository client with certificates"),
else the system's.

The list's type follows its entries: Docker's manifest list for Docker schema 2 manifests (what docker 20.10
pushes), an OCI image index for OCI manifests (image-spec, image-index.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from mlfcore.scaffold import references, registry_client

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
# Our architecture names (uname -m) as OCI platforms; arm64's variant is v8 (image-index.md, "platform variants").
PLATFORMS = {"x86_64": {"architecture": "amd64", "os": "linux"},
             "aarch64": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
DOCKER_CERTS = Path("/etc/docker/certs.d")
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Entry:
    arch: str
    digest: str
    media_type: str
    size: int


def split(reference: str) -> tuple[str, str, str]:
    """host, repository path and tag (or digest) of a reference; Docker Hub's API host is registry-1.docker.io."""
    parsed = references.parse(reference)
    host = "registry-1.docker.io" if parsed.host == references.DOCKER_HUB else parsed.host
    return host, parsed.path, parsed.tag_or_digest


def body(entries: list[Entry]) -> tuple[str, bytes]:
    """The list's media type and its bytes (what is pushed, and hashed into its digest)."""
    oci = any(entry.media_type == OCI_MANIFEST for entry in entries)
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX if oci else DOCKER_LIST,
        "manifests": [{"mediaType": entry.media_type, "digest": entry.digest, "size": entry.size,
                       "platform": PLATFORMS[entry.arch]} for entry in entries],
    }
    return document["mediaType"], json.dumps(document, indent=3).encode()


class Client:
    """A registry session for one repository: answers the 401 challenge once, keeps the credentials in memory."""

    def __init__(self, host: str, name: str, secret: registry_client.Credentials | None):
        import requests

        self.base, self.name, self.secret = f"https://{host}/v2/{name}", name, secret
        self.session = requests.Session()
        trust = DOCKER_CERTS / host / "ca.crt"
        # Passed with each request: a Session's own `verify` loses to REQUESTS_CA_BUNDLE (psf/requests#4650).
        self.verify = str(trust) if trust.is_file() else True
        self.host = host

    def request(self, method: str, path: str, **kwargs):
        import requests

        try:
            answer = self.session.request(method, f"{self.base}/{path}", timeout=60, verify=self.verify,
                                          **kwargs)
            if answer.status_code == 401:
                self._authenticate(answer.headers.get("WWW-Authenticate", ""))
                answer = self.session.request(method, f"{self.base}/{path}", timeout=60, verify=self.verify,
                                          **kwargs)
        except requests.RequestException as failure:
            raise registry_client.RegistryError(f"registry {self.host} does not answer ({type(failure).__name__}): check "
                                     "--registry and that the registry is up") from None
        if answer.status_code in (401, 403):
            user = self.secret.username if self.secret else "(none)"
            raise registry_client.RegistryError(f"registry {self.host} refused the credentials of user {user!r}: check the "
                                     "token and that it may write packages")
        if answer.status_code >= 400:
            raise registry_client.PushFailed(f"registry {self.host}: {method} {self.name} {path} answered "
                                  f"{answer.status_code} {answer.text[:200].strip()}")
        return answer

    def _authenticate(self, challenge: str) -> None:
        scheme = challenge.split(" ", 1)[0].lower()
        auth = (self.secret.username, self.secret.password) if self.secret else None
        if scheme == "basic" and auth:
            self.session.auth = auth
        elif scheme == "bearer":
            fields = dict(_CHALLENGE.findall(challenge))
            params = {"service": fields.get("service", ""), "scope": f"repository:{self.name}:pull,push"}
            # The realm may be another host (ghcr.io/token): the registry's own CA is for the registry only.
            same_host = fields["realm"].startswith(f"https://{self.host}/")
            answer = self.session.get(fields["realm"], params=params, auth=auth, timeout=60,
                                      verify=self.verify if same_host else True)
            if answer.status_code != 200:
                return  # the retried request answers 401 and is reported as a refusal
            token = answer.json().get("token") or answer.json().get("access_token")
            self.session.headers["Authorization"] = f"Bearer {token}"

    def entry(self, arch: str, digest: str) -> Entry:
        answer = self.request("GET", f"manifests/{digest}", headers={"Accept": f"{DOCKER_MANIFEST}, {OCI_MANIFEST}"})
        media_type = answer.headers.get("Content-Type", "").split(";")[0]
        if media_type not in (DOCKER_MANIFEST, OCI_MANIFEST):
            raise registry_client.PushFailed(f"{self.name}@{digest} is a {media_type or 'untyped'} manifest, not one image: "
                                  "push each architecture's image first")
        if "sha256:" + hashlib.sha256(answer.content).hexdigest() != digest:
            raise registry_client.PushFailed(f"{self.name}@{digest}: the registry's bytes do not hash to that digest")
        return Entry(arch, digest, media_type, len(answer.content))

    def put(self, tag: str, media_type: str, content: bytes) -> str:
        answer = self.request("PUT", f"manifests/{tag}", data=content, headers={"Content-Type": media_type})
        return answer.headers.get("Docker-Content-Digest", "")


def push_list(repository: str, tags: list[str], digests: dict[str, str], secret: registry_client.Credentials | None) -> str:
    """Write one list over the per-architecture DIGESTS (arch -> sha256:...) under every tag of REPOSITORY;
    returns the list's digest (the same for every tag: the same bytes)."""
    host, name, _ = split(f"{repository}:x")
    client = Client(host, name, secret)
    media_type, content = body([client.entry(arch, digest) for arch, digest in digests.items()])
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    for tag in tags:
        answered = client.put(tag, media_type, content)
        if answered and answered != digest:
            raise registry_client.PushFailed(f"{repository}:{tag}: the registry stored the list as {answered}, not {digest}")
    return digest
