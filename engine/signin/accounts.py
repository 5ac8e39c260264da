"""Remembered accounts: the ones a persistent cache (TokenCachePersistenceOptions(name)) holds for an app.

The list is what msal finds in the same store azure-identity uses; "Get token silently" is a silent sign-in for
one of them; "Sign out" removes the account (its tokens) from that store, as msal's remove_account does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from engine.host import Host
from engine.signin.observed import ObservedBrowserCredential, Observer
from engine.signin.options import SignInOptions
from engine.signin.result import SignInResult, SignInUsageError
from engine.signin.session import home_tenant, sign_in

NEEDS_CACHE = "remembered accounts live in a persistent cache: give the cache a name"
NOT_REMEMBERED = "{username} is not remembered in the cache {name!r}"


@dataclass(frozen=True)
class RememberedAccount:
    username: str
    home_account_id: str
    tenant_id: str
    authority: str


def _app(options: SignInOptions, host: Host):  # type: ignore[no-untyped-def]
    if not options.cache_name:
        raise SignInUsageError(NEEDS_CACHE)
    kwargs = options.credential_kwargs()
    credential = ObservedBrowserCredential(observer=Observer(SignInResult()), host=host, **kwargs)
    return credential, credential._get_app(enable_cae=options.enable_cae)


def remembered_accounts(options: SignInOptions, host: Host) -> list[RememberedAccount]:
    """Accounts the cache holds for the options' app; ValueError when the store cannot be opened (e.g. no keyring)."""
    credential, app = _app(options, host)
    try:
        return [
            RememberedAccount(a["username"], a["home_account_id"], home_tenant(a), a.get("environment", ""))
            for a in app.get_accounts()
        ]
    finally:
        credential.close()


def get_token_silently(options: SignInOptions, host: Host, account: RememberedAccount) -> SignInResult:
    return sign_in(dataclasses.replace(options, silent=True, login_hint=account.username, record_path=""), host)


def sign_out(options: SignInOptions, host: Host, account: RememberedAccount) -> None:
    """Remove the account and its tokens from the cache (other apps sharing the cache lose it too)."""
    credential, app = _app(options, host)
    try:
        found = [a for a in app.get_accounts() if a["home_account_id"] == account.home_account_id]
        if not found:
            raise SignInUsageError(NOT_REMEMBERED.format(username=account.username, name=options.cache_name))
        for entry in found:
            app.remove_account(entry)
    finally:
        credential.close()
