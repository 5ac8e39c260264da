"""azure-identity's Service Fabric credential: msal's pinned-certificate request (managed_identity_sources.service_fabric)."""

from __future__ import annotations

from typing import Any

from engine.credentials._internal.managed_identity_hosts.msal_managed_identity import MsalManagedIdentityClient
from engine.errors import ClientAuthenticationError
from engine.token import AccessToken

NOT_SUPPORTED = (
    "Specifying a client_id or identity_config is not supported by the Service Fabric managed identity "
    "environment. The managed identity configuration is determined by the Service Fabric cluster resource "
    "configuration. See https://aka.ms/servicefabricmi for more information."
)


class ServiceFabricCredential(MsalManagedIdentityClient):
    UNAVAILABLE_PREFIX = "Service Fabric managed identity configuration not found in environment."

    def _create_http_client(self, **kwargs: Any) -> Any:
        return _NoPipeline()

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self._settings.get("client_id") or self._settings.get("identity_config"):
            raise ClientAuthenticationError(NOT_SUPPORTED)
        return super().get_token(*scopes, **kwargs)


class _NoPipeline:
    """Service Fabric sends on its own pinned session; there is no pipeline to hold."""

    def close(self) -> None:
        pass
