"""Cloud Shell: a POST to ``MSI_ENDPOINT`` with ``Metadata: true``, parsed by azure-identity itself.

It is the one managed-identity host azure-identity does not hand to msal: its own client sends
``resource`` and every identity_config key as a form body, caches the token and follows the
GetTokenMixin refresh rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine import env_vars as ev
from engine.credentials._internal.get_token_mixin import GetTokenMixin
from engine.credentials._internal.managed_identity_hosts.identity_client import ManagedIdentityClient, Request
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.token import AccessToken

UNAVAILABLE_PREFIX = "Cloud Shell managed identity configuration not found in environment."


def cloud_shell_request(url: str):
    def build(resource: str, identity_config: dict) -> Request:
        return Request("POST", url, data={"resource": resource, **identity_config})

    return build


class CloudShellCredential(GetTokenMixin):
    def __init__(
        self,
        *,
        host: Host,
        client_id: str | None = None,
        identity_config: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.host = host
        url = host.env.get(ev.MSI_ENDPOINT)
        self._client = (
            ManagedIdentityClient(
                host,
                cloud_shell_request(url),
                client_id=client_id,
                identity_config=identity_config,
                base_headers={"Metadata": "true"},
                **kwargs,
            )
            if url
            else None
        )

    def get_unavailable_message(self, desc: str = "") -> str:
        return f"{UNAVAILABLE_PREFIX} {desc}"

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self._client is None:
            raise CredentialUnavailableError(self.get_unavailable_message())
        return super().get_token(*scopes, **kwargs)

    def _acquire_token_silently(self, *scopes: str, **kwargs: Any) -> AccessToken | None:
        return self._client.get_cached_token(*scopes, **kwargs)  # type: ignore[union-attr]

    def _request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return self._client.request_token(*scopes, **kwargs)  # type: ignore[union-attr]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
