"""The account a token was issued to, decoded from the JWT payload (no signature check)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field

from engine.secrets import Secret, reveal

UNAVAILABLE = "<unavailable>"
UNAVAILABLE_UPN = "unavailableUpn"


def decode_claims(token: str | Secret) -> dict:
    """The JSON payload of a JWT: the second segment, padded and base64url-decoded."""
    payload = reveal(token).split(".")[1]
    payload += "=" * (-len(payload) % 4)
    claims = json.loads(base64.urlsafe_b64decode(payload.encode()).decode())
    if not isinstance(claims, dict):
        raise ValueError("token payload is not a JSON object")
    return claims


@dataclass(frozen=True)
class Account:
    """Who a token speaks for. Every field is optional: tokens differ by version and identity type."""

    tenant_id: str | None = None
    object_id: str | None = None
    client_id: str | None = None
    upn: str | None = None
    name: str | None = None
    identity_type: str | None = None
    audience: str | None = None
    issuer: str | None = None
    scopes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    expires_on: int | None = None
    version: str | None = None
    claims: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_claims(cls, claims: dict) -> Account:
        scp = claims.get("scp")
        roles = claims.get("roles") or ()
        idtyp = claims.get("idtyp")
        if idtyp is None:
            idtyp = "user" if ("scp" in claims or "upn" in claims) else ("app" if "roles" in claims else None)
        return cls(
            tenant_id=claims.get("tid"),
            object_id=claims.get("oid"),
            client_id=claims.get("appid") or claims.get("azp"),
            upn=claims.get("upn") or claims.get("preferred_username") or claims.get("unique_name"),
            name=claims.get("name"),
            identity_type=idtyp,
            audience=claims.get("aud") if isinstance(claims.get("aud"), str) else None,
            issuer=claims.get("iss"),
            scopes=tuple(scp.split()) if isinstance(scp, str) else (),
            roles=tuple(roles) if isinstance(roles, (list, tuple)) else (),
            expires_on=claims.get("exp") if isinstance(claims.get("exp"), int) else None,
            version=claims.get("ver"),
            claims=claims,
        )

    @classmethod
    def from_token(cls, token: str | Secret) -> Account:
        return cls.from_claims(decode_claims(token))

    @property
    def display(self) -> str:
        """One short label: the user name, else the client id, else the object id."""
        return self.upn or self.client_id or self.object_id or UNAVAILABLE

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("claims")
        data["scopes"] = list(self.scopes)
        data["roles"] = list(self.roles)
        return data


def authenticated_account_line(token: str | Secret) -> str:
    """azure-identity's DEBUG line after a success; reads v1 claims only, as it does."""
    claims = decode_claims(token)
    return (
        f"[Authenticated account] Client ID: {claims.get('appid', UNAVAILABLE)}. "
        f"Tenant ID: {claims.get('tid', UNAVAILABLE)}. "
        f"User Principal Name: {claims.get('upn', UNAVAILABLE_UPN)}. "
        f"Object ID (user): {claims.get('oid', UNAVAILABLE)}"
    )
