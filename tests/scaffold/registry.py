"""A real container registry on 127.0.0.1 for the publish tests: Debian's docker-registry (distribution 2.8), TLS
from a CA made for the test, htpasswd auth with a bcrypt hash, so credentials are really sent and checked.

The configuration keys are distribution's (docs/content/about/configuration.md in github.com/distribution/
distribution: `http.tls.certificate`/`key`, `auth.htpasswd.realm`/`path` — "only supports bcrypt"). The engine
trusts the CA through /etc/docker/certs.d/<host:port>/ca.crt (Docker docs, "Verify repository client with
certificates"); the folder is removed afterwards.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY_BINARY = "/usr/bin/docker-registry"
DOCKER_CERTS = Path("/etc/docker/certs.d")


@dataclass(frozen=True)
class Registry:
    host: str
    username: str
    password: str = field(repr=False)
    ca: Path


def free_port() -> int:
    """A free port in 20000-60000 on 127.0.0.1."""
    for _ in range(100):
        port = secrets.randbelow(40000) + 20000
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 20000-60000")


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, issuer, key, signer, ca: bool):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlfcore test CA")])
    ca_cert = certificate(ca_name, ca_name, ca_key, ca_key, ca=True)
    server = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), ca_name, server_key,
                         ca_key, ca=False)
    paths = folder / "ca.crt", folder / "server.crt", folder / "server.key"
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return paths


def _config(folder: Path, port: int, cert: Path, key: Path, htpasswd: Path) -> Path:
    path = folder / "config.yml"
    path.write_text(f"""version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {folder / 'data'}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
  tls:
    certificate: {cert}
    key: {key}
auth:
  htpasswd:
    realm: mlfcore-test
    path: {htpasswd}
""")
    return path


def _wait(host: str, ca: Path, process: subprocess.Popen, seconds: float = 30) -> None:
    """Until /v2/ answers 401 over TLS (the registry is up and asks for credentials)."""
    context = ssl.create_default_context(cafile=str(ca))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"docker-registry exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"https://{host}/v2/", context=context, timeout=2)
        except urllib.error.HTTPError as answer:
            if answer.code == 401:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"docker-registry on {host} did not answer within {seconds} s")


def start(folder: Path):
    """Start a registry; yields a Registry and always stops it and removes the engine's CA folder."""
    import bcrypt

    port = free_port()
    host = f"127.0.0.1:{port}"
    ca, cert, key = _certificates(folder)
    username, password = "mlf-publisher", secrets.token_urlsafe(24)
    htpasswd = folder / "htpasswd"
    htpasswd.write_text(f"{username}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}\n")
    trust = DOCKER_CERTS / host
    trust.mkdir(parents=True, exist_ok=True)
    shutil.copy(ca, trust / "ca.crt")
    log = (folder / "registry.log").open("wb")
    process = subprocess.Popen([REGISTRY_BINARY, "serve", str(_config(folder, port, cert, key, htpasswd))],
                               stdout=log, stderr=log)
    try:
        _wait(host, ca, process)
        yield Registry(host, username, password, ca)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(trust, ignore_errors=True)
