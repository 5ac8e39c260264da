"""ManagedIdentityCredential: detects the hosting environment and asks its identity endpoint.

The host is chosen from the environment in azure-identity's order (Service Fabric, App Service,
Azure Arc, Azure ML, Cloud Shell, token exchange, IMDS); each host's credential and error rules live
in ``_internal/managed_identity_hosts/``, the wire protocol msal speaks to it in ``_internal/managed_identity_sources/``.
"""

from __future__ import annotations

import logging
from typing import Any

from engine import env_vars as ev
from engine import events
from engine.context import within_dac
from engine.credentials._internal.base import Credential
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.credentials._internal.managed_identity_hosts.app_service import AppServiceCredential
from engine.credentials._internal.managed_identity_hosts.azure_arc import AzureArcCredential
from engine.credentials._internal.managed_identity_hosts.azure_ml import AzureMLCredential
from engine.credentials._internal.managed_identity_hosts.cloud_shell import CloudShellCredential
from engine.credentials._internal.managed_identity_hosts.imds import ImdsCredential
from engine.credentials._internal.managed_identity_hosts.service_fabric import ServiceFabricCredential
from engine.credentials._internal.managed_identity_probe import probe_managed_identity
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.probe import Probe
from engine.profiles import MI_LOG_IDENTITY, MI_WORKLOAD_CLIENT_ID_PREFIX
from engine.token import AccessToken

LOGGER = "azure.identity._credentials.managed_identity"

SERVICE_FABRIC = "Service Fabric managed identity"
APP_SERVICE = "App Service managed identity"
AZURE_ARC = "Azure Arc managed identity"
AZURE_ML = "Azure ML managed identity"
CLOUD_SHELL = "Cloud Shell managed identity"
TOKEN_EXCHANGE = "workload identity"
IMDS = "IMDS"

CONFLICTING_KEYS = (
    "When 'client_id' is provided as a keyword argument, 'identity_config' must not contain any of the "
    "following keys: {}"
)
TOO_MANY_KEYS = "identity_config must not contain more than one of the following keys: {}"
NO_WORKLOAD_CLIENT_ID = (
    "Workload identity was selected but no client ID was provided. Configure the environment with a client ID "
    'or pass a value for "client_id" argument'
)
# Before 1.21 (switch MI_WORKLOAD_CLIENT_ID_PREFIX) the error lacked its first sentence.
NO_WORKLOAD_CLIENT_ID_OLD = 'Configure the environment with a client ID or pass a value for "client_id" argument'
CONFLICTING_KEYS_OLD = (
    "identity_config must not contain 'object_id', 'resource_id', or 'client_id' when 'client_id' is "
    "provided as a keyword argument."
)
CLOUD_SHELL_CLIENT_ID = "client_id should not be set for cloud shell managed identity."
CLOUD_SHELL_IDENTITY_CONFIG = "identity_config must not contain the following keys: {}"
NO_ENDPOINT = (
    "No managed identity endpoint found. \n"
    "The Target Azure platform could not be determined from environment variables. \n"
    "Visit https://aka.ms/azsdk/python/identity/managedidentitycredential/troubleshoot to troubleshoot this issue."
)
# azure-identity lists these keys in its messages in a set's iteration order, which varies from process to
# process (and module to module): the texts match azure-identity's up to the order of the keys.
_VALID_KEYS = {"object_id", "resource_id", "client_id"}


def _key_list() -> str:
    return ", ".join(_VALID_KEYS)


def validate_identity_config(client_id: str | None, identity_config: dict | None) -> tuple[str, str] | None:
    """azure-identity's check of client_id against identity_config; the (kind, value) to log, if any."""
    if identity_config:
        if client_id:
            if any(key in identity_config for key in _VALID_KEYS):
                raise ValueError(CONFLICTING_KEYS.format(_key_list()))
            return "client_id", client_id
        result = None
        for key in _VALID_KEYS:
            if key in identity_config:
                if result:
                    raise ValueError(TOO_MANY_KEYS.format(_key_list()))
                result = key, identity_config[key]
        return result
    if client_id:
        return "client_id", client_id
    return None


def detect_environment(env, exclude_workload_identity: bool = False) -> str | None:
    """Which managed-identity host this environment looks like, in azure-identity's order."""
    if env.get(ev.IDENTITY_ENDPOINT):
        if env.get(ev.IDENTITY_HEADER):
            return SERVICE_FABRIC if env.get(ev.IDENTITY_SERVER_THUMBPRINT) else APP_SERVICE
        if env.get(ev.IMDS_ENDPOINT):
            return AZURE_ARC
        return None  # IDENTITY_ENDPOINT alone: no platform, and no IMDS fallback
    if env.get(ev.MSI_ENDPOINT):
        return AZURE_ML if env.get(ev.MSI_SECRET) else CLOUD_SHELL
    if (
        not exclude_workload_identity
        and env.get(ev.AZURE_AUTHORITY_HOST)
        and env.get(ev.AZURE_TENANT_ID)
        and env.get(ev.AZURE_FEDERATED_TOKEN_FILE)
    ):
        return TOKEN_EXCHANGE
    return IMDS


_INNER = {
    SERVICE_FABRIC: ServiceFabricCredential,
    APP_SERVICE: AppServiceCredential,
    AZURE_ARC: AzureArcCredential,
    AZURE_ML: AzureMLCredential,
}


class ManagedIdentityCredential(Credential):
    def __init__(
        self,
        *,
        host: Host,
        client_id: str | None = None,
        identity_config: dict | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(host=host)
        try:
            self._user_identity = validate_identity_config(client_id, identity_config)
        except ValueError as ex:
            if str(ex).startswith("When 'client_id'") and not self._profile.has(MI_WORKLOAD_CLIENT_ID_PREFIX):
                raise ValueError(CONFLICTING_KEYS_OLD) from None
            raise
        exclude_wi = bool(kwargs.pop("_exclude_workload_identity_credential", False))
        self._enable_imds_probe = kwargs.pop("_enable_imds_probe", None)
        self._client_id = client_id
        self._identity_config = dict(identity_config or {})
        self.environment = detect_environment(host.env, exclude_wi)
        self._credential: Any = None
        if self.environment in _INNER:
            self._credential = _INNER[self.environment](
                host=host, client_id=client_id, identity_config=identity_config, **kwargs
            )
        elif self.environment == CLOUD_SHELL:
            if not within_dac.get():
                if client_id:
                    raise ValueError(CLOUD_SHELL_CLIENT_ID)
                if identity_config and identity_config.keys() & _VALID_KEYS:
                    raise ValueError(CLOUD_SHELL_IDENTITY_CONFIG.format(_key_list()))
            self._credential = CloudShellCredential(
                host=host, client_id=client_id, identity_config=identity_config, **kwargs
            )
        elif self.environment == TOKEN_EXCHANGE:
            self._workload_client_id = client_id or host.env.get(ev.AZURE_CLIENT_ID)
            if not self._workload_client_id:
                new_text = self._profile.has(MI_WORKLOAD_CLIENT_ID_PREFIX)
                raise ValueError(NO_WORKLOAD_CLIENT_ID if new_text else NO_WORKLOAD_CLIENT_ID_OLD)
            self._user_identity = ("client_id", self._workload_client_id)
            self._credential = WorkloadIdentityCredential(
                host=host,
                tenant_id=host.env[ev.AZURE_TENANT_ID],
                client_id=self._workload_client_id,
                token_file_path=host.env[ev.AZURE_FEDERATED_TOKEN_FILE],
                **kwargs,
            )
        elif self.environment == IMDS:
            self._credential = ImdsCredential(
                host=host,
                client_id=client_id,
                identity_config=identity_config,
                _enable_imds_probe=self._enable_imds_probe,
                **kwargs,
            )
        self._options = kwargs
        line = self.construction_log()
        if line:
            events.log(LOGGER, logging.INFO, line)

    @property
    def selected_identity(self) -> tuple[str, str] | None:
        """(kind, value) of the user-assigned identity azure-identity logs, or None for system-assigned."""
        return self._user_identity

    def construction_log(self) -> str | None:
        """``ManagedIdentityCredential will use ...`` as azure-identity logs it at INFO."""
        if self.environment is None:
            return None
        # Before 1.21 (switch MI_LOG_IDENTITY) the line did not name the user-assigned identity.
        identity = self._user_identity if self._profile.has(MI_LOG_IDENTITY) else None
        suffix = f" with {identity[0]}: {identity[1]}" if identity else ""
        return f"ManagedIdentityCredential will use {self.environment}{suffix}"

    @logged(DECORATORS)
    def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, **kwargs: Any
    ) -> AccessToken:
        if self._credential is None:
            raise CredentialUnavailableError(NO_ENDPOINT)
        return self._credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, **kwargs)

    def probe(self) -> Probe:
        return probe_managed_identity(self)

    def close(self) -> None:
        if self._credential is not None:
            self._credential.close()
