"""Which account of the shared cache SharedTokenCacheCredential uses, and its messages when it cannot choose.

Pure functions over an ``msal.TokenCache``: only FOCI (family) refresh tokens make an account a candidate,
usernames match exactly, and the tenant is the part of ``home_account_id`` after the dot.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

import msal

from engine.errors import CredentialUnavailableError

CacheItem = dict

# The newlines mid-sentence are azure-identity's own.
MULTIPLE_ACCOUNTS = """SharedTokenCacheCredential authentication unavailable. Multiple accounts
were found in the cache. Use username and tenant id to disambiguate."""
MULTIPLE_MATCHING_ACCOUNTS = """SharedTokenCacheCredential authentication unavailable. Multiple accounts
matching the specified{}{} were found in the cache."""
NO_ACCOUNTS = """SharedTokenCacheCredential authentication unavailable. No accounts were found in the cache."""
NO_MATCHING_ACCOUNTS = """SharedTokenCacheCredential authentication unavailable. No account
matching the specified{}{} was found in the cache."""
NO_TOKEN = """Token acquisition failed for user '{}'. To fix, re-authenticate
through developer tooling supporting Azure single sign on"""

# Each cloud's authority aliases (from MSAL.NET's KnownMetadataProvider); any other host is its own set.
_ALIAS_SETS = (
    frozenset(("login.chinacloudapi.cn", "login.partner.microsoftonline.cn")),
    frozenset(("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")),
    frozenset(("login.microsoftonline.us", "login.usgovcloudapi.net")),
)
KNOWN_ALIASES = {alias: aliases for aliases in _ALIAS_SETS for alias in aliases}


def environment_aliases(authority: str) -> frozenset[str]:
    """The cache ``environment`` values that count as ``authority`` (an https URL)."""
    environment = urlparse(authority).netloc
    return KNOWN_ALIASES.get(environment) or frozenset((environment,))


def items_for_authority(cache: msal.TokenCache, credential_type: str, aliases: frozenset[str]) -> list[CacheItem]:
    return [item for item in cache.search(credential_type) if item.get("environment") in aliases]


def candidate_accounts(cache: msal.TokenCache, aliases: frozenset[str]) -> list[CacheItem]:
    """Accounts having a family (FOCI) refresh token; a later duplicate of a home_account_id wins, as there."""
    refresh_tokens = items_for_authority(cache, msal.TokenCache.CredentialType.REFRESH_TOKEN, aliases)
    all_accounts = items_for_authority(cache, msal.TokenCache.CredentialType.ACCOUNT, aliases)
    accounts: dict[str, CacheItem] = {}
    for refresh_token in refresh_tokens:
        home_account_id = refresh_token.get("home_account_id")
        if not home_account_id:
            continue
        for account in all_accounts:
            # Without a family id MSAL.NET would match on client id, which a shared cache cannot know.
            if home_account_id == account.get("home_account_id") and "family_id" in refresh_token:
                accounts[account["home_account_id"]] = account
    return list(accounts.values())


def account_tenant(account: CacheItem) -> str | None:
    """The tenant part of ``uid.utid``; None when the id has another shape."""
    parts = str(account.get("home_account_id", "")).split(".")
    return parts[1] if len(parts) == 2 else None


def filter_accounts(accounts: Iterable[CacheItem], username: str | None, tenant_id: str | None) -> list[CacheItem]:
    return [
        account
        for account in accounts
        if not (username and account.get("username") != username)
        and not (tenant_id and account_tenant(account) != tenant_id)
    ]


def select_account(accounts: list[CacheItem], username: str | None, tenant_id: str | None) -> CacheItem:
    """Exactly one account matching the filter, or CredentialUnavailableError with azure-identity's message."""
    if not accounts:
        raise CredentialUnavailableError(message=NO_ACCOUNTS)
    filtered = filter_accounts(accounts, username, tenant_id)
    if len(filtered) == 1:
        return filtered[0]
    raise CredentialUnavailableError(message=selection_message(filtered, username, tenant_id))


def selection_message(filtered: list[CacheItem], username: str | None, tenant_id: str | None) -> str:
    if not (username or tenant_id):
        return MULTIPLE_ACCOUNTS
    username_part = f" username: {username}" if username else ""
    tenant_part = f" tenant: {tenant_id}" if tenant_id else ""
    template = MULTIPLE_MATCHING_ACCOUNTS if filtered else NO_MATCHING_ACCOUNTS
    return template.format(username_part, tenant_part)
