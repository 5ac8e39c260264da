"""The developer-tool credentials together, in chains, against azure-identity 1.27.0.

Per-tool output tables live in test_azure_cli_oracle.py, test_azd_cli_oracle.py and
test_azure_powershell_oracle.py; this file covers what only shows when they meet: a plain chain stops at
a hard failure, DefaultAzureCredential's first walk softens it and moves on, its lock-in hardens it again.
"""

from __future__ import annotations

import json

import pytest

from engine.chain import ChainedTokenCredential
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.default import DefaultAzureCredential as EngineDAC
from tests.doubles.chain import make_jwt
from tests.doubles.fake_tools import FakeTool, Reply, tool_path
from tests.oracle.developer_tools_harness import assert_same, host_now, run_ours, run_real
from tests.system import require_oracle

azure_identity = require_oracle()

SCOPE = "https://management.azure.com/.default"
TOKEN = make_jwt({"appid": "app", "tid": "tenant-1", "upn": "dev@contoso.com", "oid": "oid-1"})
AZ_OK = Reply(json.dumps({"accessToken": TOKEN, "expires_on": 1767225600}))
AZD_OK = Reply(json.dumps({"token": TOKEN, "expiresOn": "2026-01-01T00:00:00Z"}))
AZ_BROKEN = Reply(stderr="ERROR: something broke\n", code=1)
AZ_SIGNED_OUT = Reply(stderr="ERROR: Please run 'az login' to setup account.\n", code=1)


@pytest.fixture
def tools(tmp_path, monkeypatch):
    def install(**replies: list[Reply]) -> dict[str, FakeTool]:
        made = {name: FakeTool(tmp_path, name, *reply_list) for name, reply_list in replies.items()}
        monkeypatch.setenv("PATH", tool_path(*made.values()))
        return made

    return install


@pytest.mark.parametrize(
    ("az_replies", "azd_replies"),
    [
        ([AZ_SIGNED_OUT], [AZD_OK]),
        ([AZ_BROKEN], [AZD_OK]),
        ([AZ_OK], [AZD_OK]),
        ([AZ_SIGNED_OUT], [Reply(stderr="ERROR: not logged in, run `azd auth login` to login\n", code=1)]),
    ],
    ids=["signed-out-az-continues", "broken-az-stops", "az-wins", "both-unavailable"],
)
def test_plain_chain_of_az_then_azd_matches_azure_identity(tools, az_replies, azd_replies):
    installed = tools(az=az_replies, azd=azd_replies)
    real_chain = azure_identity.ChainedTokenCredential(
        azure_identity.AzureCliCredential(), azure_identity.AzureDeveloperCliCredential()
    )
    real = run_real(lambda: real_chain.get_token(SCOPE))
    real_calls = {name: tool.calls() for name, tool in installed.items()}
    for tool in installed.values():
        tool.reset_calls()
    host = host_now()
    our_chain = ChainedTokenCredential(AzureCliCredential(host=host), AzureDeveloperCliCredential(host=host))
    ours = run_ours(lambda: our_chain.get_token(SCOPE))
    our_calls = {name: tool.calls() for name, tool in installed.items()}
    assert ours.outcome == real.outcome
    assert ours.logs == real.logs
    assert {n: [c.argv for c in calls] for n, calls in our_calls.items()} == {
        n: [c.argv for c in calls] for n, calls in real_calls.items()
    }


@pytest.mark.parametrize("token_credentials", ["dev", ""])
def test_dac_first_walk_softens_a_broken_az_and_reaches_azd(tools, monkeypatch, token_credentials):
    """``dev`` keeps only the developer credentials; "" is the full chain with the others excluded."""
    tools(az=[AZ_BROKEN], azd=[AZD_OK])
    kwargs = {
        "exclude_environment_credential": True,
        "exclude_workload_identity_credential": True,
        "exclude_managed_identity_credential": True,
        "exclude_shared_token_cache_credential": True,
        "exclude_visual_studio_code_credential": True,
        "exclude_powershell_credential": True,
        "exclude_broker_credential": True,
    }
    if token_credentials:
        monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", token_credentials)
    real = run_real(lambda: azure_identity.DefaultAzureCredential(**kwargs).get_token(SCOPE))
    ours = run_ours(lambda: EngineDAC(host=host_now(), **kwargs).get_token(SCOPE))
    assert ours.outcome == real.outcome
    assert ours.outcome[0] == "token"
    assert ours.logs == real.logs


# Only the three tools: the other "dev" members are other modules' business.
DEV_TOOLS_ONLY = {
    "exclude_visual_studio_code_credential": True,
    "exclude_shared_token_cache_credential": True,
    "exclude_broker_credential": True,
}
PWSH_UNEXPECTED = Reply("Welcome to PowerShell!\n")
PWSH_NO_MODULE = Reply("NO_AZ_ACCOUNT_MODULE\n")
AZD_ERROR = Reply(stderr='{"error": "fetching token: AADSTS50076: MFA"}\n', code=1)


@pytest.mark.parametrize(
    ("az_replies", "pwsh_replies", "azd_replies"),
    [
        ([AZ_BROKEN], [PWSH_UNEXPECTED], [AZD_ERROR]),
        ([AZ_SIGNED_OUT], [PWSH_NO_MODULE], [AZD_OK]),
        ([AZ_SIGNED_OUT], [Reply(f"\nazsdk%{TOKEN}%1767225600\n")], [AZD_ERROR]),
    ],
    ids=["all-softened-then-aggregated", "azd-after-two-unavailable", "pwsh-wins"],
)
def test_dac_dev_chain_of_the_three_tools_matches_azure_identity(
    tools, monkeypatch, az_replies, pwsh_replies, azd_replies
):
    tools(az=az_replies, pwsh=pwsh_replies, azd=azd_replies)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    real = run_real(lambda: azure_identity.DefaultAzureCredential(**DEV_TOOLS_ONLY).get_token(SCOPE))
    ours = run_ours(lambda: EngineDAC(host=host_now(), **DEV_TOOLS_ONLY).get_token(SCOPE))
    assert_same(real, ours)


def test_dac_aggregated_error_lists_each_softened_tool(tools, monkeypatch):
    tools(az=[AZ_BROKEN], pwsh=[PWSH_UNEXPECTED], azd=[AZD_ERROR])
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    ours = run_ours(lambda: EngineDAC(host=host_now(), **DEV_TOOLS_ONLY).get_token(SCOPE))
    assert ours.outcome[1] == "ClientAuthenticationError"
    assert ours.outcome[2].split("\nAttempted credentials:\n\t")[1].split("\nTo mitigate")[0] == (
        "AzureCliCredential: ERROR: something broke\n\n"
        '\tAzurePowerShellCredential: Unexpected output from Get-AzAccessToken: "Welcome to PowerShell!\n"\n'
        "\tAzureDeveloperCliCredential: fetching token: AADSTS50076: MFA"
    )
