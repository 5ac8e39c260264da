"""SharedTokenCacheCredential: accounts in the MSAL cache shared by Microsoft developer tools."""

from __future__ import annotations

from typing import Any

from engine.credentials.base import Credential
from engine.host import Host
from engine.validation import default_authority, normalize_authority

SUPPORTED_SYSTEMS = ("Darwin", "Linux", "Windows")


def supported(host: Host) -> bool:
    """The shared cache exists on Windows, macOS and Linux (whatever the docstring says)."""
    return host.system in SUPPORTED_SYSTEMS


class SharedTokenCacheCredential(Credential):
    def __init__(self, username: str | None = None, *, host: Host, **kwargs: Any) -> None:
        super().__init__(host=host)
        authority = kwargs.pop("authority", None)
        self._authority = normalize_authority(authority) if authority else default_authority(host.env)
        self._username = username
        self._tenant_id = kwargs.pop("tenant_id", None)
        self._authentication_record = kwargs.pop("authentication_record", None)
        self._options = kwargs
