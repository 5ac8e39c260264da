"""VisualStudioCodeCredential (1.27): the VS Code Azure Resources sign-in, through the broker.

Without azure-identity-broker (the usual case off Windows) every call is unavailable and nothing is read.
With it, the extension's auth record is loaded when the credential is built, as azure-identity does, and
the broker signs in silently as that account.
"""

from __future__ import annotations

from typing import Any

from engine.account import Account
from engine.constants import VSCODE_CLIENT_ID
from engine.context import within_dac
from engine.credentials._internal import broker_process, vscode_account
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.base import Credential
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.credentials._internal.get_token_mixin import NO_SCOPES
from engine.credentials._internal.vscode_legacy import AzureAccountSignIn
from engine.credentials._internal.vscode_record import AUTH_RECORD_PATHS, load_vscode_auth_record
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import UNAVAILABLE, UNKNOWN, Probe
from engine.profiles import VSCODE_BROKER
from engine.token import AccessToken
from engine.token_request import current_api

__all__ = ["VSCODE_CLIENT_ID", "VisualStudioCodeCredential"]

NO_BROKER = (
    "VisualStudioCodeCredential requires the 'azure-identity-broker' package to be installed. "
    "You must also ensure you have the Azure Resources extension installed and have "
    "signed in to Azure via Visual Studio Code."
)
NOT_SIGNED_IN = (
    "VisualStudioCodeCredential requires the user to be signed in to Azure via Visual Studio Code. "
    "Please ensure you have the Azure Resources extension installed and have signed in."
)
BAD_RECORD = (
    "Failed to load authentication record from Visual Studio Code: "
    "{}. Please ensure you have the Azure Resources extension installed and signed in."
)
PROBE_LEGACY_TOKEN = (
    "the Azure Account extension's refresh token for {cloud} is in the OS secret store; the authority decides"
)
PROBE_NO_BROKER = "azure-identity-broker is not installed for Chainsight's Python, so azure-identity does not look"


class VisualStudioCodeCredential(Credential):
    def __init__(self, *, host: Host, tenant_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(host=host)
        self._tenant_id = tenant_id
        self._options = kwargs
        self._record: AuthenticationRecord | None = None
        self._unavailable_message = NO_BROKER
        self._legacy = not self._profile.has(VSCODE_BROKER)  # before 1.24: the Azure Account extension
        self._signin: AzureAccountSignIn | None = None
        if self._legacy:
            settings = vscode_account.legacy_settings(host, {"tenant_id": tenant_id, **kwargs})
            self._unavailable_message = settings.reason + vscode_account.TROUBLESHOOT if settings.reason else ""
            if not settings.reason:
                client_options = {k: v for k, v in kwargs.items() if k != "authority"}
                self._signin = AzureAccountSignIn(host, settings, **client_options)
        elif broker_process.installed_version() is not None:
            try:
                self._record = load_vscode_auth_record(host)
                if self._record is None:
                    self._unavailable_message = NOT_SIGNED_IN
            except ValueError as ex:
                self._unavailable_message = BAD_RECORD.format(ex)

    def _broker_kwargs(self) -> dict[str, Any]:
        assert self._record is not None
        return {
            "client_id": VSCODE_CLIENT_ID,
            "authentication_record": self._record.serialize(),
            "use_default_broker_account": True,
            "disable_interactive_fallback": True,
            "tenant_id": self._tenant_id,
            **self._options,
        }

    @logged(DECORATORS, get_token_info_too=False)
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        if self._legacy:
            return self._legacy_token(scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs)
        if self._record is None:
            raise CredentialUnavailableError(message=self._unavailable_message)
        request = {"claims": claims, "tenant_id": tenant_id, "enable_cae": enable_cae, **kwargs}
        try:
            return broker_process.broker_token(self.host, self._broker_kwargs(), scopes, request)
        except broker_process.BrokerInitError as ex:
            # azure-identity builds the broker credential in its constructor and catches only ValueError there.
            if ex.type_name != "ValueError":
                raise broker_process.BrokerProcessError(ex.type_name, str(ex)) from None
            self._record, self._unavailable_message = None, BAD_RECORD.format(ex)
            raise CredentialUnavailableError(message=self._unavailable_message) from None
        except ClientAuthenticationError as ex:
            if within_dac.get():
                raise CredentialUnavailableError(message=ex.message) from ex
            raise

    def _legacy_token(self, scopes: tuple[str, ...], **kwargs: Any) -> AccessToken:
        """1.19-1.23: the configuration's reason first, then the extension's refresh token, softened in DAC."""
        if self._signin is None:
            raise CredentialUnavailableError(message=self._unavailable_message)
        if not scopes:
            raise ValueError(NO_SCOPES.format(current_api()))
        try:
            return self._signin.get_token(*scopes, **kwargs)
        except ClientAuthenticationError as ex:
            if within_dac.get():
                raise CredentialUnavailableError(message=ex.message) from ex
            raise

    def close(self) -> None:
        if self._signin is not None:
            self._signin.close()

    def probe(self) -> Probe:
        """Broker package present? Auth record present and valid, and whose is it?"""
        started = self.host.monotonic()
        if self._legacy:
            status, reason = self._probe_legacy()
            return Probe(type(self).__name__, status, reason, None, self.host.monotonic() - started)
        record, record_note = self._probe_record()
        identity = Account(tenant_id=record.tenant_id, upn=record.username, identity_type="user") if record else None
        version = broker_process.installed_version()
        if version is None:
            status, reason = UNAVAILABLE, f"{NO_BROKER} ({PROBE_NO_BROKER}; {record_note})"
        elif record is None:
            status, reason = UNAVAILABLE, f"{self._unavailable_message} ({record_note})"
        else:
            status, reason = UNKNOWN, f"azure-identity-broker {version}; {record_note}; the broker decides the rest"
        return Probe(type(self).__name__, status, reason, identity, self.host.monotonic() - started)

    def _probe_legacy(self) -> tuple[str, str]:
        """Configured? Then is the Azure Account extension's refresh token in the OS secret store?"""
        if self._signin is None:
            return UNAVAILABLE, self._unavailable_message
        try:
            found = self.host.secret_lookup(vscode_account.SECRET_SERVICE, self._signin.cloud)
        except Exception as ex:  # a secret store that does not answer
            return UNKNOWN, f"the OS secret store could not be read: {ex}"
        if not found:
            return UNAVAILABLE, vscode_account.FAILED_TO_GET_DETAILS
        return UNKNOWN, PROBE_LEGACY_TOKEN.format(cloud=self._signin.cloud)

    def _probe_record(self) -> tuple[AuthenticationRecord | None, str]:
        try:
            record = load_vscode_auth_record(self.host)
        except Exception as ex:
            return None, f"the auth record is unusable: {ex}"
        if record is None:
            return None, "no auth record at " + " or ".join(str(self.host.expand_user(p)) for p in AUTH_RECORD_PATHS)
        return record, f"auth record for {record.username} in tenant {record.tenant_id}"
