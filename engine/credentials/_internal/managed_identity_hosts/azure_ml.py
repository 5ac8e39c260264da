"""azure-identity's Azure ML credential: msal's Azure ML request (managed_identity_sources.azure_ml)."""

from __future__ import annotations

from engine.credentials._internal.managed_identity_hosts.msal_managed_identity import MsalManagedIdentityClient


class AzureMLCredential(MsalManagedIdentityClient):
    UNAVAILABLE_PREFIX = "Azure ML managed identity configuration not found in environment."
