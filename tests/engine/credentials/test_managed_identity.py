"""ManagedIdentityCredential: host detection, construction log, probes, caching and throttling."""

from __future__ import annotations

import time

import pytest

from engine.credentials.managed_identity import (
    APP_SERVICE,
    AZURE_ARC,
    AZURE_ML,
    CLOUD_SHELL,
    IMDS,
    SERVICE_FABRIC,
    TOKEN_EXCHANGE,
    ManagedIdentityCredential,
    detect_environment,
)
from engine.probe import AVAILABLE, UNAVAILABLE
from tests.doubles.service import CLIENT_ID, RESOURCE, SCOPE, TENANT, app_token, recorded
from tests.doubles.standins import Reply, closed_port

pytest_plugins = ["tests.oracle.service_fixtures"]
IMDS_PATH = "/metadata/identity/oauth2/token"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, IMDS),
        ({"IDENTITY_ENDPOINT": "e", "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": "t"}, SERVICE_FABRIC),
        ({"IDENTITY_ENDPOINT": "e", "IDENTITY_HEADER": "h"}, APP_SERVICE),
        ({"IDENTITY_ENDPOINT": "e", "IMDS_ENDPOINT": "i"}, AZURE_ARC),
        ({"IDENTITY_ENDPOINT": "e"}, None),
        ({"IDENTITY_ENDPOINT": "", "MSI_ENDPOINT": "m"}, CLOUD_SHELL),
        ({"MSI_ENDPOINT": "m", "MSI_SECRET": "s"}, AZURE_ML),
        ({"AZURE_AUTHORITY_HOST": "a", "AZURE_TENANT_ID": "t", "AZURE_FEDERATED_TOKEN_FILE": "f"}, TOKEN_EXCHANGE),
        ({"AZURE_AUTHORITY_HOST": "a", "AZURE_TENANT_ID": "t", "AZURE_FEDERATED_TOKEN_FILE": ""}, IMDS),
    ],
)
def test_detection_order(env, expected) -> None:
    assert detect_environment(env) == expected


def test_excluding_workload_identity_falls_back_to_imds() -> None:
    env = {"AZURE_AUTHORITY_HOST": "a", "AZURE_TENANT_ID": "t", "AZURE_FEDERATED_TOKEN_FILE": "f"}
    assert detect_environment(env, exclude_workload_identity=True) == IMDS


@pytest.mark.parametrize(
    ("env", "kwargs", "line"),
    [
        ({}, {}, "ManagedIdentityCredential will use IMDS"),
        (
            {"IDENTITY_ENDPOINT": "http://x", "IDENTITY_HEADER": "h"},
            {"client_id": "foo"},
            "ManagedIdentityCredential will use App Service managed identity with client_id: foo",
        ),
        ({}, {"identity_config": {"object_id": "bar"}}, "ManagedIdentityCredential will use IMDS with object_id: bar"),
    ],
)
def test_construction_log_line(same_env, env, kwargs, line) -> None:
    assert ManagedIdentityCredential(host=same_env(env), **kwargs).construction_log() == line


def test_probe_of_a_detected_platform_names_it_and_the_identity(same_env) -> None:
    host = same_env({"IDENTITY_ENDPOINT": "http://127.0.0.1:9/msi/token", "IDENTITY_HEADER": "CANARY-h"})
    probe = ManagedIdentityCredential(host=host, client_id=CLIENT_ID).probe()
    assert probe.status == AVAILABLE and probe.reason.startswith("App Service managed identity detected")
    assert probe.identity.client_id == CLIENT_ID and "CANARY-h" not in probe.reason


def test_probe_of_identity_endpoint_alone_is_unavailable(same_env) -> None:
    probe = ManagedIdentityCredential(host=same_env({"IDENTITY_ENDPOINT": "http://x"})).probe()
    assert probe.status == UNAVAILABLE and "no managed identity platform detected" in probe.reason


def test_imds_probe_reports_the_http_answer(stand_in, same_env) -> None:
    imds = stand_in()
    imds.routes[("GET", IMDS_PATH)] = [Reply.json({"error": "invalid_request"}, 400)]
    probe = ManagedIdentityCredential(host=same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})).probe()
    assert probe.status == AVAILABLE and probe.reason.startswith("IMDS answered (HTTP 400)")
    [seen] = imds.seen
    assert "metadata" not in seen.headers  # azure-identity's probe omits it on purpose


def test_imds_probe_reports_no_response(same_env) -> None:
    host = same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": f"http://127.0.0.1:{closed_port()}"})
    started = time.monotonic()
    probe = ManagedIdentityCredential(host=host).probe()
    assert probe.status == UNAVAILABLE and probe.reason.startswith("IMDS: no response")
    assert time.monotonic() - started < 2


def test_imds_probe_does_not_hang_on_a_silent_endpoint(stand_in, same_env, monkeypatch) -> None:
    from engine.credentials._internal import managed_identity_probe

    monkeypatch.setattr(managed_identity_probe, "PROBE_READ_TIMEOUT", 0.5)
    imds = stand_in()
    imds.routes[("GET", IMDS_PATH)] = [Reply(200, b"{}", {"Content-Type": "application/json"}, delay=5)]
    started = time.monotonic()
    probe = ManagedIdentityCredential(host=same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url})).probe()
    assert time.monotonic() - started < 2
    assert "no usable answer" in probe.reason


def test_token_exchange_probe_is_the_workload_identity_probe(same_env, tmp_path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("not-a-jwt")
    host = same_env(
        {
            "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com",
            "AZURE_TENANT_ID": TENANT,
            "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
            "AZURE_CLIENT_ID": CLIENT_ID,
        }
    )
    probe = ManagedIdentityCredential(host=host).probe()
    assert probe.reason.startswith("token exchange (workload identity): federated token file")
    assert probe.identity.client_id == CLIENT_ID


def imds_answer() -> Reply:
    return Reply.json(
        {"access_token": app_token(), "expires_in": "86399", "resource": RESOURCE, "token_type": "Bearer"}
    )


def test_second_call_is_answered_from_msals_cache(stand_in, same_env) -> None:
    imds = stand_in()
    imds.routes[("GET", IMDS_PATH)] = [imds_answer()]
    credential = ManagedIdentityCredential(host=same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url}))
    first, _, _ = recorded(lambda: credential.get_token(SCOPE))
    second, run, _ = recorded(lambda: credential.get_token(SCOPE))
    assert first.message == second.message and len(imds.seen) == 1
    assert run.attempts[0].steps == []


def test_claims_bypass_the_cache(stand_in, same_env) -> None:
    imds = stand_in()
    imds.routes[("GET", IMDS_PATH)] = [imds_answer()]
    credential = ManagedIdentityCredential(host=same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url}))
    credential.get_token(SCOPE)
    credential.get_token(SCOPE, claims='{"access_token": {"nbf": {"essential": true}}}')
    assert len(imds.seen) == 2


def test_a_5xx_answer_is_replayed_for_five_seconds_without_a_request(stand_in, same_env) -> None:
    imds = stand_in()
    imds.routes[("GET", IMDS_PATH)] = [Reply.json({"error": "busy", "error_description": "x"}, 503)]
    credential = ManagedIdentityCredential(
        host=same_env({"AZURE_POD_IDENTITY_AUTHORITY_HOST": imds.url}), retry_total=0
    )
    for _ in range(2):
        recorded(lambda: credential.get_token(SCOPE))
    assert len(imds.seen) == 1


def test_the_imds_probe_runs_once_per_instance_after_an_answer(stand_in, same_env) -> None:
    proxy = stand_in()
    proxy.routes[("GET", IMDS_PATH)] = [imds_answer()]
    url = proxy.url
    host = same_env({"HTTP_PROXY": url, "http_proxy": url, "NO_PROXY": "localhost", "no_proxy": "localhost"})
    credential = ManagedIdentityCredential(host=host, _enable_imds_probe=True, identity_config={"foo": "bar"})
    recorded(lambda: credential.get_token(SCOPE))
    recorded(lambda: credential.get_token("https://vault.azure.net/.default"))
    probes = [s for s in proxy.seen if "metadata" not in s.headers]
    assert len(probes) == 1 and probes[0].query["foo"] == "bar"


def test_a_failed_probe_is_retried_on_the_next_call(same_env) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    host = same_env({"HTTP_PROXY": url, "http_proxy": url, "NO_PROXY": "localhost", "no_proxy": "localhost"})
    credential = ManagedIdentityCredential(host=host, _enable_imds_probe=True)
    for _ in range(2):
        result, run, _ = recorded(lambda: credential.get_token(SCOPE))
        assert result.kind == "unavailable"
        assert [s.kind for s in run.attempts[0].steps] == ["probe", "http"]
