"""CertificateCredential: a service principal with a certificate (PEM or PKCS12, RSA key).

The file is read and parsed at construction, as azure-identity does (a missing file raises
FileNotFoundError from the constructor); msal then signs an RS256 assertion with the SHA-1
thumbprint (``x5t``), adding the chain (``x5c``) when asked to send it.
"""

from __future__ import annotations

import datetime
from binascii import hexlify
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12

from engine.account import Account
from engine.credentials._internal.base import Credential
from engine.credentials._internal.client_credential_base import ClientCredentialBase
from engine.host import Host
from engine.probe import AVAILABLE, UNKNOWN, Probe
from engine.secrets import Secret, reveal
from engine.validation import validate_tenant_id

NO_CERTIFICATE = 'CertificateCredential requires a value for either "certificate_path" or "certificate_data"'
PATH_AND_DATA = 'Please specify either "certificate_path" or "certificate_data", not both'
UNREADABLE_CERTIFICATE = "Failed to deserialize certificate in PEM or PKCS12 format"
NO_PRIVATE_KEY = "The certificate must include its private key"
NOT_RSA = "The certificate must have an RSA private key because RS256 is used for signing"
MALFORMED = "Malformed certificate"
_BEGIN_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
_END_CERTIFICATE = b"-----END CERTIFICATE-----"


@dataclass(frozen=True)
class LoadedCertificate:
    """A parsed client certificate: what msal needs (the key stays a Secret) and what a probe shows."""

    pem: Secret  # the PEM text msal signs with (the file as is, or the PKCS12 contents re-encoded)
    thumbprint: str  # SHA-1, lower-case hex, as azure-identity hands it to msal
    passphrase: Secret | None  # kept for an encrypted PEM key; msal decrypts it
    public_certificate: str | None  # the chain on one line, when it is to be sent (x5c)
    subject: str
    not_after: str

    def client_credential(self) -> dict[str, str]:
        """azure-identity's msal ``client_credential`` dict; the only place the key is revealed."""
        credential = {"private_key": self.pem.reveal(), "thumbprint": self.thumbprint}
        if self.passphrase:
            credential["passphrase"] = self.passphrase.reveal()
        if self.public_certificate is not None:
            credential["public_certificate"] = self.public_certificate
        return credential


def extract_cert_chain(pem_bytes: bytes) -> bytes:
    """From the first certificate to the end of the last, newlines removed (azure-identity's shape)."""
    start = pem_bytes.index(_BEGIN_CERTIFICATE)
    end = pem_bytes.rindex(_END_CERTIFICATE)
    chain = pem_bytes[start : end + len(_END_CERTIFICATE) + 1]
    return b"".join(chain.splitlines())


def load_certificate(data: bytes, password: str | bytes | Secret | None, send_chain: bool) -> LoadedCertificate:
    """Parse as azure-identity does: PEM when the bytes contain ``-----BEGIN``, else PKCS12."""
    raw_password = reveal(password) if isinstance(password, Secret) else password
    password_bytes = (raw_password.encode() if isinstance(raw_password, str) else raw_password) or None
    if b"-----BEGIN" in data:
        key = serialization.load_pem_private_key(data, password_bytes)
        cert = x509.load_pem_x509_certificate(data)
        pem_bytes = data
    else:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password_bytes)
        except ValueError as ex:
            raise ValueError(UNREADABLE_CERTIFICATE) from ex
        if not key:
            raise ValueError(NO_PRIVATE_KEY)
        if not cert:
            raise ValueError(UNREADABLE_CERTIFICATE)
        key_bytes = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        pem_bytes = key_bytes + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [cert, *extra])
        raw_password = None  # the PKCS12 contents are re-encoded without encryption
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(NOT_RSA)
    chain = None
    if send_chain:
        try:
            chain = extract_cert_chain(pem_bytes).decode()
        except ValueError as ex:
            raise ValueError(MALFORMED) from ex
    passphrase = raw_password.decode() if isinstance(raw_password, bytes) else raw_password
    return LoadedCertificate(
        pem=Secret(pem_bytes.decode()),
        thumbprint=hexlify(cert.fingerprint(hashes.SHA1())).decode(),
        passphrase=Secret(passphrase) if passphrase else None,
        public_certificate=chain,
        subject=cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc.isoformat(),
    )


class CertificateCredential(ClientCredentialBase, Credential):
    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        certificate_path: str | None = None,
        *,
        host: Host,
        password: str | bytes | Secret | None = None,
        send_certificate_chain: bool = False,
        certificate_data: bytes | None = None,
        **kwargs: Any,
    ) -> None:
        validate_tenant_id(tenant_id)
        Credential.__init__(self, host=host)
        if certificate_path:
            if certificate_data:
                raise ValueError(PATH_AND_DATA)
            certificate_data = host.read_bytes(certificate_path, label=f"read certificate {certificate_path}")
        elif not certificate_data:
            raise ValueError(NO_CERTIFICATE)
        self._certificate = load_certificate(certificate_data, password, send_certificate_chain)
        self._certificate_path = certificate_path
        self._init_msal(host, client_id, self._certificate, tenant_id=tenant_id, **kwargs)

    def _client_credential_for_msal(self) -> dict[str, str]:
        return self._certificate.client_credential()

    def probe(self) -> Probe:
        cert = self._certificate
        source = f"certificate {self._certificate_path}" if self._certificate_path else "certificate data"
        expired = datetime.datetime.fromisoformat(cert.not_after).timestamp() <= self.host.time()
        # An expired certificate still signs; Entra ID then rejects it (and the chain stops there).
        return Probe(
            type(self).__name__,
            UNKNOWN if expired else AVAILABLE,
            f"{source} readable: subject {cert.subject}, thumbprint {cert.thumbprint.upper()}, "
            f"{'expired' if expired else 'expires'} {cert.not_after}; client {self._client_id} in tenant "
            f"{self._tenant_id} at {self._authority}",
            Account(tenant_id=self._tenant_id, client_id=self._client_id, identity_type="app"),
        )
