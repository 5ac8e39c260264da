"""The shared MSAL token cache (~/.IdentityService/msal.cache.nocae, plaintext as msal-extensions writes it
on Linux without libsecret), filled with FOCI refresh tokens the sandbox authority will redeem."""

from __future__ import annotations

import json
import os
from pathlib import Path

import msal

from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID
from engine.sandbox.grants import principal_of
from engine.sandbox.scenario import Scenario
from engine.sandbox.tokens import TokenIssuer, client_info

CACHE_RELATIVE_PATH = Path(".IdentityService") / "msal.cache.nocae"
CACHE_TOKEN_ENDPOINT = "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"


def serialize(scenario: Scenario, issuer: TokenIssuer, upns: tuple[str, ...], *, revoked: tuple[str, ...] = ()) -> str:
    """An MSAL cache (the JSON schema every MSAL shares) holding a FOCI refresh token for each user."""
    cache = msal.SerializableTokenCache()
    for upn in (*upns, *revoked):
        user = scenario.user(upn)
        who = principal_of(user)
        cache.add(
            {
                "client_id": DEVELOPER_SIGN_ON_CLIENT_ID,
                "scope": ["https://management.core.windows.net//.default"],
                "token_endpoint": CACHE_TOKEN_ENDPOINT,
                "response": {
                    "token_type": "Bearer",
                    "refresh_token": issuer.new_refresh_token(
                        who, DEVELOPER_SIGN_ON_CLIENT_ID, True, revoked=upn in revoked
                    ),
                    "id_token": issuer.id_token(who, DEVELOPER_SIGN_ON_CLIENT_ID),
                    "client_info": client_info(user.oid, user.tenant),
                    "foci": "1",
                },
                "params": {},
                "data": {},
            }
        )
    return json.dumps(json.loads(cache.serialize()), indent=4)


def write_private(path: Path, text: str) -> Path:
    """Write a file only its owner can read, as MSAL and the tools do for token caches."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def write(home: Path, scenario: Scenario, issuer: TokenIssuer) -> Path | None:
    """Write the shared cache if the scenario has shared-cache accounts; msal itself lays out the entries."""
    spec = scenario.shared_cache
    if not spec.accounts and not spec.revoked:
        return None
    return write_private(home / CACHE_RELATIVE_PATH, serialize(scenario, issuer, spec.accounts, revoked=spec.revoked))
