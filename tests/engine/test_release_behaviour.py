"""Per-release behaviour (issue 10, F1-F8), each fact read in that release's sources (pip download).

Every test builds credentials as an older release (``building_as``) and checks what that release
does, where today's 1.27 behaviour differs; tests/oracle/test_releases_oracle.py runs the releases
themselves on the same kinds of cases.
"""

from __future__ import annotations

import json
import re

import pytest

from engine.context import within_dac
from engine.credentials._internal.powershell_script import SCRIPT_BEFORE_1_23_1, script
from engine.credentials._internal.vscode_account import FAILED_TO_GET_DETAILS
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.vscode import VisualStudioCodeCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.profiles import building_as
from tests.oracle.fake_tools import FakeTool, Reply, tool_path
from tests.oracle.service_helpers import SCOPE
from tests.oracle.service_standins import Reply as HttpReply

pytest_plugins = ["tests.oracle.service_fixtures"]

ARM = "https://management.azure.com/.default"
CLAIMS = '{"access_token":{"nbf":{"essential":true}}}'
AZ_OUTPUT = json.dumps({"accessToken": "tok", "expires_on": 1767225600, "expiresOn": "2026-01-01 00:00:00.000000"})
AZD_OUTPUT = json.dumps({"token": "tok", "expiresOn": "2026-01-01T00:00:00Z"})
PWSH_OUTPUT = "\nazsdk%tok%1767225600\n"
IMDS_PATH = "/metadata/identity/oauth2/token"


def _host(*tools: FakeTool) -> Host:
    return Host(env={"PATH": tool_path(*tools), "HOME": "/nonexistent"})


def _build(release: str, factory):
    with building_as(release):
        return factory()


# ---- F1: claims ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("release", "refused"), [("1.19", False), ("1.23", False), ("1.24", False), ("1.25", True)])
def test_az_ignored_claims_before_1_25_and_refuses_them_since(tmp_path, release, refused):
    tool = FakeTool(tmp_path, "az", Reply(AZ_OUTPUT))
    credential = _build(release, lambda: AzureCliCredential(host=_host(tool)))
    if refused:
        with pytest.raises(CredentialUnavailableError, match="--claims-challenge"):
            credential.get_token(ARM, claims=CLAIMS)
    else:
        assert credential.get_token(ARM, claims=CLAIMS).token.reveal() == "tok"


@pytest.mark.parametrize(("release", "refused"), [("1.23", False), ("1.25", True)])
def test_powershell_ignored_claims_before_1_25(tmp_path, release, refused):
    tool = FakeTool(tmp_path, "pwsh", Reply(PWSH_OUTPUT))
    credential = _build(release, lambda: AzurePowerShellCredential(host=_host(tool)))
    if refused:
        with pytest.raises(CredentialUnavailableError, match="ClaimsChallenge"):
            credential.get_token(ARM, claims=CLAIMS)
    else:
        assert credential.get_token(ARM, claims=CLAIMS).token.reveal() == "tok"


@pytest.mark.parametrize(("release", "passed"), [("1.19", False), ("1.24", False), ("1.25", True)])
def test_azd_gets_claims_only_since_1_25(tmp_path, release, passed):
    tool = FakeTool(tmp_path, "azd", Reply(AZD_OUTPUT))
    _build(release, lambda: AzureDeveloperCliCredential(host=_host(tool))).get_token(ARM, claims=CLAIMS)
    (call,) = tool.calls()
    assert ("--claims" in call.argv) is passed


# ---- F4: azd argv and failure classification -------------------------------------------------------
@pytest.mark.parametrize(("release", "no_prompt"), [("1.20", False), ("1.24", False), ("1.25", True)])
def test_azd_passes_no_prompt_only_since_1_25(tmp_path, release, no_prompt):
    tool = FakeTool(tmp_path, "azd", Reply(AZD_OUTPUT))
    _build(release, lambda: AzureDeveloperCliCredential(host=_host(tool))).get_token(ARM)
    (call,) = tool.calls()
    assert ("--no-prompt" in call.argv) is no_prompt


NOT_LOGGED_IN_ON_STDOUT = Reply(
    stdout='{"type":"consoleMessage","data":{"message":"\\nERROR: not logged in, run `azd auth login` to login\\n"}}\n',
    code=1,
)


@pytest.mark.parametrize(
    ("release", "error"), [("1.23", ClientAuthenticationError), ("1.25", CredentialUnavailableError)]
)
def test_azd_not_logged_in_on_stdout_stops_a_chain_before_1_25(tmp_path, release, error):
    tool = FakeTool(tmp_path, "azd", NOT_LOGGED_IN_ON_STDOUT)
    credential = _build(release, lambda: AzureDeveloperCliCredential(host=_host(tool)))
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(ARM)
    assert type(info.value) is error
    if release == "1.23":
        assert info.value.message == "Failed to invoke Azure Developer CLI"


def test_tools_ran_through_a_shell_before_1_20(tmp_path):
    tool = FakeTool(tmp_path, "az", Reply(AZ_OUTPUT))
    _build("1.19", lambda: AzureCliCredential(host=_host(tool))).get_token(ARM, tenant_id="t1")
    (call,) = tool.calls()
    assert call.argv == ["account", "get-access-token", "--output", "json", "--resource", ARM[:-9], "--tenant", "t1"]


# ---- F2: the shared token cache --------------------------------------------------------------------
def test_shared_cache_refresh_rejection_stopped_dac_before_1_25(tmp_path):
    from engine.credentials.shared_cache import SharedTokenCacheCredential
    from tests.engine.credentials.test_shared_cache import RT_CANARY, TENANT_A, invalid_grant, make_host
    from tests.engine.credentials.user_credential_fakes import CacheWriter

    home = tmp_path / "home"
    cache = CacheWriter()
    cache.account("dev@contoso.com", "uid1", TENANT_A, refresh_token=RT_CANARY)
    cache.write(home)
    outcomes = {}
    for release in ("1.23", "1.25"):
        credential = _build(release, lambda: SharedTokenCacheCredential(host=make_host(home, invalid_grant)))
        flag = within_dac.set(True)
        try:
            credential.get_token(SCOPE)
        except ClientAuthenticationError as ex:
            outcomes[release] = type(ex)
        finally:
            within_dac.reset(flag)
    assert not issubclass(outcomes["1.23"], CredentialUnavailableError)  # a failure: the chain stops
    assert issubclass(outcomes["1.25"], CredentialUnavailableError)


# ---- F3 and F5: IMDS retries and its error text ----------------------------------------------------
def _imds_credential(release, stand_in, same_env, *replies):
    imds = stand_in()
    imds.routes[("GET", IMDS_PATH)] = list(replies)
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    return imds, host, _build(release, lambda: ManagedIdentityCredential(host=host))


@pytest.mark.parametrize(
    ("release", "requests", "waits"), [("1.23", 4, [1.6, 3.2]), ("1.24", 6, [1.6, 3.2, 6.4, 12.8])]
)
def test_imds_500_costs_4_requests_before_1_24_and_6_since(release, requests, waits, stand_in, same_env):
    busy = HttpReply.json({"error": "busy", "error_description": "x"}, 500)
    imds, host, credential = _imds_credential(release, stand_in, same_env, *([busy] * 8))
    with pytest.raises(ClientAuthenticationError):
        credential.get_token(SCOPE)
    assert len(imds.seen) == requests
    assert host.waits == waits


@pytest.mark.parametrize(("release", "requests"), [("1.19", 1), ("1.23", 1), ("1.24", 6)])
def test_imds_404_is_retried_only_since_1_24(release, requests, stand_in, same_env):
    missing = HttpReply.json({"error": "not_found", "error_description": "x"}, 404)
    imds, _, credential = _imds_credential(release, stand_in, same_env, *([missing] * 8))
    with pytest.raises(ClientAuthenticationError):
        credential.get_token(SCOPE)
    assert len(imds.seen) == requests


@pytest.mark.parametrize(
    ("release", "suffix"),
    [("1.23", "invalid_request"), ("1.25", "Token request error: (invalid_request) Identity not found")],
)
def test_managed_identity_error_text_by_release(release, suffix, stand_in, same_env):
    not_found = HttpReply.json({"error": "invalid_request", "error_description": "Identity not found"}, 400)
    _, _, credential = _imds_credential(release, stand_in, same_env, not_found)
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(SCOPE)
    assert info.value.message.endswith(" " + suffix)


# ---- F6: VisualStudioCodeCredential ----------------------------------------------------------------
def test_vscode_before_1_24_is_the_azure_account_credential(tmp_path):
    credential = _build("1.23", lambda: VisualStudioCodeCredential(host=Host(env={"HOME": str(tmp_path)})))
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(ARM)
    assert info.value.message == FAILED_TO_GET_DETAILS


def test_vscode_before_1_24_reports_a_custom_cloud_from_vs_code_settings(tmp_path):
    settings = tmp_path / ".config" / "Code" / "User"
    settings.mkdir(parents=True)
    (settings / "settings.json").write_text('{"azure.cloud": "Contoso"}')
    credential = _build("1.19", lambda: VisualStudioCodeCredential(host=Host(env={"HOME": str(tmp_path)})))
    with pytest.raises(CredentialUnavailableError, match=re.escape('custom cloud. Set keyword argument "authority"')):
        credential.get_token(ARM)


# ---- F7: constructor signatures and texts ----------------------------------------------------------
def test_az_subscription_keyword_is_a_type_error_before_1_20():
    with pytest.raises(TypeError, match="unexpected keyword argument 'subscription'"):
        _build("1.19", lambda: AzureCliCredential(host=Host(env={}), subscription="sub"))
    assert _build("1.20", lambda: AzureCliCredential(host=Host(env={}), subscription="sub")).subscription == "sub"


@pytest.mark.parametrize(
    ("release", "message"),
    [
        ("1.23", "'tenant_id' is required. Please pass it in or set the AZURE_TENANT_ID environment variable"),
        ("1.24", "WorkloadIdentityCredential authentication unavailable. The workload options are not fully"),
    ],
)
def test_workload_identity_with_nothing_configured_by_release(release, message):
    with pytest.raises(ValueError) as info:
        _build(release, lambda: WorkloadIdentityCredential(host=Host(env={})))
    assert str(info.value).startswith(message)


# ---- F8: the PowerShell script ---------------------------------------------------------------------
def test_powershell_script_before_1_23_1_converts_every_secure_string_with_convertfrom():
    old = script("https://management.azure.com", "", by_type=False)
    assert "$useSecureString = $m.Version -ge [version]'2.17.0'" in old
    assert "PtrToStringBSTR" not in old
    assert "PtrToStringBSTR" in script("https://management.azure.com", "")
    assert SCRIPT_BEFORE_1_23_1.startswith("$ErrorActionPreference = 'Stop'")


@pytest.mark.parametrize(("release", "new_script"), [("1.22", False), ("1.23.0", False), ("1.23.1", True)])
def test_powershell_sends_its_release_script(tmp_path, release, new_script):
    import base64

    tool = FakeTool(tmp_path, "pwsh", Reply(PWSH_OUTPUT))
    _build(release, lambda: AzurePowerShellCredential(host=_host(tool))).get_token(ARM)
    (call,) = tool.calls()
    sent = base64.b64decode(call.argv[-1]).decode("utf-16-le")
    assert ("PtrToStringBSTR" in sent) is new_script
