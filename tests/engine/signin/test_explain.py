"""The sign-in workbench's pure parts: claims table, AADSTS explanations, masked request and redirect, options."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from engine.signin import claims, exchange
from engine.signin.aadsts import MEANINGS, SignInContext, explain, parse_code
from engine.signin.options import SignInOptions

UTC = datetime.timezone.utc


def _jwt(payload: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'typ': 'JWT', 'alg': 'RS256'})}.{part(payload)}.c2ln"


def test_claims_are_decoded_and_each_common_claim_is_explained_in_one_line() -> None:
    token = _jwt({"aud": "https://management.azure.com", "tid": "t", "amr": ["pwd", "mfa"], "exp": 0, "zz": 1})
    rows = {r.name: r for r in claims.rows(claims.decode(token), tz=UTC)}
    assert rows["aud"].explanation.startswith("Audience")
    assert rows["amr"].value == "pwd, mfa"
    assert rows["exp"].value == "1970-01-01 00:00:00 UTC (0)"
    assert rows["zz"].explanation == ""
    for name in ("aud", "iss", "tid", "oid", "sub", "upn", "preferred_username", "name", "appid", "azp", "scp"):
        assert "\n" not in claims.EXPLANATIONS[name]
    for name in ("roles", "groups", "amr", "acr", "idtyp", "xms_cc", "ver", "iat", "nbf", "exp"):
        assert claims.EXPLANATIONS[name]


@pytest.mark.parametrize("bad", ["", "a.b", "a.!!!.c", _jwt({}).replace(".", "", 1), "x.WzFd.y"])
def test_anything_but_a_jwt_is_a_clear_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="not a JWT"):
        claims.decode(bad)


def test_a_non_numeric_time_claim_is_shown_as_it_is() -> None:
    assert claims.local_time("soon") == "soon"


def test_every_required_code_has_a_meaning_and_a_fix() -> None:
    for code in (50011, 700016, 65001, 50020, 50076, 53003, 7000218, 90002, 500011, 70011, 50126):
        meaning, fix = MEANINGS[code]
        assert meaning and fix, code


def test_50011_shows_the_redirect_uri_sent_beside_what_the_registration_must_list() -> None:
    text = "Authentication failed: AADSTS50011: The redirect URI 'http://localhost:8400' ...\r\nTrace ID: x"
    explained = explain(text, SignInContext(client_id="app", redirect_uri="http://localhost:8400"))
    assert explained.code == 50011 and "Trace ID" not in explained.text
    assert explained.details == {
        "redirect_uri_sent": "http://localhost:8400",
        "registration_must_list": "http://localhost",
    }
    assert "http://localhost" in explained.fix and "app" in explained.fix


def test_50020_and_90002_name_the_tenant_asked_and_65001_who_can_consent_where() -> None:
    context = SignInContext(client_id="app-id", tenant="contoso.com")
    assert explain("AADSTS50020: x", context).details == {"tenant_asked": "contoso.com"}
    assert explain("AADSTS90002: x", context).details == {"tenant_asked": "contoso.com"}
    consent = explain("AADSTS65001: x", context)
    assert consent.details["who_can_consent"] == "an administrator of contoso.com"
    assert "app-id" in consent.details["where"] and "adminconsent?client_id=app-id" in consent.fix


def test_a_timeout_and_a_text_without_a_code_are_still_explained() -> None:
    assert parse_code("no code here") == (None, "no code here")
    timed_out = explain("Timed out after waiting 5 seconds for the user to authenticate", SignInContext())
    assert timed_out.code is None and "browser" in timed_out.fix
    assert explain("AADSTS1: odd", SignInContext()).fix.endswith("explains each code.")


def test_the_request_table_masks_state_nonce_and_challenge_and_names_the_authority() -> None:
    url = (
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=c&response_type=code"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A8400&scope=a+b&state=STATEVALUE1&nonce=NONCEVALUE2"
        "&code_challenge=CHALLENGE3&code_challenge_method=S256&prompt=select_account&login_hint=u%40c.com"
    )
    table = exchange.authorize_request(url)
    assert table["authority"] == "https://login.microsoftonline.com/organizations"
    assert table["redirect_uri"] == "http://localhost:8400" and table["login_hint"] == "u@c.com"
    assert table["state"] == "STAT…(11 chars)" and table["code_challenge_method"] == "S256"
    copied = exchange.masked_url(url)
    for secret in ("STATEVALUE1", "NONCEVALUE2", "CHALLENGE3"):
        assert secret not in copied and secret not in json.dumps(table)


def test_the_redirect_table_masks_the_code_and_keeps_the_error() -> None:
    table = exchange.redirect_received({"code": "CODEVALUE", "state": "s", "error": "e", "error_uri": "u"})
    assert table == {"code": "CODE…(9 chars)", "state": "s…(1 chars)", "error": "e", "error_uri": "u"}


def test_options_become_azure_identity_keyword_arguments_and_bad_ones_are_named() -> None:
    options = SignInOptions(client_id="c", authority="usgov", cache_name="n", timeout=30, scopes=("s",))
    assert options.credential_kwargs() == {
        "client_id": "c",
        "authority": "login.microsoftonline.us",
        "timeout": 30,
        "cache_persistence_options": {"name": "n", "allow_unencrypted_storage": False},
    }
    assert SignInOptions(timeout=0, allow_unencrypted_storage=True, silent=True, device_code=True).problems() == [
        "timeout must be a positive number of seconds, got 0",
        "allow_unencrypted_storage applies to a persistent cache: give the cache a name",
        "a silent sign-in uses only the cache; it cannot also use the device code flow",
    ]


class _Page:
    def __init__(self, text: str) -> None:
        self.text = text


class _Session:
    def __init__(self, text: str) -> None:
        self._text = text

    def get(self, url: str, **_: object) -> _Page:
        return _Page(self._text)

    def close(self) -> None:
        pass


class _Host:
    def __init__(self, text: str) -> None:
        self._text = text

    def session(self) -> _Session:
        return _Session(self._text)


@pytest.mark.parametrize(
    ("page", "found"),
    [
        (
            "<p id='error' data-code='50011'>AADSTS50011: The redirect URI &#x27;x&#x27; is wrong.</p>",
            "AADSTS50011: The redirect URI 'x' is wrong.",
        ),
        (
            '{"strServiceExceptionMessage":"AADSTS700016: Application not found."}',
            "AADSTS700016: Application not found.",
        ),
        ('<input name="loginfmt"/><script>var m = "AADSTS50058: silent";</script>', None),
        ('<form name="hiddenform"><input name="error_description" value="AADSTS70011: bad scope"/></form>', None),
        ("<html>Pick an account</html>", None),
    ],
)
def test_preflight_reads_an_error_page_and_never_a_sign_in_page(page: str, found: str | None) -> None:
    from engine.signin.diagnosis import preflight

    assert preflight(_Host(page), "https://login.example/authorize") == found  # type: ignore[arg-type]
