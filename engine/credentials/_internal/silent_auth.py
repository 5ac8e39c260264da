"""Silent sign-in from the shared cache for the account an AuthenticationRecord names (MSAL does the work).

This is SharedTokenCacheCredential's mode when given ``authentication_record``: an MSAL public client for the
record's app and authority, the record's account, ``acquire_token_silent_with_error``.
"""

from __future__ import annotations

from collections.abc import Sequence

import msal

from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.shared_cache_accounts import NO_TOKEN
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.tenant import resolve_tenant
from engine.token import AccessToken

NO_MATCHING_ACCOUNT = "The cache contains no account matching the given AuthenticationRecord."
ACQUISITION_FAILED = "Token acquisition failed"


class SilentAuthentication:
    """One record's silent flow over a given cache; an MSAL app per tenant, as azure-identity keeps them."""

    def __init__(
        self,
        host: Host,
        record: AuthenticationRecord,
        tenant_id: str,
        additionally_allowed_tenants: Sequence[str] = (),
    ) -> None:
        self._host = host
        self._record = record
        self._tenant_id = tenant_id
        self._allowed = list(additionally_allowed_tenants or ())
        self._apps: dict[tuple[str, bool], msal.PublicClientApplication] = {}

    def _app(self, cache: msal.TokenCache, tenant_id: str | None, enable_cae: bool) -> msal.PublicClientApplication:
        tenant = resolve_tenant(
            self._tenant_id, tenant_id, additionally_allowed_tenants=self._allowed, env=self._host.env
        )
        key = (tenant, enable_cae)
        if key not in self._apps:
            self._apps[key] = msal.PublicClientApplication(
                client_id=self._record.client_id,
                authority=f"https://{self._record.authority}/{tenant}",
                token_cache=cache,
                http_client=self._host.session(),
                client_capabilities=["CP1"] if enable_cae else None,
            )
        return self._apps[key]

    def acquire(
        self,
        cache: msal.TokenCache,
        scopes: Sequence[str],
        *,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
    ) -> AccessToken:
        app = self._app(cache, tenant_id, enable_cae)
        accounts = app.get_accounts(username=self._record.username)
        if not accounts:
            raise CredentialUnavailableError(NO_MATCHING_ACCOUNT)
        result = None
        for account in accounts:
            if account.get("home_account_id") != self._record.home_account_id:
                continue
            now = int(self._host.time())
            result = app.acquire_token_silent_with_error(list(scopes), account=account, claims_challenge=claims)
            if result and "access_token" in result and "expires_in" in result:
                refresh_on = int(result["refresh_on"]) if "refresh_on" in result else None
                return AccessToken(
                    result["access_token"],
                    now + int(result["expires_in"]),
                    refresh_on,
                    result.get("token_type", "Bearer"),
                )
        if result:
            # A matching refresh token exists, but Entra ID refused it.
            details = result.get("error_description") or result.get("error")
            raise ClientAuthenticationError(
                message=f"{ACQUISITION_FAILED}: {details}" if details else ACQUISITION_FAILED
            )
        raise CredentialUnavailableError(message=NO_TOKEN.format(self._record.username))
