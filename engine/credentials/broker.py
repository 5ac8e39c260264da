"""BrokerCredential: DefaultAzureCredential's silent wrapper around the OS broker (WAM).

It works only where azure-identity-broker is installed and the host is Windows or WSL; everywhere else
every call is unavailable, with the reason azure-identity gives. Runtime broker errors are not softened.
"""

from __future__ import annotations

from typing import Any

from engine.credentials._internal import broker_process
from engine.credentials._internal.base import Credential
from engine.credentials._internal.broker_process import INIT_FAILED
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.probe import UNAVAILABLE, UNKNOWN, Probe
from engine.token import AccessToken

NO_PACKAGE = (
    "InteractiveBrowserBrokerCredential unavailable. "
    "The 'azure-identity-broker' package is required to use brokered authentication."
)
WRONG_PLATFORM = (
    "InteractiveBrowserBrokerCredential unavailable. "
    "Brokered authentication is only supported on Windows and WSL platforms."
)
PROBE_NO_PACKAGE = "azure-identity-broker is not installed for Chainsight's Python (your app's environment may differ)"
PROBE_READY = (
    "azure-identity-broker {version} on {platform}: a silent sign-in with the default broker account "
    "is tried; whether one is signed in only the broker can tell"
)


def broker_supported_platform(host: Host) -> bool:
    """Windows, or Linux under WSL (MSAL's test: "microsoft" in the kernel release)."""
    return host.sys_platform.startswith("win") or host.is_wsl


class BrokerCredential(Credential):
    def __init__(
        self, *, host: Host, tenant_id: str | None = None, client_id: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(host=host)
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._options = kwargs
        self._version = broker_process.installed_version()
        if self._version is None:
            self._unavailable_message: str | None = NO_PACKAGE
        elif not broker_supported_platform(host):
            self._unavailable_message = WRONG_PLATFORM
        else:
            self._unavailable_message = None

    def _broker_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "tenant_id": self._tenant_id,
            "use_default_broker_account": True,
            "disable_interactive_fallback": True,
            **self._options,
        }
        if self._client_id:
            kwargs["client_id"] = self._client_id
        return kwargs

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        if self._unavailable_message is not None:
            raise CredentialUnavailableError(message=self._unavailable_message)
        request = {"claims": claims, "tenant_id": tenant_id, "enable_cae": enable_cae, **kwargs}
        try:
            return broker_process.broker_token(self.host, self._broker_kwargs(), scopes, request)
        except broker_process.BrokerInitError as ex:
            # azure-identity builds the broker credential up front and stays unavailable if that fails.
            self._unavailable_message = INIT_FAILED.format(ex)
            raise CredentialUnavailableError(message=self._unavailable_message) from None

    def probe(self) -> Probe:
        started = self.host.monotonic()
        if self._version is None:
            status, reason = UNAVAILABLE, f"{PROBE_NO_PACKAGE}: {NO_PACKAGE}"
        elif not broker_supported_platform(self.host):
            status, reason = UNAVAILABLE, WRONG_PLATFORM
        elif self._unavailable_message:
            status, reason = UNAVAILABLE, self._unavailable_message
        else:
            platform = "WSL" if self.host.is_wsl else "Windows"
            status, reason = UNKNOWN, PROBE_READY.format(version=self._version, platform=platform)
        return Probe(type(self).__name__, status, reason, None, self.host.monotonic() - started)
