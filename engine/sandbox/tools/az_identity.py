"""Tokens for the sandbox's az, through msal exactly as azure-cli's auth/identity.py and msal_credentials.py
get them: the MSAL cache in msal_token_cache.json for users, service_principal_entries.json for service
principals, the active cloud's authority.

msal is imported only here (token commands and login), so `az version` and `az account show` stay fast.
Every request goes to loopback: to a loopback authority directly, to any other host through the sandbox's
intercepting proxy, which serves the login hosts itself and refuses the rest.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from pathlib import Path
from typing import Any

from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID
from engine.sandbox.tools import az_files

USER_NOT_IN_CACHE = "User '{}' does not exist in MSAL token cache. Run `az login`."
SP_NOT_IN_STORE = (
    "Could not retrieve credential from local cache for service principal {}. "
    "Run `az login` for this service principal."
)
NO_TOKEN = "Can't find token from MSAL cache."
NO_TOKEN_RECOMMENDATION = "To re-authenticate, please run:\naz login"


class CLIError(Exception):
    """An error az prints as ``ERROR: <message>`` (then the recommendation, if any) and exits 1 with."""

    def __init__(self, message: str, recommendation: str = "") -> None:
        super().__init__(message)
        self.recommendation = recommendation


class EntraError(CLIError):
    """An error response from the authority: az's aad_error_handler adds a release-specific recommendation."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result.get("error_description") or result.get("error", ""))
        self.result = result


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def session(state: dict[str, Any], authority: str) -> Any:
    """A requests session that can only reach the sandbox (never this machine's proxy or CA variables)."""
    import requests

    http = requests.Session()
    http.trust_env = False
    http.verify = state["sandbox_ca"]
    if not _is_loopback(urllib.parse.urlsplit(authority).hostname or ""):
        http.proxies = {"https": state["proxy_url"], "http": state["proxy_url"]}
    return http


class Identity:
    """azure-cli's Identity: one authority (cloud + tenant), the shared MSAL cache file, the SP store."""

    def __init__(self, state: dict[str, Any], directory: Path, authority: str, tenant: str, discovery: bool) -> None:
        import msal

        self._msal = msal
        self.directory = directory
        self.authority = f"{authority.rstrip('/')}/{tenant}"
        self.cache = msal.SerializableTokenCache()
        cache_path = directory / az_files.MSAL_CACHE
        if cache_path.exists():
            try:
                self.cache.deserialize(cache_path.read_text(encoding="utf-8"))
            except ValueError:
                pass  # a damaged cache reads as empty, as msal-extensions' load does
        self._kwargs = {
            "authority": self.authority,
            "token_cache": self.cache,
            "http_client": session(state, authority),
            "instance_discovery": discovery,
        }

    def _public(self) -> Any:
        return self._msal.PublicClientApplication(DEVELOPER_SIGN_ON_CLIENT_ID, **self._kwargs)

    def save(self) -> None:
        if self.cache.has_state_changed:
            az_files.save_msal_cache(self.directory, __import__("json").loads(self.cache.serialize()))

    # -- sign-in ---------------------------------------------------------------------------------
    def login_user(self, username: str, password: str, scopes: list[str]) -> dict[str, Any]:
        result = self._public().acquire_token_by_username_password(username, password, scopes)
        claims = _check(result)
        self.save()
        return claims

    def login_service_principal(self, client_id: str, secret: str, tenant: str, scopes: list[str]) -> None:
        app = self._msal.ConfidentialClientApplication(client_id, client_credential=secret, **self._kwargs)
        _check(app.acquire_token_for_client(scopes))
        entries = [
            e
            for e in az_files.load_sp_entries(self.directory)
            if (e.get("client_id"), e.get("tenant")) != (client_id, tenant)
        ]
        entries.append({"client_id": client_id, "tenant": tenant, "client_secret": secret})
        az_files.save_sp_entries(self.directory, entries)
        self.save()

    # -- tokens ----------------------------------------------------------------------------------
    def user_token(self, username: str, scopes: list[str]) -> dict[str, Any]:
        app = self._public()
        accounts = app.get_accounts(username)
        if not accounts:
            raise CLIError(USER_NOT_IN_CACHE.format(username))
        result = app.acquire_token_silent_with_error(scopes, accounts[0])
        if not result:
            raise CLIError(NO_TOKEN, NO_TOKEN_RECOMMENDATION)
        _check(result)
        self.save()
        return result

    def service_principal_token(self, client_id: str, tenant: str, scopes: list[str]) -> dict[str, Any]:
        entries = [e for e in az_files.load_sp_entries(self.directory) if e.get("client_id") == client_id]
        if not entries:
            raise CLIError(SP_NOT_IN_STORE.format(client_id))
        entry = next((e for e in entries if e.get("tenant") == tenant), entries[0])
        app = self._msal.ConfidentialClientApplication(
            client_id, client_credential=entry.get("client_secret", ""), **self._kwargs
        )
        result = app.acquire_token_for_client(scopes)
        _check(result)
        self.save()
        return result

    # -- sign-out --------------------------------------------------------------------------------
    def logout(self, name: str) -> None:
        app = self._public()
        for account in app.get_accounts(name):
            app.remove_account(account)
        self.save()
        entries = az_files.load_sp_entries(self.directory)
        kept = [e for e in entries if e.get("client_id") != name]
        if len(kept) != len(entries):
            az_files.save_sp_entries(self.directory, kept)


def _check(result: dict[str, Any] | None) -> dict[str, Any]:
    """azure-cli's check_result: an error becomes EntraError; a user sign-in yields username and tenant."""
    if not result:
        raise CLIError(NO_TOKEN, NO_TOKEN_RECOMMENDATION)
    if "error" in result:
        raise EntraError(result)
    claims = result.get("id_token_claims") or {}
    if claims:
        return {"username": claims.get("preferred_username") or claims.get("upn"), "tenant_id": claims.get("tid")}
    return {}
