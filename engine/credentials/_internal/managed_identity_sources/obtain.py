"""Which endpoint msal sends a managed-identity request to, decided as msal decides it.

msal re-detects the host from the mere presence of variables (azure-identity chose by non-empty
values), in its own order: Service Fabric, App Service, Azure ML, Azure Arc (also when the Arc
agent is installed), else IMDS.
"""

from __future__ import annotations

from typing import Any

from engine import env_vars as ev
from engine.credentials._internal.managed_identity_sources.app_service import obtain_token_on_app_service
from engine.credentials._internal.managed_identity_sources.azure_arc import arc_endpoint, obtain_token_on_arc
from engine.credentials._internal.managed_identity_sources.azure_ml import obtain_token_on_machine_learning
from engine.credentials._internal.managed_identity_sources.identity import ManagedIdentity
from engine.credentials._internal.managed_identity_sources.imds import obtain_token_on_vm
from engine.credentials._internal.managed_identity_sources.service_fabric import obtain_token_on_service_fabric
from engine.host import Host


def obtain_token(
    host: Host,
    http_client: Any,
    identity: ManagedIdentity,
    resource: str,
    *,
    access_token_sha256_to_refresh: str | None = None,
    client_capabilities: list[str] | None = None,
) -> dict:
    env = host.env
    if ev.IDENTITY_ENDPOINT in env and ev.IDENTITY_HEADER in env and ev.IDENTITY_SERVER_THUMBPRINT in env:
        return obtain_token_on_service_fabric(
            host,
            env[ev.IDENTITY_ENDPOINT],
            env[ev.IDENTITY_HEADER],
            env[ev.IDENTITY_SERVER_THUMBPRINT],
            resource,
            access_token_sha256_to_refresh=access_token_sha256_to_refresh,
            client_capabilities=client_capabilities,
        )
    if ev.IDENTITY_ENDPOINT in env and ev.IDENTITY_HEADER in env:
        return obtain_token_on_app_service(
            host, http_client, env[ev.IDENTITY_ENDPOINT], env[ev.IDENTITY_HEADER], identity, resource
        )
    if ev.MSI_ENDPOINT in env and ev.MSI_SECRET in env:
        return obtain_token_on_machine_learning(
            host, http_client, env[ev.MSI_ENDPOINT], env[ev.MSI_SECRET], identity, resource
        )
    endpoint = arc_endpoint(host)
    if endpoint:
        return obtain_token_on_arc(host, http_client, endpoint, identity, resource)
    return obtain_token_on_vm(host, http_client, identity, resource)
