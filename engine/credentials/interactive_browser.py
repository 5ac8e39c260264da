"""InteractiveBrowserCredential: sign in through the system browser (auth code + PKCE, localhost)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from engine.credentials.base import Credential
from engine.host import Host
from engine.validation import default_authority, normalize_authority, validate_tenant_id

DEVELOPER_SIGN_ON_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
DEFAULT_TENANT = "organizations"
DEFAULT_TIMEOUT = 300
BAD_REDIRECT_URI = '"redirect_uri" must be a URL with port number, for example "http://localhost:8400"'


class InteractiveBrowserCredential(Credential):
    def __init__(self, *, host: Host, **kwargs: Any) -> None:
        redirect_uri = kwargs.pop("redirect_uri", None)
        if redirect_uri:
            parts = urlsplit(redirect_uri)
            if not (parts.hostname and parts.port):
                raise ValueError(BAD_REDIRECT_URI)
        tenant_id = kwargs.pop("tenant_id", None) or DEFAULT_TENANT
        validate_tenant_id(tenant_id)
        super().__init__(host=host)
        authority = kwargs.pop("authority", None)
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        self._tenant_id = tenant_id
        self._client_id = kwargs.pop("client_id", None) or DEVELOPER_SIGN_ON_CLIENT_ID
        self._redirect_uri = redirect_uri
        self._login_hint = kwargs.pop("login_hint", None)
        self._timeout = kwargs.pop("timeout", DEFAULT_TIMEOUT)
        self._disable_automatic_authentication = kwargs.pop("disable_automatic_authentication", False)
        self._options = kwargs
