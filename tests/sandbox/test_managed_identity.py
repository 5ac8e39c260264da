"""Managed-identity stand-ins answer as the real endpoints do, including each scenario failure mode."""

from __future__ import annotations

import pytest
import requests

from tests.plugins.sandbox import sandbox_session_for

ARM = "https://management.azure.com"
IMDS = "http://169.254.169.254/metadata/identity/oauth2/token"


def _direct() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def test_imds_probe_without_metadata_header_gets_the_real_400(sandbox_factory) -> None:
    box = sandbox_factory("vm-imds-user-assigned")
    response = sandbox_session_for(box).get(IMDS, params={"api-version": "2018-02-01", "resource": ARM})
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Required metadata header not specified",
    }


@pytest.mark.parametrize(
    ("param", "value", "client_id"),
    [
        (None, None, "a7b8c9d0-0010-4000-8000-0000000e0010"),
        ("client_id", "f6a7b8c9-0009-4000-8000-0000000d0009", "f6a7b8c9-0009-4000-8000-0000000d0009"),
        ("object_id", "f6a7b8c9-0012-4000-8000-0000000d0012", "f6a7b8c9-0009-4000-8000-0000000d0009"),
        (
            "msi_res_id",
            "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/batch-rg/providers/"
            "Microsoft.ManagedIdentity/userAssignedIdentities/batch-reader",
            "f6a7b8c9-0009-4000-8000-0000000d0009",
        ),
    ],
)
def test_imds_selects_system_or_user_assigned_identity(sandbox_factory, param, value, client_id) -> None:
    box = sandbox_factory("vm-imds-user-assigned")
    params = {"api-version": "2018-02-01", "resource": ARM, **({param: value} if param else {})}
    body = sandbox_session_for(box).get(IMDS, params=params, headers={"Metadata": "true"}).json()
    assert body["client_id"] == client_id and body["token_type"] == "Bearer"
    assert body["expires_in"].isdigit() and body["resource"] == ARM


def test_imds_unknown_identity_is_identity_not_found(sandbox_factory) -> None:
    box = sandbox_factory("vm-imds-user-assigned")
    response = sandbox_session_for(box).get(
        IMDS,
        params={"api-version": "2018-02-01", "resource": ARM, "client_id": "00000000-0000-0000-0000-000000000000"},
        headers={"Metadata": "true"},
    )
    assert response.status_code == 400 and response.json()["error_description"] == "Identity not found"


@pytest.mark.parametrize(
    ("mode", "status", "content_type"),
    [
        ("identity_not_found", 400, "application/json"),
        ("http_500", 500, "application/json"),
        ("html", 200, "text/html"),
        ("wrong_header", 401, "application/json"),
    ],
)
def test_app_service_failure_modes(sandbox_factory, mode, status, content_type) -> None:
    box = sandbox_factory("app-service", managed_identity={"mode": mode})
    response = _direct().get(
        box.env["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01", "resource": ARM},
        headers={"X-IDENTITY-HEADER": box.env["IDENTITY_HEADER"]},
        timeout=5,
    )
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith(content_type)


def test_slow_and_no_response_modes_delay_or_hold_the_answer(sandbox_factory) -> None:
    import time

    slow = sandbox_factory("app-service", managed_identity={"mode": "slow", "delay": 0.5})
    started = time.monotonic()
    ok = _direct().get(
        slow.env["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01", "resource": ARM},
        headers={"X-IDENTITY-HEADER": slow.env["IDENTITY_HEADER"]},
        timeout=5,
    )
    assert ok.status_code == 200 and time.monotonic() - started >= 0.5
    silent = sandbox_factory("app-service", managed_identity={"mode": "no_response"})
    with pytest.raises(requests.exceptions.ReadTimeout):
        _direct().get(
            silent.env["IDENTITY_ENDPOINT"],
            params={"resource": ARM},
            timeout=0.5,
            headers={"X-IDENTITY-HEADER": silent.env["IDENTITY_HEADER"]},
        )


def test_app_service_answers_the_2019_08_01_shape(sandbox_factory) -> None:
    box = sandbox_factory("app-service")
    body = (
        _direct()
        .get(
            box.env["IDENTITY_ENDPOINT"],
            params={"api-version": "2019-08-01", "resource": ARM},
            headers={"X-IDENTITY-HEADER": box.env["IDENTITY_HEADER"]},
        )
        .json()
    )
    assert set(body) == {"access_token", "expires_on", "resource", "token_type", "client_id"}


def test_cloud_shell_wants_a_post_with_metadata(sandbox_factory) -> None:
    box = sandbox_factory("cloud-shell")
    assert _direct().get(box.env["MSI_ENDPOINT"], params={"resource": ARM}).status_code == 400
    body = _direct().post(box.env["MSI_ENDPOINT"], data={"resource": ARM}, headers={"Metadata": "true"}).json()
    assert body["token_type"] == "Bearer" and body["resource"] == ARM


def test_azure_ml_uses_secret_header_and_clientid_param(sandbox_factory) -> None:
    box = sandbox_factory(
        "app-service", managed_identity={"kind": "azure_ml", "system": "", "user_assigned": ["contoso-web"]}
    )
    endpoint = box.env["MSI_ENDPOINT"]
    params = {"api-version": "2017-09-01", "resource": ARM, "clientid": "5e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"}
    assert _direct().get(endpoint, params=params, headers={"secret": "wrong"}).status_code == 401
    body = _direct().get(endpoint, params=params, headers={"secret": box.env["MSI_SECRET"]}).json()
    assert body["client_id"] == "5e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"


def test_arc_challenges_with_a_key_file_then_accepts_its_contents(sandbox_factory) -> None:
    box = sandbox_factory("app-service", managed_identity={"kind": "arc"})
    endpoint = box.env["IDENTITY_ENDPOINT"]
    params = {"api-version": "2020-06-01", "resource": ARM}
    challenge = _direct().get(endpoint, params=params, headers={"Metadata": "true"})
    assert challenge.status_code == 401
    scheme, _, key_path = challenge.headers["WWW-Authenticate"].partition("=")
    assert scheme == "Basic realm" and key_path.endswith(".key")
    from pathlib import Path

    secret = Path(key_path).read_text()
    body = (
        _direct().get(endpoint, params=params, headers={"Metadata": "true", "Authorization": f"Basic {secret}"}).json()
    )
    assert body["access_token"] and body["expires_in"].isdigit()
