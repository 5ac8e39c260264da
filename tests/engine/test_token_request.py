"""get_token versus get_token_info through the engine: what each hands on, what the chain calls on its
members, the method named in log lines and in the run, and each attempt's message with a response body."""

from __future__ import annotations

import json

import pytest

from engine import events
from engine.chain import POP_UNSUPPORTED, ChainedTokenCredential
from engine.credentials._internal.get_token_mixin import GetTokenMixin
from engine.credentials._internal.response_errors import ResponseAuthenticationError
from engine.errors import CredentialUnavailableError
from engine.run import run_chain
from engine.token import AccessToken
from engine.token_request import (
    GET_TOKEN,
    GET_TOKEN_INFO,
    calling,
    current_api,
    forwarded,
    request_options,
)
from engine.transport import HttpResponse
from tests.doubles.chain import USER_TOKEN

SCOPE = "https://management.azure.com/.default"


def test_get_token_drops_an_empty_tenant_and_get_token_info_hands_it_on():
    assert current_api() == GET_TOKEN
    assert forwarded("") is None and forwarded("t") == "t"
    with calling(GET_TOKEN_INFO):
        assert current_api() == GET_TOKEN_INFO
        assert forwarded("") == "" and forwarded(None) is None
    assert current_api() == GET_TOKEN


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown token API 'get_access_token'"), calling("get_access_token"):
        pass
    with pytest.raises(ValueError, match="unknown token API"):
        run_chain(Recording(), api="get_access_token")


@pytest.mark.parametrize(
    ("request_", "options"),
    [
        ({}, {}),  # the policy's first request: no options at all
        ({"enable_cae": True}, {"enable_cae": True}),
        ({"enable_cae": False}, {}),  # the policy passes enable_cae only when it is on
        ({"claims": '{"a":1}'}, {"claims": '{"a":1}'}),  # after a claims challenge
        ({"tenant_id": ""}, {"tenant_id": ""}),  # a tenant given, even empty, is passed on
        ({"tenant_id": None}, {}),
    ],
)
def test_request_options_are_what_an_sdk_client_passes(request_, options):
    assert request_options(**request_) == options


class Recording:
    """A member that records the method it was asked through and what it was given."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.fail = fail

    def get_token(self, *scopes, **kwargs):
        self.calls.append((GET_TOKEN, kwargs))
        return self._answer()

    def get_token_info(self, *scopes, options=None):
        self.calls.append((GET_TOKEN_INFO, dict(options or {})))
        return self._answer()

    def _answer(self) -> AccessToken:
        if self.fail is not None:
            raise self.fail
        return AccessToken(USER_TOKEN, 4102444800)


class OnlyGetToken:
    def __init__(self) -> None:
        self.kwargs: dict | None = None

    def get_token(self, *scopes, **kwargs):
        self.kwargs = kwargs
        return AccessToken(USER_TOKEN, 4102444800)


def test_the_chain_asks_each_member_the_method_it_was_asked():
    first, second = Recording(fail=CredentialUnavailableError("not here")), Recording()
    chain = ChainedTokenCredential(first, second)
    run = run_chain(chain, [SCOPE], tenant_id="", api=GET_TOKEN_INFO)
    assert run.api == GET_TOKEN_INFO and run.to_json()["api"] == GET_TOKEN_INFO
    assert first.calls == second.calls == [(GET_TOKEN_INFO, {"tenant_id": ""})]
    run = run_chain(ChainedTokenCredential(Recording()), [SCOPE], tenant_id="")
    assert run.api == GET_TOKEN and run.to_json()["api"] == GET_TOKEN


def test_a_member_without_get_token_info_gets_the_options_as_keywords_and_pop_is_refused():
    member = OnlyGetToken()
    assert ChainedTokenCredential(member).get_token_info(SCOPE, options={"tenant_id": "t", "enable_cae": True})
    assert member.kwargs == {"tenant_id": "t", "enable_cae": True}
    with pytest.raises(Exception, match="failed to retrieve a token") as raised:
        ChainedTokenCredential(OnlyGetToken()).get_token_info(SCOPE, options={"pop": {"nonce": "n"}})
    assert POP_UNSUPPORTED in str(raised.value)


class Mixin(GetTokenMixin):
    """GetTokenMixin with nothing cached: every call requests, recording the tenant it was given."""

    def __init__(self, host) -> None:
        self.host = host
        self.tenants: list = []

    def _acquire_token_silently(self, *scopes, **kwargs):
        return None

    def _request_token(self, *scopes, tenant_id=None, **kwargs):
        self.tenants.append(tenant_id)
        return AccessToken(USER_TOKEN, 4102444800)


def test_one_body_serves_both_methods_and_logs_the_method_asked(host):
    credential = Mixin(host)
    for api in (GET_TOKEN, GET_TOKEN_INFO):
        run = run_chain(ChainedTokenCredential(credential), [SCOPE], tenant_id="", api=api)
        assert run.outcome == "succeeded"
        assert f"DEBUG azure.identity._internal.get_token_mixin: Mixin.{api} succeeded" in run.log_lines()
    assert credential.tenants == [None, ""]


def _body_error() -> ResponseAuthenticationError:
    body = {"error": "invalid_grant", "error_description": "AADSTS50173: revoked", "access_token": "eyJhbGciOi.x.y"}
    response = HttpResponse(400, "Bad Request", {"Content-Type": "application/json"}, json.dumps(body).encode(), "", "")
    return ResponseAuthenticationError("Microsoft Entra ID error '(invalid_grant) AADSTS50173: revoked'", response)


@pytest.mark.parametrize("api", [GET_TOKEN, GET_TOKEN_INFO])
def test_the_member_that_stops_the_chain_shows_the_response_body_as_azure_identity_prints_it(api):
    error = _body_error()
    run = run_chain(ChainedTokenCredential(Recording(fail=error)), [SCOPE], api=api)
    (attempt,) = run.attempts
    assert attempt.outcome == events.FAILED
    assert attempt.message == str(error) and "\nContent: {" in attempt.message
    assert '"access_token": "***"' in attempt.message and "eyJhbGciOi" not in attempt.message
    assert attempt.message in run.error  # the aggregated error carries the same entry


def test_an_unavailable_member_shows_its_message_without_a_body():
    unavailable = CredentialUnavailableError("no cache")
    run = run_chain(ChainedTokenCredential(Recording(fail=unavailable), Recording()), [SCOPE], api=GET_TOKEN_INFO)
    assert [(a.outcome, a.message) for a in run.attempts] == [("unavailable", "no cache"), ("succeeded", None)]
