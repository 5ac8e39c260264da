"""``chainsight run --dry-run``: the documented JSON shape and exit statuses, in a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import loopback

ROOT = Path(__file__).resolve().parents[3]
ATC_INVALID = (
    "Invalid value for AZURE_TOKEN_CREDENTIALS: bogus. Valid values are: dev, prod, azureclicredential, "
    "azuredeveloperclicredential, azurepowershellcredential, environmentcredential, interactivebrowsercredential, "
    "managedidentitycredential, visualstudiocodecredential, workloadidentitycredential."
)


def chainsight(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": loopback.pythonpath(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_dry_run_json_lists_the_default_chain_on_this_machine():
    result = chainsight("run", "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"chain", "profile", "members", "options"}
    assert data["chain"] == "DefaultAzureCredential" and data["profile"] == "1.27" and data["options"] == {}
    assert data["members"] == [
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
        "SharedTokenCacheCredential",
        "VisualStudioCodeCredential",
        "AzureCliCredential",
        "AzurePowerShellCredential",
        "AzureDeveloperCliCredential",
        "BrokerCredential",
    ]


def test_options_are_json_literals_where_they_parse():
    result = chainsight(
        "run",
        "--dry-run",
        "--json",
        "--option",
        "exclude_cli_credential=true",
        "--option",
        "process_timeout=20",
        "--option",
        "managed_identity_client_id=abc",
        "--option",
        "exclude_interactive_browser_credential=false",
    )
    data = json.loads(result.stdout)
    assert data["options"] == {
        "exclude_cli_credential": True,
        "process_timeout": 20,
        "managed_identity_client_id": "abc",
        "exclude_interactive_browser_credential": False,
    }
    assert "AzureCliCredential" not in data["members"]
    assert data["members"][-2:] == ["InteractiveBrowserCredential", "BrokerCredential"]


def test_invalid_azure_token_credentials_exits_2_with_the_constructors_message():
    result = chainsight("run", "--dry-run", "--json", env={"AZURE_TOKEN_CREDENTIALS": "Bogus"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert ATC_INVALID in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {"AZURE_AUTHORITY_HOST": "http://insecure"}, "must be a TLS protected (https) URL"),
        (("--option", "require_envvar=true"), {}, "AZURE_TOKEN_CREDENTIALS environment variable is required"),
        (("--option", "tenant_id=x"), {}, "'tenant_id' is not supported in DefaultAzureCredential."),
        ((), {"AZURE_TOKEN_CREDENTIALS": "azureclicredential"}, None),
        (
            ("--option", "exclude_cli_credential=true"),
            {"AZURE_TOKEN_CREDENTIALS": "azureclicredential"},
            "at least one credential is required",
        ),
    ],
)
def test_constructor_errors_exit_2(args, env, message):
    result = chainsight("run", "--dry-run", *args, env=env)
    if message is None:
        assert result.returncode == 0 and "AzureCliCredential" in result.stdout
    else:
        assert result.returncode == 2 and message in result.stderr


def test_profile_and_config_file(tmp_path):
    spec = tmp_path / "chain.toml"
    spec.write_text(
        '[chain]\ntype = "ChainedTokenCredential"\n[[chain.credentials]]\ntype = "AzureCliCredential"\n'
        '[[chain.credentials]]\ntype = "ManagedIdentityCredential"\nclient_id = "abc"\n'
    )
    data = json.loads(chainsight("run", "--dry-run", "--json", "--config", str(spec)).stdout)
    assert data["chain"] == "ChainedTokenCredential"
    assert data["members"] == ["AzureCliCredential", "ManagedIdentityCredential"]
    old = json.loads(chainsight("run", "--dry-run", "--json", "--profile", "1.19").stdout)
    assert old["profile"] == "1.19" and "BrokerCredential" not in old["members"]


def test_bad_config_file_exits_2_naming_the_key(tmp_path):
    spec = tmp_path / "chain.toml"
    spec.write_text('[chain]\ntype = "DefaultAzureCredential"\n[chain.options]\nexclude_everything = true\n')
    result = chainsight("run", "--dry-run", "--config", str(spec))
    assert result.returncode == 2 and "chain.options.exclude_everything" in result.stderr


def test_no_subcommand_without_gui_prints_the_subcommands_or_starts_the_gui():
    result = chainsight("--help")
    assert result.returncode == 0 and "run" in result.stdout


def test_without_a_display_the_app_explains_instead_of_aborting():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env={**env, "PYTHONPATH": loopback.pythonpath(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no display" in result.stderr and "chainsight scan" in result.stderr
