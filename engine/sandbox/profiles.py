"""The tools' on-disk sign-in state in the fresh HOME, as the real tools leave it (static probes read these)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.sandbox import token_cache
from engine.sandbox.scenario import Scenario, Subscription, Tenant, ToolSpec, User
from engine.sandbox.tokens import TokenIssuer
from engine.sandbox.tools import az as az_tools
from engine.sandbox.tools import az_files

AZ_MODULE_VERSION = "2.19.0"
AZD_MSAL_CACHE = "cache.json"
PSD1 = "@{{ ModuleVersion = '{version}'; RootModule = 'Az.Accounts.psm1'; Author = 'Microsoft Corporation' }}\n"


def _write_json(path: Path, data: object, *, bom: bool = False, indent: int | None = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=indent)
    path.write_bytes(("\ufeff" + text).encode("utf-8") if bom else text.encode("utf-8"))


def write_az_files(home: Path, accounts: list[dict[str, Any]], msal_cache: str | None, sp_entry: dict | None) -> None:
    """~/.azure as azure-cli 2.91 leaves it after `az login` (telemetry off): azureProfile.json with a BOM and
    no installationId, config with ``[cloud] name = AzureCloud`` (0600), clouds.config naming the default
    subscription, and the user's MSAL cache or the service principal's entry. Signed out: no accounts."""
    directory = home / ".azure"
    az_files.ensure_config(directory)
    az_files.save_profile(directory, {"subscriptions": accounts})
    if not accounts:
        return
    default = next((a for a in accounts if a["isDefault"]), accounts[0])
    az_files.set_cloud_subscription(directory, az_files.AZURE_CLOUD, default["id"])
    if msal_cache is not None:
        token_cache.write_private(directory / az_files.MSAL_CACHE, msal_cache)
    if sp_entry is not None:
        az_files.save_sp_entries(directory, [sp_entry])


def az_account(
    username: str, kind: str, tenant: str, sub: Subscription | None, listed_from: Tenant | None = None
) -> dict[str, Any]:
    """One azureProfile.json entry, keys in the order azure-cli's _normalize_properties writes them. A user's
    `az login` without --tenant found the subscription through ARM's tenant list (``listed_from``), which adds
    the tenant's default domain and display name; a service principal's login names its tenant and has neither."""
    entry: dict[str, Any] = {
        "id": sub.id if sub else tenant,
        "name": sub.name if sub else az_tools.TENANT_LEVEL,
        "state": sub.state if sub else "Enabled",
        "user": {"name": username, "type": kind},
        "isDefault": True,
        "tenantId": sub.tenant if sub else tenant,
        "environmentName": az_files.AZURE_CLOUD,
    }
    if sub:
        entry["homeTenantId"] = sub.tenant
        if listed_from is not None:
            entry.update(tenantDefaultDomain=listed_from.domain, tenantDisplayName=listed_from.name)
        entry["managedByTenants"] = []
    return entry


def write_az(home: Path, scenario: Scenario, spec: ToolSpec, issuer: TokenIssuer) -> None:
    if spec.mode == "not_signed_in" or not spec.account:
        write_az_files(home, [], None, None)
    elif scenario.is_app(spec.account):
        app = scenario.app(spec.account)
        sub = scenario.subscription_for(spec, app.tenant)
        entry = {
            "client_id": app.client_id,
            "tenant": app.tenant,
            "client_secret": app.secrets[0] if app.secrets else "",
        }
        write_az_files(home, [az_account(app.client_id, "servicePrincipal", app.tenant, sub)], None, entry)
    else:
        user = scenario.user(spec.account)
        sub = scenario.subscription_for(spec, user.tenant)
        revoked = (user.upn,) if spec.mode == "aadsts_error" else ()
        cache = token_cache.serialize(scenario, issuer, () if revoked else (user.upn,), revoked=revoked)
        write_az_files(home, _user_accounts(scenario, user, sub), cache, None)


def _user_accounts(scenario: Scenario, user: User, default: Subscription | None) -> list[dict[str, Any]]:
    """What `az login` without --tenant finds: every subscription of the user's tenants (home and guest), in
    the order ARM lists tenants, each with its tenant's display fields; ``default`` is the active one."""
    if default is None:
        return [az_account(user.upn, "user", user.tenant, None)]
    tenants = [t for t in scenario.tenants if t.id in (user.tenant, *user.guest_of)]
    found = [(s, t) for t in tenants for s in scenario.subscriptions if s.tenant == t.id]
    if default not in [s for s, _ in found]:  # the scenario chose a subscription outside the user's tenants
        found.insert(0, (default, scenario.tenant(default.tenant)))
    accounts = []
    for sub, tenant in found:
        account = az_account(user.upn, "user", user.tenant, sub, tenant)
        account["isDefault"] = sub == default
        accounts.append(account)
    return accounts


def write_azd_auth(home: Path, user: User | None, msal_cache: str | None) -> None:
    """What azd >= 1.4 leaves in ~/.azd: the signed-in account's MSAL home account id in ``auth.json``
    (older azd kept it in ``config.json``) and its MSAL cache in ``auth/msal/cache.json`` (plaintext
    off Windows: azd's fileCache names it ``cache<partition>.json``, the public client's partition is "")."""
    azd = home / ".azd"
    if user is None:  # after `azd auth logout`: the current user is gone, the file stays
        _write_json(azd / "auth.json", {})
        return
    _write_json(
        azd / "auth.json", {"auth": {"account": {"currentUser": {"homeAccountId": f"{user.oid}.{user.tenant}"}}}}
    )
    if msal_cache is not None:
        (azd / "auth" / "msal").mkdir(parents=True, mode=0o700, exist_ok=True)
        token_cache.write_private(azd / "auth" / "msal" / AZD_MSAL_CACHE, msal_cache)


def write_pwsh_context(home: Path, user: User | None, sub: Subscription | None, module: bool) -> None:
    """~/.Azure/AzureRmContext.json and the Az.Accounts module folder PowerShell loads it with."""
    if module:
        mod = home / ".local" / "share" / "powershell" / "Modules" / "Az.Accounts" / AZ_MODULE_VERSION
        mod.mkdir(parents=True, exist_ok=True)
        (mod / "Az.Accounts.psd1").write_text(PSD1.format(version=AZ_MODULE_VERSION))
    if user is None:
        _write_json(
            home / ".Azure" / "AzureRmContext.json",
            {"DefaultContextKey": "Default", "EnvironmentTable": {}, "Contexts": {}, "ExtendedProperties": {}},
        )
        return
    sub_id = sub.id if sub else ""
    key = f"{sub.name if sub else 'Default'} ({sub_id}) - {user.tenant} - {user.upn}"
    context = {
        "Account": {
            "Id": user.upn,
            "Credential": None,
            "Type": "User",
            "TenantMap": {},
            "ExtendedProperties": {
                "Subscriptions": sub_id,
                "Tenants": user.tenant,
                "HomeAccountId": f"{user.oid}.{user.tenant}",
            },
        },
        "Tenant": {"Id": user.tenant, "Directory": None, "IsHome": True, "ExtendedProperties": {}},
        "Subscription": {
            "Id": sub_id,
            "Name": sub.name if sub else "",
            "State": "Enabled",
            "ExtendedProperties": {
                "HomeTenant": user.tenant,
                "AuthorizationSource": "RoleBased",
                "Tenants": user.tenant,
                "Account": user.upn,
                "Environment": "AzureCloud",
            },
        },
        "Environment": {
            "Name": "AzureCloud",
            "Type": "Built-in",
            "OnPremise": False,
            "ActiveDirectoryAuthority": "https://login.microsoftonline.com/",
            "ResourceManagerUrl": "https://management.azure.com/",
        },
        "VersionProfile": None,
        "TokenCache": {"CacheData": None},
        "ExtendedProperties": {},
    }
    _write_json(
        home / ".Azure" / "AzureRmContext.json",
        {"DefaultContextKey": key, "EnvironmentTable": {}, "Contexts": {key: context}, "ExtendedProperties": {}},
    )


def write_all(home: Path, scenario: Scenario, issuer: TokenIssuer) -> None:
    for tool in ("az", "azd", "pwsh"):
        spec = scenario.tools[tool]
        if spec.mode == "absent":
            continue
        if tool == "az":
            write_az(home, scenario, spec, issuer)
            continue
        user = scenario.user(spec.account) if spec.account and spec.mode != "not_signed_in" else None
        sub = scenario.subscription_for(spec, user.tenant) if user else None
        if tool == "azd":
            cache = None
            if user is not None:  # azd redeems its own cache's refresh token: a revoked one is the Entra error
                upns, revoked = ((), (user.upn,)) if spec.mode == "aadsts_error" else ((user.upn,), ())
                cache = token_cache.serialize(scenario, issuer, upns, revoked=revoked)
            write_azd_auth(home, user, cache)
        else:
            write_pwsh_context(home, user, sub, module=spec.mode != "module_missing")
