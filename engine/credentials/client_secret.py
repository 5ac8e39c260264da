"""ClientSecretCredential: a service principal with a client secret (msal confidential client)."""

from __future__ import annotations

from typing import Any

from engine.account import Account
from engine.credentials._internal.base import Credential
from engine.credentials._internal.client_credential_base import ClientCredentialBase
from engine.host import Host
from engine.probe import AVAILABLE, Probe
from engine.secrets import Secret
from engine.validation import validate_tenant_id

NO_CLIENT_ID = "client_id should be the id of a Microsoft Entra application"
NO_SECRET = "secret should be a Microsoft Entra application's client secret"
NO_TENANT = "tenant_id should be a Microsoft Entra tenant's id (also called its 'directory id')"


class ClientSecretCredential(ClientCredentialBase, Credential):
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
        Credential.__init__(self, host=host)
        self._client_secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)
        self._init_msal(host, client_id, self._client_secret, tenant_id=tenant_id, **kwargs)

    def _client_credential_for_msal(self) -> str:
        # msal needs the raw value; it lives only inside msal's application from here on.
        return self._client_secret.reveal()

    def probe(self) -> Probe:
        return Probe(
            type(self).__name__,
            AVAILABLE,
            f"client secret configured for client {self._client_id} in tenant {self._tenant_id} at {self._authority}",
            Account(tenant_id=self._tenant_id, client_id=self._client_id, identity_type="app"),
        )
