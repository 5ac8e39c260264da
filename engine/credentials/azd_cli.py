"""AzureDeveloperCliCredential: ``azd auth token``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.credentials._internal.cli_output import extract_azd_error, parse_azd_token, sanitize_azd
from engine.credentials._internal.decorators import DECORATORS, logged
from engine.credentials._internal.developer_tools import (
    DeveloperToolCredential,
    ToolOutput,
    encode_base64,
    is_windows,
    shell_command,
    softened,
)
from engine.credentials._internal.tool_probes import probe_azd
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.probe import Probe
from engine.profiles import (
    AZD_CLAIMS,
    AZD_NO_PROMPT,
    AZD_STDOUT_CLASSIFIED,
    AZD_STRUCTURED_ERRORS,
    TOOLS_SPAWNED_DIRECTLY,
)
from engine.token import AccessToken
from engine.token_request import forwarded

LOGGER = "azure.identity._credentials.azd_cli"
EXECUTABLE_NAME = "azd"
COMMAND_LINE = ["auth", "token", "--output", "json", "--no-prompt"]

# "then,once" (no space) is azure-identity's text.
CLI_NOT_FOUND = (
    "Azure Developer CLI could not be found. "
    "Please visit https://aka.ms/azure-dev for installation instructions and then,"
    "once installed, authenticate to your Azure account using 'azd auth login'."
)
NOT_LOGGED_IN = "Please run 'azd auth login' from a command prompt to authenticate before using this credential."
NOT_LOGGED_IN_MARKER = "not logged in, run `azd auth login` to login"
UNKNOWN_CLAIMS_FLAG = (
    "Claims challenges are not supported by the Azure Developer CLI version you are using. "
    "Please update to version 1.18.1 or later."
)
MISSING_SCOPE = "Missing scope in request. \n"
FAILED_TO_INVOKE = "Failed to invoke Azure Developer CLI"
FAILED_TO_INVOKE_THE_CLI = "Failed to invoke the Azure Developer CLI"
NO_SYSTEMROOT = "Azure Developer CLI credential expects a 'SystemRoot' environment variable"
UNEXPECTED_OUTPUT = (
    "Unexpected output from Azure Developer CLI: '{}'. \n"
    "To mitigate this issue, please refer to the troubleshooting guidelines here at "
    "https://aka.ms/azsdk/python/identity/azdevclicredential/troubleshoot."
)


class AzureDeveloperCliCredential(DeveloperToolCredential):
    @logged(DECORATORS)
    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token from the signed-in azd; several scopes are allowed, claims are passed on (1.25+)."""
        if not scopes:
            raise ValueError(MISSING_SCOPE)
        tenant_id = forwarded(tenant_id)  # get_token drops empty values, get_token_info keeps them
        claims = forwarded(claims)
        self._validate_request(tenant_id, scopes)

        profile = self._profile
        command_args = list(COMMAND_LINE if profile.has(AZD_NO_PROMPT) else COMMAND_LINE[:-1])
        for scope in scopes:
            command_args += ["--scope", scope]
        tenant = self._tenant_for(tenant_id)
        if tenant:
            command_args += ["--tenant-id", tenant]
        if claims and profile.has(AZD_CLAIMS):
            command_args += ["--claims", encode_base64(claims)]
        output = self._run(command_args)

        parsed = parse_azd_token(output)
        if not parsed:
            message = self._extract(output) or UNEXPECTED_OUTPUT.format(sanitize_azd(output))
            raise softened(message)
        token, expires_on = parsed
        return AccessToken(token, expires_on)

    def probe(self) -> Probe:
        """Is the tool on PATH, and who is signed in to it (from its files; nothing is run)."""
        return probe_azd(self.host, type(self).__name__, tenant_id=self.tenant_id)

    def _run(self, command_args: list[str]) -> str:
        azd_path = self.host.which(EXECUTABLE_NAME)
        if not azd_path:
            raise CredentialUnavailableError(message=CLI_NOT_FOUND)
        if self._profile.has(TOOLS_SPAWNED_DIRECTLY):
            argv = [azd_path, *command_args]
        else:
            argv = shell_command(EXECUTABLE_NAME, command_args, windows=is_windows(self.host))
        return self._invoke(
            argv,
            color_off="NO_COLOR",
            logger=LOGGER,
            label="azd auth token",
            no_systemroot=NO_SYSTEMROOT,
            failed_to_invoke=FAILED_TO_INVOKE_THE_CLI,
            classify=self._classify,
        )

    def _extract(self, output: str) -> str | None:
        if self._profile.has(AZD_STRUCTURED_ERRORS):
            return extract_azd_error(output)
        if self._profile.has(AZD_STDOUT_CLASSIFIED):
            return extract_azd_message_1_25(output)
        return None

    def _classify(self, result: ToolOutput) -> ClientAuthenticationError:
        if self._profile.has(AZD_STDOUT_CLASSIFIED):
            return classify_failure(result, self._extract)
        return classify_failure_before_1_25(result)


def classify_failure(
    result: ToolOutput, extract: Callable[[str], str | None] = extract_azd_error
) -> ClientAuthenticationError:
    """The error for a non-zero ``azd`` exit, as azure-identity classifies it."""
    stdout, stderr = result.stdout, result.stderr
    if result.returncode == 127 or stderr.startswith("'azd' is not recognized"):
        return CredentialUnavailableError(message=CLI_NOT_FOUND)
    combined = f"{stdout}\n{stderr}"
    if NOT_LOGGED_IN_MARKER in combined and "AADSTS" not in combined:
        return CredentialUnavailableError(message=NOT_LOGGED_IN)
    if "unknown flag: --claims" in combined:
        return CredentialUnavailableError(message=UNKNOWN_CLAIMS_FLAG)
    message = extract(stdout) or extract(stderr) or (sanitize_azd(stderr) if stderr else FAILED_TO_INVOKE)
    return softened(message)


def classify_failure_before_1_25(result: ToolOutput) -> ClientAuthenticationError:
    """Before 1.25: only stderr is read, and shown whole (masked); "not logged in" on stdout is a failure."""
    stderr = result.stderr
    if result.returncode == 127 or stderr.startswith("'azd' is not recognized"):
        return CredentialUnavailableError(message=CLI_NOT_FOUND)
    if NOT_LOGGED_IN_MARKER in stderr and "AADSTS" not in stderr:
        return CredentialUnavailableError(message=NOT_LOGGED_IN)
    return softened(sanitize_azd(stderr) if stderr else FAILED_TO_INVOKE)


def extract_azd_message_1_25(output: str) -> str | None:
    """1.25 and 1.26's pick from azd's JSON lines: one naming a suggestion, else the last, masked."""
    messages: list[str] = []
    for line in output.splitlines():
        try:
            obj = json.loads(line.strip()) if line.strip() else None
        except json.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        data = obj.get("data")
        for msg in (data.get("message") if isinstance(data, dict) else None, obj.get("message")):
            if isinstance(msg, str) and msg.strip():
                messages.append(msg.strip())
                break
    if not messages:
        return None
    suggestion = next((m for m in messages if "suggestion" in m.lower()), None)
    return sanitize_azd(suggestion or messages[-1])
