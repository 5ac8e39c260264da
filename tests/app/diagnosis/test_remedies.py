"""The remedies table: the row each failure finds, the command filled in for the request, the tool's own
"Please run …" line kept whole."""

from __future__ import annotations

import pytest

from app.diagnosis import remedies
from app.diagnosis.verdict import first_sentence

AZ_REVOKED = (
    "ERROR: AADSTS50173: The provided grant has expired due to it being revoked.\nTrace ID: x\n"
    "Interactive authentication is needed. Please run:\naz login --scope https://management.azure.com//.default\n"
)


@pytest.mark.parametrize(
    ("credential", "message", "remedy"),
    [
        ("AzureCliCredential", AZ_REVOKED, "aadsts-revoked"),
        ("SharedTokenCacheCredential", "invalid_grant AADSTS700082: expired due to inactivity", "aadsts-revoked"),
        ("AzureCliCredential", "ERROR: AADSTS50076: you must use multi-factor authentication", "aadsts-mfa"),
        ("EnvironmentCredential", "AADSTS53003: Access has been blocked by Conditional Access", "aadsts-mfa"),
        ("InteractiveBrowserCredential", "AADSTS530003: device must be managed", "aadsts-mfa"),
        ("AzureCliCredential", "AADSTS50020: User account from identity provider does not exist", "aadsts-tenant"),
        ("EnvironmentCredential", "AADSTS90002: Tenant 'x' not found", "aadsts-tenant"),
        ("EnvironmentCredential", "AADSTS700016: Application not found in the directory", "aadsts-app"),
        ("EnvironmentCredential", "AADSTS7000215: Invalid client secret provided", "aadsts-app"),
        ("EnvironmentCredential", "AADSTS7000222: The provided client secret keys are expired", "aadsts-app"),
        ("InteractiveBrowserCredential", "AADSTS65001: The user or administrator has not consented", "aadsts-consent"),
        ("InteractiveBrowserCredential", "AADSTS50011: The redirect URI does not match", "aadsts-redirect"),
        ("EnvironmentCredential", "AADSTS500011: The resource principal was not found", "aadsts-scope"),
        ("EnvironmentCredential", "AADSTS70011: The provided value for scope is not valid", "aadsts-scope"),
        ("EnvironmentCredential", "AADSTS50126: Error validating credentials", "aadsts-password"),
        ("EnvironmentCredential", "AADSTS50034: The user account does not exist", "aadsts-user"),
        ("EnvironmentCredential", "AADSTS50057: The user account is disabled", "aadsts-user"),
        ("SharedTokenCacheCredential", "AADSTS50058: A silent sign-in request was sent", "aadsts-session"),
        ("WorkloadIdentityCredential", "AADSTS700213: No matching federated identity record", "aadsts-federated"),
        ("AzureCliCredential", "Please run 'az login' to set up an account", "az-not-signed-in"),
        (
            "EnvironmentCredential",
            "The current credential is not configured to acquire tokens for tenant . To enable acquiring tokens",
            "tenant-not-allowed",
        ),
        ("AzureCliCredential", "Azure CLI not found on path", "az-missing"),
        ("AzureDeveloperCliCredential", "Please run 'azd auth login' from a command prompt", "azd-not-signed-in"),
        ("AzureDeveloperCliCredential", "Azure Developer CLI could not be found.", "azd-missing"),
        ("AzurePowerShellCredential", "Az.Account module >= 2.2.0 is not installed", "pwsh-module"),
        ("AzurePowerShellCredential", 'Please run "Connect-AzAccount" to set up account', "pwsh-not-signed-in"),
        ("AzurePowerShellCredential", "PowerShell is not installed", "pwsh-missing"),
        (
            "ManagedIdentityCredential",
            "ManagedIdentityCredential authentication unavailable. No identity has been assigned to this resource.",
            "mi-no-identity",
        ),
        (
            "ManagedIdentityCredential",
            "no response from the IMDS endpoint. (invalid_request) Identity not found",
            "mi-identity-unknown",
        ),
        (
            "ManagedIdentityCredential",
            "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.",
            "mi-unreachable",
        ),
        (
            "ManagedIdentityCredential",
            "[Errno 2] No such file or directory: '/var/opt/azcmagent/tokens/x.key'",
            "mi-arc-key",
        ),
        (
            "WorkloadIdentityCredential",
            "The workload options are not fully configured. Missing required "
            "arguments: 'tenant_id', 'token_file_path'.",
            "wi-missing",
        ),
        (
            "EnvironmentCredential",
            "EnvironmentCredential authentication unavailable. Environment variables are not fully configured.",
            "env-not-configured",
        ),
        (
            "SharedTokenCacheCredential",
            "SharedTokenCacheCredential authentication unavailable. Multiple accounts\n"
            "were found in the cache. Use username and tenant id to disambiguate.",
            "cache-several",
        ),
        (
            "VisualStudioCodeCredential",
            "VisualStudioCodeCredential requires the 'azure-identity-broker' package",
            "broker-package",
        ),
        ("BrokerCredential", "The 'azure-identity-broker' package is required", "broker-package"),
    ],
)
def test_each_failure_finds_its_own_row(credential, message, remedy):
    assert remedies.find(credential, message).id == remedy


def test_a_tool_s_own_please_run_line_becomes_the_command_whole():
    step = remedies.next_step("AzureCliCredential", AZ_REVOKED, env={}, scope="https://x/.default")
    assert step.command == "az login --scope https://management.azure.com//.default"
    assert step.text.endswith(f"See {remedies.ERROR_CODES}") and step.link == remedies.ERROR_CODES
    assert remedies.tool_command("Please run 'az login' to set up an account") == "az login"
    assert remedies.tool_command('Please run "Connect-AzAccount" to set up account') == "Connect-AzAccount"


def test_sign_in_commands_carry_the_request_s_tenant_and_scope_quoted_for_a_shell():
    az = remedies.next_step(
        "AzureCliCredential",
        "Azure CLI not found on path",
        env={},
        tenant="contoso.com",
        scope="https://vault.azure.net/.default",
    )
    assert az.command == "az login --tenant contoso.com --scope https://vault.azure.net/.default"
    azd = remedies.next_step(
        "AzureDeveloperCliCredential", "not logged in, run `azd auth login` to login", env={}, tenant="t 1", scope="s"
    )
    assert azd.command == "azd auth login --tenant-id 't 1' --scope s"
    pwsh = remedies.next_step("AzurePowerShellCredential", "Run Connect-AzAccount to login", env={}, tenant="t")
    assert pwsh.command == "Connect-AzAccount -Tenant t"
    bare = remedies.next_step("AzureCliCredential", "Please run 'az login' to set up an account", env={})
    assert bare.command == "az login"


def test_dynamic_explanations_name_what_is_missing():
    wi = remedies.next_step(
        "WorkloadIdentityCredential", "Missing required arguments: 'tenant_id', 'token_file_path'.", env={}
    )
    assert "(AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE missing)" in wi.text
    assert "azure.workload.identity/client-id" in wi.text and "azure.workload.identity/use" in wi.text
    env = remedies.next_step(
        "EnvironmentCredential", "Environment variables are not fully configured.", env={"AZURE_CLIENT_SECRET": "x"}
    )
    assert "AZURE_CLIENT_SECRET set but AZURE_CLIENT_ID and AZURE_TENANT_ID missing" in env.text
    mi = remedies.next_step("ManagedIdentityCredential", "Identity not found", env={"AZURE_CLIENT_ID": "c-1"})
    assert "user-assigned, client id c-1" in mi.text
    arc = remedies.next_step(
        "ManagedIdentityCredential", "/var/opt/azcmagent/tokens/a.key", env={}, scenario="azure-arc"
    )
    assert arc.command == "chainsight sandbox exec --isolate-network --scenario azure-arc -- chainsight run"


def test_every_row_links_to_learn_microsoft_com_and_explains_in_one_line():
    for row in (*remedies.REMEDIES, remedies.NOTHING_REMEDY, remedies.TOKEN_CREDENTIALS_REMEDY):
        assert row.link.startswith("https://learn.microsoft.com/"), row.id
        assert "\n" not in row.explanation, row.id
    assert len({row.id for row in remedies.REMEDIES}) == len(remedies.REMEDIES)


def test_an_unknown_failure_falls_back_to_the_generic_row():
    assert remedies.find("SomeNewCredential", "something odd").id == remedies.GENERIC


# A failure that stopped the chain, as each attempt now shows it: azure-identity's str(), the response body
# after "\nContent: " (issue 10, F9). The body is the server's raw text; here it also says "Please run".
REVOKED_WITH_BODY = (
    "Microsoft Entra ID error '(invalid_grant) AADSTS50173: The provided grant has expired due to it being "
    "revoked. Trace ID: x'\nContent: "
    '{"error": "invalid_grant", "error_description": "AADSTS50076: Please run az login --tenant other"}'
)


def test_a_response_body_after_content_never_picks_the_remedy_or_the_command():
    step = remedies.next_step("SharedTokenCacheCredential", REVOKED_WITH_BODY, env={})
    assert step.remedy == "aadsts-revoked"  # the message's own AADSTS50173, not the body's 50076
    assert "--tenant other" not in step.command
    assert remedies.find("SharedTokenCacheCredential", REVOKED_WITH_BODY.split("\nContent: ")[0]).id == step.remedy


def test_a_message_with_a_response_body_folds_at_its_first_sentence():
    assert first_sentence(REVOKED_WITH_BODY) == (
        "Microsoft Entra ID error '(invalid_grant) AADSTS50173: The provided grant has expired due to it being revoked."
    )
