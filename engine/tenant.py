"""Which tenant a request goes to: the multi-tenant rules azure-identity applies to every credential."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from engine import env_vars as ev
from engine import events
from engine.errors import ClientAuthenticationError

LOGGER = "azure.identity._internal.utils"
NOT_ALLOWED = (
    "The current credential is not configured to acquire tokens for tenant {}. To enable acquiring tokens for "
    'this tenant add it to the additionally_allowed_tenants when creating the credential, or add "*" to '
    "additionally_allowed_tenants to allow acquiring tokens for any tenant."
)


def resolve_tenant(
    default_tenant: str,
    tenant_id: str | None = None,
    *,
    additionally_allowed_tenants: Sequence[str] = (),
    env: Mapping[str, str],
    organizations_any: bool = True,
) -> str:
    """The configured tenant, or the per-request one where azure-identity's rules allow it."""
    if tenant_id is None or tenant_id == default_tenant:
        return default_tenant
    if default_tenant == "adfs" or env.get(ev.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH):
        events.log(
            LOGGER,
            logging.INFO,
            f"A token was request for a different tenant than was configured on the credential, but the "
            f"configured value was used since multi tenant authentication has been disabled. Configured "
            f"tenant ID: {default_tenant}, Requested tenant ID {tenant_id}",
        )
        return default_tenant
    if not default_tenant:
        return tenant_id
    if "*" in additionally_allowed_tenants or tenant_id in additionally_allowed_tenants:
        events.log(
            LOGGER,
            logging.INFO,
            f"A token was requested for a different tenant than was configured on the credential, and the "
            f"requested tenant ID was used to authenticate. Configured tenant ID: {default_tenant}, "
            f"Requested tenant ID {tenant_id}",
        )
        return tenant_id
    # 1.25+ (switch ORGANIZATIONS_TENANT): "organizations" serves any requested tenant
    if organizations_any and default_tenant == "organizations" and not additionally_allowed_tenants:
        return tenant_id
    raise ClientAuthenticationError(message=NOT_ALLOWED.format(tenant_id))
