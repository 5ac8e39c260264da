"""The real azure-identity 1.27.0 and our engine, same loopback stand-ins, same environment, same verdict.

Service-principal and managed-identity credentials: EnvironmentCredential (secret, certificate,
username/password), WorkloadIdentityCredential, ManagedIdentityCredential on every host. Each test
compares the outcome (token text and expiry, or error kind, ``.message`` and ``str()``) and, where
it matters, the requests the stand-ins received.
"""

from __future__ import annotations

import azure.identity as real
import pytest

from engine.chain import ChainedTokenCredential
from engine.credentials.environment import EnvironmentCredential
from tests.oracle.service_fixtures import (
    CLIENT_ID,
    SCOPE,
    SECRET,
    TENANT,
    USERNAME,
    Outcome,
    outcome,
    recorded,
)
from tests.oracle.service_standins import Reply

pytest_plugins = ["tests.oracle.service_fixtures"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BAD_SECRET = {
    "error": "invalid_client",
    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
    "request is the client secret value, not the client secret ID.",
    "error_codes": [7000215],
}


def compare(real_call, our_call, slack: int = 2) -> tuple[Outcome, Outcome]:
    expected = outcome(real_call)
    actual, _, _ = recorded(our_call)
    assert actual.kind == expected.kind, (expected, actual)
    assert actual.message == expected.message
    assert actual.text == expected.text
    assert abs(actual.expires_on - expected.expires_on) <= slack
    return expected, actual


def request_shape(seen) -> tuple:
    """What both libraries must send alike: method, path, query, form field names and non-secret values."""
    secret_fields = {"client_secret", "client_assertion", "password", "refresh_token"}
    form = {k: ("<secret>" if k in secret_fields else v) for k, v in seen.form.items()}
    headers = {k for k in seen.headers if k in ("metadata", "x-identity-header", "secret", "authorization")}
    return (
        seen.method,
        seen.path,
        tuple(sorted(seen.query.items())),
        tuple(sorted(form.items())),
        tuple(sorted(headers)),
    )


def split_requests(server, count_before: int) -> tuple[list, list]:
    return server.seen[:count_before], server.seen[count_before:]


# ---- EnvironmentCredential -------------------------------------------------------------------
def entra_env(entra, **extra) -> dict[str, str]:
    return {"AZURE_AUTHORITY_HOST": entra.authority_host, "REQUESTS_CA_BUNDLE": str(entra.ca_pem), **extra}


def both_environment(host):
    return (
        lambda: real.EnvironmentCredential(disable_instance_discovery=True).get_token(SCOPE),
        lambda: EnvironmentCredential(host=host, disable_instance_discovery=True).get_token(SCOPE),
    )


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"AZURE_CLIENT_ID": CLIENT_ID},
        {"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT},
        {"AZURE_CLIENT_SECRET": SECRET, "AZURE_TENANT_ID": TENANT},
        {"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_CLIENT_SECRET": SECRET},
        {"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_USERNAME": USERNAME},
        {"AZURE_CLIENT_CERTIFICATE_PATH": "/nonexistent.pem", "AZURE_TENANT_ID": TENANT},
    ],
    ids=[
        "none",
        "client-id",
        "client-and-tenant",
        "no-client-id",
        "no-tenant",
        "username-no-password",
        "cert-no-client",
    ],
)
def test_environment_unconfigured_is_unavailable_like_azure_identity(same_env, variables) -> None:
    host = same_env(variables)
    expected, _ = compare(*both_environment(host))
    assert expected.kind == "unavailable"


def test_environment_secret_gets_the_same_token_with_the_same_requests(entra, same_env) -> None:
    host = same_env(entra_env(entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=SECRET))
    token = entra.reply_token()
    entra.script(token)
    real_call, our_call = both_environment(host)
    expected = outcome(real_call)
    count = len(entra.server.seen)
    actual, run, _ = recorded(our_call)
    assert expected.kind == "token" and actual.same_as(expected)
    theirs, ours = split_requests(entra.server, count)
    assert [request_shape(s) for s in ours] == [request_shape(s) for s in theirs]
    assert ours[-1].form["client_secret"] == SECRET  # client_secret_post, as msal sends it
    assert [s.kind for a in run.attempts for s in a.steps] == ["http", "http"]


def test_environment_bad_secret_fails_with_the_sts_description(entra, same_env) -> None:
    host = same_env(entra_env(entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=SECRET))
    entra.script(Reply.json(BAD_SECRET, 401))
    expected, _ = compare(*both_environment(host))
    assert expected.kind == "ClientAuthenticationError"
    assert expected.message.startswith("Authentication failed: AADSTS7000215")


def test_environment_bad_secret_stops_a_chain_with_the_same_message(entra, same_env) -> None:
    host = same_env(entra_env(entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=SECRET))
    entra.script(Reply.json(BAD_SECRET, 401))
    expected, _ = compare(
        lambda: real.ChainedTokenCredential(real.EnvironmentCredential(disable_instance_discovery=True)).get_token(
            SCOPE
        ),
        lambda: ChainedTokenCredential(EnvironmentCredential(host=host, disable_instance_discovery=True)).get_token(
            SCOPE
        ),
    )
    assert "\tEnvironmentCredential: Authentication failed: AADSTS7000215" in expected.message


def test_environment_authority_that_refuses_connections_fails_the_same_way(same_env) -> None:
    from tests.oracle.service_standins import closed_port

    host = same_env(
        {
            "AZURE_CLIENT_ID": CLIENT_ID,
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_SECRET": SECRET,
            "AZURE_AUTHORITY_HOST": f"https://127.0.0.1:{closed_port()}",
        }
    )
    real_call = lambda: real.EnvironmentCredential(disable_instance_discovery=True, retry_total=0).get_token(SCOPE)  # noqa: E731
    our_call = lambda: EnvironmentCredential(host=host, disable_instance_discovery=True, retry_total=0).get_token(SCOPE)  # noqa: E731
    expected = outcome(real_call)
    actual, _, _ = recorded(our_call)
    assert (actual.kind, _strip_addresses(actual.message)) == (expected.kind, _strip_addresses(expected.message))


def _strip_addresses(text: str) -> str:
    import re

    return re.sub(r"0x[0-9a-f]+", "0x", text)
