"""WorkloadIdentityCredential: its probe, the token file's re-read rule, and the AKS token proxy settings."""

from __future__ import annotations

import time

import pytest

from engine.credentials._internal.token_proxy import (
    CA_DATA_FILE_ERROR,
    CUSTOM_PROXY_ENV_ERROR,
    TokenProxy,
    token_proxy_settings,
)
from engine.credentials.workload_identity import WorkloadIdentityCredential
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, UNKNOWN
from tests.doubles.service import CLIENT_ID, SCOPE, TENANT, recorded
from tests.doubles.standins import make_jwt

pytest_plugins = ["tests.oracle.service_fixtures"]


def credential(token_file, **env) -> WorkloadIdentityCredential:
    host = Host(
        env={
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_ID": CLIENT_ID,
            "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
            **env,
        }
    )
    return WorkloadIdentityCredential(host=host)


def test_probe_reads_the_subject_and_issuer_of_the_federated_token(tmp_path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(
        make_jwt(
            {"sub": "system:serviceaccount:ns:app", "iss": "https://oidc.example", "exp": int(time.time()) + 600},
            "CANARY-sig",
        )
    )
    probe = credential(token_file).probe()
    assert probe.status == AVAILABLE
    assert "sub system:serviceaccount:ns:app" in probe.reason and "iss https://oidc.example" in probe.reason
    assert (probe.identity.client_id, probe.identity.tenant_id) == (CLIENT_ID, TENANT)
    assert "CANARY-sig" not in probe.reason


@pytest.mark.parametrize(
    ("content", "status", "text"),
    [
        (None, UNAVAILABLE, "unreadable (No such file or directory)"),
        ("", UNAVAILABLE, "is empty"),
        ("opaque-token", UNKNOWN, "not a JWT"),
        (make_jwt({"sub": "s", "iss": "i", "exp": 1}), UNKNOWN, "expired"),
    ],
)
def test_probe_of_a_missing_empty_opaque_or_expired_token_file(tmp_path, content, status, text) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content)
    probe = credential(token_file).probe()
    assert probe.status == status and text in probe.reason


def test_the_token_file_is_read_once_then_again_after_600_seconds(entra, same_env, tmp_path, monkeypatch) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("first")
    host = same_env(
        {
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_ID": CLIENT_ID,
            "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
            "AZURE_AUTHORITY_HOST": entra.authority_host,
            "REQUESTS_CA_BUNDLE": str(entra.ca_pem),
        }
    )
    entra.script(entra.reply_token(expires_in=60))  # short-lived: every call goes back to Entra ID
    ours = WorkloadIdentityCredential(host=host)
    recorded(lambda: ours.get_token(SCOPE))
    token_file.write_text("second")
    recorded(lambda: ours.get_token("https://vault.azure.net/.default"))
    later = time.time() + 601
    monkeypatch.setattr(type(host), "time", lambda self: later)
    recorded(lambda: ours.get_token("https://storage.azure.com/.default"))
    assertions = [s.form["client_assertion"] for s in entra.token_requests()]
    assert assertions == ["first", "first", "second"]


def test_token_proxy_settings_validate_as_azure_identity_does(tmp_path) -> None:
    assert token_proxy_settings({}) is None
    with pytest.raises(ValueError, match=CUSTOM_PROXY_ENV_ERROR):
        token_proxy_settings({"AZURE_KUBERNETES_SNI_NAME": "sni"})
    with pytest.raises(ValueError) as info:
        token_proxy_settings(
            {
                "AZURE_KUBERNETES_TOKEN_PROXY": "https://p",
                "AZURE_KUBERNETES_CA_FILE": "f",
                "AZURE_KUBERNETES_CA_DATA": "d",
            }
        )
    assert str(info.value) == CA_DATA_FILE_ERROR
    with pytest.raises(ValueError, match="must use the 'https' scheme"):
        token_proxy_settings({"AZURE_KUBERNETES_TOKEN_PROXY": "http://p"})
    with pytest.raises(ValueError, match="Failed to read CA file"):
        token_proxy_settings(
            {"AZURE_KUBERNETES_TOKEN_PROXY": "https://p", "AZURE_KUBERNETES_CA_FILE": str(tmp_path / "x")}
        )


def test_token_proxy_rewrites_the_token_url_onto_the_proxy() -> None:
    proxy = TokenProxy("https://proxy.local:8443/base/", None, None)
    assert proxy.rewrite("https://login.microsoftonline.com/t/oauth2/v2.0/token") == (
        "https://proxy.local:8443/base/t/oauth2/v2.0/token"
    )
    assert proxy.rewrite("https://proxy.local:8443/base/t") == "https://proxy.local:8443/base/t"


def test_enable_azure_proxy_is_ignored_inside_a_chain(tmp_path) -> None:
    from engine.context import within_credential_chain

    token_file = tmp_path / "token"
    host = Host(
        env={
            "AZURE_TENANT_ID": TENANT,
            "AZURE_CLIENT_ID": CLIENT_ID,
            "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
            "AZURE_KUBERNETES_SNI_NAME": "sni",
        }
    )
    with pytest.raises(ValueError, match=CUSTOM_PROXY_ENV_ERROR):
        WorkloadIdentityCredential(host=host, enable_azure_proxy=True)
    flag = within_credential_chain.set(True)
    try:
        WorkloadIdentityCredential(host=host, enable_azure_proxy=True)
    finally:
        within_credential_chain.reset(flag)
