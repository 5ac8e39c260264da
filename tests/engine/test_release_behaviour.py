"""Per-release behaviour, each fact read in that release's sources (pip download).

Every test builds credentials as an older release (``building_as``) and checks what that release
does, where today's 1.27 behaviour differs; tests/oracle/test_releases_oracle.py runs the releases
themselves on the same kinds of cases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

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
from tests.doubles.fake_tools import FakeTool, Reply, tool_path
from tests.doubles.service import SCOPE, app_token
from tests.doubles.standins import Reply as HttpReply

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
@dataclass(frozen=True)
class _SecretHost(Host):
    """A Host whose OS secret store holds ``secrets`` ({(service, account): value}) and records lookups."""

    secrets: dict = dataclass_field(default_factory=dict, compare=False)
    lookups: list = dataclass_field(default_factory=list, compare=False)

    def secret_lookup(self, service: str, account: str) -> str | None:
        self.lookups.append((service, account))
        return self.secrets.get((service, account))


def test_vscode_before_1_24_is_the_azure_account_credential(tmp_path):
    host = _SecretHost(env={"HOME": str(tmp_path)})
    credential = _build("1.23", lambda: VisualStudioCodeCredential(host=host))
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(ARM)
    assert info.value.message == FAILED_TO_GET_DETAILS
    assert host.lookups == [("VS Code Azure", "AzureCloud")]
    assert credential.probe().status == "unavailable"


@pytest.mark.parametrize("release", ["1.19", "1.23"])
def test_vscode_before_1_24_redeems_the_extensions_refresh_token_once_then_uses_its_cache(
    release, tmp_path, stand_in, tls_ca
):
    entra = stand_in(tls_ca.server_context)
    token = app_token()
    entra.routes[("POST", "/*")] = [HttpReply.json({"token_type": "Bearer", "expires_in": 3599, "access_token": token})]
    env = {"HOME": str(tmp_path), "AZURE_AUTHORITY_HOST": entra.url, "REQUESTS_CA_BUNDLE": str(tls_ca.ca_pem)}
    host = _SecretHost(env=env, secrets={("VS Code Azure", "AzureCloud"): "CANARY-vscode-rt"})
    credential = _build(release, lambda: VisualStudioCodeCredential(host=host))
    assert credential.probe().status == "unknown"
    first, second = credential.get_token(ARM), credential.get_token(ARM)
    assert first.token.reveal() == second.token.reveal() == token
    (request,) = entra.seen
    assert request.path == "/organizations/oauth2/v2.0/token"
    assert request.form["grant_type"] == "refresh_token" and request.form["refresh_token"] == "CANARY-vscode-rt"
    assert request.form["client_id"] == "aebc6443-996d-45c2-90f0-388ff96faa56"


def test_vscode_before_1_24_rejected_refresh_token_fails_alone_and_is_unavailable_in_dac(tmp_path, stand_in, tls_ca):
    entra = stand_in(tls_ca.server_context)
    entra.routes[("POST", "/*")] = [HttpReply.json({"error": "invalid_grant", "error_description": "expired"}, 400)]
    env = {"HOME": str(tmp_path), "AZURE_AUTHORITY_HOST": entra.url, "REQUESTS_CA_BUNDLE": str(tls_ca.ca_pem)}
    host = _SecretHost(env=env, secrets={("VS Code Azure", "AzureCloud"): "CANARY-vscode-rt"})
    credential = _build("1.19", lambda: VisualStudioCodeCredential(host=host))
    with pytest.raises(ClientAuthenticationError) as alone:
        credential.get_token(ARM)
    assert not isinstance(alone.value, CredentialUnavailableError)
    assert "CANARY-vscode-rt" not in str(alone.value)
    flag = within_dac.set(True)
    try:
        with pytest.raises(CredentialUnavailableError, match="invalid_grant"):
            credential.get_token(ARM)
    finally:
        within_dac.reset(flag)


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


# ---- DefaultAzureCredential's context flag after a failed walk ---------------------------------------
class _Unavailable:
    def get_token(self, *scopes, **kwargs):
        raise CredentialUnavailableError("nothing here")


@pytest.mark.parametrize(("release", "left_set"), [("1.19", True), ("1.23", True), ("1.24", False), ("1.27", False)])
def test_failed_dac_walk_left_within_dac_set_before_1_24(release, left_set):
    import contextvars

    from engine.default import DefaultAzureCredential

    def walk() -> bool:
        dac = DefaultAzureCredential(host=Host(env={"PATH": "/nonexistent", "HOME": "/nonexistent"}), profile=release)
        dac.credentials = (_Unavailable(),)
        with pytest.raises(ClientAuthenticationError):
            dac.get_token(ARM)
        return within_dac.get()

    assert contextvars.Context().run(walk) is left_set


def test_each_run_starts_with_clear_flags_even_after_a_leaking_walk():
    import contextvars

    from engine.default import DefaultAzureCredential
    from engine.run import run_chain

    seen = []

    class _Records:
        def get_token(self, *scopes, **kwargs):
            seen.append(within_dac.get())
            raise CredentialUnavailableError("nothing")

    def runs() -> None:
        dac = DefaultAzureCredential(host=Host(env={"PATH": "/nonexistent", "HOME": "/nonexistent"}), profile="1.19")
        dac.credentials = (_Unavailable(),)
        assert run_chain(dac).outcome == "failed"
        assert within_dac.get()  # what 1.19 leaves behind in the caller's context
        run_chain(_Records())

    contextvars.Context().run(runs)
    assert seen == [False]


# ---- az and azd log the argv they spawn only from 1.20 ------------------------------------------------
@pytest.mark.parametrize(("release", "logged"), [("1.19", False), ("1.20", True), ("1.27", True)])
def test_az_logs_its_argv_from_1_20(tmp_path, release, logged):
    from engine import events

    tool = FakeTool(tmp_path, "az", Reply(AZ_OUTPUT))
    credential = _build(release, lambda: AzureCliCredential(host=_host(tool)))
    recorder = events.Recorder()
    with events.recording(recorder):
        credential.get_token(ARM)
    lines = [e.message for e in recorder.events if isinstance(e, events.LogEmitted)]
    assert any(line.startswith("Executing subprocess with the following arguments") for line in lines) is logged
