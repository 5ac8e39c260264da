"""DefaultAzureCredential construction: the real azure-identity 1.27.0 and the engine, same environment.

Each case sets environment variables and keyword arguments, builds both, and requires the same
members in the same order (with the same placeholder and managed-identity host), or the same
constructor error type and message.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import pytest

from engine import events
from engine.default import DefaultAzureCredential as EngineDAC
from engine.default import FailedDACCredential
from engine.host import Host
from tests.system import require_oracle

azure_identity = require_oracle()

MI_HOSTS = {  # azure-identity's inner class → our detected environment
    "ImdsCredential": "IMDS",
    "AppServiceCredential": "App Service managed identity",
    "AzureArcCredential": "Azure Arc managed identity",
    "ServiceFabricCredential": "Service Fabric managed identity",
    "AzureMLCredential": "Azure ML managed identity",
    "CloudShellCredential": "Cloud Shell managed identity",
    "WorkloadIdentityCredential": "workload identity",
    "NoneType": None,
}

WI_ENV = {"AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client", "AZURE_FEDERATED_TOKEN_FILE": "/var/token"}
SP_ENV = {"AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client", "AZURE_CLIENT_SECRET": "canary-secret"}

CASES = [
    pytest.param({}, {}, id="empty-environment"),
    pytest.param(SP_ENV, {}, id="environment-secret"),
    pytest.param({**SP_ENV, "AZURE_CLIENT_SECRET": ""}, {}, id="empty-secret-raises"),
    pytest.param({**SP_ENV, "AZURE_CLIENT_ID": ""}, {}, id="empty-client-id-raises"),
    pytest.param({**SP_ENV, "AZURE_TENANT_ID": ""}, {}, id="empty-tenant-raises"),
    pytest.param({**SP_ENV, "AZURE_TENANT_ID": "bad tenant!"}, {}, id="invalid-tenant-raises"),
    pytest.param(
        {**SP_ENV, "AZURE_CLIENT_SECRET": ""}, {"exclude_environment_credential": True}, id="excluded-env-not-built"
    ),
    pytest.param(
        {"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_CERTIFICATE_PATH": "/nonexistent.pem", "AZURE_TENANT_ID": "t"},
        {},
        id="missing-certificate-file",
    ),
    pytest.param(
        {"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_CERTIFICATE_PATH": "{garbage}", "AZURE_TENANT_ID": "t"},
        {},
        id="garbage-certificate",
    ),
    pytest.param(
        {"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_CERTIFICATE_PATH": "", "AZURE_TENANT_ID": "t"},
        {},
        id="empty-certificate-path",
    ),
    pytest.param({"AZURE_CLIENT_ID": "c", "AZURE_USERNAME": "u", "AZURE_PASSWORD": "p"}, {}, id="username-password"),
    pytest.param(
        {"AZURE_CLIENT_ID": "c", "AZURE_USERNAME": "u", "AZURE_PASSWORD": "p", "AZURE_TENANT_ID": "bad/t"},
        {},
        id="username-password-bad-tenant",
    ),
    pytest.param({"AZURE_CLIENT_ID": "c"}, {}, id="workload-missing-tenant-and-file"),
    pytest.param({"AZURE_TENANT_ID": "t"}, {}, id="workload-missing-client-and-file"),
    pytest.param({"AZURE_FEDERATED_TOKEN_FILE": "/x"}, {}, id="workload-missing-tenant-and-client"),
    pytest.param(WI_ENV, {}, id="workload-configured"),
    pytest.param({**WI_ENV, "AZURE_AUTHORITY_HOST": "https://login.example"}, {}, id="token-exchange-managed-identity"),
    pytest.param(
        {"AZURE_TENANT_ID": "t", "AZURE_FEDERATED_TOKEN_FILE": "/x", "AZURE_AUTHORITY_HOST": "https://h"},
        {},
        id="token-exchange-without-client-id-raises",
    ),
    pytest.param(
        {**WI_ENV, "AZURE_AUTHORITY_HOST": "https://h"},
        {"exclude_workload_identity_credential": True},
        id="excluding-workload-disables-token-exchange",
    ),
    pytest.param(
        {"AZURE_FEDERATED_TOKEN_FILE": "/x"},
        {"workload_identity_tenant_id": "t", "workload_identity_client_id": "c"},
        id="workload-keywords",
    ),
    pytest.param(
        {},
        {"workload_identity_tenant_id": "t", "workload_identity_client_id": "c"},
        id="workload-keywords-missing-file",
    ),
    pytest.param({"IDENTITY_ENDPOINT": "http://127.0.0.1:1"}, {}, id="identity-endpoint-alone"),
    pytest.param({"IDENTITY_ENDPOINT": "http://127.0.0.1:1", "IDENTITY_HEADER": "h"}, {}, id="app-service"),
    pytest.param({"IDENTITY_ENDPOINT": "", "IDENTITY_HEADER": "h"}, {}, id="empty-identity-endpoint-is-imds"),
    pytest.param(
        {"IDENTITY_ENDPOINT": "http://127.0.0.1:1", "IMDS_ENDPOINT": "http://127.0.0.1:2"}, {}, id="azure-arc"
    ),
    pytest.param(
        {"IDENTITY_ENDPOINT": "https://127.0.0.1:1", "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": "ab"},
        {},
        id="service-fabric",
    ),
    pytest.param({"MSI_ENDPOINT": "http://127.0.0.1:1", "MSI_SECRET": "s"}, {}, id="azure-ml"),
    pytest.param(
        {"MSI_ENDPOINT": "http://127.0.0.1:1"},
        {"managed_identity_client_id": "abc"},
        id="cloud-shell-client-id-allowed-in-dac",
    ),
    pytest.param(
        {"AZURE_CLIENT_ID": "c"}, {"identity_config": {"object_id": "o"}}, id="identity-config-conflicts-with-client-id"
    ),
    pytest.param({}, {"identity_config": {"object_id": "o", "client_id": "x"}}, id="identity-config-two-keys"),
    pytest.param({"AZURE_AUTHORITY_HOST": "http://insecure"}, {}, id="http-authority-host-raises"),
    pytest.param({}, {"authority": "ftp://x/"}, id="ftp-authority-raises"),
    pytest.param({"AZURE_AUTHORITY_HOST": "login.microsoftonline.us/ "}, {}, id="authority-host-normalised"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "dev"}, {}, id="atc-dev"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "prod"}, {}, id="atc-prod"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "  DeV "}, {}, id="atc-case-and-whitespace"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": " Bogus "}, {}, id="atc-invalid"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "sharedtokencachecredential"}, {}, id="atc-shared-cache-not-nameable"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "brokercredential"}, {}, id="atc-broker-not-nameable"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "AzureCliCredential"}, {}, id="atc-single-cli"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "environmentcredential"}, {}, id="atc-single-environment"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "managedidentitycredential"}, {}, id="atc-single-managed-identity"),
    pytest.param({**WI_ENV, "AZURE_TOKEN_CREDENTIALS": "workloadidentitycredential"}, {}, id="atc-single-workload"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "interactivebrowsercredential"}, {}, id="atc-single-interactive"),
    pytest.param(
        {"AZURE_TOKEN_CREDENTIALS": "azureclicredential"},
        {"exclude_cli_credential": True},
        id="atc-excluding-selected-empties-chain",
    ),
    pytest.param(
        {"AZURE_TOKEN_CREDENTIALS": "azureclicredential"},
        {"exclude_cli_credential": None},
        id="atc-none-exclusion-ignored",
    ),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "prod"}, {"exclude_cli_credential": False}, id="atc-prod-readds-cli"),
    pytest.param(
        {"AZURE_TOKEN_CREDENTIALS": "prod"}, {"exclude_environment_credential": True}, id="atc-prod-minus-environment"
    ),
    pytest.param(
        {"AZURE_TOKEN_CREDENTIALS": "dev"},
        {"exclude_interactive_browser_credential": False},
        id="atc-dev-plus-interactive",
    ),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": ""}, {"require_envvar": True}, id="require-envvar-empty"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "   "}, {"require_envvar": True}, id="require-envvar-blank"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "bogus"}, {"require_envvar": True}, id="require-envvar-invalid-value"),
    pytest.param({"AZURE_TOKEN_CREDENTIALS": "dev"}, {"require_envvar": True}, id="require-envvar-met"),
    pytest.param(
        {"AZURE_TOKEN_CREDENTIALS": "bogus", "AZURE_AUTHORITY_HOST": "http://x"}, {}, id="authority-checked-before-atc"
    ),
    pytest.param(
        {**SP_ENV, "AZURE_CLIENT_SECRET": "", "AZURE_TOKEN_CREDENTIALS": "bogus"}, {}, id="atc-checked-before-members"
    ),
    pytest.param({}, {"tenant_id": "x"}, id="tenant-id-keyword-rejected"),
    pytest.param({}, {"tenant_id": "x", "authority": "http://x"}, id="tenant-id-checked-first"),
    pytest.param(
        {}, {"exclude_interactive_browser_credential": False}, id="interactive-browser-included-before-broker"
    ),
    pytest.param(
        {"AZURE_CLIENT_ID": "c"},
        {"interactive_browser_tenant_id": "bad tenant", "exclude_interactive_browser_credential": False},
        id="interactive-browser-invalid-tenant",
    ),
    pytest.param(
        {},
        {"exclude_broker_credential": True, "exclude_visual_studio_code_credential": True},
        id="exclude-broker-and-vscode",
    ),
    pytest.param(
        {},
        {
            f"exclude_{n}_credential": True
            for n in (
                "environment",
                "workload_identity",
                "managed_identity",
                "shared_token_cache",
                "visual_studio_code",
                "cli",
                "powershell",
                "developer_cli",
                "broker",
            )
        },
        id="exclude-everything-raises",
    ),
    pytest.param(
        {},
        {"visual_studio_code_tenant_id": "bad tenant", "process_timeout": "x", "unknown_keyword": 1},
        id="unvalidated-keywords-accepted",
    ),
    pytest.param(
        {"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t"},
        {"managed_identity_client_id": None},
        id="explicit-none-client-id",
    ),
]


def _describe_real(credential) -> list[str]:
    out = []
    for member in credential.credentials:
        name = getattr(member, "_credential_name", None) or type(member).__name__
        if type(member).__name__ == "FailedDACCredential":
            name += f" [placeholder: {member._error}]"
        if type(member).__name__ == "ManagedIdentityCredential":
            name += f" [{MI_HOSTS[type(member._credential).__name__]}]"
        out.append(name)
    return out


def _describe_ours(credential) -> list[str]:
    out = []
    for member in credential.credentials:
        name = getattr(member, "_credential_name", None) or type(member).__name__
        if isinstance(member, FailedDACCredential):
            name += f" [placeholder: {member._error}]"
        if type(member).__name__ == "ManagedIdentityCredential":
            name += f" [{member.environment}]"
        out.append(name)
    return out


# Lists azure-identity builds from a set: their order depends on the process (hash seed, the .pyc that
# built the set), so no re-implementation can reproduce it; those lists are compared sorted.
_SET_ORDERED_LISTS = ("following keys: ", "These variables are set: ")


def _unordered_key_list(message: str) -> str:
    for marker in _SET_ORDERED_LISTS:
        head, sep, items = message.partition(marker)
        if sep:
            return head + sep + ", ".join(sorted(items.split(", ")))
    return message


def _outcome(build, describe):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return ("members", describe(build()))
        except Exception as ex:  # the constructor error is part of the verdict
            return ("error", type(ex).__name__, _unordered_key_list(str(ex)))


@pytest.mark.parametrize(("env", "kwargs"), CASES)
def test_engine_builds_the_same_chain_as_azure_identity(env, kwargs, monkeypatch, tmp_path: Path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    env = {k: v.replace("{garbage}", str(garbage)) for k, v in env.items()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    records: list[tuple[str, int, str]] = []
    capture = _Capture(records)
    logger = logging.getLogger("azure.identity")
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        expected = _outcome(lambda: azure_identity.DefaultAzureCredential(**kwargs), _describe_real)
    finally:
        logger.removeHandler(capture)
        logger.setLevel(logging.NOTSET)
    recorder = events.Recorder()
    with events.recording(recorder):
        ours = _outcome(lambda: EngineDAC(host=Host(env=dict(os.environ)), **kwargs), _describe_ours)

    assert ours == expected
    our_logs = [
        (e.logger, e.level, _unordered_key_list(e.message)) for e in recorder.events if isinstance(e, events.LogEmitted)
    ]
    assert our_logs == records, "construction log lines differ"


class _Capture(logging.Handler):
    def __init__(self, records: list) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, _unordered_key_list(record.getMessage())))
