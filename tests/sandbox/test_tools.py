"""The fake az / azd / pwsh print what the real tools print, and the real azure-identity
credentials read them as they read the real tools, in every mode."""

from __future__ import annotations

import re

import pytest

from tests.system import require_oracle

ALL_TOOLS = {"az": "{mode}", "azd": "{mode}", "pwsh": "{mode}"}

SNIPPET = r"""
import base64, json, subprocess, time
from azure.identity import AzureCliCredential, AzureDeveloperCliCredential, AzurePowerShellCredential
from azure.identity._credentials.azure_powershell import SCRIPT

def run(argv, shell=False):
    started = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=RAW_TIMEOUT)
        return {"rc": p.returncode, "out": p.stdout, "err": p.stderr}
    except subprocess.TimeoutExpired:
        return {"rc": None, "out": "", "err": "", "seconds": time.monotonic() - started}
    except FileNotFoundError:
        return {"rc": "not found", "out": "", "err": ""}

script = SCRIPT.format("NO_AZ_ACCOUNT_MODULE", "https://management.azure.com", "")
encoded = base64.b64encode(script.encode("utf-16-le")).decode()
raw = {
    "az": run(["az", "account", "get-access-token", "--output", "json", "--resource", "https://management.azure.com"]),
    "azd": run(["azd", "auth", "token", "--output", "json", "--no-prompt", "--scope", "https://management.azure.com/.default"]),
    "pwsh": run(["/bin/sh", "-c", "pwsh -NoProfile -NonInteractive -EncodedCommand " + encoded]),
}
creds = {"az": AzureCliCredential, "azd": AzureDeveloperCliCredential, "pwsh": AzurePowerShellCredential}
verdicts = {}
for name, cls in creds.items():
    started = time.monotonic()
    try:
        token = cls(process_timeout=RAW_TIMEOUT).get_token("https://management.azure.com/.default")
        p = token.token.split(".")[1]
        verdicts[name] = {"ok": json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["upn"],
                          "expires_on": token.expires_on}
    except Exception as err:
        verdicts[name] = {"error": type(err).__name__, "message": str(err)}
    verdicts[name]["seconds"] = time.monotonic() - started
emit({"raw": raw, "verdicts": verdicts})
"""


def _run(sandbox_run, mode: str):
    require_oracle()
    overrides = {"tools": {t: {"mode": mode, "account": "dev@contoso.com"} for t in ("az", "azd", "pwsh")}}
    # A hanging tool costs the whole timeout on each call: keep it short there, generous elsewhere.
    timeout = 1 if mode == "hang" else 10
    run = sandbox_run("laptop-az", f"RAW_TIMEOUT = {timeout}\n" + SNIPPET, overrides=overrides)
    assert run.returncode == 0, run.stderr
    return run.result()


def test_signed_in_tools_print_the_real_formats_and_the_credentials_accept_them(sandbox_run) -> None:
    result = _run(sandbox_run, "signed_in")
    az, azd, pwsh = (result["raw"][t] for t in ("az", "azd", "pwsh"))
    assert az["rc"] == 0 and az["out"].startswith('{\n  "accessToken": ')
    import json

    az_json = json.loads(az["out"])
    assert list(az_json) == ["accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", az_json["expiresOn"])
    assert az_json["tokenType"] == "Bearer" and isinstance(az_json["expires_on"], int)
    azd_json = json.loads(azd["out"])
    assert list(azd_json) == ["token", "expiresOn"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", azd_json["expiresOn"])
    assert re.fullmatch(r"\nazsdk%[\w.-]+%\d+\n\n", pwsh["out"])
    for tool in ("az", "azd", "pwsh"):
        assert result["verdicts"][tool]["ok"] == "dev@contoso.com", result["verdicts"][tool]
    assert abs(result["verdicts"]["az"]["expires_on"] - az_json["expires_on"]) < 120


EXPECTED = {
    "not_signed_in": {
        "az": ("CredentialUnavailableError", "Please run 'az login' to set up an account"),
        "azd": ("CredentialUnavailableError", "Please run 'azd auth login' from a command prompt"),
        "pwsh": ("CredentialUnavailableError", 'Please run "Connect-AzAccount" to set up account'),
    },
    "absent": {
        "az": ("CredentialUnavailableError", "Azure CLI not found on path"),
        "azd": ("CredentialUnavailableError", "Azure Developer CLI could not be found"),
        "pwsh": ("CredentialUnavailableError", "PowerShell is not installed"),
    },
    "garbage": {
        "az": ("ClientAuthenticationError", "Unexpected output from Azure CLI"),
        "azd": ("ClientAuthenticationError", "Unexpected output from Azure Developer CLI"),
        "pwsh": ("ClientAuthenticationError", "Unexpected output from Get-AzAccessToken"),
    },
    "aadsts_error": {
        "az": ("ClientAuthenticationError", "AADSTS50173"),
        "azd": ("ClientAuthenticationError", "AADSTS50173"),
        "pwsh": ("CredentialUnavailableError", "Failed to invoke PowerShell"),
    },
    "module_missing": {
        "pwsh": ("CredentialUnavailableError", "Az.Account module >= 2.2.0 is not installed"),
    },
    "hang": {
        "az": ("CredentialUnavailableError", "Failed to invoke the Azure CLI"),
        "azd": ("CredentialUnavailableError", "Failed to invoke the Azure Developer CLI"),
        "pwsh": ("CredentialUnavailableError", "Failed to invoke PowerShell"),
    },
}
RAW_STDERR = {
    "not_signed_in": {
        "az": "ERROR: Please run 'az login' to setup account.\n",
        "azd": "not logged in, run `azd auth login` to login",
        "pwsh": "Run Connect-AzAccount to login.",
    },
    "aadsts_error": {"az": "ERROR: AADSTS50173: ", "azd": "(invalid_grant) AADSTS50173: ", "pwsh": "AADSTS50173"},
}


@pytest.mark.parametrize("mode", list(EXPECTED))
def test_each_failure_mode_reaches_the_real_credential_as_the_real_tool_would(sandbox_run, mode: str) -> None:
    result = _run(sandbox_run, mode)
    for tool, (error, fragment) in EXPECTED[mode].items():
        verdict = result["verdicts"][tool]
        assert verdict.get("error") == error, (tool, verdict)
        assert fragment in verdict["message"], (tool, verdict)
        if mode == "hang":
            assert verdict["seconds"] < 5, (tool, verdict)
    for tool, text in RAW_STDERR.get(mode, {}).items():
        assert text in result["raw"][tool]["err"], (tool, result["raw"][tool])
    if mode == "not_signed_in":
        assert result["raw"]["az"]["rc"] == 1 and result["raw"]["az"]["out"] == ""
    if mode == "absent":
        assert result["raw"]["pwsh"]["rc"] == 127
    if mode == "module_missing":
        assert result["raw"]["pwsh"] == {"rc": 0, "out": "NO_AZ_ACCOUNT_MODULE\n", "err": ""}


def test_tools_write_their_sign_in_state_in_home_as_the_real_tools_do(sandbox_factory) -> None:
    import json

    box = sandbox_factory("laptop-everything")
    profile = (box.home / ".azure" / "azureProfile.json").read_bytes()
    assert profile.startswith(b"\xef\xbb\xbf")
    sub = json.loads(profile[3:])["subscriptions"][0]
    assert sub["user"] == {"name": "dev@contoso.com", "type": "user"} and sub["isDefault"] is True
    azd = json.loads((box.home / ".azd" / "auth.json").read_text())
    home_account_id = azd["auth"]["account"]["currentUser"]["homeAccountId"]
    assert home_account_id == "a1b2c3d4-0002-4000-8000-00000000d002.4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
    azd_cache = json.loads((box.home / ".azd" / "auth" / "msal" / "cache.json").read_text())
    (azd_account,) = azd_cache["Account"].values()
    assert azd_account["home_account_id"] == home_account_id and azd_account["username"] == "dana.ops@contoso.com"
    context = json.loads((box.home / ".Azure" / "AzureRmContext.json").read_text())
    assert next(iter(context["Contexts"].values()))["Account"]["Id"] == "dana@fabrikam.com"
    cache = json.loads((box.home / ".IdentityService" / "msal.cache.nocae").read_text())
    (account,) = cache["Account"].values()
    assert account["username"] == "old.me@contoso.com" and account["authority_type"] == "MSSTS"
    (refresh,) = cache["RefreshToken"].values()
    assert refresh["family_id"] == "1" and refresh["environment"] == "login.microsoftonline.com"


def test_azd_signed_out_leaves_auth_json_without_a_current_user(sandbox_factory) -> None:
    import json

    box = sandbox_factory("laptop-everything", tools={"azd": {"mode": "not_signed_in"}})
    assert json.loads((box.home / ".azd" / "auth.json").read_text()) == {}
    assert not (box.home / ".azd" / "auth" / "msal" / "cache.json").exists()


AZD_JSON_ERRORS_SNIPPET = r"""
import subprocess
from azure.identity import AzureDeveloperCliCredential
argv = ["azd", "auth", "token", "--output", "json", "--no-prompt", "--scope", "https://management.azure.com/.default"]
p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
try:
    AzureDeveloperCliCredential().get_token("https://management.azure.com/.default")
    verdict = {}
except Exception as err:
    verdict = {"error": type(err).__name__, "message": str(err)}
emit({"err": p.stderr, "version": subprocess.run(["azd", "version"], capture_output=True, text=True).stdout, **verdict})
"""


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("not_signed_in", "CredentialUnavailableError", "Please run 'azd auth login' from a command prompt"),
        (
            "aadsts_error",
            "ClientAuthenticationError",
            "fetching token: failed to authenticate:\n(invalid_grant) AADSTS50173",
        ),
    ],
)
def test_azd_json_error_lines_reach_the_real_credential_as_azd_1_24_prints_them(
    sandbox_run, mode: str, error: str, message: str
) -> None:
    require_oracle()
    overrides = {"tools": {"azd": {"mode": mode, "account": "dev@contoso.com", "errors": "json"}}}
    run = sandbox_run("laptop-az", AZD_JSON_ERRORS_SNIPPET, overrides=overrides)
    assert run.returncode == 0, run.stderr
    result = run.result()
    import json

    (line,) = result["err"].splitlines()
    assert list(json.loads(line)) == ["error"], result["err"]
    assert result["version"].startswith("azd version 1.24.0")
    assert result["error"] == error and result["message"].startswith(message), result
