"""What azure-identity's msal-based credentials share: one msal application per tenant, on our pipeline.

The application is built lazily on the first token request (that is when msal fetches the
OpenID configuration), with authority ``{authority}/{tenant}``, the regional STS from
``AZURE_REGIONAL_AUTHORITY_NAME``, instance discovery as configured, and a separate application
and cache for CAE requests.
"""

from __future__ import annotations

from typing import Any

import msal

from engine import env_vars as ev
from engine.credentials._internal.msal_client import MsalHttpClient
from engine.host import Host
from engine.profiles import ORGANIZATIONS_TENANT, current_profile
from engine.tenant import resolve_tenant
from engine.validation import default_authority, normalize_authority, validate_tenant_id

NOT_WELL_KNOWN = (
    "The authority provided, {}, is not well-known. If this authority is valid and trustworthy, you can disable "
    "this check by passing in 'disable_instance_discovery=True' when constructing the credential."
)
_AUTODETECT_REGION = ("tryautodetect", "true")


class MsalCredential:
    """Base of ClientSecret, Certificate and UsernamePassword: authority, tenant, apps and caches."""

    def _init_msal(
        self,
        host: Host,
        client_id: str,
        client_credential: Any = None,
        *,
        tenant_id: str | None = None,
        authority: str | None = None,
        additionally_allowed_tenants: list[str] | None = None,
        disable_instance_discovery: bool | None = None,
        enable_support_logging: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self._instance_discovery = None if disable_instance_discovery is None else not disable_instance_discovery
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        region = host.env.get(ev.AZURE_REGIONAL_AUTHORITY_NAME)
        if region and region.lower() in _AUTODETECT_REGION:
            region = msal.ConfidentialClientApplication.ATTEMPT_REGION_DISCOVERY
        self._regional_authority = region
        self._tenant_id = tenant_id or "organizations"
        validate_tenant_id(self._tenant_id)
        self._client_id = client_id
        self._client_credential = client_credential
        self._enable_support_logging = enable_support_logging
        self._additionally_allowed_tenants = list(additionally_allowed_tenants or [])
        self._msal_http = MsalHttpClient(host, **kwargs)
        self._apps: dict[str, msal.ClientApplication] = {}
        self._cae_apps: dict[str, msal.ClientApplication] = {}
        self._cache: msal.TokenCache | None = None
        self._cae_cache: msal.TokenCache | None = None

    def _client_credential_for_msal(self) -> Any:
        """The credential msal is built with; subclasses reveal their secret only here."""
        return self._client_credential

    def _get_app(self, tenant_id: str | None = None, enable_cae: bool = False, **_: Any) -> msal.ClientApplication:
        tenant = resolve_tenant(
            self._tenant_id,
            tenant_id,
            additionally_allowed_tenants=self._additionally_allowed_tenants,
            env=self.host.env,
            organizations_any=getattr(self, "_profile", current_profile()).has(ORGANIZATIONS_TENANT),
        )
        apps = self._cae_apps if enable_cae else self._apps
        if enable_cae:
            self._cae_cache = self._cae_cache or msal.TokenCache()
            cache = self._cae_cache
        else:
            self._cache = self._cache or msal.TokenCache()
            cache = self._cache
        if tenant not in apps:
            credential = self._client_credential_for_msal()
            app_class = msal.ConfidentialClientApplication if credential else msal.PublicClientApplication
            try:
                apps[tenant] = app_class(
                    client_id=self._client_id,
                    client_credential=credential,
                    client_capabilities=["CP1"] if enable_cae else None,
                    authority=f"{self._authority}/{tenant}",
                    azure_region=self._regional_authority,
                    token_cache=cache,
                    http_client=self._msal_http,
                    instance_discovery=self._instance_discovery,
                    enable_pii_log=self._enable_support_logging,
                )
            except ValueError as ex:
                if "invalid_instance" in str(ex):
                    raise ValueError(NOT_WELL_KNOWN.format(self._authority)) from None
                raise
        return apps[tenant]

    def close(self) -> None:
        self._msal_http.close()
