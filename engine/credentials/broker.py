"""BrokerCredential: DefaultAzureCredential's silent wrapper around the OS broker (WAM)."""

from __future__ import annotations

from typing import Any

from engine.credentials.base import Credential
from engine.host import Host


class BrokerCredential(Credential):
    def __init__(
        self, *, host: Host, tenant_id: str | None = None, client_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(host=host)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._options = kwargs
