"""AzurePowerShellCredential against azure-identity 1.27.0's, on the same fake ``pwsh``.

Both run ``/bin/sh -c "pwsh ... -EncodedCommand <script>"``; the fake records pwsh's argv, so the
decoded script must be the same text. Same outcome, log lines, cwd and environment, standalone and
inside DefaultAzureCredential's first walk.
"""

from __future__ import annotations

import base64
import time

import pytest

from engine.credentials.azure_powershell import AzurePowerShellCredential
from tests.doubles.chain import make_jwt
from tests.doubles.fake_tools import Reply, install
from tests.oracle.developer_tools_harness import Kind, assert_same, both, dac_both, secret_free
from tests.system import require_oracle

azure_identity = require_oracle()

PWSH = Kind("pwsh", "AzurePowerShellCredential", AzurePowerShellCredential)
SCOPE = "https://management.azure.com/.default"
EXPIRES_ON = 1767225600
TOKEN = make_jwt({"appid": "1950a258", "tid": "tenant-1", "upn": "dev@contoso.com", "oid": "oid-1"})
OK = f"\nazsdk%{TOKEN}%{EXPIRES_ON}\n\n"
CLIXML_PROGRESS = (
    '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T></TN>'
    '<MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV></PR></MS></Obj></Objs>'
)
CLIXML_NOT_LOGGED_IN = (
    '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    '<S S="Error">Get-AzAccessToken : Run Connect-AzAccount to login._x000D__x000A_</S>'
    '<S S="Error">At line:1 char:1_x000D__x000A_</S></Objs>'
)
CLIXML_ERROR_RECORD = (
    '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    '<Obj S="error" RefId="0"><TN RefId="0"><T>System.Management.Automation.ErrorRecord</T></TN>'
    '<ToString>Run Connect-AzAccount to login.</ToString><Props><S N="FullyQualifiedErrorId">'
    "Microsoft.Azure.Commands.Profile.GetAzureRmAccessTokenCommand</S></Props></Obj></Objs>"
)

PWSH_REPLIES = {
    "success": Reply(OK),
    "success-with-clixml-progress-on-stderr": Reply(OK, CLIXML_PROGRESS),
    "success-among-motd-noise": Reply(f"Welcome to PowerShell 7.4!\r\nTip: try Get-Help\r\n{OK}Bye\r\n"),
    "success-first-marker-wins": Reply(f"{OK}azsdk%other%1\n"),
    "module-missing": Reply("NO_AZ_ACCOUNT_MODULE\n"),
    "module-marker-beats-a-token": Reply(f"NO_AZ_ACCOUNT_MODULE\n{OK}"),
    "exit-127-pwsh-not-found": Reply(stderr="/bin/sh: 1: pwsh: not found\n", code=127),
    "not-recognized-text": Reply(stderr="'pwsh' is not recognized as an internal or external command,\n", code=1),
    "not-logged-in-plain": Reply(stderr="Get-AzAccessToken: Run Connect-AzAccount to login.\n", code=1),
    "not-logged-in-clixml": Reply(stderr=CLIXML_NOT_LOGGED_IN, code=1),
    "not-logged-in-clixml-error-record": Reply(stderr=CLIXML_ERROR_RECORD, code=1),
    "execution-policy": Reply(
        stderr="Import-Module : AuthorizationManager check failed.\r\nAt line:4 char:6\r\n", code=1
    ),
    "other-error-with-stderr-goes-to-debug-log": Reply(stderr="Get-AzAccessToken: Something else failed.\n", code=42),
    "other-error-without-stderr": Reply(code=1),
    "failure-exit-ignores-a-token-on-stdout": Reply(OK, code=1),
    "no-marker-is-unexpected-output": Reply("Welcome to PowerShell!\nThe token is somewhere over the rainbow.\n"),
    "empty-output": Reply(""),
    "html-page": Reply("<html><body>proxy</body></html>"),
    "marker-with-two-fields-escapes-as-value-error": Reply("azsdk%only-token\n"),
    "marker-with-four-fields-escapes-as-value-error": Reply(f"azsdk%{TOKEN}%1%2\n"),
    "marker-with-non-integer-expiry-escapes": Reply(f"azsdk%{TOKEN}%tomorrow\n"),
    "non-utf8-stdout": Reply(b"\xff\xfeazsdk%x%1\n"),
    "non-utf8-stderr-on-failure": Reply(stderr=b"\x80\x81 failed\n", code=1),
}


@pytest.fixture
def pwsh(tmp_path, monkeypatch):
    return lambda *replies: install(monkeypatch, tmp_path, "pwsh", *replies)


def _script(call) -> str:
    assert call.argv[:3] == ["-NoProfile", "-NonInteractive", "-EncodedCommand"]
    return base64.b64decode(call.argv[3]).decode("utf-16-le")


@pytest.mark.parametrize("case", sorted(PWSH_REPLIES))
def test_powershell_standalone_matches_azure_identity(case, pwsh):
    tool = pwsh(PWSH_REPLIES[case])
    real, ours = both(PWSH, tool, SCOPE)
    assert_same(real, ours)
    assert len(ours.calls) == 1
    assert secret_free(ours, TOKEN) or ours.outcome[2].startswith("Unexpected output")


@pytest.mark.parametrize("case", sorted(PWSH_REPLIES))
def test_powershell_inside_default_azure_credential_matches_azure_identity(case, pwsh, monkeypatch):
    tool = pwsh(PWSH_REPLIES[case])
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", PWSH.class_name)
    real, ours = dac_both(PWSH, tool, SCOPE)
    assert_same(real, ours)


def test_powershell_script_is_azure_identitys_text(pwsh):
    tool = pwsh(Reply(OK))
    real, ours = both(PWSH, tool, SCOPE, tenant_id="tenant-2")
    script = _script(ours.calls[0])
    assert script == _script(real.calls[0])
    assert "$params = @{ 'ResourceUrl' = 'https://management.azure.com'; 'WarningAction' = 'Ignore' }" in script
    assert "$tenantId = 'tenant-2'" in script
    assert "ConvertFrom-SecureString -AsPlainText" in script


def test_powershell_without_tenant_passes_an_empty_one(pwsh):
    tool = pwsh(Reply(OK))
    _, ours = both(PWSH, tool, SCOPE)
    assert "$tenantId = ''" in _script(ours.calls[0])


INPUT_CASES = {
    "no-scopes": ((), {}, {}),
    "two-scopes": ((SCOPE, "https://vault.azure.net/.default"), {}, {}),
    "invalid-scope": (("https://x/.default'; Remove-Item",), {}, {}),
    "invalid-request-tenant": ((SCOPE,), {}, {"tenant_id": "t'; exit"}),
    "invalid-configured-tenant": ((SCOPE,), {"tenant_id": "t'x"}, {}),
    "claims": ((SCOPE,), {}, {"claims": '{"access_token":{"acrs":{"values":["p1"]}}}'}),
    "claims-with-tenant": ((SCOPE,), {}, {"claims": '{"a":1}', "tenant_id": "tenant-2"}),
    "claims-without-scopes": ((), {}, {"claims": '{"a":1}'}),
    "empty-claims-is-normal": ((SCOPE,), {}, {"claims": ""}),
    "configured-tenant": ((SCOPE,), {"tenant_id": "tenant-1"}, {}),
    "request-tenant-not-allowed": ((SCOPE,), {"tenant_id": "tenant-1"}, {"tenant_id": "tenant-2"}),
    "request-tenant-not-allowed-and-two-scopes": ((SCOPE, SCOPE), {"tenant_id": "tenant-1"}, {"tenant_id": "x"}),
    "request-tenant-allowed": (
        (SCOPE,),
        {"tenant_id": "tenant-1", "additionally_allowed_tenants": ["tenant-2"]},
        {"tenant_id": "tenant-2"},
    ),
    "resource-without-default-suffix": (("https://vault.azure.net",), {}, {}),
}


@pytest.mark.parametrize("case", sorted(INPUT_CASES))
def test_powershell_request_inputs_match_azure_identity(case, pwsh):
    scopes, ctor, kwargs = INPUT_CASES[case]
    tool = pwsh(Reply(OK))
    real, ours = both(PWSH, tool, *scopes, ctor=ctor, **kwargs)
    assert_same(real, ours)


def test_powershell_multitenant_disabled_keeps_configured_tenant(pwsh, monkeypatch):
    monkeypatch.setenv("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "yes")
    tool = pwsh(Reply(OK))
    real, ours = both(PWSH, tool, SCOPE, ctor={"tenant_id": "tenant-1"}, tenant_id="tenant-2")
    assert_same(real, ours, compare_logs=False)  # the INFO wording is engine/tenant.py's (see the az oracle)
    assert "$tenantId = 'tenant-1'" in _script(ours.calls[0])


def test_powershell_missing_from_path_is_exit_127_through_the_shell(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    real, ours = both(PWSH, None, SCOPE)
    assert_same(real, ours)
    assert ours.outcome == ("error", "CredentialUnavailableError", "PowerShell is not installed")


def test_powershell_timeout_kills_the_process_and_is_unavailable(pwsh):
    tool = pwsh(Reply(sleep=5))
    started = time.monotonic()
    real, ours = both(PWSH, tool, SCOPE, ctor={"process_timeout": 1})
    assert time.monotonic() - started < 4
    assert_same(real, ours)
    assert ours.outcome[1] == "CredentialUnavailableError"
    assert ours.outcome[2].startswith("Failed to invoke PowerShell.\nTo mitigate this issue")
    assert ours.steps[-1].detail.get("killed") is True
