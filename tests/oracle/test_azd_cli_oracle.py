"""AzureDeveloperCliCredential against azure-identity 1.27.0's, on the same fake ``azd``.

Same contract as the az oracle: same token and expiry or same error class and text, same log lines,
same argv/cwd/environment, standalone and inside DefaultAzureCredential's first walk; no token leaks.
The error extractor is also compared directly with azure-identity's on JSON-lines inputs.
"""

from __future__ import annotations

import json
import time

import pytest

from engine.credentials._internal.cli_output import extract_azd_error
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from tests.doubles.chain import make_jwt
from tests.doubles.fake_tools import Reply, install
from tests.oracle.developer_tools_harness import Kind, assert_same, assert_same_but_masked, both, dac_both, secret_free
from tests.system import require_oracle

azure_identity = require_oracle()
real_azd = require_oracle("azure.identity._credentials.azd_cli")

AZD = Kind("azd", "AzureDeveloperCliCredential", AzureDeveloperCliCredential)
SCOPE = "https://management.azure.com/.default"
EXPIRES = "2026-01-01T00:00:00Z"
TOKEN = make_jwt({"appid": "04b07795", "tid": "tenant-1", "upn": "dev@contoso.com", "oid": "oid-1"})
CANARY = "CANARY-SECRET-VALUE"
NOT_LOGGED_IN = "not logged in, run `azd auth login` to login"


def azd_output(token: object = TOKEN, expires: object = EXPIRES) -> str:
    return json.dumps({"token": token, "expiresOn": expires}, indent=2) + "\n"


def console(message: str) -> str:
    """azd's legacy JSON-lines envelope (before 1.23.7)."""
    return json.dumps({"type": "consoleMessage", "timestamp": "2026-01-01T00:00:00Z", "data": {"message": message}})


MALFORMED = (
    f'{{"token": "{CANARY}',
    f'{{"token": "{CANARY}"',
    f'{{"token": "{CANARY} and some other nonsense"',
    f'{{"token": "{CANARY}", some invalid json, "token": "{CANARY}"}}',
    f'{{"token": "{CANARY}"}}',
    f'{{"token": "{CANARY}", "subscription": "some-guid", "tenant": "some-guid", "tokenType": "Bearer"}}',
    "no secrets or json here",
    "{}",
)

AZD_REPLIES = {
    "success": Reply(azd_output()),
    "success-crlf": Reply(azd_output().replace("\n", "\r\n")),
    "success-with-update-notice-on-stderr": Reply(azd_output(), "WARNING: azd version 1.22 is available\n"),
    "not-logged-in-plain": Reply(stderr=f"\nERROR: fetching token: {NOT_LOGGED_IN}\n", code=1),
    "not-logged-in-console-message": Reply(
        stderr=console(f"\nERROR: fetching token: {NOT_LOGGED_IN}\n") + "\n", code=1
    ),
    "not-logged-in-on-stdout": Reply(stdout=f"ERROR: {NOT_LOGGED_IN}\n", code=1),
    "not-logged-in-with-aadsts-is-an-error": Reply(
        stderr=console(f"ERROR: AADSTS70043: expired; {NOT_LOGGED_IN}\n") + "\n", code=1
    ),
    "aadsts-console-message": Reply(
        stderr=console("\nERROR: fetching token: AADSTS50076: Due to a configuration change, you must use MFA.\n")
        + "\n"
        + console("Suggestion: re-authentication required, run `azd auth login` to acquire a new token.\n"),
        code=1,
    ),
    "structured-error-field": Reply(
        stderr=json.dumps({"error": "fetching token: AADSTS50076: MFA required", "message": "m", "suggestion": "s"}),
        code=1,
    ),
    "empty-console-message-then-error-field": Reply(
        stderr=console("") + "\n" + json.dumps({"error": "ERROR: fetching token: failed"}) + "\n", code=1
    ),
    "error-json-on-stdout-wins": Reply(
        stdout=json.dumps({"error": "from stdout"}) + "\n", stderr=json.dumps({"error": "from stderr"}), code=1
    ),
    "error-with-token-is-masked": Reply(stderr=json.dumps({"error": f'bad "token": "{CANARY}" here'}), code=1),
    "unknown-claims-flag": Reply(stderr="Error: unknown flag: --claims\n", code=1),
    "other-error-plain-stderr": Reply(stderr="ERROR: something broke\n", code=42),
    "other-error-without-output": Reply(code=1),
    "exit-127-shell-not-found": Reply(stderr="/bin/sh: 1: azd: not found\n", code=127),
    "windows-not-recognized-text": Reply(
        stderr="'azd' is not recognized as an internal or external command\r\n", code=1
    ),
    "html-page": Reply("<html><body>Sign in to the proxy</body></html>\n"),
    "empty-output": Reply(""),
    "garbage-with-braces": Reply("azd: a new version is available\n{ token: oops }\n"),
    "non-utf8-stdout": Reply(b"\xff\xfe\x00garbage\x80"),
    "json-list-escapes-as-type-error": Reply("[]"),
    "token-null": Reply(azd_output(token=None)),
    "expires-with-fraction-is-unexpected": Reply(azd_output(expires="2026-01-01T00:00:00.123Z")),
    "expires-not-a-string-escapes": Reply(azd_output(expires=1767225600)),
    "success-output-with-error-exit": Reply(azd_output(token=CANARY), code=1),
    "compact-json-token-missing-expiry": Reply('{"token":"' + CANARY + '"}'),
    **{f"malformed-{i}": Reply(text) for i, text in enumerate(MALFORMED)},
    **{f"malformed-with-error-exit-{i}": Reply(text, code=1) for i, text in enumerate(MALFORMED)},
}
# Where azure-identity's message itself would show the token, ours masks it (and so differs).
LEAKS_IN_AZURE_IDENTITY = {"compact-json-token-missing-expiry"}


@pytest.fixture
def azd(tmp_path, monkeypatch):
    return lambda *replies: install(monkeypatch, tmp_path, "azd", *replies)


@pytest.mark.parametrize("case", sorted(AZD_REPLIES))
def test_azd_standalone_matches_azure_identity(case, azd):
    tool = azd(AZD_REPLIES[case])
    real, ours = both(AZD, tool, SCOPE)
    assert_same_but_masked(real, ours, leaks=case in LEAKS_IN_AZURE_IDENTITY, field="token", canary=CANARY)
    assert len(ours.calls) == 1
    assert secret_free(ours, CANARY, TOKEN)


@pytest.mark.parametrize("case", sorted(set(AZD_REPLIES) - LEAKS_IN_AZURE_IDENTITY))
def test_azd_inside_default_azure_credential_matches_azure_identity(case, azd, monkeypatch):
    tool = azd(AZD_REPLIES[case])
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", AZD.class_name)
    real, ours = dac_both(AZD, tool, SCOPE)
    assert_same(real, ours)


def test_azd_expires_on_ignores_the_z_and_reads_local_time(azd, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        tool = azd(Reply(azd_output()))
        real, ours = both(AZD, tool, SCOPE)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert_same(real, ours)
    assert ours.outcome[2] == 1767225600 - 19800  # 00:00 in Kolkata, not UTC


INPUT_CASES = {
    "no-scopes": ((), {}, {}),
    "two-scopes-are-passed-on": ((SCOPE, "https://vault.azure.net/.default"), {}, {}),
    "invalid-scope": (("https://management.azure.com/.default'",), {}, {}),
    "invalid-second-scope": ((SCOPE, "has space"), {}, {}),
    "invalid-request-tenant": ((SCOPE,), {}, {"tenant_id": "x/y"}),
    "invalid-configured-tenant": ((SCOPE,), {"tenant_id": "x y"}, {}),
    "claims-are-passed-as-base64": ((SCOPE,), {}, {"claims": '{"access_token":{"acrs":{"values":["p1"]}}}'}),
    "empty-claims-are-not-passed": ((SCOPE,), {}, {"claims": ""}),
    "no-scopes-with-claims": ((), {}, {"claims": '{"a":1}'}),
    "request-tenant": ((SCOPE,), {}, {"tenant_id": "tenant-2"}),
    "configured-tenant": ((SCOPE,), {"tenant_id": "tenant-1"}, {}),
    "request-tenant-not-allowed": ((SCOPE,), {"tenant_id": "tenant-1"}, {"tenant_id": "tenant-2"}),
    "request-tenant-allowed": (
        (SCOPE,),
        {"tenant_id": "tenant-1", "additionally_allowed_tenants": ["tenant-2"]},
        {"tenant_id": "tenant-2"},
    ),
    "organizations-accepts-any-tenant": ((SCOPE,), {"tenant_id": "organizations"}, {"tenant_id": "tenant-2"}),
}


@pytest.mark.parametrize("case", sorted(INPUT_CASES))
def test_azd_request_inputs_match_azure_identity(case, azd):
    scopes, ctor, kwargs = INPUT_CASES[case]
    tool = azd(Reply(azd_output()))
    real, ours = both(AZD, tool, *scopes, ctor=ctor, **kwargs)
    assert_same(real, ours)


def test_azd_multitenant_disabled_keeps_configured_tenant(azd, monkeypatch):
    monkeypatch.setenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "1")
    tool = azd(Reply(azd_output()))
    real, ours = both(AZD, tool, SCOPE, ctor={"tenant_id": "tenant-1"}, tenant_id="tenant-2")
    assert_same(real, ours, compare_logs=False)  # the INFO wording is engine/tenant.py's (see the az oracle)
    assert ours.calls[0].argv[-2:] == ["--tenant-id", "tenant-1"]


def test_azd_not_on_path(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    real, ours = both(AZD, None, SCOPE)
    assert_same(real, ours)
    assert ours.outcome[1] == "CredentialUnavailableError"


def test_azd_that_cannot_be_executed_is_unavailable(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "azd").write_bytes(b"\x7fELF not really an executable")
    (bin_dir / "azd").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    real, ours = both(AZD, None, SCOPE)
    assert_same(real, ours)
    assert ours.outcome == ("error", "CredentialUnavailableError", f"Failed to execute '{bin_dir / 'azd'}'")


def test_azd_error_under_claims_is_the_extracted_message(azd):
    stderr = (
        console(
            "\nERROR: fetching token: AADSTS50076: Due to a configuration change made by your administrator, "
            "you must use multi-factor authentication to access 'tenant-id'.\n"
        )
        + "\n"
        + console("Suggestion: re-authentication required, run `azd auth login` to acquire a new token.\n")
    )
    tool = azd(Reply(stderr=stderr, code=1))
    real, ours = both(AZD, tool, SCOPE, claims='{"access_token":{"acrs":{"essential":true,"values":["p1"]}}}')
    assert_same(real, ours)
    assert ours.outcome[2].startswith("ERROR: fetching token: AADSTS50076")
    assert "--claims" in ours.calls[0].argv


def test_azd_timeout_kills_the_tool_and_is_unavailable(azd):
    tool = azd(Reply(sleep=5))
    started = time.monotonic()
    real, ours = both(AZD, tool, SCOPE, ctor={"process_timeout": 1})
    assert time.monotonic() - started < 4
    assert_same(real, ours)
    assert ours.outcome == ("error", "CredentialUnavailableError", "Failed to invoke the Azure Developer CLI")


# The extractor on its own: azure-identity's function is the oracle for every input.
EXTRACTOR_CASES = {
    "structured-error": '{"error":"fetching token: AADSTS50076","message":"m","suggestion":"s"}',
    "error-preferred-over-earlier-console-message": console("first") + "\n" + '{"error":"the error"}',
    "first-console-message-wins": console("first") + "\n" + console("second"),
    "empty-console-message-skipped": console("") + "\n" + console("   ") + "\n" + console("real one"),
    "console-message-stripped": console("\nERROR: fetching token: failed\n"),
    "root-level-message-ignored": '{"message":"root level"}',
    "non-string-message-ignored": '{"data":{"message":123}}\n{"data":{"message":{"n":"o"}}}\n' + console("ok"),
    "non-string-error-ignored": '{"error":42}\n{"error":{"x":1}}\n' + console("fallback"),
    "blank-error-ignored": '{"error":"   "}\n' + console("fallback"),
    "non-json-lines-ignored": "plain text\n" + console("json one") + "\nmore text",
    "json-non-object-lines-ignored": '[1,2]\n"text"\n42\n' + console("object"),
    "data-not-a-dict-ignored": '{"data":"text"}\n{"data":[1]}',
    "empty-lines-ignored": "\n\n   \n" + console("after blanks") + "\n\n",
    "token-in-console-message-masked": console(f'Error with "token": "{CANARY}" inside'),
    "token-in-error-masked": json.dumps({"error": f'x "token": "{CANARY}'}),
    "error-stripped": '{"error":"  padded  "}',
    "nothing-useful": '{"data":{"notamessage":"x"}}\n{"nomessage":"y"}\nnot json',
    "empty": "",
    "whitespace-only": "   \n\n   \t  ",
}


@pytest.mark.parametrize("case", sorted(EXTRACTOR_CASES))
def test_azd_error_extractor_matches_azure_identity(case):
    text = EXTRACTOR_CASES[case]
    assert extract_azd_error(text) == real_azd.extract_cli_error_message(text)
    assert CANARY not in (extract_azd_error(text) or "")
