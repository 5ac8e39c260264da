"""ManagedIdentityCredential: detects the hosting environment and asks its identity endpoint."""

from __future__ import annotations

from typing import Any

from engine import env_vars as ev
from engine.context import within_dac
from engine.credentials.base import Credential
from engine.host import Host

LOGGER = "azure.identity._credentials.managed_identity"

SERVICE_FABRIC = "Service Fabric managed identity"
APP_SERVICE = "App Service managed identity"
AZURE_ARC = "Azure Arc managed identity"
AZURE_ML = "Azure ML managed identity"
CLOUD_SHELL = "Cloud Shell managed identity"
TOKEN_EXCHANGE = "workload identity"
IMDS = "IMDS"

ID_KEYS = ("client_id", "resource_id", "object_id")
CONFLICTING_KEYS = (
    "When 'client_id' is provided as a keyword argument, 'identity_config' must not contain any of the "
    "following keys: {}"
)
TOO_MANY_KEYS = "identity_config must not contain more than one of the following keys: {}"
NO_WORKLOAD_CLIENT_ID = (
    "Workload identity was selected but no client ID was provided. Configure the environment with a client ID "
    'or pass a value for "client_id" argument'
)
CLOUD_SHELL_CLIENT_ID = "client_id should not be set for cloud shell managed identity."
CLOUD_SHELL_IDENTITY_CONFIG = "identity_config is not supported for cloud shell managed identity."


def _key_list() -> str:
    # azure-identity builds these messages from a set: same strings, same iteration order per process.
    return ", ".join({"client_id", "resource_id", "object_id"})


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
        exclude_wi = bool(kwargs.pop("_exclude_workload_identity_credential", False))
        self._enable_imds_probe = kwargs.pop("_enable_imds_probe", None)
        identity_config = dict(identity_config or {})
        if client_id and any(k in identity_config for k in ID_KEYS):
            raise ValueError(CONFLICTING_KEYS.format(_key_list()))
        if sum(k in identity_config for k in ID_KEYS) > 1:
            raise ValueError(TOO_MANY_KEYS.format(_key_list()))
        self._client_id = client_id
        self._identity_config = identity_config
        self.environment = detect_environment(host.env, exclude_wi)
        if self.environment == TOKEN_EXCHANGE:
            self._workload_client_id = client_id or host.env.get(ev.AZURE_CLIENT_ID)
            if not self._workload_client_id:
                raise ValueError(NO_WORKLOAD_CLIENT_ID)
        if self.environment == CLOUD_SHELL and not within_dac.get():
            if client_id:
                raise ValueError(CLOUD_SHELL_CLIENT_ID)
            if any(k in identity_config for k in ID_KEYS):
                raise ValueError(CLOUD_SHELL_IDENTITY_CONFIG)
        self._options = kwargs

    @property
    def selected_identity(self) -> tuple[str, str] | None:
        """(kind, value) of a user-assigned identity, or None for system-assigned."""
        if self._client_id:
            return ("client_id", self._client_id)
        for key in ID_KEYS:
            if self._identity_config.get(key):
                return (key, self._identity_config[key])
        return None

    def construction_log(self) -> str | None:
        """``ManagedIdentityCredential will use ...`` as azure-identity logs it at INFO."""
        if self.environment is None:
            return None
        identity = self.selected_identity
        if self.environment == TOKEN_EXCHANGE:
            identity = ("client_id", self._workload_client_id)
        suffix = f" with {identity[0]}: {identity[1]}" if identity else ""
        return f"ManagedIdentityCredential will use {self.environment}{suffix}"
