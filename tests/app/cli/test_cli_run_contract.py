"""``chainsight run --json`` and ``chainsight scan --json``: the documented shapes and exit statuses."""

from __future__ import annotations

import json

import pytest

from tests.app.cli.sandbox_cli import chainsight_in

ATTEMPT_KEYS = {"credential", "outcome", "message", "started", "duration", "steps", "account"}
ACCOUNT_KEYS = {"tenant_id", "object_id", "client_id", "upn"}
STEP_KEYS = {"kind", "label", "started", "duration", "detail"}


def test_run_json_success_follows_the_contract(tmp_path):
    result = chainsight_in(
        "laptop-az", "run", "--json", "--option", "exclude_managed_identity_credential=true", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {
        "chain",
        "profile",
        "members",
        "options",
        "scopes",
        "attempts",
        "selected",
        "account",
        "expires_on",
        "error",
    } <= set(data)
    assert data["scopes"] == ["https://management.azure.com/.default"] and data["error"] is None
    assert data["selected"] == "AzureCliCredential"
    assert set(data["account"]) == ACCOUNT_KEYS and data["account"]["upn"] == "dev@contoso.com"
    assert isinstance(data["expires_on"], int)
    for attempt in data["attempts"]:
        assert set(attempt) == ATTEMPT_KEYS and attempt["outcome"] in ("succeeded", "unavailable", "failed")
        for step in attempt["steps"]:
            assert set(step) >= STEP_KEYS
    last = data["attempts"][-1]
    assert last["credential"] == "AzureCliCredential" and last["outcome"] == "succeeded"
    assert [s["kind"] for s in last["steps"]] == ["process"]
    assert [a["credential"] for a in data["attempts"]] == data["members"][: len(data["attempts"])]


def test_run_json_failure_exits_1_with_the_aggregated_error(tmp_path):
    result = chainsight_in(
        "laptop-az",
        "run",
        "--json",
        "--option",
        "exclude_cli_credential=true",
        "--option",
        "exclude_managed_identity_credential=true",
        tmp_path=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["selected"] is None and data["account"] is None and data["expires_on"] is None
    assert data["error"].startswith("DefaultAzureCredential failed to retrieve a token from the included credentials.")
    assert all(a["outcome"] == "unavailable" for a in data["attempts"])


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--option", "tenant_id=x"), {}), ((), {"AZURE_TOKEN_CREDENTIALS": "nope"}), (("--config", "/missing.toml"), {})],
)
def test_run_usage_and_construction_errors_exit_2(tmp_path, args, env):
    result = chainsight_in("laptop-az", "run", "--json", *args, tmp_path=tmp_path, env=env)
    assert result.returncode == 2 and result.stdout == "" and result.stderr.strip()


def test_run_human_output_has_one_line_per_attempt_then_the_verdict(tmp_path):
    result = chainsight_in(
        "laptop-az", "run", "--option", "exclude_managed_identity_credential=true", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "AzureCliCredential" in result.stdout and " ms " in result.stdout
    assert "DefaultAzureCredential uses AzureCliCredential, as dev@contoso.com" in result.stdout


def test_scan_json_lists_every_member_with_status_reason_and_identity(tmp_path):
    result = chainsight_in("laptop-az", "scan", "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [p["credential"] for p in data["probes"]] == data["members"]
    for probe in data["probes"]:
        assert set(probe) == {"credential", "status", "reason", "identity", "duration"}
        assert probe["status"] in ("available", "unavailable", "unknown") and probe["reason"]
    cli = next(p for p in data["probes"] if p["credential"] == "AzureCliCredential")
    assert cli["status"] == "available" and cli["identity"]["upn"] == "dev@contoso.com"
    assert data["duration"] < sum(p["duration"] for p in data["probes"]) + 0.5
