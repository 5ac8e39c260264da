"""VisualStudioCodeCredential before 1.24: the Azure Account extension's refresh token, redeemed.

As azure-identity 1.19-1.23's ``_VSCodeCredentialBase`` with its GetTokenMixin: a cached access token
first (the credential's own in-memory cache); otherwise the refresh token the extension kept in the OS
secret store (service "VS Code Azure", account = VS Code's cloud; read once, then remembered) is
redeemed at ``{authority}/{tenant}/oauth2/v2.0/token`` with VS Code's client id. No entry: unavailable,
FAILED_TO_GET_DETAILS. The secret store is reached only through ``Host.secret_lookup``.
"""

from __future__ import annotations

from typing import Any

import msal

from engine.constants import VSCODE_CLIENT_ID
from engine.credentials._internal.get_token_mixin import GetTokenMixin
from engine.credentials._internal.refresh_grant import RefreshTokenClient
from engine.credentials._internal.vscode_account import FAILED_TO_GET_DETAILS, SECRET_SERVICE, LegacySettings
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.tenant import resolve_tenant
from engine.token import AccessToken
from engine.validation import normalize_authority

CREDENTIAL_NAME = "VisualStudioCodeCredential"


class AzureAccountSignIn(GetTokenMixin):
    """The token flow behind a pre-1.24 VisualStudioCodeCredential that was configured without error."""

    _mixin_name = CREDENTIAL_NAME  # the mixin's log lines name the credential, as azure-identity's do

    def __init__(self, host: Host, settings: LegacySettings, **kwargs: Any) -> None:
        self.host = host
        self.cloud = settings.cloud
        self._tenant_id = settings.tenant_id
        self._allowed = list(kwargs.pop("additionally_allowed_tenants", None) or [])
        self._client = RefreshTokenClient(
            host,
            authority=normalize_authority(settings.authority),
            client_id=VSCODE_CLIENT_ID,
            tenant_id=settings.tenant_id,
            additionally_allowed_tenants=self._allowed,
            organizations_any=False,  # these releases predate the "organizations" rule (1.25)
            **kwargs,
        )
        self._caches = {False: msal.TokenCache(), True: msal.TokenCache()}  # plain and CAE, as AadClient keeps
        self._refresh_token: str | None = None

    def _refresh_token_or_unavailable(self) -> str:
        if not self._refresh_token:
            self._refresh_token = self.host.secret_lookup(SECRET_SERVICE, self.cloud)
            if not self._refresh_token:
                raise CredentialUnavailableError(message=FAILED_TO_GET_DETAILS)
        return self._refresh_token

    def _acquire_token_silently(self, *scopes: str, **kwargs: Any) -> AccessToken | None:
        """AadClient.get_cached_access_token of those releases (which logged nothing)."""
        tenant = resolve_tenant(
            self._tenant_id,
            kwargs.get("tenant_id"),
            additionally_allowed_tenants=self._allowed,
            env=self.host.env,
            organizations_any=False,
        )
        cache = self._caches[bool(kwargs.get("enable_cae"))]
        now = int(self.host.time())
        query = {"client_id": VSCODE_CLIENT_ID, "realm": tenant}
        for entry in cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=list(scopes), query=query):
            expires_on = int(entry["expires_on"])
            if expires_on > now:
                refresh_on = int(entry["refresh_on"]) if "refresh_on" in entry else None
                return AccessToken(entry["secret"], expires_on, refresh_on, entry.get("token_type", "Bearer"))
        return None

    def _request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        refresh_token = self._refresh_token_or_unavailable()
        cache = self._caches[bool(kwargs.get("enable_cae"))]
        return self._client.redeem(
            cache,
            scopes,
            refresh_token,
            claims=kwargs.get("claims"),
            tenant_id=kwargs.get("tenant_id"),
            enable_cae=bool(kwargs.get("enable_cae")),
        )

    def close(self) -> None:
        self._client.close()
