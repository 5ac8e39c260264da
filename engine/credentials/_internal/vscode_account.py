"""VisualStudioCodeCredential before 1.24: the retired Azure Account extension's sign-in.

Those releases read VS Code's user settings (``azure.cloud``, ``azure.tenant``) when the credential is
built, then look for the extension's refresh token in the OS secret store ("VS Code Azure", keyed by
cloud name) at the first token request and redeem it at the authority (engine/credentials/_internal/vscode_legacy.py).
Azure Account 0.9.11 and earlier wrote that entry; the extension is retired, so on most machines today
the lookup finds nothing and azure-identity reports FAILED_TO_GET_DETAILS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine import env_vars as ev
from engine.host import Host
from engine.validation import validate_tenant_id

FAILED_TO_GET_DETAILS = (
    "Failed to get Azure user details from Visual Studio Code. "
    "Currently, the VisualStudioCodeCredential only works with the Azure "
    "Account extension version 0.9.11 and earlier. A long-term fix is in "
    "progress, see https://github.com/Azure/azure-sdk-for-python/issues/25713"
)
CUSTOM_CLOUD = (
    'VS Code is configured to use a custom cloud. Set keyword argument "authority"'
    ' with the Microsoft Entra endpoint for cloud "{}"'
)
ADFS = "VisualStudioCodeCredential authentication unavailable. ADFS is not supported."
TROUBLESHOOT = "\nVisit https://aka.ms/azsdk/python/identity/vscodecredential/troubleshoot to troubleshoot this issue."
KNOWN_CLOUDS = {  # VS Code's "azure.cloud" setting -> the authority those releases used
    "AzureCloud": "login.microsoftonline.com",
    "AzureChinaCloud": "login.chinacloudapi.cn",
    "AzureUSGovernment": "login.microsoftonline.us",
}
SECRET_SERVICE = "VS Code Azure"  # the extension's entry in the OS secret store; the account is the cloud


@dataclass(frozen=True)
class LegacySettings:
    """What those releases' constructor worked out: why unavailable ("" if not), or where to redeem."""

    reason: str
    cloud: str = "AzureCloud"
    authority: str = ""
    tenant_id: str = "organizations"


def legacy_settings(host: Host, options: Mapping[str, Any]) -> LegacySettings:
    """The cloud, authority and tenant (keyword, then $AZURE_AUTHORITY_HOST, then VS Code's settings).

    Raises ValueError for an invalid tenant, as those releases' constructor did.
    """
    settings = user_settings(host)
    cloud = settings.get("azure.cloud", "AzureCloud")
    authority = options.get("authority") or host.env.get(ev.AZURE_AUTHORITY_HOST)
    if not authority:
        if cloud not in KNOWN_CLOUDS:
            return LegacySettings(CUSTOM_CLOUD.format(cloud), cloud)
        authority = KNOWN_CLOUDS[cloud]
    tenant_id = options.get("tenant_id") or settings.get("azure.tenant", "organizations")
    validate_tenant_id(tenant_id)
    if tenant_id.lower() == "adfs":
        return LegacySettings(ADFS, cloud)
    return LegacySettings("", cloud, authority, tenant_id)


def settings_path(host: Host) -> str | None:
    """Where VS Code keeps user settings on this platform (None when the variable it needs is unset)."""
    if host.system == "Windows":
        appdata = host.env.get("APPDATA")
        return f"{appdata}\\Code\\User\\settings.json" if appdata else None
    home = host.env.get("HOME")
    if not home:
        return None
    if host.system == "Darwin":
        return f"{home}/Library/Application Support/Code/User/settings.json"
    return f"{home}/.config/Code/User/settings.json"


def user_settings(host: Host) -> dict:
    """VS Code's user settings, or {} when they cannot be read (azure-identity logs and moves on)."""
    path = settings_path(host)
    try:
        data = json.loads(host.read_text(path)) if path else {}
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}


def unavailable_reason(host: Host, options: Mapping[str, Any]) -> str:
    """Why the credential is unavailable from the start ("" when it would look for a refresh token)."""
    return legacy_settings(host, options).reason
