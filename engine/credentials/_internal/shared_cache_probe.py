"""The shared token cache's static check: where the cache is, its protection, its accounts, the one chosen.

Reads the cache (a recorded step) and never redeems anything, creates no file and takes no lock.
"""

from __future__ import annotations

import msal

from engine.account import Account
from engine.credentials._internal.auth_record import AuthenticationRecord
from engine.credentials._internal.cache_persistence import CACHE_NAME, locate, read_snapshot
from engine.credentials._internal.decorators import AUTHENTICATION_FAILED
from engine.credentials._internal.shared_cache_accounts import (
    NO_ACCOUNTS,
    NO_TOKEN,
    account_tenant,
    candidate_accounts,
    environment_aliases,
    select_account,
)
from engine.credentials._internal.silent_auth import NO_MATCHING_ACCOUNT
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, Probe

UNSUPPORTED = "Shared token cache is not supported on this platform."
UNREADABLE = (
    "the cache ({where}) cannot be read: {error}. azure-identity stops the chain here with '"
    + AUTHENTICATION_FAILED.format("{error}")
    + "'"
)
NO_CACHE = "no shared token cache ({where}): " + NO_ACCOUNTS


def probe(
    host: Host,
    *,
    name: str,
    supported: bool,
    authority: str,
    username: str | None,
    tenant_id: str | None,
    record: AuthenticationRecord | None = None,
    base_name: str = CACHE_NAME,
) -> Probe:
    started = host.monotonic()

    def result(status: str, reason: str, identity: Account | None = None) -> Probe:
        return Probe(name, status, reason, identity, host.monotonic() - started)

    if not supported:
        return result(UNAVAILABLE, UNSUPPORTED)
    location = locate(host, base_name=base_name)
    where = location.describe()
    try:
        cache = read_snapshot(host, location)
    except NotImplementedError as ex:
        return result(UNAVAILABLE, f"Shared token cache unavailable: {ex}")
    except Exception as ex:
        return result(UNAVAILABLE, UNREADABLE.format(where=where, error=ex))
    if cache is None:
        return result(UNAVAILABLE, NO_CACHE.format(where=where))
    try:
        if record is not None:
            return _probe_record(cache, record, where, result)
        accounts = candidate_accounts(cache, environment_aliases(authority))
    except (AttributeError, TypeError, ValueError, KeyError) as ex:
        # JSON that is no token cache: the run's first lookup raises exactly this, and stops the chain with it.
        return result(UNAVAILABLE, UNREADABLE.format(where=where, error=ex))
    listing = ", ".join(f"{a.get('username')} (tenant {account_tenant(a) or '?'})" for a in accounts) or "none"
    try:
        chosen = select_account(accounts, username, tenant_id)
    except CredentialUnavailableError as ex:
        return result(UNAVAILABLE, f"{ex.message} Cache: {where}. FOCI accounts: {listing}.")
    identity = _identity(chosen)
    if not _has_refresh_token(cache, chosen):
        return result(UNAVAILABLE, NO_TOKEN.format(chosen.get("username")), identity)
    return result(
        AVAILABLE,
        f"would use {chosen.get('username')} (tenant {account_tenant(chosen) or '?'}) "
        f"from {where}; FOCI accounts: {listing}",
        identity,
    )


def _probe_record(cache: msal.TokenCache, record: AuthenticationRecord, where: str, result) -> Probe:
    # MSAL matches the record's account by username and home account id; the token step may still refresh.
    matches = [
        account
        for account in cache.search(msal.TokenCache.CredentialType.ACCOUNT)
        if account.get("username") == record.username and account.get("home_account_id") == record.home_account_id
    ]
    if not matches:
        return result(UNAVAILABLE, f"{NO_MATCHING_ACCOUNT} Cache: {where}.")
    return result(
        AVAILABLE, f"would use {record.username} (tenant {record.tenant_id}) from {where}", _identity(matches[0])
    )


def _identity(account: dict) -> Account:
    return Account(
        tenant_id=account_tenant(account),
        object_id=account.get("local_account_id") or None,
        upn=account.get("username") or None,
        identity_type="user",
    )


def _has_refresh_token(cache: msal.TokenCache, account: dict) -> bool:
    query = {"home_account_id": account.get("home_account_id")}
    return any("secret" in rt for rt in cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN, query=query))
