"""Reading who is signed in from az, azd and Az PowerShell files: formats, edge cases, damage."""

from __future__ import annotations

import codecs
import json

import pytest

from engine.credentials._internal import tool_accounts as accounts


def az_profile(*subscriptions: dict, bom: bool = True) -> bytes:
    text = json.dumps({"installationId": "install-1", "subscriptions": list(subscriptions)}, indent=2)
    return (codecs.BOM_UTF8 if bom else b"") + text.encode()


def az_msal_cache(*usernames: str, environment: str = "login.microsoftonline.com") -> bytes:
    """az's msal_token_cache.json with an account (and nothing secret) for each username."""
    accounts_ = {
        f"oid-{i}.tid-{environment}-tid": {
            "home_account_id": f"oid-{i}.tid",
            "environment": environment,
            "realm": "tid",
            "local_account_id": f"oid-{i}",
            "username": name,
            "authority_type": "MSSTS",
        }
        for i, name in enumerate(usernames)
    }
    return json.dumps({"Account": accounts_, "RefreshToken": {}}, indent=4).encode()


def az_subscription(
    name="Contoso Dev", *, default=True, user="dev@contoso.com", kind="user", cloud="AzureCloud", **extra
):
    entry = {
        "id": f"id-{name.replace(' ', '-').lower()}",
        "name": name,
        "state": "Enabled",
        "user": {"name": user, "type": kind},
        "isDefault": default,
        "tenantId": f"tenant-{name.split()[-1].lower()}",
        "environmentName": cloud,
        "homeTenantId": "home",
        "managedByTenants": [],
    }
    entry["user"].update(extra)
    return entry


def test_az_default_subscription_user_with_bom():
    found = accounts.az_signed_in(az_profile(az_subscription("Other", default=False), az_subscription("Contoso Dev")))
    assert found.who == "dev@contoso.com" and found.tenant_id == "tenant-dev"
    assert found.note == "subscription 'Contoso Dev'"
    assert (found.account.upn, found.account.tenant_id, found.account.identity_type) == (
        "dev@contoso.com",
        "tenant-dev",
        "user",
    )


def test_az_configured_subscription_matches_id_or_name_ignoring_case():
    data = az_profile(
        az_subscription("Contoso Dev"), az_subscription("Prod Sub", default=False, user="ops@contoso.com")
    )
    assert accounts.az_signed_in(data, subscription="PROD SUB").who == "ops@contoso.com"
    assert accounts.az_signed_in(data, subscription="ID-PROD-SUB").tenant_id == "tenant-sub"
    missing = accounts.az_signed_in(data, subscription="nope")
    assert missing == accounts.NotSignedIn("subscription 'nope' is not among its subscriptions (az account list)")


def test_az_uses_only_the_active_cloud():
    data = az_profile(
        az_subscription("Public"), az_subscription("China", cloud="AzureChinaCloud", user="cn@contoso.cn")
    )
    assert accounts.az_signed_in(data).who == "dev@contoso.com"
    assert accounts.az_signed_in(data, cloud="AzureChinaCloud").who == "cn@contoso.cn"
    assert accounts.az_cloud_name("[core]\noutput = json\n[cloud]\nname = AzureChinaCloud\n") == "AzureChinaCloud"
    assert accounts.az_cloud_name(None) == "AzureCloud"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (az_profile(), "no account is signed in (az login)"),
        (b'{"installationId": "x"}', "no account is signed in (az login)"),
        (az_profile(az_subscription(default=False)), "no default subscription is set (az account set)"),
    ],
)
def test_az_not_signed_in(data, reason):
    assert accounts.az_signed_in(data) == accounts.NotSignedIn(reason)


def test_az_service_principal_and_managed_identity():
    sp = accounts.az_signed_in(az_profile(az_subscription(user="11111111-app", kind="servicePrincipal")))
    assert sp.who == "service principal 11111111-app" and sp.account.client_id == "11111111-app"
    mi = accounts.az_signed_in(
        az_profile(
            az_subscription(user="userAssignedIdentity", kind="servicePrincipal", assignedIdentityInfo="MSIClient-cid")
        )
    )
    assert mi.who == "managed identity cid" and mi.account.identity_type == "managed identity"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "is not valid JSON (Expecting property name enclosed in double quotes at line 1)"),
        (b"\xff\xfe\x00\x01", "is not UTF-8 text"),
        (b"[]", "has content that is not a JSON object"),
        (b'{"subscriptions": {"a": 1}}', "has no list of subscriptions"),
        (b"", "is not valid JSON (Expecting value at line 1)"),
    ],
)
def test_az_damaged_profile_says_why(data, reason):
    with pytest.raises(accounts.ToolFileError) as info:
        accounts.az_signed_in(data)
    assert str(info.value) == reason


# ---- azd ------------------------------------------------------------------------------------------
def azd_config(user: object) -> bytes:
    return json.dumps({"auth": {"account": {"currentUser": user}}}).encode()


def test_azd_user_with_name_from_the_msal_cache():
    user = accounts.azd_current_user(azd_config({"homeAccountId": "oid-1.tenant-1"}))
    cache = json.dumps(
        {"Account": {"k": {"home_account_id": "oid-1.tenant-1", "username": "dev@contoso.com", "realm": "tenant-1"}}}
    ).encode()
    found = accounts.azd_signed_in(user, accounts.msal_username(cache, user.home_account_id))
    assert found.who == "dev@contoso.com" and found.tenant_id == "tenant-1"
    assert (found.account.object_id, found.account.upn) == ("oid-1", "dev@contoso.com")


def test_azd_user_without_a_readable_cache_is_named_by_home_account_id():
    user = accounts.azd_current_user(azd_config({"homeAccountId": "oid-1.tenant-1"}))
    assert accounts.msal_username(b"\x01encrypted", "oid-1.tenant-1") is None
    assert accounts.azd_signed_in(user).who == "account oid-1.tenant-1"


def test_azd_service_principal_and_managed_identity():
    sp = accounts.azd_signed_in(accounts.azd_current_user(azd_config({"clientId": "app-1", "tenantId": "t-1"})))
    assert (sp.who, sp.tenant_id, sp.account.client_id) == ("service principal app-1", "t-1", "app-1")
    mi = accounts.azd_signed_in(accounts.azd_current_user(azd_config({"managedIdentity": True, "clientId": "c"})))
    assert mi.who == "managed identity c"


def test_azd_nobody_signed_in_and_damage():
    assert accounts.azd_current_user(b'{"defaults": {"location": "westus"}}') is None
    assert accounts.azd_current_user(b'{"auth": "text"}') is None
    with pytest.raises(accounts.ToolFileError, match=r"auth\.account\.currentUser that is not a JSON object"):
        accounts.azd_current_user(azd_config("oid.tid"))
    with pytest.raises(accounts.ToolFileError, match="is not valid JSON"):
        accounts.azd_current_user(b"{")


@pytest.mark.parametrize(
    ("value", "delegates"), [("true", True), ("1", True), ("True", True), ("yes", False), (True, False)]
)
def test_azd_use_az_cli_auth_is_go_parse_bool_of_a_string(value, delegates):
    assert accounts.azd_delegates_to_az(json.dumps({"auth": {"useAzCliAuth": value}}).encode()) is delegates


# ---- Az PowerShell --------------------------------------------------------------------------------
def rm_context(account: dict | None = None, key: str = "Default", **context: object) -> bytes:
    contexts = {}
    if account is not None:
        contexts[key] = {
            "Account": account,
            "Tenant": {"Id": "tenant-1", "Directory": None, "IsHome": True},
            "Subscription": {"Id": "sub-1", "Name": "Contoso Dev"},
            **context,
        }
    profile = {"DefaultContextKey": key, "EnvironmentTable": {}, "Contexts": contexts, "ExtendedProperties": {}}
    return codecs.BOM_UTF8 + json.dumps(profile).encode()


def test_powershell_user_context():
    data = rm_context(
        {"Id": "dev@contoso.com", "Type": "User", "ExtendedProperties": {"HomeAccountId": "oid-1.tenant-1"}}
    )
    found = accounts.powershell_signed_in(data)
    assert (found.who, found.tenant_id, found.note) == ("dev@contoso.com", "tenant-1", "subscription 'Contoso Dev'")
    assert found.account.object_id == "oid-1"


def test_powershell_service_principal_context():
    found = accounts.powershell_signed_in(rm_context({"Id": "app-1", "Type": "ServicePrincipal"}))
    assert found.who == "service principal app-1" and found.account.client_id == "app-1"


@pytest.mark.parametrize(
    "data",
    [
        rm_context(None),
        b'{"DefaultContextKey": "Default", "Contexts": {}}',
        b'{"Contexts": {"x": {}}}',
        rm_context({"Id": "", "Type": "User"}),
    ],
)
def test_powershell_without_a_default_account_is_signed_out(data):
    assert accounts.powershell_signed_in(data) == accounts.POWERSHELL_NOT_SIGNED_IN


def test_powershell_damaged_context_and_settings():
    with pytest.raises(accounts.ToolFileError, match="a default context that is not a JSON object"):
        accounts.powershell_signed_in(b'{"DefaultContextKey": "k", "Contexts": {"k": 3}}')
    settings = accounts.powershell_autosave(b'{"Mode": "Process", "ContextDirectory": "/x", "ContextFile": "c.json"}')
    assert settings == accounts.AutosaveSettings("Process", "/x", "c.json")
    assert accounts.powershell_autosave(b"{}") == accounts.AutosaveSettings()


@pytest.mark.parametrize(
    ("cloud", "clouds_config", "hosts"),
    [
        (
            "AzureCloud",
            None,
            ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"),
        ),
        ("AzureChinaCloud", None, ("login.chinacloudapi.cn",)),
        ("Sandbox", "[Sandbox]\nendpoint_active_directory = https://Login.Example:8443/\n", ("login.example",)),
        ("Unknown", "[Other]\nendpoint_active_directory = https://x\n", None),
    ],
)
def test_az_login_hosts_of_built_in_and_custom_clouds(cloud, clouds_config, hosts):
    assert accounts.az_login_hosts(cloud, clouds_config) == hosts


def test_az_msal_cache_account_must_be_of_the_clouds_environment():
    cache = az_msal_cache("dev@contoso.com", environment="login.windows.net")
    assert accounts.az_user_in_msal_cache(cache, "DEV@contoso.com", accounts.az_login_hosts("AzureCloud", None))
    assert not accounts.az_user_in_msal_cache(cache, "dev@contoso.com", ("login.chinacloudapi.cn",))
    assert not accounts.az_user_in_msal_cache(None, "dev@contoso.com")
