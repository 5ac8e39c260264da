"""The real DefaultAzureCredential(), run inside `chainsight sandbox exec`, picks what each
scenario file declares."""

from __future__ import annotations

import json
import sys

import pytest

from engine.sandbox import list_scenarios, load_scenario, netns
from tests.plugins.sandbox import REPO_ROOT, run_from_repo
from tests.system import require_oracle, require_system

require_oracle()

DAC_SNIPPET = r"""
import base64, json
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DefaultAzureCredential

credential = DefaultAzureCredential()
try:
    token = credential.get_token("https://management.azure.com/.default")
except ClientAuthenticationError as err:
    print("RESULT" + json.dumps({"credential": "", "error": err.message}))
else:
    payload = token.token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    name = credential._successful_credential.__class__.__name__
    print("RESULT" + json.dumps({"credential": name, "claims": claims}))
"""


def _accounts(claims: dict) -> set[str]:
    return {str(claims[k]) for k in ("upn", "preferred_username", "appid", "azp", "oid") if k in claims}


@pytest.mark.parametrize("name", list_scenarios())
def test_default_azure_credential_selects_the_declared_credential_and_account(name: str) -> None:
    ok, reason = netns.available()
    require_system(ok, f"network namespaces: {reason}")
    expected = load_scenario(name).expected
    proc = run_from_repo(
        [
            sys.executable,
            "-m",
            "app",
            "sandbox",
            "exec",
            "--scenario",
            name,
            "--isolate-network",
            "--",
            "python",
            "-c",
            DAC_SNIPPET,
        ],
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    result = json.loads(line.removeprefix("RESULT"))
    assert result["credential"] == expected.credential, result.get("error", result)
    if expected.credential:
        assert expected.account in _accounts(result["claims"])
        return
    # A failing chain: each member's line in the aggregated message carries the declared reason.
    entries = result["error"].split("\n\t")
    for member, fragment in expected.members.items():
        entry = next((e for e in entries if e.startswith(f"{member}:")), "")
        assert fragment in entry, f"{member}: {entry!r}"


def test_every_scenario_declares_an_expectation_and_a_description() -> None:
    for name in list_scenarios():
        scenario = load_scenario(name)
        assert scenario.description, name
        assert (scenario.expected.credential and scenario.expected.account) or scenario.expected.members, name


def test_sandbox_exec_exits_with_the_command_status() -> None:
    proc = run_from_repo(
        [sys.executable, "-m", "app", "sandbox", "exec", "--scenario", "laptop-az", "--", "sh", "-c", "exit 7"],
        timeout=60,
    )
    assert proc.returncode == 7, proc.stderr


def test_sandbox_list_names_every_scenario() -> None:
    proc = run_from_repo(
        [sys.executable, "-m", "app", "sandbox", "list"],
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    for name in list_scenarios():
        assert name in proc.stdout
    shipped = sorted(p.stem for p in (REPO_ROOT / "engine" / "sandbox" / "scenarios").glob("*.toml"))
    assert list_scenarios() == shipped and "laptop-az" in shipped
