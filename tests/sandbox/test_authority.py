"""The Entra stand-in's endpoints and error shapes, exercised in-process through the proxy."""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse

import pytest

from engine.sandbox.browser import ScriptedBrowser, parse
from tests.plugins.sandbox import sandbox_session_for

TENANT = "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60"
LOGIN = f"https://login.microsoftonline.com/{TENANT}"
CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
REDIRECT = "http://localhost:8400"


@pytest.fixture
def lab(sandbox_factory):
    box = sandbox_factory("laptop-everything")
    return box, sandbox_session_for(box)


def _authorize_url(**extra: str) -> tuple[str, str]:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "client_id": CLI,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "st8",
        "scope": "https://management.azure.com/.default openid offline_access profile",
        "nonce": "n0nce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "response_mode": "form_post",
        "client_info": "1",
        **extra,
    }
    return f"{LOGIN}/oauth2/v2.0/authorize?" + urllib.parse.urlencode(params), verifier


def _form_post(response) -> dict[str, str]:
    (form,) = parse(response.text).forms
    assert form["name"] == "hiddenform" and form["action"] == REDIRECT
    return form["inputs"]


def _redeem(session, code: str, verifier: str):
    return session.post(
        f"{LOGIN}/oauth2/v2.0/token",
        data={
            "client_id": CLI,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "scope": "https://management.azure.com/.default openid offline_access",
        },
    )


def test_errors_carry_aadsts_code_trace_and_correlation_ids(lab) -> None:
    _, session = lab
    body = session.post(
        f"{LOGIN}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": "nope", "scope": "x/.default"},
    ).json()
    assert body["error"] == "unauthorized_client" and body["error_codes"] == [700016]
    assert re.match(
        r"AADSTS700016: Application with identifier 'nope' was not found in the directory", body["error_description"]
    )
    assert re.search(
        r"\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: ", body["error_description"]
    )
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)


def test_unknown_tenant_gets_aadsts90002(lab) -> None:
    _, session = lab
    response = session.get("https://login.microsoftonline.com/nowhere.example/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400 and response.json()["error_codes"] == [90002]


def test_instance_discovery_lists_the_public_cloud_aliases(lab) -> None:
    _, session = lab
    body = session.get(
        "https://login.microsoftonline.com/common/discovery/instance",
        params={"api-version": "1.1", "authorization_endpoint": f"{LOGIN}/oauth2/v2.0/authorize"},
    ).json()
    assert body["metadata"][0]["aliases"] == [
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoft.com",
        "sts.windows.net",
    ]
    assert body["tenant_discovery_endpoint"].endswith(f"/{TENANT}/v2.0/.well-known/openid-configuration")


def test_user_realm_knows_managed_domains_only(lab) -> None:
    _, session = lab
    realm = session.get("https://login.microsoftonline.com/common/userrealm/dev@contoso.com?api-version=1.0").json()
    assert realm["account_type"] == "Managed" and realm["domain_name"] == "contoso.com"
    other = session.get("https://login.microsoftonline.com/common/userrealm/x@example.org?api-version=1.0").json()
    assert other["account_type"] == "Unknown"


def test_jwks_verifies_issued_tokens(lab) -> None:
    import jwt

    from engine.sandbox.tokens import Principal

    box, session = lab
    keys = session.get(f"{LOGIN}/discovery/v2.0/keys").json()["keys"]
    token, _ = box.issuer.access_token(Principal(oid="o", tid=TENANT), "https://x", client_id="c")
    key = jwt.PyJWK(keys[0]).key
    assert jwt.decode(token, key, algorithms=["RS256"], audience="https://x")["tid"] == TENANT
    assert jwt.get_unverified_header(token)["kid"] == keys[0]["kid"]


def test_chooser_then_form_post_then_pkce_redemption(lab) -> None:
    _, session = lab
    url, verifier = _authorize_url(prompt="select_account")
    chooser = session.get(url)
    accounts = [a["data-upn"] for a in parse(chooser.text).links if a.get("class") == "account"]
    assert accounts == ["dev@contoso.com", "dana.ops@contoso.com"]
    pick = next(a["href"] for a in parse(chooser.text).links if a.get("data-upn") == "dana.ops@contoso.com")
    fields = _form_post(session.get(pick))
    assert fields["state"] == "st8" and fields["client_info"]
    bad = _redeem(session, fields["code"], "w" * 50).json()
    assert bad["error_codes"] == [501481]
    ok = _redeem(session, fields["code"], verifier).json()
    assert ok["foci"] == "1" and ok["refresh_token"] and ok["id_token"]
    again = _redeem(session, fields["code"], verifier).json()
    assert again["error_codes"] == [54005]


def test_login_hint_of_a_session_account_signs_in_without_a_page(lab) -> None:
    _, session = lab
    url, _ = _authorize_url(login_hint="dev@contoso.com")
    assert "code" in _form_post(session.get(url))


def test_prompt_none_with_several_sessions_reports_login_required(lab) -> None:
    _, session = lab
    url, _ = _authorize_url(prompt="none")
    fields = _form_post(session.get(url))
    assert fields["error"] == "login_required" and fields["error_description"].startswith("AADSTS50058")


def test_prompt_login_asks_for_the_password_and_rejects_a_wrong_one(lab) -> None:
    box, session = lab
    url, _ = _authorize_url(prompt="login")
    browser = ScriptedBrowser("dana@fabrikam.com", "wrong", session=session)
    with pytest.raises(RuntimeError, match="AADSTS50126: Your account or password is incorrect"):
        browser.open(url)
    url, _ = _authorize_url(prompt="login")
    response_page = session.get(url)
    (login,) = [f for f in parse(response_page.text).forms if f.get("id") == "login"]
    answer = session.post(
        login["action"], data={**login["inputs"], "login": "dev@contoso.com", "passwd": "Dev-Passw0rd!"}
    )
    assert "code" in _form_post(answer)
    del box


def test_a_revoked_refresh_token_gets_invalid_grant_50173(sandbox_factory) -> None:
    box = sandbox_factory("everything-broken")
    session = sandbox_session_for(box)
    import json

    # az keeps its (here revoked) refresh token where the real az does: its MSAL cache
    cache = json.loads((box.home / ".azure" / "msal_token_cache.json").read_text())
    (refresh,) = cache["RefreshToken"].values()
    body = session.post(
        f"{LOGIN}/oauth2/v2.0/token",
        data={
            "client_id": CLI,
            "grant_type": "refresh_token",
            "refresh_token": refresh["secret"],
            "scope": "https://management.azure.com/.default",
        },
    ).json()
    assert body["error"] == "invalid_grant" and body["error_codes"] == [50173]


def test_client_credentials_needs_a_default_scope(sandbox_factory) -> None:
    box = sandbox_factory("laptop-wrong-account")
    body = (
        sandbox_session_for(box)
        .post(
            f"{LOGIN}/oauth2/v2.0/token",
            data={
                "client_id": "0c9a51f2-5b3e-4d8a-9f61-2e7c4b8d0a11",
                "grant_type": "client_credentials",
                "client_secret": "Lgcy~8Q~s3cr3t.from.2023-do-not-use",
                "scope": "https://management.azure.com/read",
            },
        )
        .json()
    )
    assert body["error_codes"] == [1002012]
