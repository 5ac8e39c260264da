"""D14: the sandbox's az/azd/pwsh stand-ins report an unreachable authority in their own words, not a traceback."""

from __future__ import annotations

import subprocess

import pytest

from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.run import run_chain
from engine.sandbox import start

COMMANDS = {
    "az": ["az", "account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com"],
    "azd": ["azd", "auth", "token", "--output", "json", "--scope", "https://management.azure.com/.default"],
}


@pytest.fixture(scope="module")
def authority_down():
    overrides = {"tools": {"az": {"mode": "signed_in"}, "azd": {"mode": "signed_in", "account": "dev@contoso.com"}}}
    with start("laptop-az", overrides=overrides) as box:
        box.authority_server.stop()
        yield box


@pytest.mark.parametrize("tool", sorted(COMMANDS))
def test_stand_in_says_the_authority_is_unreachable_without_a_traceback(authority_down, tool):
    box = authority_down
    result = subprocess.run(COMMANDS[tool], env=box.env, capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Failed to connect to" in result.stderr, result.stderr


@pytest.mark.parametrize("credential_class", [AzureCliCredential, AzureDeveloperCliCredential])
def test_the_credential_message_is_the_tools_line_not_a_traceback(authority_down, credential_class):
    from app.gui.sandbox_host import sandbox_host

    run = run_chain(credential_class(host=sandbox_host(authority_down)))
    message = run.attempts[0].message or ""
    assert run.outcome == "failed" and "Traceback" not in message and "Failed to connect to" in message, message
