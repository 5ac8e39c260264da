"""WorkloadIdentityCredential: a federated token file exchanged for a token (AKS workload identity)."""

from __future__ import annotations

from typing import Any

from engine import env_vars as ev
from engine.context import within_credential_chain, within_dac
from engine.credentials._internal.aad_client import AadClient
from engine.credentials._internal.base import Credential
from engine.credentials._internal.get_token_mixin import GetTokenMixin
from engine.credentials._internal.token_proxy import token_proxy_settings
from engine.credentials._internal.workload_identity_probe import probe_workload_identity
from engine.host import Host
from engine.probe import Probe
from engine.profiles import WORKLOAD_FAILED_PLACEHOLDER, current_profile
from engine.secrets import Secret
from engine.token import AccessToken

TROUBLESHOOT = "https://aka.ms/azsdk/python/identity/workloadidentitycredential/troubleshoot"
NOT_CONFIGURED = (
    "WorkloadIdentityCredential authentication unavailable. The workload options are not fully configured. "
    f"See the troubleshooting guide for more information: {TROUBLESHOOT}. Missing required arguments: {{}}."
)
# Before 1.24 (switch WORKLOAD_FAILED_PLACEHOLDER) only the first missing value was named.
REQUIRED_BEFORE_1_24 = "'{}' is required. Please pass it in or set the {} environment variable"
_VARIABLES = {
    "tenant_id": ev.AZURE_TENANT_ID,
    "client_id": ev.AZURE_CLIENT_ID,
    "token_file_path": ev.AZURE_FEDERATED_TOKEN_FILE,
}
# The federated token file is re-read when it is older than this (seconds).
TOKEN_FILE_REFRESH = 600


class WorkloadIdentityCredential(GetTokenMixin, Credential):
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
        if missing and not current_profile().has(WORKLOAD_FAILED_PLACEHOLDER):
            raise ValueError(REQUIRED_BEFORE_1_24.format(missing[0], _VARIABLES[missing[0]]))
        if missing:
            raise ValueError(NOT_CONFIGURED.format(", ".join(f"'{m}'" for m in missing)))
        super().__init__(host=host)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._token_file_path = token_file_path
        self._assertion = Secret("")
        self._last_read_time = 0
        enable_proxy = bool(kwargs.pop("enable_azure_proxy", False))
        # azure-identity ignores the AKS token proxy inside DefaultAzureCredential or any chain.
        self._token_proxy = (
            token_proxy_settings(env)
            if enable_proxy and not within_dac.get() and not within_credential_chain.get()
            else None
        )
        if self._token_proxy is not None:
            kwargs["token_proxy"] = self._token_proxy
        kwargs.pop("cache", None)
        kwargs.pop("cae_cache", None)
        self._client = AadClient(
            host,
            tenant_id,
            client_id,
            authority=kwargs.pop("authority", None),
            additionally_allowed_tenants=kwargs.pop("additionally_allowed_tenants", None),
            **kwargs,
        )
        self._authority = self._client._authority

    def _service_account_token(self) -> str:
        """The federated token from the file: read on first use, re-read once 600 s have passed."""
        now = int(self.host.time())
        if now - self._last_read_time > TOKEN_FILE_REFRESH:
            text = self.host.read_text(self._token_file_path, label=f"read federated token {self._token_file_path}")
            # open(..., encoding="utf-8") in text mode: universal newlines.
            self._assertion = Secret(text.replace("\r\n", "\n").replace("\r", "\n"))
            self._last_read_time = now
        return self._assertion.reveal()

    def _acquire_token_silently(self, *scopes: str, **kwargs: Any) -> AccessToken | None:
        return self._client.get_cached_access_token(scopes, **kwargs)

    def _request_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assertion = self._service_account_token()
        return self._client.obtain_token_by_jwt_assertion(scopes, assertion, **kwargs)

    def close(self) -> None:
        self._client.close()

    def probe(self) -> Probe:
        return probe_workload_identity(
            self.host, self._token_file_path, self._client_id, self._tenant_id, self._authority
        )
