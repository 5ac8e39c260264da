"""App registrations in the sandbox: each browser-sign-in-lab case gives Entra's code, where Entra gives it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse

import pytest

from engine.sandbox.browser import BrowserPageError, ScriptedBrowser
from engine.sandbox.directory import redirect_matches, scope_problem
from tests.plugins.sandbox import sandbox_session_for

CONTOSO = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
FABRIKAM = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
LOGIN = "https://login.microsoftonline.com"
DEV_SIGN_ON = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
DESKTOP, WEB_ONLY, WEB_LOCALHOST, CONSENT, ADMIN_CONSENT, ASSIGNED, MULTI = (
    f"5f1a0000-0000-4000-8000-00000000a00{n}" for n in range(1, 8)
)
ARM = "https://management.azure.com/.default"
VERIFIER = "v" * 50
PASSWORDS = {"dev@contoso.com": "Dev-Passw0rd!", "guest@fabrikam.com": "Gst-Passw0rd!"}


@pytest.fixture
def lab(sandbox_factory):
    box = sandbox_factory("browser-sign-in-lab")
    return box, sandbox_session_for(box)


def authorize_url(client_id: str = DEV_SIGN_ON, tenant: str = "organizations", **extra: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost:8731",
        "scope": f"{ARM} openid offline_access profile",
        "state": "st8",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "response_mode": "form_post",
        "client_info": "1",
        "prompt": "select_account",
        **extra,
    }
    return f"{LOGIN}/{tenant}/oauth2/v2.0/authorize?" + urllib.parse.urlencode(params)


def walk(session, url: str, **browser) -> dict[str, str]:
    return ScriptedBrowser(session=session, passwords=PASSWORDS, **browser).walk(url)["inputs"]  # type: ignore[return-value]


def redeem(session, fields: dict[str, str], client_id: str, tenant: str = "organizations", **extra: str) -> dict:
    data = {
        "client_id": client_id,
        "grant_type": "authorization_code",
        "code": fields["code"],
        "redirect_uri": "http://localhost:8731",
        "code_verifier": VERIFIER,
        "scope": f"{ARM} openid offline_access",
        "client_info": "1",
        **extra,
    }
    return session.post(f"{LOGIN}/{tenant}/oauth2/v2.0/token", data=data).json()


def aadsts(text: str) -> int:
    return int(text.split("AADSTS", 1)[1].split(":", 1)[0])


# -- pure rules -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("registered", "sent", "matches"),
    [
        ("http://localhost", "http://localhost:8400", True),
        ("http://localhost", "http://localhost:53211/", True),
        ("http://localhost", "http://localhost:8400/callback", False),
        ("http://localhost:8400", "http://localhost:9000", True),
        ("http://localhost/callback", "http://localhost:8400/callback", True),
        ("http://127.0.0.1", "http://localhost:8400", False),
        ("https://app.contoso.com/signin", "https://app.contoso.com:8443/signin", False),
        ("https://app.contoso.com/signin", "https://app.contoso.com/signin", True),
    ],
)
def test_a_loopback_redirect_uri_matches_on_any_port_and_others_exactly(registered, sent, matches) -> None:
    assert redirect_matches(registered, sent) is matches


@pytest.mark.parametrize(
    ("scopes", "problem"),
    [
        ([ARM, "openid"], None),
        (["User.Read", "openid"], None),
        (["https://management.azure.com"], "https://management.azure.com"),
        ([ARM, "https://graph.microsoft.com/.default"], f"{ARM} https://graph.microsoft.com/.default"),
    ],
)
def test_a_scope_without_a_permission_or_a_second_resource_is_invalid(scopes, problem) -> None:
    assert scope_problem(scopes) == problem


# -- the developer sign-on app and the happy path ---------------------------------------------------------
def test_the_developer_sign_on_app_accepts_http_localhost_on_any_port(lab) -> None:
    _, session = lab
    fields = walk(session, authorize_url())
    body = redeem(session, fields, DEV_SIGN_ON)
    assert "access_token" in body and body["id_token"]


def test_an_own_desktop_app_signs_in_at_its_tenant(lab) -> None:
    _, session = lab
    fields = walk(session, authorize_url(DESKTOP, CONTOSO))
    assert "access_token" in redeem(session, fields, DESKTOP, CONTOSO)


# -- error pages: nothing goes back to the app -------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "code", "fragment"),
    [
        (authorize_url(WEB_ONLY), 50011, "The redirect URI 'http://localhost:8731' specified in the request"),
        (authorize_url("00000000-0000-0000-0000-00000000dead"), 700016, "was not found in the directory"),
        (authorize_url(tenant="nosuch.onmicrosoft.com"), 90002, "Tenant 'nosuch.onmicrosoft.com' not found"),
        (authorize_url(DESKTOP), 50194, "is not configured as a multi-tenant application"),
        (authorize_url(DESKTOP, FABRIKAM), 700016, f"in the directory '{FABRIKAM}'"),
    ],
)
def test_untrusted_requests_stop_on_an_error_page(lab, url, code, fragment) -> None:
    _, session = lab
    with pytest.raises(BrowserPageError) as err:
        walk(session, url)
    assert err.value.code == code and fragment in err.value.text


def test_a_wrong_password_stays_on_the_sign_in_page_with_aadsts50126(lab) -> None:
    _, session = lab
    with pytest.raises(BrowserPageError) as err:
        walk(session, authorize_url(login_hint="nopass@contoso.com", prompt=""))
    assert err.value.code == 50126 and "password is incorrect" in err.value.text


# -- refusals returned to the redirect URI ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "browser", "error", "code"),
    [
        (authorize_url(scope="https://management.azure.com openid"), {}, "invalid_scope", 70011),
        (
            authorize_url(scope="api://00000000-0000-0000-0000-00000000beef/.default openid"),
            {},
            "invalid_resource",
            500011,
        ),
        (authorize_url(DESKTOP, CONTOSO, login_hint="guest@fabrikam.com", prompt=""), {}, "invalid_request", 50020),
        (authorize_url(ADMIN_CONSENT, CONTOSO), {}, "invalid_grant", 65001),
        (authorize_url(CONSENT, CONTOSO), {"consent": "decline"}, "access_denied", 65004),
        (authorize_url(ASSIGNED, CONTOSO), {}, "access_denied", 50105),
    ],
)
def test_refusals_of_a_trustworthy_request_go_back_to_the_redirect_uri(lab, url, browser, error, code) -> None:
    _, session = lab
    fields = walk(session, url, **browser)
    assert fields["error"] == error and aadsts(fields["error_description"]) == code
    assert fields["state"] == "st8" and "code" not in fields


def test_the_50020_text_names_the_tenant_asked_and_the_users_home(lab) -> None:
    _, session = lab
    fields = walk(session, authorize_url(DESKTOP, CONTOSO, login_hint="guest@fabrikam.com", prompt=""))
    assert f"identity provider 'https://sts.windows.net/{FABRIKAM}/'" in fields["error_description"]
    assert "does not exist in tenant 'Contoso'" in fields["error_description"]


# -- pages a person passes, then the token ----------------------------------------------------------------
def test_the_consent_page_once_accepted_is_not_shown_again(lab) -> None:
    _, session = lab
    browser = ScriptedBrowser(session=session, passwords=PASSWORDS)
    fields = browser.walk(authorize_url(CONSENT, CONTOSO))["inputs"]
    assert any("/consent" in url for url in browser.visited)
    assert "access_token" in redeem(session, fields, CONSENT, CONTOSO)
    again = ScriptedBrowser(session=session, passwords=PASSWORDS)
    again.walk(authorize_url(CONSENT, CONTOSO))
    assert not any("/consent" in url for url in again.visited)


def test_an_mfa_user_approves_a_second_factor_and_the_token_says_so(lab) -> None:
    _, session = lab
    browser = ScriptedBrowser(session=session, passwords={"mfa.dev@contoso.com": "Mfa-Passw0rd!"})
    fields = browser.walk(authorize_url(login_hint="mfa.dev@contoso.com", prompt=""))["inputs"]
    assert any(url.endswith("/login") for url in browser.visited)
    body = redeem(session, fields, DEV_SIGN_ON)
    payload = body["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["amr"] == ["pwd", "mfa"]


def test_conditional_access_blocks_the_code_redemption_with_53003(lab) -> None:
    _, session = lab
    browser = ScriptedBrowser(session=session, passwords={"blocked@contoso.com": "Blk-Passw0rd!"})
    fields = browser.walk(authorize_url(login_hint="blocked@contoso.com", prompt=""))["inputs"]
    body = redeem(session, fields, DEV_SIGN_ON)
    assert body["error"] == "invalid_grant" and body["error_codes"] == [53003]
    assert body["suberror"] == "message_only"


def test_a_code_sent_to_a_web_redirect_uri_needs_the_apps_secret(lab) -> None:
    _, session = lab
    fields = walk(session, authorize_url(WEB_LOCALHOST, CONTOSO))
    body = redeem(session, fields, WEB_LOCALHOST, CONTOSO)
    assert body["error"] == "invalid_client" and body["error_codes"] == [7000218]
    fields = walk(session, authorize_url(WEB_LOCALHOST, CONTOSO))
    assert "access_token" in redeem(session, fields, WEB_LOCALHOST, CONTOSO, client_secret="web~secret~value")


# -- the token endpoint's own checks ---------------------------------------------------------------------
def _password(session, username: str, password: str, client_id: str = MULTI) -> dict:
    data = {
        "client_id": client_id,
        "grant_type": "password",
        "username": username,
        "password": password,
        "scope": f"{ARM} openid",
    }
    return session.post(f"{LOGIN}/{CONTOSO}/oauth2/v2.0/token", data=data).json()


@pytest.mark.parametrize(
    ("username", "password", "client_id", "code"),
    [
        ("dev@contoso.com", "wrong", MULTI, 50126),
        ("mfa.dev@contoso.com", "Mfa-Passw0rd!", MULTI, 50076),
        ("blocked@contoso.com", "Blk-Passw0rd!", MULTI, 53003),
        ("dev@contoso.com", "Dev-Passw0rd!", DESKTOP, 7000218),
    ],
)
def test_the_password_grant_applies_the_same_policies(lab, username, password, client_id, code) -> None:
    _, session = lab
    assert _password(session, username, password, client_id)["error_codes"] == [code]


def test_a_remembered_refresh_token_without_mfa_gets_50076_for_an_mfa_user(lab) -> None:
    box, session = lab
    cache = json.loads(box.shared_cache_path.read_text())
    (rt,) = (entry["secret"] for entry in cache["RefreshToken"].values())
    data = {"client_id": DEV_SIGN_ON, "grant_type": "refresh_token", "refresh_token": rt, "scope": ARM}
    body = session.post(f"{LOGIN}/organizations/oauth2/v2.0/token", data=data).json()
    assert body["error_codes"] == [50076] and body["suberror"] == "basic_action"
    assert "'797f4846-ba00-4fd7-ba43-dac1f8f63013'" in body["error_description"]


# -- the device code flow ---------------------------------------------------------------------------------
def _device_start(session, client_id: str = DEV_SIGN_ON, scope: str = ARM) -> dict:
    data = {"client_id": client_id, "scope": f"{scope} openid offline_access profile"}
    return session.post(f"{LOGIN}/organizations/oauth2/v2.0/devicecode", data=data).json()


def _device_poll(session, device_code: str, client_id: str = DEV_SIGN_ON) -> dict:
    data = {
        "client_id": client_id,
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": device_code,
    }
    return session.post(f"{LOGIN}/organizations/oauth2/v2.0/token", data=data).json()


def test_device_code_is_pending_until_someone_enters_it_then_redeems_once(lab) -> None:
    _, session = lab
    flow = _device_start(session)
    assert flow["interval"] >= 1 and flow["user_code"] in flow["message"]
    assert _device_poll(session, flow["device_code"])["error"] == "authorization_pending"
    ScriptedBrowser(session=session, passwords=PASSWORDS).device_sign_in(flow["verification_uri"], flow["user_code"])
    assert "access_token" in _device_poll(session, flow["device_code"])
    assert _device_poll(session, flow["device_code"])["error_codes"] == [70019]


def test_a_wrong_device_code_is_refused_on_the_page(lab) -> None:
    _, session = lab
    flow = _device_start(session)
    page = session.post(flow["verification_uri"], data={"otc": "WRONGCODE"}).text
    assert "Check the code and try again." in page


def test_device_code_errors_come_from_the_same_rules(lab) -> None:
    _, session = lab
    assert _device_start(session, scope="https://management.azure.com")["error_codes"] == [70011]
    assert _device_start(session, client_id="00000000-0000-0000-0000-00000000dead")["error_codes"] == [700016]
    flow = _device_start(session, client_id=MULTI)
    ScriptedBrowser(session=session, consent="decline").device_sign_in(flow["verification_uri"], flow["user_code"])
    assert "access_token" in _device_poll(session, flow["device_code"], MULTI)


@pytest.mark.parametrize(
    ("section", "entry", "message"),
    [
        ("apps", {"name": "a", "client_id": "c", "consent": "maybe"}, "apps.a.consent mode 'maybe'"),
        ("users", {"upn": "u@c.com", "oid": "o", "conditional_access": "mfa"}, "users.u@c.com.conditional_access"),
        ("apps", {"name": "a", "client_id": "c", "assigned_users": ["nobody@c.com"]}, "user 'nobody@c.com'"),
    ],
)
def test_a_bad_app_registration_or_user_is_refused_when_the_scenario_loads(section, entry, message) -> None:
    from engine.sandbox.scenario import from_dict

    data = {"tenants": [{"id": CONTOSO, "domain": "contoso.com"}], section: [entry]}
    with pytest.raises(ValueError, match=re.escape(message)):
        from_dict(data, name="bad")
