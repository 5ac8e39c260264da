"""``chainsight run/scan --json`` carry the diagnosis in exactly the documented shape; the what-if flags act
on the chain's view of the environment only, like the window's overlay."""

from __future__ import annotations

import json
import os

import pytest

from app.cli import build_parser
from app.cli.whatif import WhatIfError, overlay_from_args
from engine import sandbox as sandboxes
from tests.app.cli.sandbox_cli import chainsight_in
from tests.app.diagnosis.scenarios import cli_run

DIAGNOSIS_KEYS = {"verdict", "warnings", "next_steps"}
APPLY_KEYS = {"unset_env", "set_env", "options"}


def _check_schema(diagnosis: dict) -> None:
    assert set(diagnosis) == DIAGNOSIS_KEYS and isinstance(diagnosis["verdict"], str)
    for warning in diagnosis["warnings"]:
        assert set(warning) == {"id", "text", "fixes"}
        for fix in warning["fixes"]:
            assert set(fix) == {"label", "apply", "expect"}
            assert fix["apply"] and set(fix["apply"]) <= APPLY_KEYS
            assert set(fix["expect"]) <= {"selected", "account"}
    for step in diagnosis["next_steps"]:
        assert set(step) == {"credential", "text", "command"} and step["text"]


@pytest.fixture(scope="module")
def wrong_account():
    box = sandboxes.start("laptop-wrong-account")
    yield box
    box.stop()


def test_run_json_has_the_diagnosis_with_checked_fixes(wrong_account):
    data = cli_run(wrong_account).to_json()
    _check_schema(data["diagnosis"])
    assert data["diagnosis"]["verdict"].startswith("DefaultAzureCredential uses EnvironmentCredential")
    assert [w["id"] for w in data["diagnosis"]["warnings"]][:2] == ["leftover-secret", "different-accounts"]
    assert {e["source"] for e in data["evidence"]} <= {"probe", "run"}
    assert "Lgcy~8Q~s3cr3t" not in json.dumps(data)


def test_unset_env_is_the_what_if_overlay_and_delivers_the_fix(wrong_account):
    data = cli_run(wrong_account, "--unset-env", "AZURE_CLIENT_SECRET").to_json()
    assert data["selected"] == "AzureCliCredential" and data["account"]["upn"] == "dev@contoso.com"
    assert data["diagnosis"]["warnings"] == []  # the service principal is not current evidence any more
    assert all(e["overlay"] == {"AZURE_CLIENT_SECRET": None} for e in data["evidence"])
    assert wrong_account.env["AZURE_CLIENT_SECRET"]  # the machine itself is unchanged


def test_set_env_changes_the_chain_s_view_only(wrong_account):
    data = cli_run(wrong_account, "--set-env", "AZURE_TOKEN_CREDENTIALS=AzureCliCredential").to_json()
    assert data["members"] == ["AzureCliCredential"] and data["selected"] == "AzureCliCredential"
    assert "AZURE_TOKEN_CREDENTIALS" not in os.environ
    warning = next(w for w in data["diagnosis"]["warnings"] if w["id"] == "token-credentials")
    assert warning["fixes"][0]["apply"] == {"unset_env": ["AZURE_TOKEN_CREDENTIALS"]}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set-env", "NOEQUALS"], "--set-env expects NAME=VALUE"),
        (["--unset-env", "1BAD"], "is not an environment variable name"),
        (["--unset-env", "A", "--set-env", "A=1"], "both set"),
    ],
)
def test_bad_what_if_flags_are_usage_errors_with_the_flag_named(argv, message):
    args = build_parser().parse_args(["run", *argv])
    with pytest.raises(WhatIfError, match=message):
        overlay_from_args(args)


def test_the_what_if_flags_exist_on_run_scan_and_export():
    parser = build_parser()
    for command in ("run", "scan", "export"):
        args = parser.parse_args([command, "--set-env", "A=1", "--unset-env", "B", "--set-env", "C=x=y"])
        assert overlay_from_args(args) == {"B": None, "A": "1", "C": "x=y"}


def test_scan_json_and_run_exit_codes_through_the_real_command(tmp_path):
    scanned = chainsight_in("everything-broken", "scan", "--json", tmp_path=tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    _check_schema(json.loads(scanned.stdout)["diagnosis"])
    run = chainsight_in("laptop-wrong-account", "run", "--unset-env", "AZURE_CLIENT_SECRET", tmp_path=tmp_path)
    assert run.returncode == 0 and "uses AzureCliCredential, as dev@contoso.com" in run.stdout
    bad = chainsight_in("laptop-az", "run", "--set-env", "nope", tmp_path=tmp_path)
    assert bad.returncode == 2 and "--set-env expects NAME=VALUE" in bad.stderr and bad.stdout == ""
    export = chainsight_in("laptop-az", "export", "--unset-env", "AZURE_CLIENT_SECRET", tmp_path=tmp_path)
    assert export.returncode == 0 and "what-if AZURE_CLIENT_SECRET" in export.stderr
