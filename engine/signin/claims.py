"""A token's claims as jwt.ms shows them: decoded (never verified, never kept), one line of meaning per claim."""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any

NOT_A_JWT = "not a JWT: {}"
# One line per common claim: what it says about the sign-in.
EXPLANATIONS = {
    "aud": "Audience: the API (resource) this token is for; an ID token's audience is the app's client id.",
    "iss": "Issuer: the authority (and tenant) that signed the token.",
    "tid": "Tenant id: the directory the user signed in to.",
    "oid": "Object id: the account in that tenant; stable across apps, use it to identify the user.",
    "sub": "Subject: the account, unique per app; do not match it across apps.",
    "upn": "User principal name: the user's sign-in name (v1 tokens).",
    "preferred_username": "The sign-in name to show; may change, so never use it to authorize.",
    "name": "The user's display name.",
    "unique_name": "A display name for the user (v1 tokens); not unique across tenants.",
    "appid": "Application id of the client that asked for the token (v1 tokens).",
    "azp": "Authorized party: the client that asked for the token (v2 tokens).",
    "appidacr": "How the client authenticated: 0 public client, 1 secret, 2 certificate.",
    "azpacr": "How the client authenticated: 0 public client, 1 secret, 2 certificate.",
    "scp": "Delegated permissions granted to the app for this user.",
    "roles": "App roles assigned to the user or app.",
    "groups": "Group object ids the user belongs to (only when the app asks for group claims).",
    "amr": "How the user authenticated: pwd password, mfa multi-factor, rsa key, ...",
    "acr": "Authentication context class: 0 means the user did not meet the requirement, 1 means they did.",
    "idtyp": "Token type: user (delegated) or app (application-only).",
    "xms_cc": "Client capabilities: CP1 means the client handles Continuous Access Evaluation challenges.",
    "ver": "Token version: 1.0 or 2.0 (which endpoint shaped the claims).",
    "iat": "Issued at.",
    "nbf": "Not valid before.",
    "exp": "Expires at; the client must get a new token after this moment.",
    "nonce": "The value the app sent in the authorization request, echoed to stop replay.",
    "auth_time": "When the user last entered credentials.",
    "uti": "Token identifier (internal to Entra).",
    "rh": "Refresh handle (internal to Entra).",
    "email": "The user's email address, when the account has one.",
}
TIME_CLAIMS = ("iat", "nbf", "exp", "auth_time")


@dataclass(frozen=True)
class ClaimRow:
    name: str
    value: str  # as shown: lists joined, times as local time with the raw number
    explanation: str


def decode(token: str) -> dict[str, Any]:
    """The payload of a compact JWT; ValueError for anything else. The signature is not checked."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(NOT_A_JWT.format("expected three dot-separated parts"))
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as ex:
        raise ValueError(NOT_A_JWT.format(ex)) from None
    if not isinstance(claims, dict):
        raise ValueError(NOT_A_JWT.format("the payload is not a JSON object"))
    return claims


def local_time(epoch: Any, tz: datetime.tzinfo | None = None) -> str:
    """'2026-12-02 09:14:05 CET (1764663245)': the moment in local time beside the raw value."""
    try:
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).astimezone(tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(epoch)
    return f"{moment:%Y-%m-%d %H:%M:%S %Z} ({int(epoch)})"


def rows(claims: dict[str, Any], tz: datetime.tzinfo | None = None) -> list[ClaimRow]:
    """The claims table, in the token's own order."""
    table = []
    for name, value in claims.items():
        if name in TIME_CLAIMS:
            shown = local_time(value, tz)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            shown = json.dumps(value, sort_keys=True)
        else:
            shown = str(value)
        table.append(ClaimRow(name, shown, EXPLANATIONS.get(name, "")))
    return table


def as_json(claims: dict[str, Any]) -> str:
    """What Copy claims as JSON puts on the clipboard: the claims only, never the token."""
    return json.dumps(claims, indent=2, sort_keys=False)
