"""Verification of client assertions: certificate-signed (x5t / x5t#S256 / x5c) and federated (workload identity)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from engine.sandbox import entra_errors as E
from engine.sandbox.scenario import App
from engine.sandbox.tls import thumbprints

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class AssertionResult:
    appidacr: str  # "2": certificate; federated credentials count as certificate-like in Entra too


def _unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _header_thumbprint(header: dict) -> tuple[str, str]:
    """(kind, hex) of the thumbprint the client claims to have signed with."""
    if "x5t#S256" in header:
        return "sha256", _unb64(header["x5t#S256"]).hex()
    if "x5t" in header:
        return "sha1", _unb64(header["x5t"]).hex()
    return "", ""


def is_certificate_assertion(assertion: str, client_id: str) -> bool:
    """Certificate assertions are self-issued by the client; federated ones come from another issuer."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return claims.get("iss") == client_id


def verify_certificate_assertion(assertion: str, app: App, registered: list[x509.Certificate]) -> AssertionResult:
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise E.EntraError.of(E.INVALID_ASSERTION) from None
    kind, thumb = _header_thumbprint(header)
    cert = None
    for candidate in registered:
        sha1, sha256 = thumbprints(candidate)
        if thumb and thumb == (sha1 if kind == "sha1" else sha256):
            cert = candidate
    if "x5c" in header and cert is None:
        try:
            presented = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        except (ValueError, binascii.Error, IndexError, TypeError):
            raise E.EntraError.of(E.INVALID_ASSERTION) from None
        cert = next((c for c in registered if c == presented), None)
    if cert is None:
        raise E.EntraError.of(E.CERT_NOT_REGISTERED, 401, thumbprint=thumb.upper(), client_id=app.client_id)
    public_key = cert.public_key()
    assert isinstance(public_key, RSAPublicKey)
    try:
        claims = jwt.decode(
            assertion,
            public_key,
            algorithms=["RS256", "PS256"],
            options={"verify_aud": False, "require": ["exp", "iss", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise E.EntraError.of(E.ASSERTION_EXPIRED, 401) from None
    except jwt.PyJWTError:
        raise E.EntraError.of(E.BAD_ASSERTION_SIGNATURE, 401) from None
    if claims.get("sub") != app.client_id or not str(claims.get("aud", "")).rstrip("/").endswith("token"):
        raise E.EntraError.of(E.INVALID_ASSERTION)
    return AssertionResult("2")


def verify_federated_assertion(assertion: str, app: App, issuer_keys: dict[str, RSAPublicKey]) -> AssertionResult:
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise E.EntraError.of(E.INVALID_ASSERTION) from None
    issuer, subject = str(unverified.get("iss", "")), str(unverified.get("sub", ""))
    aud = unverified.get("aud", "")
    audiences = aud if isinstance(aud, list) else [aud]
    match = next((f for f in app.federated if f.issuer == issuer and f.subject == subject), None)
    if match is None:
        raise E.EntraError.of(E.NO_FEDERATED_MATCH, issuer=issuer, subject=subject, audience=",".join(audiences))
    if match.audience not in audiences:
        raise E.EntraError.of(E.ASSERTION_BAD_AUDIENCE, 401, audience=",".join(audiences))
    key = issuer_keys.get(issuer)
    if key is None:
        raise E.EntraError.of(E.BAD_ASSERTION_SIGNATURE, 401)
    try:
        jwt.decode(assertion, key, algorithms=["RS256"], audience=match.audience, issuer=issuer)
    except jwt.ExpiredSignatureError:
        raise E.EntraError.of(E.ASSERTION_EXPIRED, 401) from None
    except jwt.PyJWTError:
        raise E.EntraError.of(E.BAD_ASSERTION_SIGNATURE, 401) from None
    return AssertionResult("2")
