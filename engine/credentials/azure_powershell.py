"""AzurePowerShellCredential: ``Get-AzAccessToken`` through ``pwsh -EncodedCommand``."""

from __future__ import annotations

import logging
from typing import Any

from engine import events
from engine.credentials._internal.cli_output import parse_pwsh_token
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.credentials._internal.developer_tools import (
    NO_SYSTEMROOT,
    DeveloperToolCredential,
    ToolOutput,
    encode_base64,
    is_windows,
    run_tool,
    safe_working_dir,
    single_resource,
    softened,
)
from engine.credentials._internal.powershell_script import NO_AZ_ACCOUNT_MODULE, command_line, with_windows_powershell
from engine.credentials._internal.tool_probes import probe_powershell
from engine.errors import CredentialUnavailableError
from engine.probe import Probe
from engine.profiles import CLAIMS_REFUSED_BY_CLI, PWSH_SCRIPT_SECURESTRING_BY_TYPE
from engine.token import AccessToken
from engine.token_request import forwarded

LOGGER = "azure.identity._credentials.azure_powershell"

AZ_ACCOUNT_NOT_INSTALLED = "Az.Account module >= 2.2.0 is not installed"
BLOCKED_BY_EXECUTION_POLICY = "Execution policy prevented invoking Azure PowerShell"
POWERSHELL_NOT_INSTALLED = "PowerShell is not installed"
RUN_CONNECT_AZ_ACCOUNT = 'Please run "Connect-AzAccount" to set up account'
FAILED_TO_INVOKE = "Failed to invoke PowerShell. Enable debug logging for additional information."
FAILED_TO_START = (
    "Failed to invoke PowerShell.\n"
    "To mitigate this issue, please refer to the troubleshooting guidelines here at "
    "https://aka.ms/azsdk/python/identity/powershellcredential/troubleshoot."
)
UNEXPECTED_OUTPUT = 'Unexpected output from Get-AzAccessToken: "{}"'
STDERR_LOGGED = '{} received an error from Azure PowerShell: "{}"'
CLAIMS_UNSUPPORTED = (
    "This credential doesn't support claims challenges. To authenticate with the required "
    "claims, please run the following command (requires Az.Accounts module version 5.2.0 or later): "
    "Connect-AzAccount -ClaimsChallenge {claims_value}"
)


class AzurePowerShellCredential(DeveloperToolCredential):
    @logged(DECORATORS)
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token from Az.Accounts' signed-in context; every process failure is "unavailable"."""
        tenant_id = forwarded(tenant_id)  # get_token drops an empty tenant, get_token_info keeps it
        if claims and self._profile.has(CLAIMS_REFUSED_BY_CLI):  # before 1.25 claims were ignored
            message = CLAIMS_UNSUPPORTED.format(claims_value=encode_base64(claims))
            if tenant_id:
                message += f" -Tenant {tenant_id}"
            raise CredentialUnavailableError(message=message)
        self._validate_request(tenant_id, scopes)

        tenant = self._tenant_for(tenant_id)
        by_type = self._profile.has(PWSH_SCRIPT_SECURESTRING_BY_TYPE)
        argv = command_line(single_resource(scopes), tenant, windows=is_windows(self.host), by_type=by_type)
        output = self._run(argv)

        parsed = parse_pwsh_token(output)
        if parsed is None:
            # Unmasked, as azure-identity shows it: a token would have been an azsdk% line and parsed.
            message = UNEXPECTED_OUTPUT.format(output)
            raise softened(message)
        token, expires_on = parsed
        return AccessToken(token, expires_on)

    def probe(self) -> Probe:
        """Is the tool on PATH, and who is signed in to it (from its files; nothing is run)."""
        return probe_powershell(self.host, type(self).__name__, tenant_id=self.tenant_id)

    def _run(self, argv: list[str]) -> str:
        try:
            result = self._spawn(argv)
            # cmd's "not recognized" (exit 9009): PowerShell 7 is missing, so try Windows PowerShell once.
            if is_windows(self.host) and ("' is not recognized" in result.stderr or result.returncode == 9009):
                result = self._spawn(with_windows_powershell(argv))
        except Exception as ex:  # no shell, a timeout (the process is killed), undecodable output
            raise CredentialUnavailableError(message=FAILED_TO_START) from ex
        raise_for_error(result)
        return result.stdout

    def _spawn(self, argv: list[str]) -> ToolOutput:
        cwd = safe_working_dir(self.host, NO_SYSTEMROOT)
        return run_tool(
            self.host, argv, env=self.host.env, cwd=cwd, timeout=self._process_timeout, label="pwsh Get-AzAccessToken"
        )


def raise_for_error(result: ToolOutput) -> None:
    """Raise the (always unavailable) error azure-identity gives for the script's exit and streams."""
    if result.returncode == 0:
        if NO_AZ_ACCOUNT_MODULE in result.stdout:
            raise CredentialUnavailableError(AZ_ACCOUNT_NOT_INSTALLED)
        return
    stderr = result.stderr
    if result.returncode == 127 or "' is not recognized" in stderr:
        raise CredentialUnavailableError(message=POWERSHELL_NOT_INSTALLED)
    if "Run Connect-AzAccount to login" in stderr:
        raise CredentialUnavailableError(message=RUN_CONNECT_AZ_ACCOUNT)
    if "AuthorizationManager check failed" in stderr:
        raise CredentialUnavailableError(message=BLOCKED_BY_EXECUTION_POLICY)
    if stderr:
        # Too noisy for the message, but azure-identity keeps it for whoever enables DEBUG.
        events.log(LOGGER, logging.DEBUG, STDERR_LOGGED.format(AzurePowerShellCredential.__name__, stderr))
    raise CredentialUnavailableError(message=FAILED_TO_INVOKE)
