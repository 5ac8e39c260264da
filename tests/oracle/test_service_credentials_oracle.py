"""The real azure-identity 1.27.0 and our engine, same loopback stand-ins, same environment, same verdict.

Service-principal and managed-identity credentials: EnvironmentCredential (secret, certificate,
username/password), WorkloadIdentityCredential, ManagedIdentityCredential on every host. Each test
compares the outcome (token text and expiry, or error kind, ``.message`` and ``str()``) and, where
it matters, the requests the stand-ins received.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import textwrap
import time

import pytest

from engine.chain import ChainedTokenCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.run import ChainRun
from tests.doubles.service import (
    CLIENT_ID,
    OBJECT_ID,
    PASSWORD,
    RESOURCE,
    SCOPE,
    SECRET,
    TENANT,
    USERNAME,
    Outcome,
    app_token,
    outcome,
    recorded,
    user_token,
)
from tests.doubles.standins import Reply, closed_port, decode_jwt_part, make_client_certificate, make_jwt
from tests.system import require_oracle

real = require_oracle()

pytest_plugins = ["tests.oracle.service_fixtures"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BAD_SECRET = {
    "error": "invalid_client",
    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
    "request is the client secret value, not the client secret ID.",
    "error_codes": [7000215],
}


def compare(real_call, our_call, slack: int = 2, between=None) -> tuple[Outcome, Outcome]:
    """Run the real call, then ``between()`` (to re-script the stand-ins), then ours; assert the same outcome."""
    expected = outcome(real_call)
    if between is not None:
        between()
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


def same_exchange(real_call, our_call, server) -> tuple[ChainRun, list, list]:
    """Run the real call, then ours, against one stand-in; assert both got the same token with requests
    of the same shape. Returns our run and the requests each side sent (theirs, ours)."""
    expected = outcome(real_call)
    count = len(server.seen)
    actual, run, _ = recorded(our_call)
    assert expected.kind == "token" and actual.same_as(expected), (expected, actual)
    theirs, ours = split_requests(server, count)
    assert [request_shape(s) for s in ours] == [request_shape(s) for s in theirs]
    return run, theirs, ours


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
    run, _, ours = same_exchange(real_call, our_call, entra.server)
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
    return re.sub(r"0x[0-9a-f]+", "0x", text)


# ---- ManagedIdentityCredential: IMDS ---------------------------------------------------------
IMDS_PATH = "/metadata/identity/oauth2/token"
IDENTITY_NOT_FOUND = {"error": "invalid_request", "error_description": "Identity not found"}


def imds_token(marker: str = "", expires_in: int = 86399) -> Reply:
    token = app_token(marker)
    now = int(time.time())
    return Reply.json(
        {
            "access_token": token,
            "client_id": CLIENT_ID,
            "expires_in": str(expires_in),
            "expires_on": str(now + expires_in),
            "ext_expires_in": str(expires_in),
            "not_before": str(now),
            "resource": RESOURCE,
            "token_type": "Bearer",
        }
    )


def both_mi(host, **kwargs):
    return (
        lambda: real.ManagedIdentityCredential(**kwargs).get_token(SCOPE),
        lambda: ManagedIdentityCredential(host=host, **kwargs).get_token(SCOPE),
    )


@pytest.fixture
def imds(stand_in):
    return stand_in()


def test_imds_token_and_request_match(imds, same_env) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    imds.routes[("GET", IMDS_PATH)] = [imds_token()]
    real_call, our_call = both_mi(host)
    run, theirs, ours = same_exchange(real_call, our_call, imds)
    assert ours[0].raw_query == theirs[0].raw_query == f"api-version=2018-02-01&resource={RESOURCE}"
    assert ours[0].headers["metadata"] == "true" and ours[0].headers["x-client-sku"] == "MSAL.Python"
    assert [s.kind for a in run.attempts for s in a.steps] == ["http"]  # no probe with a pod-identity host


def test_imds_user_assigned_client_id_is_sent(imds, same_env) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    imds.routes[("GET", IMDS_PATH)] = [imds_token()]
    real_call, our_call = both_mi(host, client_id=CLIENT_ID)
    expected = outcome(real_call)
    count = len(imds.seen)
    actual, _, _ = recorded(our_call)
    assert actual.same_as(expected)
    theirs, ours = split_requests(imds, count)
    assert ours[0].query["client_id"] == theirs[0].query["client_id"] == CLIENT_ID


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply.json(IDENTITY_NOT_FOUND, 400), "unavailable"),
        (Reply.json(IDENTITY_NOT_FOUND, 403), "unavailable"),
        (Reply.text("<html><body>Gateway</body></html>", 200), "unavailable"),
        (Reply.text("not json", 200, "application/json"), "ClientAuthenticationError"),
        (Reply.text("not json", 400, "application/json"), "unavailable"),
        (
            Reply.text("A socket operation was attempted to an unreachable network", 403, "application/json"),
            "ClientAuthenticationError",  # the message tested is the decode error's, which lacks "unreachable"
        ),
        (Reply.text("A socket operation was attempted to an unreachable host", 403, "text/plain"), "unavailable"),
        (Reply.json({"access_token": "x"}, 200), "unavailable"),
        (Reply(200, b"", {"Content-Type": "application/json"}), "unavailable"),
        (Reply.json("just a string", 200), "unavailable"),
    ],
    ids=[
        "400-json",
        "403-json",
        "html",
        "invalid-json-200",
        "invalid-json-400",
        "403-unreachable-json",
        "403-unreachable-text",
        "no-expiry",
        "empty",
        "json-string",
    ],
)
def test_imds_failures_classify_like_azure_identity(imds, same_env, reply, kind) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    imds.routes[("GET", IMDS_PATH)] = [reply]
    expected, _ = compare(*both_mi(host))
    assert expected.kind == kind


@pytest.mark.parametrize(("status", "expected_waits"), [(500, [1.6, 3.2, 6.4, 12.8]), (410, [5, 10, 20, 40])])
def test_imds_retries_with_the_same_backoff(imds, same_env, real_waits, status, expected_waits) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    imds.routes[("GET", IMDS_PATH)] = [Reply.json({"error": "unknown_error", "error_description": "boom"}, status)]
    real_call, our_call = both_mi(host)
    expected = outcome(real_call)
    count = len(imds.seen)
    actual, run, _ = recorded(our_call)
    assert actual.same_as(expected) and expected.kind == "unavailable"
    theirs, ours = split_requests(imds, count)
    assert len(ours) == len(theirs) == 6
    assert [round(w, 3) for w in real_waits] == [round(w, 3) for w in host.waits] == expected_waits
    assert [s.kind for a in run.attempts for s in a.steps] == ["http", "http"] + ["wait", "http"] * 4


def test_imds_retry_after_is_honoured(imds, same_env, real_waits) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    token = imds_token()

    def script():
        imds.routes[("GET", IMDS_PATH)] = [Reply.json(IDENTITY_NOT_FOUND, 429, **{"Retry-After": "7"}), token]

    script()
    compare(*both_mi(host), between=script)
    assert real_waits == host.waits == [7.0]


def test_imds_multiple_scopes_and_no_scope_raise_the_same_value_error(imds, same_env) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    for scopes in ((SCOPE, "https://vault.azure.net/.default"), ()):
        compare(
            lambda s=scopes: real.ManagedIdentityCredential().get_token(*s),
            lambda s=scopes: ManagedIdentityCredential(host=host).get_token(*s),
        )


# ---- the IMDS probe (through a loopback HTTP proxy: the probe only runs against 169.254.169.254) ----
def probe_env(proxy_url: str) -> dict[str, str]:
    return {"HTTP_PROXY": proxy_url, "http_proxy": proxy_url, "NO_PROXY": "localhost", "no_proxy": "localhost"}


def metadata_required():
    """IMDS's answers: 400 without the Metadata header (the probe), else one token (the same every time)."""
    token = imds_token()

    def answer(seen) -> Reply:
        if seen.headers.get("metadata") != "true":
            return Reply.json(
                {"error": "invalid_request", "error_description": "Required metadata header not specified"}, 400
            )
        return token

    return answer


def test_imds_probe_answered_then_token(stand_in, same_env) -> None:
    proxy = stand_in()
    proxy.routes[("GET", IMDS_PATH)] = metadata_required()
    host = same_env(probe_env(proxy.url))
    real_call, our_call = both_mi(host, _enable_imds_probe=True)
    run, _, ours = same_exchange(real_call, our_call, proxy)
    assert "metadata" not in ours[0].headers and ours[1].headers["metadata"] == "true"
    assert [s.kind for a in run.attempts for s in a.steps] == ["probe", "http", "http"]


def test_imds_probe_runs_inside_a_chain_without_the_flag(stand_in, same_env) -> None:
    proxy = stand_in()
    proxy.routes[("GET", IMDS_PATH)] = metadata_required()
    host = same_env(probe_env(proxy.url))
    expected = outcome(lambda: real.ChainedTokenCredential(real.ManagedIdentityCredential()).get_token(SCOPE))
    count = len(proxy.seen)
    actual, _, _ = recorded(lambda: ChainedTokenCredential(ManagedIdentityCredential(host=host)).get_token(SCOPE))
    assert actual.same_as(expected)
    assert len(proxy.seen) - count == count == 2


def test_imds_probe_without_answer_is_unavailable(same_env) -> None:
    host = same_env(probe_env(f"http://127.0.0.1:{closed_port()}"))
    expected, _ = compare(*both_mi(host, _enable_imds_probe=True))
    assert expected == Outcome(
        "unavailable",
        "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.",
        "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.",
    )


def test_imds_probe_docker_unreachable_is_unavailable(stand_in, same_env) -> None:
    proxy = stand_in()
    proxy.routes[("GET", IMDS_PATH)] = [
        Reply.json(
            {
                "error": "invalid_request",
                "error_description": "connecting to 169.254.169.254:80: "
                "connecting to 169.254.169.254:80: dial tcp 169.254.169.254:80: connectex: A socket operation "
                "was attempted to an unreachable network.",
            },
            403,
        )
    ]
    host = same_env(probe_env(proxy.url))
    expected, _ = compare(*both_mi(host, _enable_imds_probe=True))
    assert expected.kind == "unavailable" and "unreachable" in expected.message


def test_imds_probe_with_a_bad_answer_still_counts_as_available(stand_in, same_env) -> None:
    proxy = stand_in()
    proxy.routes[("GET", IMDS_PATH)] = [Reply.text("<html>busy</html>", 502), imds_token()]
    host = same_env(probe_env(proxy.url))
    compare(*both_mi(host, _enable_imds_probe=True))


# ---- ManagedIdentityCredential: App Service ----------------------------------------------------
APP_SERVICE_PATH = "/msi/token"
IDENTITY_HEADER = "CANARY-identity-header-5a1"


def app_service_token() -> Reply:
    now = int(time.time())
    return Reply.json(
        {
            "access_token": app_token(),
            "expires_on": str(now + 86399),
            "resource": RESOURCE,
            "token_type": "Bearer",
            "client_id": CLIENT_ID,
        }
    )


def app_service_env(server) -> dict[str, str]:
    return {"IDENTITY_ENDPOINT": server.url + APP_SERVICE_PATH, "IDENTITY_HEADER": IDENTITY_HEADER}


def test_app_service_token_and_request_match(stand_in, same_env) -> None:
    server = stand_in()
    server.routes[("GET", APP_SERVICE_PATH)] = [app_service_token()]
    host = same_env(app_service_env(server))
    real_call, our_call = both_mi(host, client_id=CLIENT_ID)
    _, theirs, ours = same_exchange(real_call, our_call, server)
    assert ours[0].raw_query == theirs[0].raw_query
    assert ours[0].headers["x-identity-header"] == IDENTITY_HEADER


@pytest.mark.parametrize(
    "reply",
    [
        Reply.json(
            {
                "statusCode": 400,
                "message": "No User Assigned or Delegated Managed Identity found for "
                "specified ClientId/ResourceId/PrincipalId.",
            },
            400,
        ),
        Reply.json({"statusCode": 500, "message": "An unexpected error occured while fetching the AAD Token."}, 500),
        Reply.text("<html>down</html>", 200),
        Reply.text("not json", 200, "application/json"),
        Reply.json({"access_token": "x", "expires_on": "tomorrow"}, 200),
    ],
    ids=["error-json", "500-after-retries", "html", "invalid-json", "bad-expires-on"],
)
def test_app_service_failures_classify_like_azure_identity(stand_in, same_env, reply) -> None:
    server = stand_in()
    server.routes[("GET", APP_SERVICE_PATH)] = [reply]
    host = same_env(app_service_env(server))
    compare(*both_mi(host))


def test_app_service_network_error_stops_like_azure_identity(same_env, real_waits) -> None:
    host = same_env({"IDENTITY_ENDPOINT": f"http://127.0.0.1:{closed_port()}/msi/token", "IDENTITY_HEADER": "h"})
    real_call, our_call = both_mi(host)
    expected = outcome(real_call)
    actual, _, _ = recorded(our_call)
    assert (actual.kind, _strip_addresses(actual.message)) == (expected.kind, _strip_addresses(expected.message))
    assert expected.kind == "ServiceRequestError"
    assert real_waits == host.waits


def test_identity_endpoint_alone_is_unavailable_without_imds_fallback(same_env) -> None:
    host = same_env({"IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi/token"})
    expected, _ = compare(*both_mi(host))
    assert expected.kind == "unavailable" and expected.message.startswith("No managed identity endpoint found.")


# ---- WorkloadIdentityCredential and managed identity's token exchange ------------------------
FEDERATED = "CANARY-federated-assertion-e51"
NO_FEDERATED_RECORD = {
    "error": "invalid_client",
    "error_description": "AADSTS700213: No matching federated identity record found for presented assertion "
    "subject 'system:serviceaccount:default:workload'.",
}


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "azure-identity-token"
    path.write_text(
        make_jwt(
            {
                "iss": "https://oidc.example/cluster",
                "sub": "system:serviceaccount:default:app",
                "aud": ["api://AzureADTokenExchange"],
                "exp": int(time.time()) + 3600,
            },
            FEDERATED,
        )
    )
    return path


def wi_env(entra, token_file, **extra) -> dict[str, str]:
    return entra_env(
        entra, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_ID=CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE=str(token_file), **extra
    )


def both_wi(host, **kwargs):
    return (
        lambda: real.WorkloadIdentityCredential(**kwargs).get_token(SCOPE),
        lambda: WorkloadIdentityCredential(host=host, **kwargs).get_token(SCOPE),
    )


def test_workload_identity_posts_the_file_as_assertion_and_gets_the_same_token(entra, token_file, same_env) -> None:
    host = same_env(wi_env(entra, token_file))
    entra.script(entra.reply_token())
    real_call, our_call = both_wi(host)
    run, _, ours = same_exchange(real_call, our_call, entra.server)
    assert ours[0].path == f"/{TENANT}/oauth2/v2.0/token"  # no discovery: straight to the token endpoint
    assert ours[0].form["client_assertion"] == token_file.read_text()
    assert [s.kind for a in run.attempts for s in a.steps] == ["file", "http"]


def test_workload_identity_second_call_is_served_from_the_cache(entra, token_file, same_env) -> None:
    host = same_env(wi_env(entra, token_file))
    entra.script(entra.reply_token())
    ours = WorkloadIdentityCredential(host=host)
    first, _, _ = recorded(lambda: ours.get_token(SCOPE))
    count = len(entra.server.seen)
    second, run, _ = recorded(lambda: ours.get_token(SCOPE))
    assert first.same_as(second) and len(entra.server.seen) == count
    assert any("Access token found in cache for scopes" in line for line in run.log_lines())


@pytest.mark.parametrize(
    "reply",
    [
        Reply.json(NO_FEDERATED_RECORD, 400),
        Reply.json({"error": "invalid_request"}, 400),
        Reply(200, b"", {"Content-Type": "application/json"}),
        Reply.json({"token_type": "Bearer", "access_token": "CANARY-at-no-expiry"}, 200),
        Reply.text("not json", 200, "application/json"),
    ],
    ids=["sts-error", "error-without-description", "empty-body", "no-expiry", "invalid-json"],
)
def test_workload_identity_failures_stop_like_azure_identity(entra, token_file, same_env, reply) -> None:
    host = same_env(wi_env(entra, token_file))
    entra.script(reply)
    expected, actual = compare(*both_wi(host))
    assert expected.kind != "unavailable"
    assert "CANARY-at-no-expiry" not in actual.text


def test_workload_identity_sts_error_stops_a_chain_with_the_body_in_the_message(entra, token_file, same_env) -> None:
    host = same_env(wi_env(entra, token_file))
    entra.script(Reply.json(NO_FEDERATED_RECORD, 400))
    expected, _ = compare(
        lambda: real.ChainedTokenCredential(real.WorkloadIdentityCredential()).get_token(SCOPE),
        lambda: ChainedTokenCredential(WorkloadIdentityCredential(host=host)).get_token(SCOPE),
    )
    assert "\nContent: {" in expected.message


def test_workload_identity_missing_token_file_raises_file_not_found(entra, tmp_path, same_env) -> None:
    host = same_env(wi_env(entra, tmp_path / "missing-token"))
    expected, _ = compare(*both_wi(host))
    assert expected.kind == "FileNotFoundError"


def test_workload_identity_missing_arguments_raise_the_same_value_error(same_env) -> None:
    same_env({"AZURE_TENANT_ID": TENANT})
    host = same_env({"AZURE_TENANT_ID": TENANT})
    compare(lambda: real.WorkloadIdentityCredential(), lambda: WorkloadIdentityCredential(host=host))


def test_token_exchange_through_managed_identity(entra, token_file, same_env) -> None:
    host = same_env(wi_env(entra, token_file))
    entra.script(entra.reply_token())
    real_call, our_call = both_mi(host)
    run, _, _ = same_exchange(real_call, our_call, entra.server)
    lines = run.log_lines()
    assert "INFO azure.identity._internal.get_token_mixin: WorkloadIdentityCredential.get_token succeeded" in lines
    assert "INFO azure.identity._internal.decorators: ManagedIdentityCredential.get_token succeeded" in lines


def test_token_exchange_client_id_keyword_wins_over_the_environment(entra, token_file, same_env) -> None:
    host = same_env(wi_env(entra, token_file))
    entra.script(entra.reply_token())
    real_call, our_call = both_mi(host, client_id="11111111-2222-3333-4444-555555555555")
    expected = outcome(real_call)
    count = len(entra.server.seen)
    compare(lambda: expected_or_raise(expected), our_call)
    theirs, ours = split_requests(entra.server, count)
    assert ours[0].form["client_id"] == theirs[0].form["client_id"] == "11111111-2222-3333-4444-555555555555"


def expected_or_raise(expected: Outcome):
    """Replays a real outcome (so ``compare`` can be reused when the real call already ran)."""

    class _Token:
        token = expected.message
        expires_on = expected.expires_on

    return _Token()


def test_token_exchange_without_a_client_id_raises_at_construction(entra, token_file, same_env) -> None:
    variables = wi_env(entra, token_file)
    variables.pop("AZURE_CLIENT_ID")
    host = same_env(variables)
    expected, _ = compare(lambda: real.ManagedIdentityCredential(), lambda: ManagedIdentityCredential(host=host))
    assert expected.kind == "ValueError"


# ---- EnvironmentCredential: certificate ------------------------------------------------------
CERT_PASSWORD = "CANARY-cert-password-0b3"


def assertion_header(seen) -> dict:
    return decode_jwt_part(seen.form["client_assertion"], 0)


def cert_env(entra, path, **extra) -> dict[str, str]:
    return entra_env(
        entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_CERTIFICATE_PATH=str(path), **extra
    )


@pytest.mark.parametrize(
    ("form", "password", "send_chain"),
    [
        ("pem", None, None),
        ("pfx", None, None),
        ("pem", CERT_PASSWORD, None),
        ("pfx", CERT_PASSWORD, None),
        ("pem", None, "True"),
        ("pfx", None, "False"),  # any non-empty value sends the chain
    ],
    ids=["pem", "pkcs12", "pem-password", "pkcs12-password", "pem-send-chain", "pkcs12-send-chain-false"],
)
def test_environment_certificate_signs_the_same_assertion(entra, same_env, tmp_path, form, password, send_chain):
    cert = make_client_certificate(password.encode() if password else None)
    path = tmp_path / f"client.{form}"
    path.write_bytes(cert.pem if form == "pem" else cert.pfx)
    extra = {}
    if password:
        extra["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = password
    if send_chain:
        extra["AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"] = send_chain
    host = same_env(cert_env(entra, path, **extra))
    entra.script(entra.reply_token())
    real_call, our_call = both_environment(host)
    _, theirs, ours = same_exchange(real_call, our_call, entra.server)
    ours_header, theirs_header = assertion_header(ours[-1]), assertion_header(theirs[-1])
    assert ours_header == theirs_header
    assert ours_header["alg"] == "RS256"
    assert base64.urlsafe_b64decode(ours_header["x5t"] + "==").hex() == cert.thumbprint
    assert ("x5c" in ours_header) == bool(send_chain)


@pytest.mark.parametrize(
    ("content", "password"),
    [
        (b"not a certificate", None),
        (b"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n", None),
        ("pem-encrypted", "wrong-password"),
        ("pem-encrypted", None),
        ("pfx-encrypted", "wrong-password"),
        ("ec-key", None),
    ],
    ids=["garbage", "bad-pem", "pem-wrong-password", "pem-no-password", "pkcs12-wrong-password", "ec-key"],
)
def test_environment_bad_certificate_raises_the_same_error(entra, same_env, tmp_path, content, password) -> None:
    if content in ("pem-encrypted", "pfx-encrypted"):
        cert = make_client_certificate(CERT_PASSWORD.encode())
        content = cert.pem if content == "pem-encrypted" else cert.pfx
    elif content == "ec-key":
        content = make_client_certificate(rsa_key=False).pem
    path = tmp_path / "client.cert"
    path.write_bytes(content)
    extra = {"AZURE_CLIENT_CERTIFICATE_PASSWORD": password} if password else {}
    host = same_env(cert_env(entra, path, **extra))
    expected, _ = compare(
        lambda: real.EnvironmentCredential(disable_instance_discovery=True),
        lambda: EnvironmentCredential(host=host, disable_instance_discovery=True),
    )
    assert expected.kind in ("ValueError", "TypeError")


def test_environment_missing_certificate_file_raises_file_not_found(entra, same_env, tmp_path) -> None:
    host = same_env(cert_env(entra, tmp_path / "missing.pem"))
    expected, _ = compare(
        lambda: real.EnvironmentCredential(disable_instance_discovery=True),
        lambda: EnvironmentCredential(host=host, disable_instance_discovery=True),
    )
    assert expected.kind == "FileNotFoundError"


# ---- EnvironmentCredential: username and password ---------------------------------------------
BAD_PASSWORD = {
    "error": "invalid_grant",
    "error_description": "AADSTS50126: Error validating credentials due to invalid username or password.",
    "error_codes": [50126],
}


@pytest.fixture
def userrealm_tunnel(stand_in, entra):
    """msal asks https://127.0.0.1/common/userrealm/... on port 443: a CONNECT proxy takes it to the stand-in."""
    return stand_in(tunnel_to=lambda: entra.server.port)


def password_env(entra, tunnel) -> dict[str, str]:
    return entra_env(
        entra,
        AZURE_CLIENT_ID=CLIENT_ID,
        AZURE_TENANT_ID=TENANT,
        AZURE_USERNAME=USERNAME,
        AZURE_PASSWORD=PASSWORD,
        HTTPS_PROXY=tunnel.url,
        https_proxy=tunnel.url,
    )


def test_environment_username_password_gets_the_same_token(entra, userrealm_tunnel, same_env) -> None:
    host = same_env(password_env(entra, userrealm_tunnel))
    entra.script(entra.reply_user_token())
    real_call, our_call = both_environment(host)
    run, _, ours = same_exchange(real_call, our_call, entra.server)
    assert ours[-1].form["grant_type"] == "password" and ours[-1].form["password"] == PASSWORD
    assert "INFO azure.identity._internal.interactive: UsernamePasswordCredential.get_token succeeded" in (
        run.log_lines()
    )


def test_environment_username_password_failure_carries_the_raw_body(entra, userrealm_tunnel, same_env) -> None:
    host = same_env(password_env(entra, userrealm_tunnel))
    entra.script(Reply.json(BAD_PASSWORD, 400))
    expected, _ = compare(*both_environment(host))
    assert expected.kind == "ClientAuthenticationError"
    assert "\nContent: " in expected.text and expected.message.startswith("Authentication failed: AADSTS50126")


def test_environment_username_password_warns_that_it_is_deprecated(entra, userrealm_tunnel, same_env) -> None:
    host = same_env(password_env(entra, userrealm_tunnel))
    with pytest.warns(DeprecationWarning) as theirs:
        real.EnvironmentCredential()
    with pytest.warns(DeprecationWarning) as ours:
        EnvironmentCredential(host=host)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


# ---- ManagedIdentityCredential: Cloud Shell ----------------------------------------------------
CLOUD_SHELL_PATH = "/cloudshell/oauth2/token"


def cloud_shell_token() -> Reply:
    now = int(time.time())
    return Reply.json(
        {
            "access_token": user_token(),
            "refresh_token": "",
            "expires_in": "3599",
            "expires_on": str(now + 3599),
            "not_before": str(now),
            "resource": RESOURCE,
            "token_type": "Bearer",
        }
    )


def cloud_shell_env(server) -> dict[str, str]:
    return {"MSI_ENDPOINT": server.url + CLOUD_SHELL_PATH}


def test_cloud_shell_posts_the_resource_and_gets_the_same_token(stand_in, same_env) -> None:
    server = stand_in()
    server.routes[("POST", CLOUD_SHELL_PATH)] = [cloud_shell_token()]
    host = same_env(cloud_shell_env(server))
    real_call, our_call = both_mi(host)
    run, _, ours = same_exchange(real_call, our_call, server)
    assert ours[0].form == {"resource": RESOURCE} and ours[0].headers["metadata"] == "true"
    assert "INFO azure.identity._internal.get_token_mixin: CloudShellCredential.get_token succeeded" in (
        run.log_lines()
    )


@pytest.mark.parametrize(
    "kwargs", [{"client_id": CLIENT_ID}, {"identity_config": {"object_id": OBJECT_ID}}], ids=["client-id", "object-id"]
)
def test_cloud_shell_refuses_a_user_assigned_identity_outside_dac(stand_in, same_env, kwargs) -> None:
    server = stand_in()
    host = same_env(cloud_shell_env(server))
    expected = outcome(lambda: real.ManagedIdentityCredential(**kwargs))
    actual = outcome(lambda: ManagedIdentityCredential(host=host, **kwargs))
    assert (actual.kind, key_order_free(actual.message)) == (expected.kind, key_order_free(expected.message))
    assert expected.kind == "ValueError"


def key_order_free(message: str) -> str:
    """azure-identity lists identity_config keys in a set's order, which differs between processes and even
    between two modules of one process (it comes from each module's compiled constant): compare them sorted."""
    head, _, keys = message.rpartition(": ")
    return f"{head}: {', '.join(sorted(keys.split(', ')))}"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"client_id": CLIENT_ID, "identity_config": {"object_id": OBJECT_ID}},
        {"identity_config": {"object_id": OBJECT_ID, "resource_id": "/subscriptions/x"}},
    ],
    ids=["client-id-and-config", "two-config-keys"],
)
def test_conflicting_identity_selection_raises_the_same_value_error(same_env, kwargs) -> None:
    host = same_env({})
    expected = outcome(lambda: real.ManagedIdentityCredential(**kwargs))
    actual = outcome(lambda: ManagedIdentityCredential(host=host, **kwargs))
    assert (actual.kind, key_order_free(actual.message)) == (expected.kind, key_order_free(expected.message))
    assert expected.kind == "ValueError"


def test_cloud_shell_inside_dac_sends_the_client_id_in_the_body(stand_in, same_env) -> None:
    from azure.identity._internal.utils import within_dac as real_within_dac

    from engine.context import within_dac

    server = stand_in()
    server.routes[("POST", CLOUD_SHELL_PATH)] = [cloud_shell_token()]
    host = same_env(cloud_shell_env(server))
    theirs_flag, ours_flag = real_within_dac.set(True), within_dac.set(True)
    try:
        theirs_credential = real.ManagedIdentityCredential(client_id=CLIENT_ID)
        ours_credential = ManagedIdentityCredential(host=host, client_id=CLIENT_ID)
    finally:
        real_within_dac.reset(theirs_flag)
        within_dac.reset(ours_flag)
    count = len(server.seen)
    compare(lambda: theirs_credential.get_token(SCOPE), lambda: ours_credential.get_token(SCOPE), between=None)
    ours = server.seen[count:]
    assert ours[0].form == {"resource": RESOURCE, "client_id": CLIENT_ID}


@pytest.mark.parametrize(
    "reply",
    [
        Reply.json({"error": "invalid_resource", "error_description": "resource unknown"}, 400),
        Reply(200, b"", {"Content-Type": "application/json"}),
        Reply.text("<html>login</html>", 200),
        Reply.json({"access_token": "CANARY-cloud-shell-no-expiry", "resource": RESOURCE}, 200),
        Reply.text("not json", 200, "application/json"),
    ],
    ids=["error-json", "empty", "html", "no-expiry", "invalid-json"],
)
def test_cloud_shell_failures_stop_like_azure_identity(stand_in, same_env, reply) -> None:
    server = stand_in()
    server.routes[("POST", CLOUD_SHELL_PATH)] = [reply]
    host = same_env(cloud_shell_env(server))
    expected = outcome(lambda: real.ManagedIdentityCredential().get_token(SCOPE))
    actual, _, _ = recorded(lambda: ManagedIdentityCredential(host=host).get_token(SCOPE))
    # azure-identity prints the raw body after "Content:", token included; we mask the token.
    masked = expected.text.replace('"CANARY-cloud-shell-no-expiry"', '"***"')
    assert (actual.kind, actual.message, actual.text) == (expected.kind, expected.message, masked)
    assert "CANARY-cloud-shell-no-expiry" not in actual.text + actual.message


# ---- ManagedIdentityCredential: Azure ML ---------------------------------------------------------
AZURE_ML_PATH = "/azureml/msi/token"
MSI_SECRET = "CANARY-msi-secret-19c"


def azure_ml_env(server) -> dict[str, str]:
    return {"MSI_ENDPOINT": server.url + AZURE_ML_PATH, "MSI_SECRET": MSI_SECRET}


def test_azure_ml_sends_clientid_and_the_secret_header(stand_in, same_env) -> None:
    server = stand_in()
    now = int(time.time())
    server.routes[("GET", AZURE_ML_PATH)] = [
        Reply.json(
            {"access_token": app_token(), "expires_on": str(now + 3599), "resource": RESOURCE, "token_type": "Bearer"}
        )
    ]
    host = same_env(azure_ml_env(server))
    real_call, our_call = both_mi(host, client_id=CLIENT_ID)
    _, _, ours = same_exchange(real_call, our_call, server)
    assert ours[0].query == {"api-version": "2017-09-01", "resource": RESOURCE, "clientid": CLIENT_ID}
    assert ours[0].headers["secret"] == MSI_SECRET


def test_azure_ml_error_answer_is_unavailable(stand_in, same_env) -> None:
    server = stand_in()
    server.routes[("GET", AZURE_ML_PATH)] = [Reply.json({"error": "invalid_request", "message": "no identity"}, 400)]
    host = same_env(azure_ml_env(server))
    expected, _ = compare(*both_mi(host))
    assert expected.kind == "unavailable" and expected.message.startswith("Azure ML managed identity")


# ---- ManagedIdentityCredential: Service Fabric -------------------------------------------------
SERVICE_FABRIC_PATH = "/metadata/identity/oauth2/token"


def service_fabric_env(server, thumbprint: str) -> dict[str, str]:
    return {
        "IDENTITY_ENDPOINT": server.url + SERVICE_FABRIC_PATH,
        "IDENTITY_HEADER": IDENTITY_HEADER,
        "IDENTITY_SERVER_THUMBPRINT": thumbprint,
    }


def test_service_fabric_pins_the_thumbprint_and_gets_the_same_token(stand_in, tls_ca, same_env) -> None:
    server = stand_in(tls_ca.server_context)
    now = int(time.time())
    server.routes[("GET", SERVICE_FABRIC_PATH)] = [
        Reply.json(
            {"access_token": app_token(), "expires_on": now + 3599, "resource": RESOURCE, "token_type": "Bearer"}
        )
    ]
    host = same_env(service_fabric_env(server, ":".join(textwrap.wrap(tls_ca.server_thumbprint.upper(), 2))))
    real_call, our_call = both_mi(host)
    _, theirs, ours = same_exchange(real_call, our_call, server)
    assert ours[0].raw_query == theirs[0].raw_query and ours[0].headers["secret"] == IDENTITY_HEADER


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("wrong-thumbprint", {}),
        ("bad-thumbprint", {}),
        ("plain-http", {}),
        ("client-id", {"client_id": CLIENT_ID}),
        ("error-json", {}),
    ],
)
def test_service_fabric_failures_classify_like_azure_identity(stand_in, tls_ca, same_env, case, kwargs) -> None:
    server = stand_in(None if case == "plain-http" else tls_ca.server_context)
    server.routes[("GET", SERVICE_FABRIC_PATH)] = [
        Reply.json({"error": {"code": "SecretHeaderNotFound", "message": "Secret is not specified"}}, 401)
    ]
    thumbprint = {"wrong-thumbprint": "a" * 40, "bad-thumbprint": "not-a-thumbprint"}.get(
        case, tls_ca.server_thumbprint
    )
    host = same_env(service_fabric_env(server, thumbprint))
    _, actual = compare(*both_mi(host, **kwargs))
    assert IDENTITY_HEADER not in actual.text


# ---- ManagedIdentityCredential: Azure Arc --------------------------------------------------------
ARC_PATH = "/metadata/identity/oauth2/token"
ARC_KEY = "CANARY-arc-key-4d0"


@pytest.fixture
def arc_keys(tmp_path, monkeypatch):
    import msal.managed_identity

    from engine.credentials._internal.managed_identity_sources import azure_arc

    directory = tmp_path / "tokens"
    directory.mkdir()
    monkeypatch.setitem(msal.managed_identity._supported_arc_platforms_and_their_prefixes, "linux", str(directory))
    monkeypatch.setitem(azure_arc.KEY_DIRECTORIES, "linux", str(directory))
    (directory / "challenge.key").write_text(ARC_KEY)
    return directory


def arc_agent(token_reply: Reply, challenge: str = "Basic realm=/var/opt/azcmagent/tokens/challenge.key"):
    def answer(seen) -> Reply:
        if seen.headers.get("authorization") != f"Basic {ARC_KEY}":
            return Reply.json({"error": "unauthorized"}, 401, **{"WWW-Authenticate": challenge})
        return token_reply

    return answer


def arc_token(**extra) -> Reply:
    return Reply.json(
        {"access_token": app_token(), "expires_in": "3599", "resource": RESOURCE, "token_type": "Bearer", **extra}
    )


def arc_env(server) -> dict[str, str]:
    return {"IDENTITY_ENDPOINT": server.url + ARC_PATH, "IMDS_ENDPOINT": server.url}


@pytest.mark.skipif(sys.platform != "linux", reason="the Arc key directory is Linux's here")
def test_azure_arc_answers_the_challenge_with_the_key(stand_in, arc_keys, same_env) -> None:
    server = stand_in()
    server.routes[("GET", ARC_PATH)] = arc_agent(arc_token())
    host = same_env(arc_env(server))
    real_call, our_call = both_mi(host)
    run, _, _ = same_exchange(real_call, our_call, server)
    assert [s.kind for a in run.attempts for s in a.steps] == ["http", "file", "http"]


@pytest.mark.skipif(sys.platform != "linux", reason="the Arc key directory is Linux's here")
@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("not-401", {}),
        ("bad-header", {}),
        ("missing-key", {}),
        ("user-assigned-not-confirmed", {"client_id": CLIENT_ID}),
        ("user-assigned-confirmed", {"client_id": CLIENT_ID}),
    ],
)
def test_azure_arc_failures_classify_like_azure_identity(stand_in, arc_keys, same_env, case, kwargs) -> None:
    server = stand_in()
    if case == "not-401":
        server.routes[("GET", ARC_PATH)] = [Reply.json({"error": "nope"}, 404)]
    elif case == "bad-header":
        server.routes[("GET", ARC_PATH)] = arc_agent(arc_token(), challenge="Bearer something")
    elif case == "missing-key":
        server.routes[("GET", ARC_PATH)] = arc_agent(arc_token(), challenge="Basic realm=/x/other.key")
    elif case == "user-assigned-confirmed":
        server.routes[("GET", ARC_PATH)] = arc_agent(arc_token(client_id=CLIENT_ID))
    else:
        server.routes[("GET", ARC_PATH)] = arc_agent(arc_token())
    host = same_env(arc_env(server))
    _, actual = compare(*both_mi(host, **kwargs))
    assert ARC_KEY not in actual.text + actual.message


# ---- log lines --------------------------------------------------------------------------------
GET_TOKEN_LOGGERS = (
    "azure.identity._internal.decorators",
    "azure.identity._internal.get_token_mixin",
    "azure.identity._internal.msal_managed_identity_client",
    "azure.identity._internal.interactive",
    "azure.identity._internal.aad_client_base",
    "azure.identity._credentials.chained",
)


def real_log_lines(caplog) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.name in GET_TOKEN_LOGGERS and "cache ID" not in r.getMessage()
    ]


def our_log_lines(run) -> list[str]:
    """The same loggers as real_log_lines: get_token's lines, not the construction lines."""
    return [
        f"{logging.getLevelName(r.level)} {r.logger}: {r.message}"
        for r in run.logs
        if r.logger in GET_TOKEN_LOGGERS and "cache ID" not in r.message
    ]


def test_log_lines_match_for_secret_success_and_failure_in_and_out_of_chains(entra, same_env, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="azure.identity")
    host = same_env(entra_env(entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=SECRET))
    token = entra.reply_token()
    for reply in (token, Reply.json(BAD_SECRET, 401)):
        for chained in (False, True):
            entra.script(reply)
            caplog.clear()

            def theirs(chained=chained):
                credential = real.EnvironmentCredential(disable_instance_discovery=True)
                return (real.ChainedTokenCredential(credential) if chained else credential).get_token(SCOPE)

            def ours(chained=chained):
                credential = EnvironmentCredential(host=host, disable_instance_discovery=True)
                return (ChainedTokenCredential(credential) if chained else credential).get_token(SCOPE)

            outcome(theirs)
            expected = real_log_lines(caplog)
            _, run, _ = recorded(ours)
            assert our_log_lines(run) == expected


def test_log_lines_match_for_managed_identity(imds, same_env, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="azure.identity")
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})
    for reply in (imds_token(), Reply.json(IDENTITY_NOT_FOUND, 400)):
        imds.routes[("GET", IMDS_PATH)] = [reply]
        caplog.clear()
        outcome(lambda: real.ManagedIdentityCredential().get_token(SCOPE))
        expected = real_log_lines(caplog)
        _, run, _ = recorded(lambda: ManagedIdentityCredential(host=host).get_token(SCOPE))
        assert our_log_lines(run) == expected


def test_log_lines_match_for_workload_identity_and_its_cache(entra, token_file, same_env, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="azure.identity")
    host = same_env(wi_env(entra, token_file))
    entra.script(entra.reply_token())
    theirs_credential, ours_credential = real.WorkloadIdentityCredential(), WorkloadIdentityCredential(host=host)
    for _ in range(2):
        caplog.clear()
        outcome(lambda: theirs_credential.get_token(SCOPE))
        expected = real_log_lines(caplog)
        _, run, _ = recorded(lambda: ours_credential.get_token(SCOPE))
        assert our_log_lines(run) == expected


# ---- CAE, claims and per-request tenants ----------------------------------------------------------
CLAIMS = '{"access_token": {"nbf": {"essential": true, "value": "1700000000"}}}'
OTHER_TENANT = "0e0e0e0e-5555-4666-8777-999999999999"


@pytest.mark.parametrize(
    "options",
    [{"enable_cae": True}, {"claims": CLAIMS}, {"enable_cae": True, "claims": CLAIMS}],
    ids=["cae", "claims", "cae-and-claims"],
)
def test_cae_and_claims_reach_the_wire_alike(entra, token_file, same_env, options) -> None:
    host = same_env(wi_env(entra, token_file, AZURE_CLIENT_SECRET=SECRET))
    entra.script(entra.reply_token())
    for theirs_credential, ours_credential in (
        (
            real.EnvironmentCredential(disable_instance_discovery=True),
            EnvironmentCredential(host=host, disable_instance_discovery=True),
        ),
        (real.WorkloadIdentityCredential(), WorkloadIdentityCredential(host=host)),
    ):
        count = len(entra.server.seen)
        expected = outcome(lambda c=theirs_credential: c.get_token(SCOPE, **options))
        middle = len(entra.server.seen)
        actual, _, _ = recorded(lambda c=ours_credential: c.get_token(SCOPE, **options))
        assert actual.same_as(expected)
        theirs, ours = entra.server.seen[count:middle], entra.server.seen[middle:]
        assert [request_shape(s) for s in ours] == [request_shape(s) for s in theirs]
        assert json.loads(ours[-1].form["claims"]) == json.loads(theirs[-1].form["claims"])


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"additionally_allowed_tenants": [OTHER_TENANT]}, {"additionally_allowed_tenants": ["*"]}],
    ids=["not-allowed", "allowed", "wildcard"],
)
def test_a_per_request_tenant_follows_the_multi_tenant_rules(entra, token_file, same_env, kwargs) -> None:
    host = same_env(wi_env(entra, token_file, AZURE_CLIENT_SECRET=SECRET))
    entra.script(entra.reply_token())
    for theirs_factory, ours_factory in (
        (
            lambda: real.EnvironmentCredential(disable_instance_discovery=True, **kwargs),
            lambda: EnvironmentCredential(host=host, disable_instance_discovery=True, **kwargs),
        ),
        (lambda: real.WorkloadIdentityCredential(**kwargs), lambda: WorkloadIdentityCredential(host=host, **kwargs)),
    ):
        count = len(entra.server.seen)
        expected = outcome(lambda f=theirs_factory: f().get_token(SCOPE, tenant_id=OTHER_TENANT))
        middle = len(entra.server.seen)
        actual, _, _ = recorded(lambda f=ours_factory: f().get_token(SCOPE, tenant_id=OTHER_TENANT))
        assert actual.same_as(expected)
        theirs, ours = entra.server.seen[count:middle], entra.server.seen[middle:]
        assert [s.path for s in ours] == [s.path for s in theirs]


def test_imds_that_refuses_connections_is_unavailable_after_the_same_retries(same_env, real_waits) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": f"http://127.0.0.1:{closed_port()}"})
    expected, _ = compare(*both_mi(host))
    assert expected.kind == "unavailable" and expected.message.endswith("no response from the IMDS endpoint.")
    assert real_waits == host.waits == [1.6, 3.2]
