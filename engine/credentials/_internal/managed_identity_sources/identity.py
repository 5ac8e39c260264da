"""Which managed identity to ask for: system-assigned, or user-assigned by client, object or resource id.

This is msal's ``ManagedIdentity`` selector as azure-identity builds it from ``client_id`` and
``identity_config``; each endpoint spells the user-assigned parameter its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CLIENT_ID = "ClientId"
RESOURCE_ID = "ResourceId"
OBJECT_ID = "ObjectId"
SYSTEM_ASSIGNED = "SystemAssigned"
# msal caches system-assigned tokens under this client id.
SYSTEM_ASSIGNED_CACHE_ID = "SYSTEM_ASSIGNED_MANAGED_IDENTITY"
# IMDS's query parameter names (msal's default mapping).
IMDS_PARAMETERS = {CLIENT_ID: "client_id", RESOURCE_ID: "msi_res_id", OBJECT_ID: "object_id"}


class ManagedIdentityError(ValueError):
    """msal's ManagedIdentityError: the endpoint or its answer broke a rule msal enforces."""


@dataclass(frozen=True)
class ManagedIdentity:
    id_type: str
    id: str | None = None

    @classmethod
    def from_settings(cls, client_id: str | None, identity_config: Mapping[str, str] | None) -> ManagedIdentity:
        """azure-identity's ``get_managed_identity``: client_id, then identity_config's client, resource, object id."""
        if client_id:
            return cls(CLIENT_ID, client_id)
        config = identity_config or {}
        for key, id_type in (("client_id", CLIENT_ID), ("resource_id", RESOURCE_ID), ("object_id", OBJECT_ID)):
            if config.get(key):
                return cls(id_type, config[key])
        return cls(SYSTEM_ASSIGNED)

    @property
    def is_user_assigned(self) -> bool:
        return self.id_type in IMDS_PARAMETERS and bool(self.id)

    @property
    def cache_id(self) -> str:
        return self.id or SYSTEM_ASSIGNED_CACHE_ID

    def add_parameter(self, params: dict, names: Mapping[str, str] = IMDS_PARAMETERS) -> dict:
        """Add the user-assigned selector under this endpoint's name for it (nothing when system-assigned)."""
        name = names.get(self.id_type)
        if name:
            params[name] = self.id
        return params
