"""A sign-in's settings, named as azure-identity names them, and the keyword arguments they become."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.constants import DEVELOPER_SIGN_ON_CLIENT_ID

DEFAULT_SCOPE = "https://management.azure.com/.default"
# The clouds azure-identity's AzureAuthorityHosts names; anything else is a custom host.
AUTHORITIES = {
    "public": "login.microsoftonline.com",
    "usgov": "login.microsoftonline.us",
    "china": "login.chinacloudapi.cn",
}
AUTHORITY_CONSTANTS = {
    "login.microsoftonline.com": "AzureAuthorityHosts.AZURE_PUBLIC_CLOUD",
    "login.microsoftonline.us": "AzureAuthorityHosts.AZURE_GOVERNMENT",
    "login.chinacloudapi.cn": "AzureAuthorityHosts.AZURE_CHINA",
}
DEFAULT_TIMEOUT = 300
BAD_TIMEOUT = "timeout must be a positive number of seconds, got {!r}"
UNENCRYPTED_NEEDS_NAME = "allow_unencrypted_storage applies to a persistent cache: give the cache a name"
SILENT_AND_DEVICE = "a silent sign-in uses only the cache; it cannot also use the device code flow"


@dataclass
class SignInOptions:
    """InteractiveBrowserCredential's (or DeviceCodeCredential's) options plus the token request."""

    client_id: str = ""  # empty: the developer sign-on app azure-identity uses
    tenant_id: str = ""
    authority: str = ""  # "public", "usgov", "china", or a host; empty: AZURE_AUTHORITY_HOST or public
    redirect_uri: str = ""
    login_hint: str = ""
    additionally_allowed_tenants: tuple[str, ...] = ()
    disable_instance_discovery: bool = False
    timeout: float = DEFAULT_TIMEOUT
    cache_name: str = ""  # empty: no persistent cache (msal's in-memory cache only)
    allow_unencrypted_storage: bool = False
    record_path: str = ""  # load an AuthenticationRecord from this file
    save_record_path: str = ""  # save the AuthenticationRecord of this sign-in here
    disable_automatic_authentication: bool = False
    scopes: tuple[str, ...] = (DEFAULT_SCOPE,)
    claims: str = ""
    enable_cae: bool = False
    device_code: bool = False
    silent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. connection_verify for a sandbox

    def problems(self) -> list[str]:
        """Usage errors, each a sentence; empty when the options can be used."""
        found = []
        if not (isinstance(self.timeout, int | float) and self.timeout > 0):
            found.append(BAD_TIMEOUT.format(self.timeout))
        if self.allow_unencrypted_storage and not self.cache_name:
            found.append(UNENCRYPTED_NEEDS_NAME)
        if self.silent and self.device_code:
            found.append(SILENT_AND_DEVICE)
        return found

    @property
    def effective_client_id(self) -> str:
        return self.client_id or DEVELOPER_SIGN_ON_CLIENT_ID

    @property
    def authority_host(self) -> str:
        return AUTHORITIES.get(self.authority.lower(), self.authority) if self.authority else ""

    def credential_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for the credential, as azure-identity spells them (defaults left out)."""
        kwargs: dict[str, Any] = {}
        for name in ("client_id", "tenant_id", "login_hint"):
            if getattr(self, name):
                kwargs[name] = getattr(self, name)
        if self.authority_host:
            kwargs["authority"] = self.authority_host
        if self.redirect_uri and not self.device_code:
            kwargs["redirect_uri"] = self.redirect_uri
        if self.additionally_allowed_tenants:
            kwargs["additionally_allowed_tenants"] = list(self.additionally_allowed_tenants)
        if self.disable_instance_discovery:
            kwargs["disable_instance_discovery"] = True
        if self.timeout != DEFAULT_TIMEOUT or self.device_code:  # DeviceCodeCredential's own default: none
            kwargs["timeout"] = self.timeout
        if self.cache_name:
            kwargs["cache_persistence_options"] = {
                "name": self.cache_name,
                "allow_unencrypted_storage": self.allow_unencrypted_storage,
            }
        if self.disable_automatic_authentication:
            kwargs["disable_automatic_authentication"] = True
        if self.device_code:
            kwargs.pop("login_hint", None)  # DeviceCodeCredential has no login_hint
        return {**kwargs, **self.extra}
