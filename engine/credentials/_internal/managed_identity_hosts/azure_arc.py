"""azure-identity's Azure Arc credential: msal's challenge-and-key request (managed_identity_sources.azure_arc)."""

from __future__ import annotations

from engine.credentials._internal.managed_identity_hosts.msal_managed_identity import MsalManagedIdentityClient


class AzureArcCredential(MsalManagedIdentityClient):
    UNAVAILABLE_PREFIX = "Azure Arc managed identity configuration not found in environment."
