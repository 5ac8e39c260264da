"""Test-double credentials run through the real ChainedTokenCredential and run_chain: the GUI's tests
control exactly what each member does and how long it takes (the sandbox tests cover the real ones)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from engine import events
from engine.account import Account
from engine.chain import ChainedTokenCredential
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, Probe
from engine.spec import ChainSpec
from engine.token import AccessToken

CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
FABRIKAM = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"
DEV_UPN = "dev@contoso.com"
SP_APPID = "5c6d7e8f-0000-4000-8000-0000000000aa"
TOKEN_CANARY = "CANARY-TOKEN-SIGNATURE-do-not-show"


def jwt(**claims: Any) -> str:
    """An unsigned JWT with ``claims``; its signature segment is a canary that must never be shown."""

    def segment(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    body = {"exp": int(time.time()) + 3600, **claims}
    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(body)}.{TOKEN_CANARY}"


def user_token(upn: str = DEV_UPN, tenant: str = CONTOSO) -> str:
    return jwt(
        upn=upn,
        tid=tenant,
        oid="a1b2c3d4-0001-4000-8000-00000000d001",
        appid="04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        scp="user_impersonation",
        aud="https://management.azure.com",
        idtyp="user",
    )


def app_token(appid: str = SP_APPID, tenant: str = FABRIKAM) -> str:
    return jwt(
        appid=appid,
        tid=tenant,
        oid="0e0e0e0e-0000-4000-8000-0000000000bb",
        roles=["Reader"],
        idtyp="app",
        aud="https://management.azure.com",
    )


class Double:
    """A credential whose get_token follows a script; named like the real class it stands in for."""

    def __init__(
        self,
        name: str,
        behave: Callable[[Host | None], AccessToken],
        *,
        host: Host | None = None,
        probe: Probe | None = None,
        steps: int = 0,
    ) -> None:
        self._credential_name = name
        self._behave = behave
        self._host = host
        self._probe = probe
        self._steps = steps

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        for i in range(self._steps):
            with events.step("process", f"{self._credential_name} step {i}", argv=["tool", str(i)]) as handle:
                handle.detail["exit_status"] = 0
        events.log("azure.identity._credentials.double", 20, f"{self._credential_name}.get_token called")
        return self._behave(self._host)

    def probe(self) -> Probe:
        if self._probe is None:
            raise NotImplementedError(f"{self._credential_name}.probe")
        return self._probe


def unavailable(message: str) -> Callable[[Host | None], AccessToken]:
    def behave(host: Host | None) -> AccessToken:
        raise CredentialUnavailableError(message)

    return behave


def failing(message: str) -> Callable[[Host | None], AccessToken]:
    def behave(host: Host | None) -> AccessToken:
        raise ClientAuthenticationError(message)

    return behave


def succeeding(token: str, delay: float = 0.0) -> Callable[[Host | None], AccessToken]:
    def behave(host: Host | None) -> AccessToken:
        if delay:
            (host or Host(env={})).sleep(delay)  # cancellable and recorded as a "wait" step
        return AccessToken(token, int(time.time()) + 3600)

    return behave


def wrong_account_chain(spec: ChainSpec, host: Host) -> ChainedTokenCredential:
    """The laptop-wrong-account story with doubles: a leftover AZURE_CLIENT_SECRET makes
    EnvironmentCredential sign in as a service principal before the developer's az login is reached."""
    env = host.env
    configured = all(env.get(v) is not None for v in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"))
    environment = Double(
        "EnvironmentCredential",
        succeeding(app_token(env.get("AZURE_CLIENT_ID", SP_APPID), env.get("AZURE_TENANT_ID", FABRIKAM)))
        if configured
        else unavailable(
            "EnvironmentCredential authentication unavailable. Environment variables are not fully configured."
        ),
        host=host,
        probe=Probe(
            "EnvironmentCredential",
            AVAILABLE if configured else UNAVAILABLE,
            "AZURE_CLIENT_SECRET is set" if configured else "variables not set",
        ),
    )
    members = [
        environment,
        Double(
            "ManagedIdentityCredential",
            unavailable("ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint."),
            host=host,
        ),
        Double(
            "AzureCliCredential",
            succeeding(user_token()),
            host=host,
            steps=1,
            probe=Probe("AzureCliCredential", AVAILABLE, "az is signed in", Account(tenant_id=CONTOSO, upn=DEV_UPN)),
        ),
    ]
    excluded = {k for k, v in spec.options.items() if v is True}
    if "exclude_environment_credential" in excluded:
        members = members[1:]
    chain = ChainedTokenCredential(*members)
    return chain


WRONG_ACCOUNT_ENV = {
    "PATH": "/usr/bin:/bin",
    "AZURE_CLIENT_ID": SP_APPID,
    "AZURE_TENANT_ID": FABRIKAM,
    "AZURE_CLIENT_SECRET": "CANARY-CLIENT-SECRET-never-shown",
}
