"""AzureCliCredential: ``az account get-access-token``."""

from __future__ import annotations

from typing import Any

from engine.constants import DEFAULT_PROCESS_TIMEOUT
from engine.credentials._internal.cli_output import parse_az_token, sanitize_az
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.credentials._internal.developer_tools import (
    NO_SYSTEMROOT,
    DeveloperToolCredential,
    ToolOutput,
    encode_base64,
    is_windows,
    shell_command,
    single_resource,
    softened,
)
from engine.credentials._internal.tool_probes import probe_azure_cli
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import Probe
from engine.profiles import (
    AZ_CMD_ON_WINDOWS,
    CLAIMS_REFUSED_BY_CLI,
    CLI_SUBSCRIPTION,
    TOOLS_SPAWNED_DIRECTLY,
    current_profile,
)
from engine.token import AccessToken
from engine.token_request import forwarded
from engine.validation import validate_subscription, validate_tenant_id

LOGGER = "azure.identity._credentials.azure_cli"
EXECUTABLE_NAME = "az"
COMMAND_LINE = ["account", "get-access-token", "--output", "json"]

CLI_NOT_FOUND = "Azure CLI not found on path"
NOT_LOGGED_IN = "Please run 'az login' to set up an account"
FAILED_TO_INVOKE = "Failed to invoke Azure CLI"
FAILED_TO_INVOKE_THE_CLI = "Failed to invoke the Azure CLI"
CLAIMS_UNSUPPORTED = (
    "This credential doesn't support claims challenges. To authenticate with the required "
    "claims, please run the following command (requires Azure CLI version 2.76.0 or later): "
    "az login --claims-challenge {claims_value}"
)
UNEXPECTED_KEYWORD = "AzureCliCredential.__init__() got an unexpected keyword argument '{}'"
UNEXPECTED_OUTPUT = (
    "Unexpected output from Azure CLI: '{}'. \n"
    "To mitigate this issue, please refer to the troubleshooting guidelines here at "
    "https://aka.ms/azsdk/python/identity/azclicredential/troubleshoot."
)


class AzureCliCredential(DeveloperToolCredential):
    def __init__(
        self,
        *,
        host: Host,
        tenant_id: str = "",
        subscription: str | None = None,
        additionally_allowed_tenants: list[str] | None = None,
        process_timeout: int = DEFAULT_PROCESS_TIMEOUT,
        **unexpected: Any,
    ) -> None:
        if subscription is not None and not current_profile().has(CLI_SUBSCRIPTION):
            unexpected = {"subscription": subscription, **unexpected}
        if unexpected:  # Python's own text for an unknown keyword, as the release's signature raises it
            raise TypeError(UNEXPECTED_KEYWORD.format(next(iter(unexpected))))
        if tenant_id:
            validate_tenant_id(tenant_id)  # before the subscription, as azure-identity checks them
        if subscription:
            validate_subscription(subscription)
        super().__init__(
            host=host,
            tenant_id=tenant_id,
            additionally_allowed_tenants=additionally_allowed_tenants,
            process_timeout=process_timeout,
        )
        self.subscription = subscription

    @logged(DECORATORS)
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token from the signed-in Azure CLI; never cached, every call runs ``az``."""
        tenant_id = forwarded(tenant_id)  # get_token drops an empty tenant, get_token_info keeps it
        if claims and self._profile.has(CLAIMS_REFUSED_BY_CLI):  # before 1.25 claims were ignored
            message = CLAIMS_UNSUPPORTED.format(claims_value=encode_base64(claims))
            if tenant_id:
                message += f" --tenant {tenant_id}"
            if scopes:
                message += f" --scope {scopes[0]}"
            raise CredentialUnavailableError(message=message)
        self._validate_request(tenant_id, scopes)

        command_args = [*COMMAND_LINE, "--resource", single_resource(scopes)]
        tenant = self._tenant_for(tenant_id)
        if tenant:
            command_args += ["--tenant", tenant]
        if self.subscription:
            command_args += ["--subscription", self.subscription]
        output = self._run(command_args)

        parsed = parse_az_token(output)
        if not parsed:
            message = UNEXPECTED_OUTPUT.format(sanitize_az(output))
            raise softened(message)
        token, expires_on = parsed
        return AccessToken(token, expires_on)

    def probe(self) -> Probe:
        """Is the tool on PATH, and who is signed in to it (from its files; nothing is run)."""
        return probe_azure_cli(self.host, type(self).__name__, tenant_id=self.tenant_id, subscription=self.subscription)

    def _executable(self) -> str | None:
        # On Windows az is a batch file, az.cmd; plain "az" is the fallback azure-identity keeps (1.23.1+).
        if is_windows(self.host) and self._profile.has(AZ_CMD_ON_WINDOWS):
            return self.host.which(EXECUTABLE_NAME + ".cmd") or self.host.which(EXECUTABLE_NAME)
        return self.host.which(EXECUTABLE_NAME)

    def _run(self, command_args: list[str]) -> str:
        az_path = self._executable()
        if not az_path:
            raise CredentialUnavailableError(message=CLI_NOT_FOUND)
        if self._profile.has(TOOLS_SPAWNED_DIRECTLY):
            argv = [az_path, *command_args]
        else:
            argv = shell_command(EXECUTABLE_NAME, command_args, windows=is_windows(self.host))
        return self._invoke(
            argv,
            color_off="AZURE_CORE_NO_COLOR",
            logger=LOGGER,
            label="az account get-access-token",
            no_systemroot=NO_SYSTEMROOT,
            failed_to_invoke=FAILED_TO_INVOKE_THE_CLI,
            classify=classify_failure,
        )


def classify_failure(result: ToolOutput) -> ClientAuthenticationError:
    """The error for a non-zero ``az`` exit, as azure-identity classifies it."""
    stderr = result.stderr
    if result.returncode == 127 or stderr.startswith("'az' is not recognized"):
        return CredentialUnavailableError(message=CLI_NOT_FOUND)
    if ("az login" in stderr or "az account set" in stderr) and "AADSTS" not in stderr:
        return CredentialUnavailableError(message=NOT_LOGGED_IN)
    message = sanitize_az(stderr) if stderr else FAILED_TO_INVOKE
    return softened(message)
