"""Service Fabric: an https endpoint whose certificate is pinned by ``IDENTITY_SERVER_THUMBPRINT``.

msal sends this request outside azure-core's pipeline, on a session derived from the transport's:
no retries, no timeout, requests' own query encoding, and an adapter that accepts the server only
if the SHA-1 of its certificate equals the thumbprint (no CA check; forwarding proxies refused).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
from typing import Any
from urllib.parse import urlparse

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.util.retry import Retry

from engine.credentials._internal.managed_identity_sources.identity import ManagedIdentityError
from engine.host import Host

API_VERSION = "2019-07-01-preview"
NOT_HTTPS = "Service Fabric managed identity endpoint must use HTTPS."
BAD_THUMBPRINT = "IDENTITY_SERVER_THUMBPRINT must be a SHA-1 certificate thumbprint."
THUMBPRINT_MISMATCH = "Service Fabric endpoint certificate thumbprint does not match IDENTITY_SERVER_THUMBPRINT."
FORWARDING_PROXY = "Cannot validate the Service Fabric endpoint certificate through a forwarding proxy."
# Service Fabric error codes, mapped to OAuth errors as msal maps them.
ERROR_CODES = {
    "SecretHeaderNotFound": "unauthorized_client",
    "ManagedIdentityNotFound": "invalid_client",
    "ArgumentNullOrEmpty": "invalid_scope",
}


def normalize_thumbprint(thumbprint: str) -> str:
    normalized = "".join(c for c in str(thumbprint) if c not in " \t\r\n:")
    if len(normalized) != 40 or any(c not in "0123456789abcdefABCDEF" for c in normalized):
        raise ManagedIdentityError(BAD_THUMBPRINT)
    return normalized.lower()


class _PinnedConnection(HTTPSConnection):
    pinned_thumbprint = ""

    def connect(self) -> None:
        super().connect()
        if getattr(self, "proxy_is_forwarding", False):
            self.close()
            raise ssl.SSLCertVerificationError(FORWARDING_PROXY)
        certificate = self.sock.getpeercert(binary_form=True)
        if not hmac.compare_digest(hashlib.sha1(certificate).hexdigest(), self.pinned_thumbprint):
            self.close()
            raise ssl.SSLCertVerificationError(THUMBPRINT_MISMATCH)
        self.is_verified = True


class PinnedAdapter(HTTPAdapter):
    """Accept the server whose certificate has this SHA-1 thumbprint, and no other."""

    def __init__(self, thumbprint: str, **kwargs: Any) -> None:
        connection = type("_Pinned", (_PinnedConnection,), {"pinned_thumbprint": thumbprint})
        self._pool_class = type("_PinnedPool", (HTTPSConnectionPool,), {"ConnectionCls": connection})
        super().__init__(**kwargs)

    def _configure(self, manager: Any) -> None:
        manager.pool_classes_by_scheme = {**manager.pool_classes_by_scheme, "https": self._pool_class}

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):  # type: ignore[override]
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self._configure(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # type: ignore[override]
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        self._configure(manager)
        return manager

    def cert_verify(self, conn, url, verify, cert):  # type: ignore[override]
        super().cert_verify(conn, url, verify=False, cert=cert)


def obtain_token_on_service_fabric(
    host: Host,
    endpoint: str,
    identity_header: str,
    server_thumbprint: str,
    resource: str,
    *,
    access_token_sha256_to_refresh: str | None = None,
    client_capabilities: list[str] | None = None,
) -> dict:
    parsed = urlparse(endpoint)
    if parsed.scheme.lower() != "https" or not parsed.hostname:
        raise ManagedIdentityError(NOT_HTTPS)
    session = host.session()
    # msal copies the transport adapter's retry setting: azure-core's "no urllib3 retries".
    no_retries = Retry(total=False, redirect=False, raise_on_status=False)
    session.mount("https://", PinnedAdapter(normalize_thumbprint(server_thumbprint), max_retries=no_retries))
    params = {
        "api-version": API_VERSION,
        "resource": resource,
        "token_sha256_to_refresh": access_token_sha256_to_refresh,
        "xms_cc": ",".join(client_capabilities) if client_capabilities else None,
    }
    try:
        response = session.get(
            endpoint, params={k: v for k, v in params.items() if v is not None}, headers={"Secret": identity_header}
        )
    finally:
        session.close()
    payload = json.loads(response.text)
    if payload.get("access_token") and payload.get("expires_on"):
        return {
            "access_token": payload["access_token"],
            "expires_in": int(payload["expires_on"]) - int(host.time()),
            "resource": payload.get("resource"),
            "token_type": payload["token_type"],
        }
    error = payload.get("error", {})
    return {"error": ERROR_CODES.get(error.get("code"), "invalid_request"), "error_description": response.text}
