"""TLS material for one sandbox run: a fresh CA, a server certificate, app certificates, the CA bundle."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Host names the intercepting proxy terminates; the server certificate covers all of them.
INTERCEPTED_HOSTS = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")
# Azure public cloud's Resource Manager: the proxy serves it with the sandbox's ARM stand-in (engine/sandbox/arm.py).
ARM_HOSTS = ("management.azure.com",)
SYSTEM_CA_FILE = Path("/etc/ssl/certs/ca-certificates.crt")

_key_lock = threading.Lock()
_key_cache: dict[str, rsa.RSAPrivateKey] = {}


def cached_key(purpose: str) -> rsa.RSAPrivateKey:
    """An RSA key reused within this process: keygen dominates start-up time, certificates stay per run."""
    with _key_lock:
        if purpose not in _key_cache:
            _key_cache[purpose] = new_key()
        return _key_cache[purpose]


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def tls_key() -> ec.EllipticCurvePrivateKey:
    """The CA's and the server's key: P-256, as many real servers use. What the clients check (the chain to the
    sandbox CA, the host names) does not depend on the key type, and an EC key costs well under a millisecond
    where an RSA key costs ~45 ms: every ``sandbox exec`` makes two. Keys that Entra ID's protocols need as RSA
    (token signing, app and federated certificates) stay RSA."""
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class IssuedCert:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert_path: Path
    key_path: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chainsight sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, path: Path) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # Private keys are readable by the owner only, even inside the run's temporary folder.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


class CertificateAuthority:
    """A CA created for one run; it signs the server certificate and nothing else leaves the run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.key = tls_key()
        now = datetime.datetime.now(datetime.timezone.utc)
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"Chainsight sandbox CA {os.getpid()}-{now.timestamp():.0f}"))
            .issuer_name(_name(f"Chainsight sandbox CA {os.getpid()}-{now.timestamp():.0f}"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(ski, critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_path = directory / "sandbox-ca.pem"
        self.cert_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue_server_cert(self, hosts: tuple[str, ...] = ("localhost", *INTERCEPTED_HOSTS, *ARM_HOSTS)) -> IssuedCert:
        key = tls_key()
        now = datetime.datetime.now(datetime.timezone.utc)
        names: list[x509.GeneralName] = [x509.DNSName(h) for h in hosts]
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(hosts[0]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_path, key_path = self.directory / "server.pem", self.directory / "server-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_path)
        return IssuedCert(cert, key, cert_path, key_path)

    def write_bundle(self, path: Path) -> Path:
        """System CAs plus the sandbox CA, so proxied and real TLS both verify with one bundle."""
        system = SYSTEM_CA_FILE if SYSTEM_CA_FILE.exists() else Path(_certifi_where())
        path.write_bytes(system.read_bytes().rstrip(b"\n") + b"\n" + self.cert.public_bytes(serialization.Encoding.PEM))
        return path


def _certifi_where() -> str:
    import certifi

    return certifi.where()


def server_context(server_cert: IssuedCert) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(server_cert.cert_path, server_cert.key_path)
    return ctx


def self_signed_client_cert(directory: Path, name: str) -> IssuedCert:
    """An app registration's certificate: a self-signed RSA cert, written as one PEM (key + cert)."""
    key = cached_key(f"app:{name}")
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    pem_path = directory / f"{name}.pem"
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(pem_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    return IssuedCert(cert, key, pem_path, pem_path)


def thumbprints(cert: x509.Certificate) -> tuple[str, str]:
    """(SHA-1, SHA-256) of the DER certificate, as msal puts them (base64url) in x5t and x5t#S256."""
    der = cert.public_bytes(serialization.Encoding.DER)
    return hashlib.sha1(der).hexdigest(), hashlib.sha256(der).hexdigest()
