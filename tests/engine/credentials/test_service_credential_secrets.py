"""No secret leaves the service credentials: not in events, step details, log lines, errors, JSON or probes.

Every secret and token in these runs is a canary value; after each run we search everything a
user could see for them.
"""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from engine import events
from engine.chain import ChainedTokenCredential
from engine.credentials.environment import EnvironmentCredential
from engine.credentials.managed_identity import ManagedIdentityCredential
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.run import run_chain
from tests.doubles.service import CLIENT_ID, PASSWORD, RESOURCE, SCOPE, SECRET, TENANT, USERNAME, app_token
from tests.doubles.standins import Reply, make_client_certificate, make_jwt

pytest_plugins = ["tests.oracle.service_fixtures"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CERT_PASSWORD = "CANARY-cert-password-7e2"
IDENTITY_HEADER = "CANARY-identity-header-c04"
MSI_SECRET = "CANARY-msi-secret-a93"
ARC_KEY = "CANARY-arc-key-66b"
ASSERTION_MARKER = "CANARY-federated-assertion-2d7"
REFRESH_TOKEN = "CANARY-refresh-token-31f"


def visible_text(run, recorder, credential, error: BaseException | None) -> str:
    """Everything a user could see of a run: events, JSON, log lines, the error, the probe."""
    parts = [json.dumps(run.to_json()), "\n".join(run.log_lines())]
    for event in recorder.events:
        parts.append(repr(event))
        if isinstance(event, (events.StepStarted, events.StepFinished)):
            parts.append(json.dumps(event.detail, default=str))
    if error is not None:
        parts += [str(error), repr(error), getattr(error, "message", "")]
    parts.append(json.dumps(credential.probe().to_json()))
    return "\n".join(parts)


def run_and_collect(credential) -> str:
    recorder = events.Recorder()
    run = run_chain(ChainedTokenCredential(credential), [SCOPE], recorder=recorder)
    error = None
    try:
        ChainedTokenCredential(credential).get_token(SCOPE)
    except Exception as ex:
        error = ex
    return visible_text(run, recorder, credential, error)


def assert_no_canary(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"secret leaked: {secret[:12]}..."


def entra_env(entra, **extra) -> dict[str, str]:
    return {"AZURE_AUTHORITY_HOST": entra.authority_host, "REQUESTS_CA_BUNDLE": str(entra.ca_pem), **extra}


@pytest.mark.parametrize("answer", ["token", "bad-secret", "server-error"])
def test_client_secret_never_appears(entra, same_env, answer) -> None:
    host = same_env(entra_env(entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=SECRET))
    replies = {
        "token": entra.reply_token(),
        "bad-secret": Reply.json({"error": "invalid_client", "error_description": "AADSTS7000215: bad"}, 401),
        "server-error": Reply.text("<html>oops</html>", 500),
    }
    entra.script(replies[answer])
    text = run_and_collect(EnvironmentCredential(host=host, disable_instance_discovery=True, retry_total=0))
    assert_no_canary(text, SECRET, *entra.issued)


def test_certificate_key_and_password_never_appear(entra, same_env, tmp_path) -> None:
    cert = make_client_certificate(CERT_PASSWORD.encode())
    path = tmp_path / "client.pem"
    path.write_bytes(cert.pem)
    host = same_env(
        entra_env(
            entra,
            AZURE_CLIENT_ID=CLIENT_ID,
            AZURE_TENANT_ID=TENANT,
            AZURE_CLIENT_CERTIFICATE_PATH=str(path),
            AZURE_CLIENT_CERTIFICATE_PASSWORD=CERT_PASSWORD,
        )
    )
    entra.script(entra.reply_token())
    credential = EnvironmentCredential(host=host, disable_instance_discovery=True)
    text = run_and_collect(credential)
    key_line = cert.pem.decode().splitlines()[1]
    assert_no_canary(text, CERT_PASSWORD, key_line, *entra.issued)
    assert_no_canary(repr(credential._credential._certificate), CERT_PASSWORD, key_line)


@pytest.mark.parametrize("answer", ["token", "bad-password"])
def test_password_and_refresh_token_never_appear(entra, stand_in, same_env, answer) -> None:
    tunnel = stand_in(tunnel_to=lambda: entra.server.port)
    host = same_env(
        entra_env(
            entra,
            AZURE_CLIENT_ID=CLIENT_ID,
            AZURE_TENANT_ID=TENANT,
            AZURE_USERNAME=USERNAME,
            AZURE_PASSWORD=PASSWORD,
            HTTPS_PROXY=tunnel.url,
            https_proxy=tunnel.url,
        )
    )
    if answer == "token":
        entra.script(entra.reply_user_token())
    else:
        entra.script(Reply.json({"error": "invalid_grant", "error_description": "AADSTS50126: bad password"}, 400))
    text = run_and_collect(EnvironmentCredential(host=host, disable_instance_discovery=True))
    assert_no_canary(text, PASSWORD, REFRESH_TOKEN, *entra.issued)


@pytest.mark.parametrize("answer", ["token", "sts-error", "token-without-expiry"])
def test_federated_assertion_never_appears(entra, same_env, tmp_path, answer) -> None:
    token_file = tmp_path / "token"
    assertion = make_jwt({"sub": "system:serviceaccount:default:app", "iss": "https://oidc.example"}, ASSERTION_MARKER)
    token_file.write_text(assertion)
    host = same_env(
        entra_env(entra, AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_FEDERATED_TOKEN_FILE=str(token_file))
    )
    leaked = app_token("CANARY-leaky")
    replies = {
        "token": entra.reply_token(),
        "sts-error": Reply.json({"error": "invalid_client", "error_description": "AADSTS700213: no match"}, 400),
        "token-without-expiry": Reply.json({"access_token": leaked, "token_type": "Bearer"}),
    }
    entra.script(replies[answer])
    text = run_and_collect(WorkloadIdentityCredential(host=host))
    assert_no_canary(text, assertion, ASSERTION_MARKER, leaked, *entra.issued)


def test_managed_identity_secrets_and_tokens_never_appear(stand_in, same_env) -> None:
    server = stand_in()
    now = int(time.time())
    token = app_token("CANARY-app-service")
    server.routes[("GET", "/msi/token")] = [
        Reply.json({"access_token": token, "expires_on": str(now + 3600), "resource": RESOURCE, "token_type": "Bearer"})
    ]
    host = same_env({"IDENTITY_ENDPOINT": server.url + "/msi/token", "IDENTITY_HEADER": IDENTITY_HEADER})
    text = run_and_collect(ManagedIdentityCredential(host=host))
    assert_no_canary(text, IDENTITY_HEADER, token)


def test_azure_ml_secret_and_a_token_in_an_error_answer_never_appear(stand_in, same_env) -> None:
    server = stand_in()
    leaked = app_token("CANARY-ml-leak")
    server.routes[("GET", "/ml")] = [Reply.json({"access_token": leaked, "resource": RESOURCE})]
    host = same_env({"MSI_ENDPOINT": server.url + "/ml", "MSI_SECRET": MSI_SECRET})
    text = run_and_collect(ManagedIdentityCredential(host=host))
    assert_no_canary(text, MSI_SECRET, leaked)


def test_cloud_shell_token_in_an_unexpected_answer_never_appears(stand_in, same_env) -> None:
    server = stand_in()
    leaked = app_token("CANARY-cloud-shell")
    server.routes[("POST", "/cs")] = [Reply.json({"access_token": leaked, "resource": RESOURCE})]
    host = same_env({"MSI_ENDPOINT": server.url + "/cs"})
    text = run_and_collect(ManagedIdentityCredential(host=host))
    assert_no_canary(text, leaked)


def test_arc_key_never_appears(stand_in, same_env, tmp_path, monkeypatch) -> None:
    from engine.credentials._internal.managed_identity_sources import azure_arc

    monkeypatch.setitem(azure_arc.KEY_DIRECTORIES, "linux", str(tmp_path))
    (tmp_path / "c.key").write_text(ARC_KEY)
    server = stand_in()
    token = app_token("CANARY-arc")

    def agent(seen):
        if seen.headers.get("authorization") != f"Basic {ARC_KEY}":
            return Reply.json({}, 401, **{"WWW-Authenticate": "Basic realm=/var/opt/azcmagent/tokens/c.key"})
        return Reply.json({"access_token": token, "expires_in": 3600, "resource": RESOURCE})

    server.routes[("GET", "/arc")] = agent
    host = dataclasses.replace(
        same_env({"IDENTITY_ENDPOINT": server.url + "/arc", "IMDS_ENDPOINT": server.url}), sys_platform="linux"
    )
    text = run_and_collect(ManagedIdentityCredential(host=host))
    assert_no_canary(text, ARC_KEY, token)
