"""Accounts decoded from tokens, and secrets that stay secret wherever they are printed."""

from __future__ import annotations

import json
import logging

import pytest

from engine.account import Account, authenticated_account_line
from engine.secrets import Secret
from engine.token import AccessToken
from tests.doubles.chain import make_jwt

V1 = make_jwt(
    {
        "appid": "app",
        "tid": "tid",
        "upn": "dev@contoso.com",
        "oid": "oid",
        "idtyp": "user",
        "aud": "https://management.azure.com",
        "scp": "user_impersonation",
        "exp": 1767225600,
    }
)
V2_APP = make_jwt({"azp": "app2", "tid": "tid2", "oid": "oid2", "roles": ["Reader"], "ver": "2.0"})


def test_v1_user_token_decodes_to_an_account():
    account = Account.from_token(V1)
    assert (account.upn, account.tenant_id, account.object_id, account.client_id) == (
        "dev@contoso.com",
        "tid",
        "oid",
        "app",
    )
    assert account.scopes == ("user_impersonation",) and account.expires_on == 1767225600
    assert account.display == "dev@contoso.com"


def test_v2_app_token_uses_azp_and_roles():
    account = Account.from_token(V2_APP)
    assert (account.client_id, account.roles, account.identity_type, account.upn) == ("app2", ("Reader",), "app", None)
    assert account.display == "app2"


def test_authenticated_account_line_matches_azure_identity_format():
    assert authenticated_account_line(V1) == (
        "[Authenticated account] Client ID: app. Tenant ID: tid. User Principal Name: dev@contoso.com. "
        "Object ID (user): oid"
    )
    assert authenticated_account_line(V2_APP) == (
        "[Authenticated account] Client ID: <unavailable>. Tenant ID: tid2. User Principal Name: unavailableUpn. "
        "Object ID (user): oid2"
    )


@pytest.mark.parametrize("garbage", ["", "abc", "a.!!!.c", "a.WzFd.c"])
def test_garbage_tokens_raise_value_errors_not_crashes(garbage):
    with pytest.raises((ValueError, IndexError)):
        Account.from_token(garbage)


def test_token_text_is_redacted_everywhere(caplog):
    canary = "canary-token-3f9a"
    token = AccessToken(canary, 123)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").debug("token %s %r", token, token)
    rendered = [str(token), repr(token), f"{token.token}", json.dumps(token.to_json()), caplog.text]
    assert not any(canary in text for text in rendered)
    assert token.token.reveal() == canary


def test_secret_refuses_to_be_pickled():
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))
