"""CertificateCredential: a service principal with a certificate (PEM or PKCS12, RSA key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from engine.credentials.base import Credential
from engine.host import Host
from engine.secrets import Secret, reveal
from engine.validation import default_authority, normalize_authority, validate_tenant_id

NO_CERTIFICATE = 'CertificateCredential requires a value for either "certificate_path" or "certificate_data"'
UNREADABLE_CERTIFICATE = "Failed to deserialize certificate in PEM or PKCS12 format"


@dataclass(frozen=True)
class LoadedCertificate:
    """A parsed client certificate; the private key stays inside, never printed."""

    pem_key: Secret
    thumbprint: str  # SHA-1, hex, as msal sends it in x5t
    public_certificate_pem: str | None  # the chain, when it is to be sent (x5c)
    subject: str
    not_after: str


def load_certificate(data: bytes, password: str | Secret | None, send_chain: bool) -> LoadedCertificate:
    """Parse PEM, else PKCS12; raise ValueError as azure-identity does when neither works."""
    raw_password = reveal(password)
    pw = raw_password.encode() if raw_password else None
    try:
        key = serialization.load_pem_private_key(data, password=pw)
        certs = x509.load_pem_x509_certificates(data)
    except Exception:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
        except Exception as ex:
            raise ValueError(UNREADABLE_CERTIFICATE) from ex
        certs = [c for c in [cert, *extra] if c is not None]
    if not certs or key is None:
        raise ValueError(UNREADABLE_CERTIFICATE)
    cert = certs[0]
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    chain = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs) if send_chain else None
    return LoadedCertificate(
        pem_key=Secret(pem_key),
        thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),
        public_certificate_pem=chain,
        subject=cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc.isoformat(),
    )


class CertificateCredential(Credential):
    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        certificate_path: str | None = None,
        *,
        host: Host,
        password: str | Secret | None = None,
        send_certificate_chain: bool = False,
        certificate_data: bytes | None = None,
        **kwargs: Any,
    ) -> None:
        validate_tenant_id(tenant_id)
        super().__init__(host=host)
        authority = kwargs.pop("authority", None)
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        if not certificate_path and not certificate_data:
            raise ValueError(NO_CERTIFICATE)
        data = certificate_data if certificate_data else host.read_bytes(certificate_path)
        self._certificate = load_certificate(data, password, send_certificate_chain)
        self._certificate_path = certificate_path
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._options = kwargs
