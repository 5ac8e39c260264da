"""AzureCliCredential against azure-identity 1.27.0's, on the same fake ``az``.

Every case runs the real credential and the engine's with the same PATH and HOME, standalone and inside
DefaultAzureCredential's first walk (where azure-identity softens errors), and requires the same token
and expiry or the same error class and text byte for byte, the same log lines, and the same spawned
argv, working directory and environment. No token may appear in any error, log line or step.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from engine.credentials.azure_cli import AzureCliCredential
from engine.default import DefaultAzureCredential as EngineDAC
from tests.doubles.chain import make_jwt
from tests.doubles.fake_tools import Reply, install
from tests.oracle.developer_tools_harness import (
    Kind,
    assert_same,
    assert_same_but_masked,
    both,
    dac_both,
    host_now,
    run_ours,
    run_real,
    secret_free,
)
from tests.system import require_oracle

azure_identity = require_oracle()

SCOPE = "https://management.azure.com/.default"
EXPIRES_ON = 1767225600
TOKEN = make_jwt({"appid": "04b07795", "tid": "tenant-1", "upn": "dev@contoso.com", "oid": "oid-1", "exp": EXPIRES_ON})
CANARY = "CANARY-SECRET-VALUE"
DROP = object()  # a field the tool leaves out


def az_output(token: str = TOKEN, **fields: object) -> str:
    """``az account get-access-token --output json`` as az 2.54+ prints it."""
    data = {
        "accessToken": token,
        "expiresOn": datetime.fromtimestamp(EXPIRES_ON).strftime("%Y-%m-%d %H:%M:%S.%f"),
        "expires_on": EXPIRES_ON,
        "subscription": "00000000-0000-0000-0000-000000000001",
        "tenant": "tenant-1",
        "tokenType": "Bearer",
    }
    data.update(fields)
    return json.dumps({k: v for k, v in data.items() if v is not DROP}, indent=2) + "\n"


# The eight malformed outputs of azure-identity's own tests, with a canary for the token.
MALFORMED = (
    f'{{"accessToken": "{CANARY}',
    f'{{"accessToken": "{CANARY}"',
    f'{{"accessToken": "{CANARY} and some other nonsense"',
    f'{{"accessToken": "{CANARY}", some invalid json, "accessToken": "{CANARY}"}}',
    f'{{"accessToken": "{CANARY}"}}',
    f'{{"accessToken": "{CANARY}", "subscription": "some-guid", "tenant": "some-guid", "tokenType": "Bearer"}}',
    "no secrets or json here",
    "{}",
)

AZ_REPLIES = {
    "success-expires-on-int": Reply(az_output()),
    "success-expires-on-string": Reply(az_output(expires_on=str(EXPIRES_ON))),
    "success-expires-on-float": Reply(az_output(expires_on=EXPIRES_ON + 0.75)),
    "success-expiresOn-local-time-only": Reply(az_output(expires_on=DROP)),
    "success-crlf-and-warning-on-stderr": Reply(
        az_output().replace("\n", "\r\n"), "WARNING: A new version of Azure CLI is available.\r\n"
    ),
    "not-logged-in": Reply(stderr="ERROR: Please run 'az login' to setup account.\n", code=1),
    "not-logged-in-account-set": Reply(
        stderr="ERROR: No subscription found. Run 'az account set' to select a subscription.\n", code=1
    ),
    "aadsts-with-az-login-text": Reply(
        stderr="ERROR: AADSTS70043: The refresh token has expired due to inactivity.\n"
        "Interactive authentication is needed. Please run:\naz login --scope https://management.azure.com//.default\n",
        code=1,
    ),
    "other-error-exit-42": Reply(stderr="ERROR: something broke\n", code=42),
    "other-error-without-stderr": Reply(code=1),
    "other-error-stdout-only": Reply(stdout="some text on stdout\n", code=2),
    "exit-127-shell-not-found": Reply(stderr="/bin/sh: 1: az: not found\n", code=127),
    "windows-not-recognized-text": Reply(
        stderr="'az' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n",
        code=1,
    ),
    "token-in-stderr-is-masked": Reply(stderr=f'{{"accessToken": "{CANARY}", "x": 1}}\n', code=1),
    "html-page": Reply("<!DOCTYPE html><html><body>Proxy login</body></html>\n"),
    "empty-output": Reply(""),
    "non-utf8-stdout": Reply(b"\xff\xfe\x00garbage\x80"),
    "non-utf8-stderr-on-failure": Reply(stderr=b"ERROR: \xff\xfe broken\n", code=1),
    "json-list-escapes-as-type-error": Reply("[]"),
    "json-null-escapes-as-type-error": Reply("null"),
    "access-token-null": Reply(az_output(token=None)),  # azure-identity returns a token whose text is None
    "expires-on-not-numeric": Reply(az_output(expires_on="soon")),
    "expiresOn-wrong-format": Reply(az_output(expires_on=DROP, expiresOn="2026-01-01T00:00:00Z")),
    "expires-on-infinite-overflows": Reply(az_output().replace(f'"expires_on": {EXPIRES_ON}', '"expires_on": 1e999')),
    "compact-json-token-missing-expiry": Reply('{"accessToken":"' + CANARY + '"}'),
    **{f"malformed-{i}": Reply(text) for i, text in enumerate(MALFORMED)},
    **{f"malformed-as-stderr-{i}": Reply(stderr=text, code=1) for i, text in enumerate(MALFORMED)},
}

# Where azure-identity's message itself would show the token, ours masks it (and so differs).
AZ_LEAKS_IN_AZURE_IDENTITY = {"compact-json-token-missing-expiry"}


AZ = Kind("az", "AzureCliCredential", AzureCliCredential)


@pytest.fixture
def az(tmp_path, monkeypatch):
    return lambda *replies: install(monkeypatch, tmp_path, "az", *replies)


def _az_both(tool, *scopes, ctor=None, **kwargs):
    return both(AZ, tool, *scopes, ctor=ctor, **kwargs)


@pytest.mark.parametrize("case", sorted(AZ_REPLIES))
def test_azure_cli_standalone_matches_azure_identity(case, az):
    tool = az(AZ_REPLIES[case])
    real, ours = _az_both(tool, SCOPE)
    assert_same_but_masked(real, ours, leaks=case in AZ_LEAKS_IN_AZURE_IDENTITY, field="accessToken", canary=CANARY)
    assert len(ours.calls) == 1
    assert secret_free(ours, CANARY, TOKEN)


@pytest.mark.parametrize("case", sorted(set(AZ_REPLIES) - AZ_LEAKS_IN_AZURE_IDENTITY))
def test_azure_cli_inside_default_azure_credential_matches_azure_identity(case, az, monkeypatch):
    tool = az(AZ_REPLIES[case])
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", AZ.class_name)
    real, ours = dac_both(AZ, tool, SCOPE)
    assert_same(real, ours)


def test_azure_cli_expiresOn_is_naive_local_time_in_a_non_utc_zone(az, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        tool = az(Reply(az_output(expires_on=DROP)))
        real, ours = _az_both(tool, SCOPE)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert_same(real, ours)
    assert ours.outcome[2] == EXPIRES_ON  # written with the same zone, read back with it


def test_azure_cli_not_on_path(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    real, ours = _az_both(None, SCOPE)
    assert_same(real, ours)
    assert ours.outcome == ("error", "CredentialUnavailableError", "Azure CLI not found on path")


def test_azure_cli_that_cannot_be_executed_is_unavailable(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az_path = bin_dir / "az"
    az_path.write_bytes(b"\x7fELF not really an executable")
    az_path.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    real, ours = _az_both(None, SCOPE)
    assert_same(real, ours)
    assert ours.outcome == ("error", "CredentialUnavailableError", f"Failed to execute '{az_path}'")


def test_azure_cli_timeout_kills_the_tool_and_is_unavailable(az):
    tool = az(Reply(sleep=5))
    started = time.monotonic()
    real, ours = _az_both(tool, SCOPE, ctor={"process_timeout": 1})
    assert time.monotonic() - started < 4
    assert_same(real, ours)
    assert ours.outcome == ("error", "CredentialUnavailableError", "Failed to invoke the Azure CLI")
    assert ours.steps[-1].detail.get("killed") is True


INPUT_CASES = {
    "no-scopes": ((), {}, {}),
    "two-scopes": ((SCOPE, "https://vault.azure.net/.default"), {}, {}),
    "invalid-scope": (("https://management.azure.com/.default; rm -rf /",), {}, {}),
    "invalid-scope-among-two": ((SCOPE, "bad scope"), {}, {}),
    "empty-scope": (("",), {}, {}),
    "invalid-request-tenant": ((SCOPE,), {}, {"tenant_id": "tenant;whoami"}),
    "invalid-configured-tenant": ((SCOPE,), {"tenant_id": "bad tenant"}, {}),
    "invalid-subscription": ((SCOPE,), {"subscription": "my sub; rm"}, {}),
    "claims": ((SCOPE,), {}, {"claims": '{"access_token":{"acrs":{"essential":true,"values":["p1"]}}}'}),
    "claims-with-tenant": ((SCOPE,), {}, {"claims": '{"a":1}', "tenant_id": "tenant-2"}),
    "claims-without-scope": ((), {}, {"claims": '{"a":1}'}),
    "claims-with-invalid-scope-still-claims": (("bad scope",), {}, {"claims": '{"a":1}'}),
    "empty-claims-is-normal": ((SCOPE,), {}, {"claims": ""}),
    "request-tenant": ((SCOPE,), {}, {"tenant_id": "tenant-2"}),
    "empty-request-tenant-is-none": ((SCOPE,), {"tenant_id": "tenant-1"}, {"tenant_id": ""}),
    "configured-tenant": ((SCOPE,), {"tenant_id": "tenant-1"}, {}),
    "request-tenant-not-allowed": ((SCOPE,), {"tenant_id": "tenant-1"}, {"tenant_id": "tenant-2"}),
    "request-tenant-allowed": (
        (SCOPE,),
        {"tenant_id": "tenant-1", "additionally_allowed_tenants": ["tenant-2"]},
        {"tenant_id": "tenant-2"},
    ),
    "request-tenant-wildcard": (
        (SCOPE,),
        {"tenant_id": "tenant-1", "additionally_allowed_tenants": ["*"]},
        {"tenant_id": "tenant-2"},
    ),
    "subscription": ((SCOPE,), {"subscription": "My Subscription 1"}, {}),
    "resource-without-default-suffix": (("https://vault.azure.net",), {}, {}),
}


@pytest.mark.parametrize("case", sorted(INPUT_CASES))
def test_azure_cli_request_inputs_match_azure_identity(case, az):
    scopes, ctor, kwargs = INPUT_CASES[case]
    tool = az(Reply(az_output()))
    real, ours = _az_both(tool, *scopes, ctor=ctor, **kwargs)
    assert_same(real, ours)


def test_azure_cli_multitenant_disabled_keeps_configured_tenant(az, monkeypatch):
    monkeypatch.setenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "true")
    tool = az(Reply(az_output()))
    real, ours = _az_both(tool, SCOPE, ctor={"tenant_id": "tenant-1"}, tenant_id="tenant-2")
    assert_same(real, ours, compare_logs=False)  # the INFO line is checked on its own below
    assert ours.calls[0].argv[-2:] == ["--tenant", "tenant-1"]


def test_multitenant_disabled_info_line_matches_azure_identity(az, monkeypatch):
    monkeypatch.setenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "true")
    tool = az(Reply(az_output()))
    real, ours = _az_both(tool, SCOPE, ctor={"tenant_id": "tenant-1"}, tenant_id="tenant-2")
    assert ours.logs == real.logs


def test_scope_with_trailing_newline_is_invalid_as_in_azure_identity(az):
    tool = az(Reply(az_output()))
    real, ours = _az_both(tool, SCOPE + "\n")
    assert ours.outcome == real.outcome


def test_azure_cli_failure_after_dac_lock_in_is_no_longer_softened(az, monkeypatch):
    """The DAC walks once (soft), locks in, then reports the member's own, harder, error."""
    tool = az(Reply(az_output()), Reply(stderr="ERROR: something broke\n", code=1))
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    real_dac = azure_identity.DefaultAzureCredential()
    real = [run_real(lambda: real_dac.get_token(SCOPE)) for _ in range(2)]
    tool.reset_calls()  # the engine gets the same two replies
    our_dac = EngineDAC(host=host_now())
    ours = [run_ours(lambda: our_dac.get_token(SCOPE)) for _ in range(2)]
    assert [o.outcome for o in ours] == [r.outcome for r in real]
    assert [o.logs for o in ours] == [r.logs for r in real]
    assert ours[0].outcome[0] == "token"
    assert ours[1].outcome == ("error", "ClientAuthenticationError", "ERROR: something broke\n")


def test_azure_cli_softened_failure_lets_a_plain_chain_continue_only_inside_dac(az, monkeypatch):
    tool = az(Reply(stderr="ERROR: something broke\n", code=1))
    real = run_real(
        lambda: azure_identity.ChainedTokenCredential(azure_identity.AzureCliCredential()).get_token(SCOPE), tool
    )
    from engine.chain import ChainedTokenCredential

    ours = run_ours(lambda: ChainedTokenCredential(AzureCliCredential(host=host_now())).get_token(SCOPE), tool)
    assert_same(real, ours)
    assert "AzureCliCredential: ERROR: something broke\n" in ours.outcome[2]


def test_azure_cli_process_is_a_recorded_step_without_the_token(az):
    tool = az(Reply(az_output()))
    ours = run_ours(lambda: AzureCliCredential(host=host_now()).get_token(SCOPE), tool)
    assert ours.outcome[0] == "token"
    (started,) = ours.started
    (finished,) = ours.steps
    assert started.kind == "process"
    assert started.detail["argv"][1:] == [
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        "https://management.azure.com",
    ]
    assert started.detail["cwd"] == "/bin"
    assert finished.detail["exit_status"] == 0 and finished.detail["duration"] > 0
    assert secret_free(ours, TOKEN)
