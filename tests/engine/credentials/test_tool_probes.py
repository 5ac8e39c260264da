"""Probes of az, azd and PowerShell: the tool on PATH, who is signed in, clear reasons; nothing is run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import events
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, UNKNOWN
from tests.engine.credentials.test_tool_accounts import (
    az_msal_cache,
    az_profile,
    az_subscription,
    azd_config,
    rm_context,
)


class Machine:
    """A home directory and a bin directory whose tools record it if anything ever runs them."""

    def __init__(self, root: Path, *tools: str) -> None:
        self.home = root / "home"
        self.bin = root / "bin"
        self.ran = root / "ran"
        self.home.mkdir()
        self.bin.mkdir()
        for tool in tools:
            self.tool(tool)
        self.env = {"PATH": str(self.bin), "HOME": str(self.home)}

    def tool(self, name: str) -> str:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\ntouch '{self.ran}'\n")
        path.chmod(0o755)
        return str(path)

    def file(self, relative: str, data: bytes | str) -> Path:
        path = self.home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def host(self, system: str = "Linux", **env: str) -> Host:
        return Host(env={**self.env, **env}, system=system, home=self.home)


def probe(credential):
    recorder = events.Recorder()
    with events.recording(recorder):
        result = credential.probe()
    kinds = {e.kind for e in recorder.events if isinstance(e, events.StepStarted)}
    assert kinds <= {"file"}, "a probe only reads files"
    return result


# ---- az -------------------------------------------------------------------------------------------
def test_az_not_on_path(tmp_path):
    machine = Machine(tmp_path)
    result = probe(AzureCliCredential(host=machine.host()))
    assert (result.credential, result.status, result.reason, result.identity) == (
        "AzureCliCredential",
        UNAVAILABLE,
        "Azure CLI not found on PATH",
        None,
    )


def test_az_signed_in_names_user_tenant_and_subscription(tmp_path):
    machine = Machine(tmp_path, "az")
    machine.file(".azure/azureProfile.json", az_profile(az_subscription("Contoso Dev")))
    machine.file(".azure/msal_token_cache.json", az_msal_cache("Dev@Contoso.com"))
    result = probe(AzureCliCredential(host=machine.host()))
    assert result.status == AVAILABLE
    assert result.reason == (
        f"az found at {machine.bin / 'az'}, signed in as dev@contoso.com, tenant tenant-dev (subscription 'Contoso Dev')"
    )
    assert (result.identity.upn, result.identity.tenant_id) == ("dev@contoso.com", "tenant-dev")
    assert result.duration >= 0
    assert not machine.ran.exists()


def test_az_without_profile_is_signed_out(tmp_path):
    machine = Machine(tmp_path, "az")
    result = probe(AzureCliCredential(host=machine.host()))
    assert (result.status, result.reason) == (
        UNAVAILABLE,
        f"az found at {machine.bin / 'az'}, but no account is signed in (az login)",
    )


def test_az_config_dir_and_cloud_and_credential_settings_are_honoured(tmp_path):
    machine = Machine(tmp_path, "az")
    config_dir = tmp_path / "azconfig"
    config_dir.mkdir()
    (config_dir / "azureProfile.json").write_bytes(
        az_profile(
            az_subscription("Public"),
            az_subscription("China Sub", cloud="AzureChinaCloud", user="cn@contoso.cn"),
            az_subscription("China Other", default=False, cloud="AzureChinaCloud", user="other@contoso.cn"),
        )
    )
    (config_dir / "config").write_text("[cloud]\nname = AzureChinaCloud\n")
    china = az_msal_cache("cn@contoso.cn", "other@contoso.cn", environment="login.chinacloudapi.cn")
    (config_dir / "msal_token_cache.json").write_bytes(china)
    host = machine.host(AZURE_CONFIG_DIR=str(config_dir))
    assert probe(AzureCliCredential(host=host)).identity.upn == "cn@contoso.cn"
    chosen = probe(AzureCliCredential(host=host, subscription="china other", tenant_id="tenant-x"))
    assert chosen.identity.upn == "other@contoso.cn" and chosen.identity.tenant_id == "tenant-x"
    assert chosen.reason.endswith("; tokens are requested for tenant tenant-x")
    missing = probe(AzureCliCredential(host=host, subscription="nope"))
    assert missing.status == UNAVAILABLE and "subscription 'nope' is not among its subscriptions" in missing.reason


@pytest.mark.parametrize(
    ("data", "why"),
    [(b"{\x00", "is not valid JSON"), (b"\xff\xfe", "is not UTF-8 text"), (b'"text"', "not a JSON object")],
)
def test_az_corrupt_profile_is_unknown_with_a_reason(tmp_path, data, why):
    machine = Machine(tmp_path, "az")
    path = machine.file(".azure/azureProfile.json", data)
    result = probe(AzureCliCredential(host=machine.host()))
    assert result.status == UNKNOWN and result.identity is None
    assert result.reason.startswith(f"az found at {machine.bin / 'az'}, but {path} ") and why in result.reason


def test_az_unreadable_profile_is_unknown(tmp_path):
    machine = Machine(tmp_path, "az")
    (machine.home / ".azure" / "azureProfile.json").mkdir(parents=True)  # unreadable even for root
    result = probe(AzureCliCredential(host=machine.host()))
    assert result.status == UNKNOWN and result.reason.endswith("azureProfile.json could not be read (Is a directory)")


def test_az_user_without_its_msal_cache_entry_is_signed_out_as_az_says(tmp_path):
    """azure-cli's UserCredential: no account for the username in msal_token_cache.json, no token."""
    machine = Machine(tmp_path, "az")
    machine.file(".azure/azureProfile.json", az_profile(az_subscription("Contoso Dev")))
    missing = probe(AzureCliCredential(host=machine.host()))
    assert (missing.status, missing.identity) == (UNAVAILABLE, None)
    assert missing.reason.endswith(
        "but its token cache (msal_token_cache.json) holds no sign-in for dev@contoso.com (az login)"
    )
    machine.file(".azure/msal_token_cache.json", az_msal_cache("someone.else@contoso.com"))
    assert probe(AzureCliCredential(host=machine.host())).status == UNAVAILABLE
    machine.file(".azure/msal_token_cache.json", b"{damaged")
    assert probe(AzureCliCredential(host=machine.host())).status == UNAVAILABLE


def test_az_service_principal_needs_its_stored_secret(tmp_path):
    machine = Machine(tmp_path, "az")
    sp = az_subscription("Contoso Dev", user="0c9a51f2-app", kind="servicePrincipal")
    machine.file(".azure/azureProfile.json", az_profile(sp))
    missing = probe(AzureCliCredential(host=machine.host()))
    assert missing.status == UNAVAILABLE
    assert missing.reason.endswith(
        "service principal store (service_principal_entries.json) holds no secret for 0c9a51f2-app (az login)"
    )
    entries = [{"client_id": "0c9a51f2-app", "tenant": "tenant-dev", "client_secret": "canary-secret"}]
    machine.file(".azure/service_principal_entries.json", json.dumps(entries, indent=4))
    found = probe(AzureCliCredential(host=machine.host()))
    assert found.status == AVAILABLE and found.identity.client_id == "0c9a51f2-app"
    assert "canary-secret" not in repr(found)


def test_az_on_windows_is_az_cmd(tmp_path):
    machine = Machine(tmp_path)
    machine.tool("az.cmd")
    result = probe(AzureCliCredential(host=machine.host("Windows")))
    assert result.reason.startswith(f"az found at {machine.bin / 'az.cmd'}, but no account")


# ---- azd ------------------------------------------------------------------------------------------
def test_azd_not_on_path(tmp_path):
    result = probe(AzureDeveloperCliCredential(host=Machine(tmp_path).host()))
    assert (result.status, result.reason) == (UNAVAILABLE, "Azure Developer CLI (azd) not found on PATH")


def test_azd_signed_in_user_named_from_its_msal_cache(tmp_path):
    machine = Machine(tmp_path, "azd")
    machine.file(".azd/auth.json", azd_config({"homeAccountId": "oid-1.tenant-1"}))
    account = {"home_account_id": "oid-1.tenant-1", "username": "dev@contoso.com"}
    machine.file(".azd/auth/msal/cache.json", json.dumps({"Account": {"a": account}}))
    result = probe(AzureDeveloperCliCredential(host=machine.host()))
    assert (result.status, result.reason) == (
        AVAILABLE,
        f"azd found at {machine.bin / 'azd'}, signed in as dev@contoso.com, tenant tenant-1",
    )
    assert (result.identity.object_id, result.identity.upn) == ("oid-1", "dev@contoso.com")
    assert not machine.ran.exists()


def test_azd_user_missing_from_its_msal_cache_is_signed_out_as_azd_says(tmp_path):
    """azd's Manager.CredentialForCurrentUser looks the current user up among its MSAL cache's accounts."""
    machine = Machine(tmp_path, "azd")
    machine.file(".azd/auth.json", azd_config({"homeAccountId": "oid-1.tenant-1"}))
    missing = probe(AzureDeveloperCliCredential(host=machine.host()))
    assert (missing.status, missing.identity) == (UNAVAILABLE, None)
    assert missing.reason.endswith(
        "its token cache (auth/msal/cache.json) holds no sign-in for account oid-1.tenant-1 (azd auth login)"
    )
    other = {"home_account_id": "someone.else", "username": "x@contoso.com"}
    machine.file(".azd/auth/msal/cache.json", json.dumps({"Account": {"a": other}}))
    assert probe(AzureDeveloperCliCredential(host=machine.host())).status == UNAVAILABLE
    machine.file(".azd/auth/msal/cache.json", b"\x01encrypted on Windows")  # unreadable here: cannot tell
    assert probe(AzureDeveloperCliCredential(host=machine.host())).status == AVAILABLE


def test_azd_legacy_config_json_and_service_principal(tmp_path):
    machine = Machine(tmp_path, "azd")
    machine.file(".azd/config.json", azd_config({"clientId": "app-1", "tenantId": "t-1"}))
    result = probe(AzureDeveloperCliCredential(host=machine.host()))
    assert result.reason.endswith("signed in as service principal app-1, tenant t-1")
    assert result.identity.client_id == "app-1"


def test_azd_signed_out_and_config_dir_override(tmp_path):
    machine = Machine(tmp_path, "azd")
    machine.file(".azd/auth.json", azd_config({"homeAccountId": "oid.tid"}))
    elsewhere = tmp_path / "azd-config"
    elsewhere.mkdir()
    (elsewhere / "config.json").write_text('{"defaults": {}}')
    result = probe(AzureDeveloperCliCredential(host=machine.host(AZD_CONFIG_DIR=str(elsewhere))))
    assert result.reason == f"azd found at {machine.bin / 'azd'}, but no account is signed in (azd auth login)"


def test_azd_delegating_to_az_reports_az_sign_in(tmp_path):
    machine = Machine(tmp_path, "azd")
    machine.file(".azd/config.json", json.dumps({"auth": {"useAzCliAuth": "true"}}))
    machine.file(".azure/azureProfile.json", az_profile(az_subscription("Contoso Dev")))
    machine.file(".azure/msal_token_cache.json", az_msal_cache("dev@contoso.com"))
    result = probe(AzureDeveloperCliCredential(host=machine.host()))
    assert result.status == AVAILABLE and result.identity.upn == "dev@contoso.com"
    assert "using the Azure CLI's sign-in (auth.useAzCliAuth)" in result.reason


def test_azd_external_auth_is_unknown(tmp_path):
    machine = Machine(tmp_path, "azd")
    result = probe(AzureDeveloperCliCredential(host=machine.host(AZD_AUTH_ENDPOINT="http://x", AZD_AUTH_KEY="k")))
    assert result.status == UNKNOWN and "AZD_AUTH_ENDPOINT" in result.reason


def test_azd_corrupt_auth_file_is_unknown(tmp_path):
    machine = Machine(tmp_path, "azd")
    path = machine.file(".azd/auth.json", "{oops")
    result = probe(AzureDeveloperCliCredential(host=machine.host()))
    assert result.status == UNKNOWN and result.reason.startswith(
        f"azd found at {machine.bin / 'azd'}, but {path} is not valid JSON"
    )


# ---- Az PowerShell ----------------------------------------------------------------------------------
USER = {"Id": "dev@contoso.com", "Type": "User", "ExtendedProperties": {"HomeAccountId": "oid-1.tenant-1"}}


def _with_module(machine: Machine) -> None:
    (machine.home / ".local/share/powershell/Modules/Az.Accounts/5.1.0").mkdir(parents=True)


def test_powershell_not_on_path(tmp_path):
    result = probe(AzurePowerShellCredential(host=Machine(tmp_path).host()))
    assert (result.status, result.reason) == (UNAVAILABLE, "PowerShell (pwsh) not found on PATH")


def test_powershell_signed_in_with_az_accounts_installed(tmp_path):
    machine = Machine(tmp_path, "pwsh")
    _with_module(machine)
    machine.file(".Azure/AzureRmContext.json", rm_context(USER))
    result = probe(AzurePowerShellCredential(host=machine.host()))
    assert (result.status, result.reason) == (
        AVAILABLE,
        f"pwsh found at {machine.bin / 'pwsh'}, signed in as dev@contoso.com, tenant tenant-1 (subscription 'Contoso Dev')",
    )
    assert (result.identity.upn, result.identity.object_id) == ("dev@contoso.com", "oid-1")
    assert not machine.ran.exists()


def test_powershell_without_az_accounts_module_is_unknown(tmp_path):
    machine = Machine(tmp_path, "pwsh")
    machine.file(".Azure/AzureRmContext.json", rm_context(USER))
    result = probe(AzurePowerShellCredential(host=machine.host()))
    assert result.status == UNKNOWN and "but the Az.Accounts module was not found in" in result.reason
    assert result.identity.upn == "dev@contoso.com"
    modules = tmp_path / "modules"
    (modules / "Az.Accounts").mkdir(parents=True)
    assert probe(AzurePowerShellCredential(host=machine.host(PSModulePath=str(modules)))).status == AVAILABLE


def test_powershell_signed_out_autosave_off_and_context_directory(tmp_path):
    machine = Machine(tmp_path, "pwsh")
    assert probe(AzurePowerShellCredential(host=machine.host())).reason.endswith(
        "but no account is signed in (Connect-AzAccount)"
    )
    settings = machine.file(".Azure/AzureRmContextSettings.json", json.dumps({"Mode": "Process"}))
    assert "autosave is off" in probe(AzurePowerShellCredential(host=machine.host())).reason
    elsewhere = tmp_path / "ctx"
    elsewhere.mkdir()
    (elsewhere / "Ctx.json").write_bytes(rm_context({"Id": "app-1", "Type": "ServicePrincipal"}))
    settings.write_text(
        json.dumps({"Mode": "CurrentUser", "ContextDirectory": str(elsewhere), "ContextFile": "Ctx.json"})
    )
    _with_module(machine)
    result = probe(AzurePowerShellCredential(host=machine.host()))
    assert result.status == AVAILABLE and result.identity.client_id == "app-1"


def test_powershell_corrupt_context_is_unknown(tmp_path):
    machine = Machine(tmp_path, "pwsh")
    path = machine.file(".Azure/AzureRmContext.json", b'\xef\xbb\xbf{"DefaultContextKey": ')
    result = probe(AzurePowerShellCredential(host=machine.host()))
    assert result.status == UNKNOWN and result.reason.startswith(
        f"pwsh found at {machine.bin / 'pwsh'}, but {path} is not valid JSON"
    )


def test_powershell_on_windows_falls_back_to_windows_powershell(tmp_path):
    machine = Machine(tmp_path)
    machine.tool("powershell")
    result = probe(AzurePowerShellCredential(host=machine.host("Windows")))
    assert result.reason.startswith(f"powershell found at {machine.bin / 'powershell'}, but no account")
