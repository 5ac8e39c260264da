"""EnvironmentCredential: which mode the variables configure, what its probe says, and its unavailable error."""

from __future__ import annotations

import logging

import pytest

from engine.credentials.environment import NOT_CONFIGURED, EnvironmentCredential
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE
from tests.doubles.service import CLIENT_ID, SECRET, TENANT, USERNAME
from tests.doubles.standins import make_client_certificate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def host_with(**env: str) -> Host:
    return Host(env={"PATH": "/usr/bin", **env})


def test_unconfigured_get_token_is_unavailable_with_azure_identitys_text() -> None:
    with pytest.raises(CredentialUnavailableError) as info:
        EnvironmentCredential(host=host_with()).get_token("https://management.azure.com/.default")
    assert info.value.message == NOT_CONFIGURED


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "no AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET"),
        (
            {"AZURE_CLIENT_SECRET": SECRET, "AZURE_CLIENT_ID": CLIENT_ID},
            "AZURE_CLIENT_SECRET set but AZURE_TENANT_ID missing",
        ),
        ({"AZURE_CLIENT_SECRET": SECRET}, "AZURE_CLIENT_SECRET set but AZURE_CLIENT_ID and AZURE_TENANT_ID missing"),
        (
            {"AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem"},
            "AZURE_CLIENT_CERTIFICATE_PATH set but AZURE_CLIENT_ID and AZURE_TENANT_ID missing",
        ),
        ({"AZURE_USERNAME": USERNAME, "AZURE_CLIENT_ID": CLIENT_ID}, "AZURE_USERNAME set but AZURE_PASSWORD missing"),
        ({"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT}, "only AZURE_CLIENT_ID and AZURE_TENANT_ID set"),
    ],
)
def test_probe_names_the_missing_variables(env, reason) -> None:
    probe = EnvironmentCredential(host=host_with(**env)).probe()
    assert probe.status == UNAVAILABLE
    assert reason in probe.reason
    assert SECRET not in probe.reason


def test_probe_of_the_secret_mode_names_client_and_tenant_but_never_the_secret() -> None:
    probe = EnvironmentCredential(
        host=host_with(AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=SECRET)
    ).probe()
    assert probe.status == AVAILABLE
    assert probe.reason.startswith("configured for client secret")
    assert (probe.identity.client_id, probe.identity.tenant_id) == (CLIENT_ID, TENANT)
    assert SECRET not in probe.reason and SECRET not in repr(probe)


def test_probe_of_the_certificate_mode_shows_subject_and_expiry(tmp_path) -> None:
    cert = make_client_certificate()
    path = tmp_path / "c.pem"
    path.write_bytes(cert.pem)
    probe = EnvironmentCredential(
        host=host_with(AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_CERTIFICATE_PATH=str(path))
    ).probe()
    assert probe.status == AVAILABLE
    assert "subject CN=chainsight app" in probe.reason and "expires " in probe.reason
    assert cert.thumbprint.upper() in probe.reason


def test_username_password_mode_carries_its_deprecation_notice() -> None:
    with pytest.warns(DeprecationWarning, match="deprecated, as it doesn't support multifactor"):
        credential = EnvironmentCredential(
            host=host_with(AZURE_CLIENT_ID=CLIENT_ID, AZURE_USERNAME=USERNAME, AZURE_PASSWORD="pw")
        )
    assert credential.deprecation_warning and "MFA" in credential.deprecation_warning
    probe = credential.probe()
    assert "deprecated" in probe.reason and probe.identity.upn == USERNAME and "pw" not in probe.reason.split()


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_SECRET": SECRET},
            "Environment is configured for ClientSecretCredential",
        ),
        ({}, "No environment configuration found."),
    ],
)
def test_construction_log_line(env, line) -> None:
    logger, level, message = EnvironmentCredential(host=host_with(**env)).construction_log
    assert (logger, level, message) == ("azure.identity._credentials.environment", logging.INFO, line)


def test_an_empty_secret_counts_as_set_and_fails_construction() -> None:
    with pytest.raises(ValueError, match="secret should be a Microsoft Entra application's client secret"):
        EnvironmentCredential(host=host_with(AZURE_CLIENT_ID=CLIENT_ID, AZURE_TENANT_ID=TENANT, AZURE_CLIENT_SECRET=""))
