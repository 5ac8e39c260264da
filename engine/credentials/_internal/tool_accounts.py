"""Who is signed in to az, azd and Az PowerShell, read from the tools' own files (no tool is run).

Pure readers: bytes in, a ``SignedIn`` (or None when nobody is) out; ``ToolFileError`` with a short
reason when a file is not what the tool writes. File formats, as the tools write them:

- az ``azureProfile.json`` (UTF-8 with a BOM): ``{"subscriptions": [{"id", "name", "isDefault",
  "tenantId", "environmentName", "user": {"name", "type"}}]}``; az uses the default subscription of
  the active cloud (``AzureCloud`` unless configured).
- azd ``auth.json`` (older azd: ``config.json``): ``{"auth": {"account": {"currentUser": {...}}}}``
  with ``homeAccountId`` (``<oid>.<tid>``) for a user, ``clientId`` + ``tenantId`` for a service
  principal, ``managedIdentity`` for a managed identity; ``config.json`` ``auth.useAzCliAuth`` hands
  sign-in to az. Usernames live in azd's MSAL cache (``auth/msal/cache.json``, plaintext off Windows).
- Az.Accounts ``AzureRmContext.json``: ``{"DefaultContextKey": k, "Contexts": {k: {"Account": {"Id",
  "Type", "ExtendedProperties": {"HomeAccountId"}}, "Tenant": {"Id"}, "Subscription": {"Name"}}}}``.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from engine.account import Account

AZURE_CLOUD = "AzureCloud"
# strconv.ParseBool's true spellings: azd reads auth.useAzCliAuth with it.
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")


class ToolFileError(ValueError):
    """A tool's file exists but cannot be understood; the message says why, briefly."""


@dataclass(frozen=True)
class NotSignedIn:
    """Nobody the tool would use; ``reason`` says what to run, e.g. "no account is signed in (az login)"."""

    reason: str


@dataclass(frozen=True)
class SignedIn:
    """An identity a tool would use, and how to name it in one line."""

    account: Account
    who: str  # "dev@contoso.com", "service principal 1234...", "managed identity"
    tenant_id: str | None
    note: str = ""  # e.g. "subscription 'Contoso Dev'"


def load_json(data: bytes) -> Any:
    """JSON from a tool file, tolerating the UTF-8 BOM az and PowerShell write."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ToolFileError("is not UTF-8 text") from None
    except json.JSONDecodeError as ex:
        raise ToolFileError(f"is not valid JSON ({ex.msg} at line {ex.lineno})") from None


def _object(value: Any, what: str = "") -> dict:
    if not isinstance(value, dict):
        raise ToolFileError(f"has {what or 'content'} that is not a JSON object")
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# ---- az ------------------------------------------------------------------------------------------
AZ_NOT_SIGNED_IN = NotSignedIn("no account is signed in (az login)")


def az_signed_in(data: bytes, *, subscription: str | None = None, cloud: str = AZURE_CLOUD) -> SignedIn | NotSignedIn:
    """The account az would use: the configured subscription, else the active cloud's default one."""
    profile = _object(load_json(data))
    subscriptions = profile.get("subscriptions", [])
    if not isinstance(subscriptions, list):
        raise ToolFileError("has no list of subscriptions")
    entries = [s for s in subscriptions if isinstance(s, dict) and s.get("environmentName", cloud) == cloud]
    if not entries:
        return AZ_NOT_SIGNED_IN
    if subscription:
        wanted = subscription.lower()
        chosen = [s for s in entries if wanted in (str(s.get("id", "")).lower(), str(s.get("name", "")).lower())]
        if not chosen:
            return NotSignedIn(f"subscription '{subscription}' is not among its subscriptions (az account list)")
    else:
        chosen = [s for s in entries if s.get("isDefault") is True]
        if not chosen:
            return NotSignedIn("no default subscription is set (az account set)")
    entry = chosen[0]
    user = entry.get("user") if isinstance(entry.get("user"), dict) else {}
    name, kind, tenant = _text(user.get("name")), user.get("type"), _text(entry.get("tenantId"))
    note = f"subscription '{entry.get('name')}'" if _text(entry.get("name")) else ""
    if kind == "servicePrincipal":
        if user.get("assignedIdentityInfo") or name in ("systemAssignedIdentity", "userAssignedIdentity"):
            client_id = _managed_identity_client(user.get("assignedIdentityInfo"))
            account = Account(tenant_id=tenant, client_id=client_id, identity_type="managed identity")
            return SignedIn(account, "managed identity" + (f" {client_id}" if client_id else ""), tenant, note)
        return SignedIn(
            Account(tenant_id=tenant, client_id=name, identity_type="app"), f"service principal {name}", tenant, note
        )
    return SignedIn(Account(tenant_id=tenant, upn=name, identity_type="user"), name or "an unnamed user", tenant, note)


# The login hosts of az's built-in clouds and the aliases msal treats as the same environment.
_PUBLIC_HOSTS = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")
AZ_CLOUD_LOGIN_HOSTS = {
    "azurecloud": _PUBLIC_HOSTS,
    "azurechinacloud": ("login.chinacloudapi.cn",),
    "azureusgovernment": ("login.microsoftonline.us",),
}


def az_login_hosts(cloud: str, clouds_config: str | None) -> tuple[str, ...] | None:
    """The login host(s) of the active cloud: built in, or a custom cloud's ``endpoint_active_directory``
    in clouds.config; None when unknown (then the cache's environment is not checked)."""
    builtin = AZ_CLOUD_LOGIN_HOSTS.get(cloud.lower())
    if builtin:
        return builtin
    section = None
    for raw in (clouds_config or "").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == cloud and "=" in line:
            key, _, value = line.partition("=")
            if key.strip().lower() == "endpoint_active_directory":
                # msal's canonicalize: the environment is the lower-case host name, without the port
                host = urllib.parse.urlsplit(value.strip()).hostname
                return (host,) if host else None
    return None


def az_user_in_msal_cache(data: bytes | None, username: str, hosts: tuple[str, ...] | None = None) -> bool:
    """Whether az's ``msal_token_cache.json`` holds an account for ``username`` (msal's get_accounts matches
    usernames ignoring case, and only accounts of the authority's environment); a missing or unreadable
    cache holds none, as msal-extensions reads it."""
    if data is None:
        return False
    try:
        cache = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    accounts = cache.get("Account") if isinstance(cache, dict) else None
    entries = accounts.values() if isinstance(accounts, dict) else ()
    return any(
        isinstance(e, dict)
        and str(e.get("username", "")).lower() == username.lower()
        and (hosts is None or str(e.get("environment", "")).lower() in hosts)
        for e in entries
    )


def az_service_principal_stored(data: bytes | None, client_id: str) -> bool:
    """Whether az's ``service_principal_entries.json`` has an entry for ``client_id`` (exact match, as az)."""
    if data is None:
        return False
    try:
        entries = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(entries, list) and any(isinstance(e, dict) and e.get("client_id") == client_id for e in entries)


def az_user_not_in_cache(username: str) -> NotSignedIn:
    return NotSignedIn(f"its token cache (msal_token_cache.json) holds no sign-in for {username} (az login)")


def az_service_principal_not_stored(client_id: str) -> NotSignedIn:
    return NotSignedIn(
        f"its service principal store (service_principal_entries.json) holds no secret for {client_id} (az login)"
    )


def _managed_identity_client(info: Any) -> str | None:
    # az writes "MSI" (system-assigned) or "MSIClient-<id>" / "MSIObject-<id>" / "MSIResource-<id>".
    if isinstance(info, str) and info.startswith("MSIClient-"):
        return info[len("MSIClient-") :]
    return None


def az_cloud_name(config_text: str | None) -> str:
    """The active cloud from az's INI ``config`` (``[cloud] name = ...``); AzureCloud by default."""
    section = None
    for raw in (config_text or "").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
        elif section == "cloud" and "=" in line:
            key, _, value = line.partition("=")
            if key.strip().lower() == "name" and value.strip():
                return value.strip()
    return AZURE_CLOUD


# ---- azd -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AzdUser:
    """azd's ``auth.account.currentUser``."""

    home_account_id: str | None = None
    client_id: str | None = None
    tenant_id: str | None = None
    managed_identity: bool = False


def azd_current_user(data: bytes) -> AzdUser | None:
    """``auth.account.currentUser`` of an azd config file, or None when nobody is signed in."""
    node: Any = _object(load_json(data))
    for key in ("auth", "account", "currentUser"):
        node = node.get(key) if isinstance(node, dict) else None
    if node is None:
        return None
    user = _object(node, "an auth.account.currentUser")
    return AzdUser(
        home_account_id=_text(user.get("homeAccountId")),
        client_id=_text(user.get("clientId")),
        tenant_id=_text(user.get("tenantId")),
        managed_identity=user.get("managedIdentity") is True,
    )


def azd_delegates_to_az(data: bytes) -> bool:
    """True when azd's ``config.json`` sets ``auth.useAzCliAuth`` (azd then runs az for tokens)."""
    auth = _object(load_json(data)).get("auth")
    value = auth.get("useAzCliAuth") if isinstance(auth, dict) else None
    return isinstance(value, str) and value in _GO_TRUE


def msal_username(data: bytes, home_account_id: str) -> str | None:
    """The username of ``home_account_id`` in an MSAL token cache file; None if it is not there."""
    try:
        cache = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # encrypted (Windows) or damaged: the name is a nicety, not a verdict
    accounts = cache.get("Account") if isinstance(cache, dict) else None
    for entry in accounts.values() if isinstance(accounts, dict) else ():
        if isinstance(entry, dict) and entry.get("home_account_id") == home_account_id:
            return _text(entry.get("username"))
    return None


def msal_has_account(data: bytes | None, home_account_id: str) -> bool | None:
    """Whether an MSAL cache file holds ``home_account_id``: False when the file is missing or has no such
    account, None when it cannot be read here (azd encrypts it on Windows)."""
    if data is None:
        return False
    try:
        cache = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    accounts = cache.get("Account") if isinstance(cache, dict) else None
    entries = accounts.values() if isinstance(accounts, dict) else ()
    return any(isinstance(e, dict) and e.get("home_account_id") == home_account_id for e in entries)


AZD_NOT_IN_CACHE = "its token cache (auth/msal/cache.json) holds no sign-in for account {} (azd auth login)"


def azd_signed_in(user: AzdUser, username: str | None = None) -> SignedIn:
    if user.home_account_id:
        object_id, _, tenant = user.home_account_id.partition(".")
        account = Account(tenant_id=tenant or None, object_id=object_id or None, upn=username, identity_type="user")
        return SignedIn(account, username or f"account {user.home_account_id}", tenant or None)
    if user.managed_identity:
        account = Account(client_id=user.client_id, identity_type="managed identity")
        return SignedIn(account, "managed identity" + (f" {user.client_id}" if user.client_id else ""), None)
    account = Account(tenant_id=user.tenant_id, client_id=user.client_id, identity_type="app")
    return SignedIn(account, f"service principal {user.client_id}", user.tenant_id)


# ---- Az PowerShell -------------------------------------------------------------------------------
POWERSHELL_NOT_SIGNED_IN = NotSignedIn("no account is signed in (Connect-AzAccount)")


def powershell_signed_in(data: bytes) -> SignedIn | NotSignedIn:
    """The default context of ``AzureRmContext.json``."""
    profile = _object(load_json(data))
    contexts = profile.get("Contexts")
    key = profile.get("DefaultContextKey")
    if not isinstance(contexts, dict) or not isinstance(key, str) or key not in contexts:
        return POWERSHELL_NOT_SIGNED_IN
    context = _object(contexts[key], "a default context")
    account = context.get("Account") if isinstance(context.get("Account"), dict) else {}
    account_id = _text(account.get("Id"))
    if not account_id:
        return POWERSHELL_NOT_SIGNED_IN
    tenant = context.get("Tenant") if isinstance(context.get("Tenant"), dict) else {}
    tenant_id = _text(tenant.get("Id"))
    subscription = context.get("Subscription") if isinstance(context.get("Subscription"), dict) else {}
    note = f"subscription '{subscription['Name']}'" if _text(subscription.get("Name")) else ""
    kind = account.get("Type")
    if kind in ("ServicePrincipal", "ClientAssertion"):
        found = Account(tenant_id=tenant_id, client_id=account_id, identity_type="app")
        return SignedIn(found, f"service principal {account_id}", tenant_id, note)
    if kind == "ManagedService":
        found = Account(tenant_id=tenant_id, identity_type="managed identity")
        return SignedIn(found, f"managed identity ({account_id})", tenant_id, note)
    extended = account.get("ExtendedProperties") if isinstance(account.get("ExtendedProperties"), dict) else {}
    home = _text(extended.get("HomeAccountId")) or ""
    object_id = home.partition(".")[0] or None
    found = Account(tenant_id=tenant_id, object_id=object_id, upn=account_id, identity_type="user")
    return SignedIn(found, account_id, tenant_id, note)


@dataclass(frozen=True)
class AutosaveSettings:
    """``AzureRmContextSettings.json``: where Az.Accounts keeps its context, and whether it keeps it."""

    mode: str = "CurrentUser"  # "Process" = Disable-AzContextAutosave: a new pwsh starts signed out
    context_directory: str | None = None
    context_file: str = "AzureRmContext.json"


def powershell_autosave(data: bytes) -> AutosaveSettings:
    settings = _object(load_json(data))
    return AutosaveSettings(
        mode=_text(settings.get("Mode")) or "CurrentUser",
        context_directory=_text(settings.get("ContextDirectory")),
        context_file=_text(settings.get("ContextFile")) or "AzureRmContext.json",
    )
