"""ClientSecretCredential: a service principal with a client secret (msal confidential client)."""

from __future__ import annotations

from typing import Any

from engine.credentials.base import Credential
from engine.host import Host
from engine.secrets import Secret
from engine.validation import default_authority, normalize_authority, validate_tenant_id

NO_CLIENT_ID = "client_id should be the id of a Microsoft Entra application"
NO_SECRET = "secret should be a Microsoft Entra application's client secret"
NO_TENANT = "tenant_id should be a Microsoft Entra tenant's id (also called its 'directory id')"


class ClientSecretCredential(Credential):
    def __init__(
        self, tenant_id: str, client_id: str, client_secret: str | Secret, *, host: Host, **kwargs: Any
    ) -> None:
        if not client_id:
            raise ValueError(NO_CLIENT_ID)
        if not client_secret:
            raise ValueError(NO_SECRET)
        if not tenant_id:
            raise ValueError(NO_TENANT)
        validate_tenant_id(tenant_id)
        super().__init__(host=host)
        authority = kwargs.pop("authority", None)
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._client_secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)
        self._options = kwargs
