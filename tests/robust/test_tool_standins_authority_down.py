"""D14: the sandbox's az/azd/pwsh stand-ins report an unreachable authority in their own words, not a traceback."""

from __future__ import annotations

import subprocess

import pytest

from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.run import run_chain
from engine.sandbox import start

# A scope no tool holds a cached access token for, so each must reach the (stopped) authority.
VAULT = "https://vault.azure.net/.default"
# azd says it in its own words. az is azure-cli 2.91's twin:
# real az reports a connection failure as an unexpected error with its traceback, so the twin does too,
# and the credential's message is what az printed, as azure-identity's would be.
EXPECTED = {"az": "The command failed with an unexpected error", "azd": "Failed to connect to"}
COMMANDS = {
    "az": ["az", "account", "get-access-token", "--output", "json", "--resource", "https://vault.azure.net"],
    "azd": ["azd", "auth", "token", "--output", "json", "--scope", "https://vault.azure.net/.default"],
}


@pytest.fixture(scope="module")
def authority_down():
    overrides = {"tools": {"az": {"mode": "signed_in"}, "azd": {"mode": "signed_in", "account": "dev@contoso.com"}}}
    with start("laptop-az", overrides=overrides) as box:
        box.authority_server.stop()
        box.proxy_server.stop()  # az reaches login.microsoftonline.com through the intercepting proxy
        yield box


@pytest.mark.parametrize("tool", sorted(COMMANDS))
def test_stand_in_says_the_authority_is_unreachable_without_a_traceback(authority_down, tool):
    box = authority_down
    result = subprocess.run(COMMANDS[tool], env=box.env, capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 1
    assert EXPECTED[tool] in result.stderr, result.stderr
    if tool == "azd":
        assert "Traceback" not in result.stderr


TOOL_OF = {AzureCliCredential: "az", AzureDeveloperCliCredential: "azd"}


@pytest.mark.parametrize("credential_class", [AzureCliCredential, AzureDeveloperCliCredential])
def test_the_credential_message_is_the_tools_line_not_a_traceback(authority_down, credential_class):
    from app.gui.sandbox_host import sandbox_host

    run = run_chain(credential_class(host=sandbox_host(authority_down)), [VAULT])
    message = run.attempts[0].message or ""
    assert run.outcome == "failed" and EXPECTED[TOOL_OF[credential_class]] in message, message
