"""The AKS identity-binding token proxy WorkloadIdentityCredential can send its token request through.

With ``enable_azure_proxy=True`` (outside any chain) and ``AZURE_KUBERNETES_TOKEN_PROXY`` set, the
token POST goes to the proxy instead of the authority (the authority's path appended to the
proxy's), over TLS with an optional SNI name and a CA from ``AZURE_KUBERNETES_CA_FILE`` or
``AZURE_KUBERNETES_CA_DATA``.
"""

from __future__ import annotations

import ssl
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from requests.adapters import HTTPAdapter

TOKEN_PROXY = "AZURE_KUBERNETES_TOKEN_PROXY"
SNI_NAME = "AZURE_KUBERNETES_SNI_NAME"
CA_FILE = "AZURE_KUBERNETES_CA_FILE"
CA_DATA = "AZURE_KUBERNETES_CA_DATA"

CA_DATA_FILE_ERROR = "Both AZURE_KUBERNETES_CA_FILE and AZURE_KUBERNETES_CA_DATA are set. Only one should be set."
CUSTOM_PROXY_ENV_ERROR = (
    "AZURE_KUBERNETES_TOKEN_PROXY is not set but other custom endpoint-related environment variables are present."
)
NOT_HTTPS = "Endpoint URL ({}) must use the 'https' scheme. Got '{}' instead."
HAS_CREDENTIALS = "Endpoint URL ({}) must not contain username or password."
HAS_FRAGMENT = "Endpoint URL ({}) must not contain a fragment."
HAS_QUERY = "Endpoint URL ({}) must not contain query parameters."
EMPTY_CA_FILE = "CA file ({}) is empty. Cannot establish secure connection."
UNREADABLE_CA_FILE = "Failed to read CA file ({}): {}"


@dataclass(frozen=True)
class TokenProxy:
    endpoint: str
    sni: str | None
    ca_data: str | None

    def rewrite(self, url: str) -> str:
        """The proxy URL for ``url``: the proxy's origin, its path with the request's path appended."""
        request, proxy = urllib.parse.urlparse(url), urllib.parse.urlparse(self.endpoint)
        proxy_path = proxy.path.rstrip("/")
        same_origin = (request.scheme, request.hostname, request.port or 443) == (
            proxy.scheme,
            proxy.hostname,
            proxy.port or 443,
        )
        if same_origin and (request.path == proxy_path or request.path.startswith(proxy_path + "/")):
            return url
        path = proxy_path + "/" + request.path.lstrip("/")
        return urllib.parse.urlunparse(
            (proxy.scheme, proxy.netloc, path, request.params, request.query, request.fragment)
        )

    def adapter(self) -> HTTPAdapter:
        return _SNIAdapter(self.sni, self.ca_data)


class _SNIAdapter(HTTPAdapter):
    def __init__(self, server_hostname: str | None, ca_data: str | None, **kwargs: Any) -> None:
        self.server_hostname = server_hostname
        self.ca_data = ca_data
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):  # type: ignore[override]
        if self.server_hostname:
            pool_kwargs["server_hostname"] = self.server_hostname
        pool_kwargs["ssl_context"] = ssl.create_default_context(cadata=self.ca_data)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def _validate(url: str) -> None:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "https":
        raise ValueError(NOT_HTTPS.format(url, parsed.scheme))
    if parsed.username or parsed.password:
        raise ValueError(HAS_CREDENTIALS.format(url))
    if parsed.fragment:
        raise ValueError(HAS_FRAGMENT.format(url))
    if parsed.query:
        raise ValueError(HAS_QUERY.format(url))


def token_proxy_settings(env: Mapping[str, str]) -> TokenProxy | None:
    """The proxy the environment configures, with azure-identity's checks; None when there is none."""
    endpoint, sni, ca_file, ca_data = (env.get(n) for n in (TOKEN_PROXY, SNI_NAME, CA_FILE, CA_DATA))
    if not endpoint:
        if sni or ca_file or ca_data:
            raise ValueError(CUSTOM_PROXY_ENV_ERROR)
        return None
    if ca_file and ca_data:
        raise ValueError(CA_DATA_FILE_ERROR)
    _validate(endpoint)
    if ca_file:
        try:
            content = Path(ca_file).read_text(encoding="utf-8")
        except OSError as ex:
            raise ValueError(UNREADABLE_CA_FILE.format(ca_file, ex)) from ex
        if not content:
            raise ValueError(EMPTY_CA_FILE.format(ca_file))
        ca_data = content
    return TokenProxy(endpoint, sni, ca_data)
