"""azure-identity's App Service credential: msal's App Service request (managed_identity_sources.app_service)."""

from __future__ import annotations

from engine.credentials._internal.managed_identity_hosts.msal_managed_identity import MsalManagedIdentityClient


class AppServiceCredential(MsalManagedIdentityClient):
    UNAVAILABLE_PREFIX = "App Service managed identity configuration not found in environment."
