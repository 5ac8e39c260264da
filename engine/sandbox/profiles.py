"""The tools' on-disk sign-in state in the fresh HOME, as the real tools leave it (static probes read these)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from engine.sandbox import token_cache
from engine.sandbox.scenario import Scenario, Subscription, User
from engine.sandbox.tokens import TokenIssuer

AZ_MODULE_VERSION = "2.19.0"
AZD_MSAL_CACHE = "cache.json"
PSD1 = "@{{ ModuleVersion = '{version}'; RootModule = 'Az.Accounts.psm1'; Author = 'Microsoft Corporation' }}\n"


def _write_json(path: Path, data: object, *, bom: bool = False, indent: int | None = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=indent)
    path.write_bytes(("\ufeff" + text).encode("utf-8") if bom else text.encode("utf-8"))


def write_az_profile(home: Path, user: User | None, sub: Subscription | None) -> None:
    """~/.azure/azureProfile.json; az writes it with a UTF-8 BOM and an empty list when signed out."""
    subscriptions = []
    if user is not None:
        subscriptions.append(
            {
                "id": sub.id if sub else user.tenant,
                "name": sub.name if sub else "N/A(tenant level account)",
                "state": "Enabled",
                "user": {"name": user.upn, "type": "user"},
                "isDefault": True,
                "tenantId": sub.tenant if sub else user.tenant,
                "environmentName": "AzureCloud",
                "homeTenantId": user.tenant,
                "managedByTenants": [],
            }
        )
    _write_json(
        home / ".azure" / "azureProfile.json",
        {"installationId": str(uuid.uuid4()), "subscriptions": subscriptions},
        bom=True,
        indent=None,
    )
    (home / ".azure" / "config").write_text("[core]\nfirst_run = yes\n")


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
        user = scenario.user(spec.account) if spec.account and spec.mode != "not_signed_in" else None
        sub = scenario.subscription_for(spec, user.tenant) if user else None
        if tool == "az":
            write_az_profile(home, user, sub)
        elif tool == "azd":
            write_azd_auth(home, user, token_cache.serialize(scenario, issuer, (user.upn,)) if user else None)
        else:
            write_pwsh_context(home, user, sub, module=spec.mode != "module_missing")
