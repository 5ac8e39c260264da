"""What each sandbox stand-in output is based on, and proof that the stand-ins read their own files.

az is checked against the real azure-cli 2.91.0 in tests/realtools/. azd and Az PowerShell cannot be
installed here (Go and .NET binaries), so their outputs rest on their published source and documentation,
listed row by row below; each row's text is asserted to be what the stand-in really prints.

| tool | output or file | based on |
|---|---|---|
| az | every command's output, error text, exit code, files | the real azure-cli 2.91.0, compared in tests/realtools (2.67: its aad_error_handler text) |
| azd | `auth token --output json`: `{"token", "expiresOn"}`, RFC 3339, indent 2 | azure-dev cli/azd/pkg/contracts/auth_token.go (AuthTokenResult, RFC3339Time) |
| azd | not logged in: "ERROR: not logged in, run `azd auth login` to login" (no "fetching token:" prefix) | azure-dev pkg/auth/errors.go (ErrNoCurrentUser), cmd/auth_token.go (returns the provider's error unwrapped; "fetching token: %w" wraps only GetToken's); azd docs show the same data.message |
| azd | an Entra error: "ERROR: fetching token: failed to authenticate:\n(<error>) <description>" | cmd/auth_token.go ("fetching token: %w" around GetToken) |
| azd | failures as a consoleMessage JSON line; azd >= 1.24 as `{"error": ...}` | azure-dev pkg/contracts/console_message.go; azure-identity 1.27 azd_cli.py parses both |
| azd | `auth login --check-status --output json`: `{"status": "success", "expiresOn": <Go time.Time, RFC 3339 with fraction>}` / `{"status": "unauthenticated"}`; success needs a token for the login scope | azure-dev tag azure-dev-cli_1.21.1 (and main, Aug 2026): pkg/contracts/login.go, now auth.go (LoginResult: status, expiresOn omitempty), cmd/auth_login.go (verifyLoggedIn, res.ExpiresOn = &token.ExpiresOn); no release prints account/loginType (they exist only on the unmerged branch commit 1f023b0b, Jul 2025; #6377 added `azd auth status` instead) |
| azd | `auth login --check-status` (text): "Logged in to Azure as <upn>" / "Not logged in, run `azd auth login` to login to Azure" | azure-dev cmd/auth_login.go ux text; Homebrew's azd formula test asserts the second line |
| azd | signed in only when auth.json's currentUser.homeAccountId is an account of auth/msal/cache.json | azure-dev pkg/auth/manager.go (CredentialForCurrentUser, authConfigFileName "auth.json") |
| azd | `azd version`: `azd version 1.21.1 (commit ...)` | azure-dev cmd/version.go text form |
| pwsh | token line `azsdk%<token>%<expires_on>` between blank lines | azure-identity 1.27 azure_powershell.py SCRIPT (Write-Output "`nazsdk%...`n") |
| pwsh | `NO_AZ_ACCOUNT_MODULE` when no Az.Accounts folder is on the module path | the same SCRIPT (Get-Module -ListAvailable Az.Accounts) |
| pwsh | not signed in: `Get-AzAccessToken: Run Connect-AzAccount to login.` | azure-powershell src/Accounts (Resources: "Run Connect-AzAccount to login.") |
| pwsh | signed in only when AzureRmContext.json's default context names an account and autosave is on | azure-powershell src/Accounts/Authentication (AzureRmProfile, ContextAutosaveSettings "Process") |
"""

from __future__ import annotations

import datetime
import json
import subprocess

import pytest

from engine.sandbox.tokens import ACCESS_TOKEN_LIFETIME
from engine.sandbox.tools import azd, pwsh

AZD_TOKEN = [
    "azd",
    "auth",
    "token",
    "--output",
    "json",
    "--no-prompt",
    "--scope",
    "https://management.azure.com/.default",
]
PWSH_SCRIPT = (
    "$m = Get-Module -ListAvailable Az.Accounts; Get-AzAccessToken -ResourceUrl 'https://management.azure.com'"
)


def run(box, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(box.bin_dir / argv[0]), *argv[1:]], env=box.env, capture_output=True, text=True, timeout=60
    )


def test_the_table_rows_are_what_the_stand_ins_print() -> None:
    table = __doc__
    assert '"ERROR: not logged in, run `azd auth login` to login"' in table
    assert azd.NOT_LOGGED_IN.strip() == "ERROR: not logged in, run `azd auth login` to login"
    assert f'"{azd.CHECK_NOT_LOGGED_IN}"' in table and azd.LOGGED_IN.format(who="<upn>") in table
    assert pwsh.NOT_LOGGED_IN == "Get-AzAccessToken: Run Connect-AzAccount to login.\n"
    assert pwsh.NO_MODULE_MARKER == "NO_AZ_ACCOUNT_MODULE" and "NO_AZ_ACCOUNT_MODULE" in table
    assert azd.VERSION.startswith("azd version 1.21.1 (commit ")


def test_azd_token_shape_and_sign_in_come_from_its_files(sandbox_factory) -> None:
    box = sandbox_factory("laptop-everything")
    token = run(box, *AZD_TOKEN)
    assert token.returncode == 0, token.stderr
    assert list(json.loads(token.stdout)) == ["token", "expiresOn"] and token.stdout.startswith('{\n  "token": ')
    checked = run(box, "azd", "auth", "login", "--check-status", "--output", "json").stdout
    status = json.loads(checked)
    assert list(status) == ["status", "expiresOn"] and status["status"] == "success"
    assert checked.startswith('{\n  "status": "success",\n  "expiresOn": "')
    expires = datetime.datetime.fromisoformat(status["expiresOn"].replace("Z", "+00:00"))
    assert 0 < (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds() <= ACCESS_TOKEN_LIFETIME
    (box.home / ".azd" / "auth" / "msal" / "cache.json").unlink()
    signed_out = run(box, *AZD_TOKEN)
    assert signed_out.returncode == 1 and "not logged in, run `azd auth login` to login" in signed_out.stderr
    status = json.loads(run(box, "azd", "auth", "login", "--check-status", "--output", "json").stdout)
    assert status == {"status": "unauthenticated"}
    text = run(box, "azd", "auth", "login", "--check-status").stdout
    assert text == "Not logged in, run `azd auth login` to login to Azure\n"


@pytest.mark.parametrize("edit", ["delete auth.json", "clear currentUser"])
def test_azd_without_a_current_user_is_not_logged_in(sandbox_factory, edit: str) -> None:
    box = sandbox_factory("laptop-everything")
    auth = box.home / ".azd" / "auth.json"
    if edit == "delete auth.json":
        auth.unlink()
    else:
        auth.write_text("{}")
    assert "not logged in" in run(box, *AZD_TOKEN).stderr


def _pwsh(box) -> subprocess.CompletedProcess:
    import base64

    encoded = base64.b64encode(PWSH_SCRIPT.encode("utf-16-le")).decode()
    return run(box, "pwsh", "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded)


@pytest.mark.parametrize("edit", ["none", "delete context", "autosave off", "remove module"])
def test_pwsh_answers_from_its_context_settings_and_module_folder(sandbox_factory, edit: str) -> None:
    box = sandbox_factory("laptop-everything")
    azure = box.home / ".Azure"
    if edit == "delete context":
        (azure / "AzureRmContext.json").unlink()
    elif edit == "autosave off":
        (azure / "AzureRmContextSettings.json").write_text(json.dumps({"Mode": "Process"}))
    elif edit == "remove module":
        import shutil

        shutil.rmtree(box.home / ".local" / "share" / "powershell" / "Modules" / "Az.Accounts")
    p = _pwsh(box)
    if edit == "none":
        assert p.returncode == 0 and p.stdout.startswith("\nazsdk%"), p.stderr
    elif edit == "remove module":
        assert (p.returncode, p.stdout) == (0, "NO_AZ_ACCOUNT_MODULE\n")
    else:
        assert (p.returncode, p.stderr) == (1, "Get-AzAccessToken: Run Connect-AzAccount to login.\n")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime.datetime(2026, 12, 2, 12, 0, 0, 123450, tzinfo=datetime.timezone.utc), "2026-12-02T12:00:00.12345Z"),
        (datetime.datetime(2026, 12, 2, 12, 0, 0, tzinfo=datetime.timezone.utc), "2026-12-02T12:00:00Z"),
        (
            datetime.datetime(2026, 12, 2, 13, 0, 0, 500000, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
            "2026-12-02T13:00:00.5+01:00",
        ),
    ],
)
def test_azd_times_are_gos_rfc3339_nano(moment: datetime.datetime, expected: str) -> None:
    assert azd.go_time(moment) == expected


def test_azd_check_status_needs_a_token_not_just_a_cache_entry(sandbox_factory) -> None:
    """verifyLoggedIn asks for a token: a revoked refresh token reads as unauthenticated, with no expiresOn."""
    box = sandbox_factory("laptop-everything")
    cache = json.loads((box.home / ".azd" / "auth" / "msal" / "cache.json").read_text())
    for entry in cache["RefreshToken"].values():
        assert box.issuer.revoke(entry["secret"])
    status = json.loads(run(box, "azd", "auth", "login", "--check-status", "--output", "json").stdout)
    assert status == {"status": "unauthenticated"}
