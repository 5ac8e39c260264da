"""AzurePowerShellCredential: ``Get-AzAccessToken`` through ``pwsh -EncodedCommand``."""

from __future__ import annotations

from engine.credentials.base import Credential
from engine.host import Host
from engine.validation import validate_tenant_id

DEFAULT_PROCESS_TIMEOUT = 10


class AzurePowerShellCredential(Credential):
    def __init__(
        self,
        *,
        host: Host,
        tenant_id: str = "",
        additionally_allowed_tenants: list[str] | None = None,
        process_timeout: int = DEFAULT_PROCESS_TIMEOUT,
    ) -> None:
        if tenant_id:
            validate_tenant_id(tenant_id)
        super().__init__(host=host)
        self.tenant_id = tenant_id
        self._additionally_allowed_tenants = list(additionally_allowed_tenants or [])
        self._process_timeout = process_timeout
