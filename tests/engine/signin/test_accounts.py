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


def _device_person(box, account: str = "", password: str = ""):
    """A person on another device: opens the page, types the code, signs in (in a thread, as polling goes on)."""

    def enter(message: str) -> None:
        uri, code = message.split("open the page ")[1].split(" and enter the code ")
        code = code.split(" ")[0]
        session = sandbox_session_for(box)
        browser = ScriptedBrowser(
            account, password, session=session, passwords={"mfa.dev@contoso.com": "Mfa-Passw0rd!"}
        )
        threading.Thread(target=lambda: browser.device_sign_in(uri, code), daemon=True).start()

    return enter


def test_device_code_sign_in_shows_the_code_and_signs_in(sandbox_factory) -> None:
    box = sandbox_factory("browser-sign-in-lab")
    shown: list[str] = []

    def person(message: str) -> None:
        shown.append(message)
        _device_person(box)(message)

    result = sign_in(SignInOptions(device_code=True, timeout=30), Host(env=box.env), on_device_code=person)
    assert result.signed_in, result.error
    assert result.account["username"] == "dev@contoso.com"
    assert result.device_code["verification_uri"].endswith("/common/oauth2/deviceauth")
    assert result.device_code["user_code"] in shown[0]
    assert "device_code" in result.to_json() and result.authorize_request == {}


def test_device_code_needs_public_client_flows_allowed(sandbox_factory) -> None:
    box = sandbox_factory("browser-sign-in-lab")
    options = SignInOptions(
        device_code=True, timeout=30, client_id="5f1a0000-0000-4000-8000-00000000a001", tenant_id="contoso.com"
    )
    result = sign_in(options, Host(env=box.env), on_device_code=_device_person(box))
    assert result.error.code == 7000218 and "public client" in result.error.explanation


def test_device_code_times_out_when_nobody_enters_the_code(sandbox_factory) -> None:
    box = sandbox_factory("browser-sign-in-lab")
    result = sign_in(SignInOptions(device_code=True, timeout=2), Host(env=box.env), on_device_code=lambda m: None)
    assert result.error.text == "Timed out waiting for user to authenticate"
