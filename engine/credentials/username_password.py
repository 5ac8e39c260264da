"""UsernamePasswordCredential: the deprecated resource-owner password flow (msal public client)."""

from __future__ import annotations

from typing import Any

from engine.credentials.base import Credential
from engine.host import Host
from engine.secrets import Secret
from engine.validation import default_authority, normalize_authority, validate_tenant_id

DEFAULT_TENANT = "organizations"


class UsernamePasswordCredential(Credential):
    def __init__(self, client_id: str, username: str, password: str | Secret, *, host: Host, **kwargs: Any) -> None:
        tenant_id = kwargs.pop("tenant_id", None) or DEFAULT_TENANT
        validate_tenant_id(tenant_id)
        super().__init__(host=host)
        authority = kwargs.pop("authority", None)
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._username = username
        self._password = password if isinstance(password, Secret) else Secret(password)
        self._options = kwargs
