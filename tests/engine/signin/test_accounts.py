"""Remembered accounts in the lab: sign in, list, get a token silently, sign out; and no keyring, no cache."""

from __future__ import annotations

import importlib.util
import threading

import pytest

from engine.host import Host
from engine.sandbox.browser import ScriptedBrowser
from engine.signin.aadsts import NO_KEYRING_FIX
from engine.signin.accounts import get_token_silently, remembered_accounts, sign_out
from engine.signin.options import SignInOptions
from engine.signin.session import SignInUsageError, sign_in
from tests.plugins.sandbox import sandbox_session_for


@pytest.fixture
def lab_host(sandbox_factory):
    box = sandbox_factory("browser-sign-in-lab")

    def browser(url: str) -> bool:
        session = sandbox_session_for(box)
        session.proxies = {"https": box.proxy_url}  # the redirect to localhost goes straight to the app
        threading.Thread(target=lambda: ScriptedBrowser(session=session).open(url), daemon=True).start()
        return True

    return Host(env=box.env, browser=browser)


def test_a_remembered_account_is_listed_used_silently_and_signed_out(lab_host) -> None:
    options = SignInOptions(cache_name="workbench-test", allow_unencrypted_storage=True, timeout=30)
    first = sign_in(options, lab_host)
    assert first.signed_in, first.error
    (account,) = remembered_accounts(options, lab_host)
    assert account.username == "dev@contoso.com" and account.tenant_id == first.account["tenant_id"]
    silent = get_token_silently(options, lab_host, account)
    assert silent.signed_in and silent.authorize_request == {}  # no browser this time
    assert silent.id_token_claims["preferred_username"] == "dev@contoso.com"
    sign_out(options, lab_host, account)
    assert remembered_accounts(options, lab_host) == []
    again = get_token_silently(options, lab_host, account)
    assert not again.signed_in and "holds no account" in again.error.text
    with pytest.raises(SignInUsageError, match="not remembered"):
        sign_out(options, lab_host, account)


def test_remembered_accounts_need_a_cache_name(lab_host) -> None:
    with pytest.raises(SignInUsageError, match="give the cache a name"):
        remembered_accounts(SignInOptions(), lab_host)


@pytest.mark.skipif(importlib.util.find_spec("gi") is not None, reason="PyGObject present: libsecret may work here")
def test_without_a_keyring_or_plaintext_permission_the_message_says_what_to_do(lab_host) -> None:
    result = sign_in(SignInOptions(cache_name="no-keyring", timeout=30), lab_host)
    assert not result.signed_in
    assert "Cache encryption is impossible" in result.error.text and result.error.fix == NO_KEYRING_FIX
