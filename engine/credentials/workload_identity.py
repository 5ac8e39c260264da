"""WorkloadIdentityCredential: a federated token file exchanged for a token (AKS workload identity)."""

from __future__ import annotations

from typing import Any

from engine import env_vars as ev
from engine.credentials.base import Credential
from engine.host import Host
from engine.validation import default_authority

TROUBLESHOOT = "https://aka.ms/azsdk/python/identity/workloadidentitycredential/troubleshoot"
NOT_CONFIGURED = (
    "WorkloadIdentityCredential authentication unavailable. The workload options are not fully configured. "
    f"See the troubleshooting guide for more information: {TROUBLESHOOT}. Missing required arguments: {{}}."
)


class WorkloadIdentityCredential(Credential):
    def __init__(
        self,
        *,
        host: Host,
        tenant_id: str | None = None,
        client_id: str | None = None,
        token_file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        env = host.env
        tenant_id = tenant_id or env.get(ev.AZURE_TENANT_ID)
        client_id = client_id or env.get(ev.AZURE_CLIENT_ID)
        token_file_path = token_file_path or env.get(ev.AZURE_FEDERATED_TOKEN_FILE)
        missing = [
            name
            for name, value in (
                ("tenant_id", tenant_id),
                ("client_id", client_id),
                ("token_file_path", token_file_path),
            )
            if not value
        ]
        if missing:
            raise ValueError(NOT_CONFIGURED.format(", ".join(f"'{m}'" for m in missing)))
        super().__init__(host=host)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._token_file_path = token_file_path
        self._authority = default_authority(env)
        self._enable_azure_proxy = bool(kwargs.pop("enable_azure_proxy", False))
        self._options = kwargs
