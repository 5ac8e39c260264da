"""The sandbox's az is a twin of azure-cli 2.91 (or 2.67): each difference an audit against the real CLI found
has a test here, and its files decide what it does. tests/realtools/ checks the same against
the real azure-cli."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.credentials.azure_cli import AzureCliCredential
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE
from tests.system import require_oracle

TENANT = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
SUB_ID = "11111111-2222-4333-8444-555555555555"
BOTH = "ERROR: Please specify only one of subscription and tenant, not both\n"
LOGIN = "ERROR: Please run 'az login' to setup account.\n"


def az(box, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(box.bin_dir / "az"), *args], env=env or box.env, capture_output=True, text=True, timeout=60
    )


def test_subscription_with_tenant_is_refused_even_signed_out(sandbox_factory) -> None:
    for mode in ("signed_in", "not_signed_in"):
        box = sandbox_factory("laptop-az", tools={"az": {"mode": mode}})
        p = az(box, "account", "get-access-token", "--subscription", SUB_ID, "--tenant", TENANT)
        assert (p.returncode, p.stdout, p.stderr) == (1, "", BOTH), mode


def test_subscription_names_match_ignoring_case_like_the_probe(sandbox_factory) -> None:
    # azure-identity allows letters, digits, spaces, '-', '_' and '.' in a subscription: no '/' here
    box = sandbox_factory("laptop-az", subscriptions=[{"id": SUB_ID, "name": "Contoso Dev"}])
    p = az(box, "account", "get-access-token", "--subscription", "contoso dev")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["subscription"] == SUB_ID
    probe = AzureCliCredential(host=Host(env=box.env), subscription="contoso dev").probe()
    assert probe.status == AVAILABLE
    wrong = az(box, "account", "get-access-token", "--subscription", "nope")
    assert wrong.stderr == "ERROR: Subscription 'nope' not found. Check the spelling and casing and try again.\n"


def test_tenant_request_has_no_subscription_key(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    token = json.loads(az(box, "account", "get-access-token", "--tenant", TENANT).stdout)
    assert list(token) == ["accessToken", "expiresOn", "expires_on", "tenant", "tokenType"]
    assert token["tenant"] == TENANT


def test_tenant_level_account_prints_the_tenant_and_no_subscription_fields(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az", subscriptions=[])
    shown = json.loads(az(box, "account", "show").stdout)
    assert shown == {
        "environmentName": "AzureCloud",
        "id": TENANT,
        "isDefault": True,
        "name": "N/A(tenant level account)",
        "state": "Enabled",
        "tenantId": TENANT,
        "user": {"name": "dev@contoso.com", "type": "user"},
    }
    assert json.loads(az(box, "account", "get-access-token").stdout)["subscription"] == TENANT


def test_unknown_tenant_is_azs_unexpected_error_with_msals_authority_text(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    p = az(box, "account", "get-access-token", "--tenant", "00000000-0000-0000-0000-00000000dead")
    lines = p.stderr.splitlines()
    assert p.returncode == 1 and p.stdout == ""
    assert lines[0] == "ERROR: The command failed with an unexpected error. Here is the traceback:"
    assert lines[1].startswith(
        "ERROR: Unable to get authority configuration for "
        "https://login.microsoftonline.com/00000000-0000-0000-0000-00000000dead."
    )
    assert lines[2] == "Traceback (most recent call last):" and "AADSTS90002" in p.stderr


@pytest.mark.parametrize(
    ("version", "recommendation"),
    [
        (
            "2.91",
            "Run the command below to authenticate interactively; additional arguments may be added as needed:\n"
            f'az logout\naz login --tenant "{TENANT}" --scope "https://management.core.windows.net//.default"\n',
        ),
        (
            "2.67",
            "Interactive authentication is needed. Please run:\naz login --scope https://management.core.windows.net//.default\n",
        ),
    ],
)
def test_entra_error_text_is_the_chosen_releases(sandbox_factory, version: str, recommendation: str) -> None:
    box = sandbox_factory("laptop-az", tools={"az": {"mode": "aadsts_error", "version": version}})
    p = az(box, "account", "get-access-token")
    assert p.returncode == 1 and p.stderr.startswith("ERROR: AADSTS50173: ") and p.stderr.endswith(recommendation)
    assert json.loads(az(box, "version").stdout)["azure-cli"] == f"{version}.0"


def test_version_flag_prints_a_text_table_and_version_prints_json(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    table = az(box, "--version")
    assert table.returncode == 0 and table.stdout.startswith("azure-cli                         2.91.0\n\ncore ")
    assert f"Config directory '{box.home / '.azure'}'\n" in table.stdout
    assert table.stdout.endswith("Legal docs and information: aka.ms/AzureCliLegal\n\n\n")
    assert json.loads(az(box, "version").stdout) == {
        "azure-cli": "2.91.0",
        "azure-cli-core": "2.91.0",
        "azure-cli-telemetry": "1.1.0",
        "extensions": {},
    }


def test_unknown_command_text_and_exit_code(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    p = az(box, "foo", "bar")
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == (
        "ERROR: 'foo' is misspelled or not recognized by the system.\n\nhttps://aka.ms/cli_ref\n"
        "Read more about the command in reference docs\n"
    )


def test_logout_signs_out_and_empties_the_files(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    assert az(box, "logout").returncode == 0
    assert az(box, "account", "show").stderr == LOGIN
    profile = json.loads((box.home / ".azure" / "azureProfile.json").read_bytes().decode("utf-8-sig"))
    assert profile == {"subscriptions": []}
    cache = json.loads((box.home / ".azure" / "msal_token_cache.json").read_text())
    assert not cache.get("Account") and not cache.get("RefreshToken")
    assert az(box, "logout").stderr == "ERROR: There are no active accounts.\n"


def test_account_show_prints_non_ascii_and_tsv_prints_list_lengths(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az", subscriptions=[{"id": SUB_ID, "name": "Développement ☁"}])
    shown = az(box, "account", "show")
    assert '"name": "Développement ☁"' in shown.stdout
    tsv = az(box, "account", "list", "-o", "tsv").stdout
    # knack: keys sorted, a list prints its length, a dict nothing, booleans as Python prints them; the
    # tenant's domain and name are there because the sandbox's az was signed in without --tenant
    assert tsv == (
        f"AzureCloud\t{TENANT}\t{SUB_ID}\tTrue\t0\tDéveloppement ☁\tEnabled\tcontoso.com\tContoso\t{TENANT}\t\n"
    )


def test_files_are_the_ones_az_writes(sandbox_factory) -> None:
    box = sandbox_factory("laptop-az")
    azure = box.home / ".azure"
    assert (azure / "config").read_text() == "[cloud]\nname = AzureCloud\n\n"
    assert oct((azure / "config").stat().st_mode & 0o777) == "0o600"
    assert oct((azure / "msal_token_cache.json").stat().st_mode & 0o777) == "0o600"
    assert (azure / "clouds.config").read_text() == f"[AzureCloud]\nsubscription = {SUB_ID}\n\n"
    profile = (azure / "azureProfile.json").read_bytes()
    assert profile.startswith(b"\xef\xbb\xbf") and b"installationId" not in profile
    cache = json.loads((azure / "msal_token_cache.json").read_text())
    (account,) = cache["Account"].values()
    assert account["username"] == "dev@contoso.com"


def test_service_principal_signed_in_from_its_entries(sandbox_factory) -> None:
    box = sandbox_factory("laptop-wrong-account", tools={"az": {"account": "legacy-deploy-sp"}})
    entries = json.loads((box.home / ".azure" / "service_principal_entries.json").read_text())
    assert [e["client_id"] for e in entries] == ["0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11"]
    assert az(box, "account", "get-access-token").returncode == 0
    (box.home / ".azure" / "service_principal_entries.json").unlink()
    p = az(box, "account", "get-access-token")
    assert p.returncode == 1 and "Could not retrieve credential from local cache for service principal" in p.stderr


IDENTITY_SNIPPET = """
import json
from azure.identity import AzureCliCredential
try:
    AzureCliCredential().get_token("https://management.azure.com/.default")
    print(json.dumps({"ok": True}))
except Exception as err:
    print(json.dumps({"error": type(err).__name__, "message": str(err)}))
"""


def _verdicts(box) -> dict:
    """The stand-in's, our probe's, our credential's and azure-identity's answers, same machine."""
    require_oracle()
    raw = az(box, "account", "get-access-token")
    probe = AzureCliCredential(host=Host(env=box.env)).probe()
    try:
        AzureCliCredential(host=Host(env=box.env)).get_token("https://management.azure.com/.default")
        ours = "ok"
    except Exception as err:
        ours = type(err).__name__
    child = subprocess.run(
        [sys.executable, "-c", IDENTITY_SNIPPET], env=box.env, capture_output=True, text=True, timeout=60
    )
    theirs = json.loads(child.stdout.strip().splitlines()[-1])
    return {"az": raw.returncode, "probe": probe.status, "ours": ours, "theirs": theirs.get("error", "ok")}


@pytest.mark.parametrize("deleted", ["azureProfile.json", "msal_token_cache.json"])
def test_deleting_azs_profile_or_msal_cache_signs_out_everyone(sandbox_factory, deleted: str) -> None:
    box = sandbox_factory("laptop-az")
    box.env = dict(box.env, PYTHONPATH=os.pathsep.join(sys.path))
    assert _verdicts(box) == {"az": 0, "probe": AVAILABLE, "ours": "ok", "theirs": "ok"}
    (box.home / ".azure" / deleted).unlink()
    signed_out = {"az": 1, "probe": UNAVAILABLE, "ours": "CredentialUnavailableError"}
    assert _verdicts(box) == {**signed_out, "theirs": "CredentialUnavailableError"}


def test_chainsight_scan_agrees_when_the_msal_cache_is_gone(sandbox_factory, tmp_path) -> None:
    """The reported case: profile present, MSAL cache missing: az and both credentials say 'az login',
    and `chainsight scan` must not say available."""
    box = sandbox_factory("laptop-az")
    (box.home / ".azure" / "msal_token_cache.json").unlink()
    scan = subprocess.run(
        [str(Path(sys.executable).parent / "chainsight"), "scan", "--json"],
        env=dict(box.env, PYTHONPATH=os.pathsep.join(sys.path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scan.returncode in (0, 1), scan.stderr
    report = json.loads(scan.stdout)
    (az_row,) = [p for p in report["probes"] if p["credential"] == "AzureCliCredential"]
    assert az_row["status"] == UNAVAILABLE and "msal_token_cache.json" in az_row["reason"]
