"""VisualStudioCodeCredential (1.27): the VS Code Azure Resources sign-in, through the broker."""

from __future__ import annotations

from typing import Any

from engine.credentials.base import Credential
from engine.host import Host

VSCODE_CLIENT_ID = "aebc6443-996d-45c2-90f0-388ff96faa56"


class VisualStudioCodeCredential(Credential):
    def __init__(self, *, host: Host, tenant_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(host=host)
        self._tenant_id = tenant_id
        self._options = kwargs
