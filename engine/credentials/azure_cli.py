"""AzureCliCredential: ``az account get-access-token``."""

from __future__ import annotations

from engine.credentials.base import Credential
from engine.host import Host
from engine.validation import validate_subscription, validate_tenant_id

DEFAULT_PROCESS_TIMEOUT = 10


class AzureCliCredential(Credential):
    def __init__(
        self,
        *,
        host: Host,
        tenant_id: str = "",
        subscription: str | None = None,
        additionally_allowed_tenants: list[str] | None = None,
        process_timeout: int = DEFAULT_PROCESS_TIMEOUT,
    ) -> None:
        if tenant_id:
            validate_tenant_id(tenant_id)
        if subscription:
            validate_subscription(subscription)
        super().__init__(host=host)
        self.tenant_id = tenant_id
        self.subscription = subscription
        self._additionally_allowed_tenants = list(additionally_allowed_tenants or [])
        self._process_timeout = process_timeout
