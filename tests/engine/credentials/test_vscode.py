"""VisualStudioCodeCredential (1.27): broker requirement, the auth record file and its validation."""

from __future__ import annotations

import json
import logging
import textwrap
from pathlib import Path

import pytest

from engine import events
from engine.constants import VSCODE_CLIENT_ID
from engine.context import within_dac
from engine.credentials._internal import broker_process
from engine.credentials._internal.vscode_record import TOO_LARGE, WRONG_CLIENT, load_vscode_auth_record
from engine.credentials.vscode import BAD_RECORD, NO_BROKER, NOT_SIGNED_IN, VisualStudioCodeCredential
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import UNAVAILABLE, UNKNOWN

SCOPE = "https://management.azure.com/.default"
RECORD = {
    "authority": "login.microsoftonline.com",
    "clientId": VSCODE_CLIENT_ID,
    "homeAccountId": "uid.4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60",
    "tenantId": "4a3e1c0b-7f5d-4c1e-9a8b-1d2c3b4a5f60",
    "username": "dev@contoso.com",
    "version": "1.0",
}
RECORD_DIR = ".azure/ms-azuretools.vscode-azureresourcegroups"


def write_record(home: Path, content: object, folder: str = RECORD_DIR) -> Path:
    path = home / folder / "authRecord.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def make_host(home: Path, **env: str) -> Host:
    return Host(
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", **env}, home=home, system="Linux", sys_platform="linux"
    )


@pytest.fixture
def with_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_process, "installed_version", lambda: "1.3.0")


def unavailable_message(credential: VisualStudioCodeCredential) -> str:
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(SCOPE)
    return info.value.message


def test_without_the_broker_package_it_is_unavailable_and_reads_nothing(home: Path) -> None:
    write_record(home, RECORD)
    recorder = events.Recorder()
    with events.recording(recorder):
        credential = VisualStudioCodeCredential(host=make_host(home))
        assert unavailable_message(credential) == NO_BROKER
    assert not [e for e in recorder.events if isinstance(e, events.StepStarted)]
    logs = [(e.logger, e.level, e.message) for e in recorder.events if isinstance(e, events.LogEmitted)]
    assert logs == [
        (
            "azure.identity._internal.decorators",
            logging.WARNING,
            f"VisualStudioCodeCredential.get_token failed: {NO_BROKER}",
        )
    ]


def test_probe_without_the_broker_still_reports_the_record(home: Path) -> None:
    write_record(home, RECORD)
    probe = VisualStudioCodeCredential(host=make_host(home)).probe()
    assert probe.status == UNAVAILABLE and NO_BROKER in probe.reason
    assert "auth record for dev@contoso.com" in probe.reason
    assert probe.identity.upn == "dev@contoso.com" and probe.identity.tenant_id == RECORD["tenantId"]


def test_with_the_broker_and_no_record_the_user_is_not_signed_in(home: Path, with_broker: None) -> None:
    credential = VisualStudioCodeCredential(host=make_host(home))
    assert unavailable_message(credential) == NOT_SIGNED_IN
    probe = credential.probe()
    assert probe.status == UNAVAILABLE and "no auth record at" in probe.reason


def test_the_capitalised_azure_folder_is_the_fallback(home: Path) -> None:
    write_record(home, {**RECORD, "username": "second@contoso.com"}, ".Azure/ms-azuretools.vscode-azureresourcegroups")
    assert load_vscode_auth_record(make_host(home)).username == "second@contoso.com"
    write_record(home, RECORD)
    assert load_vscode_auth_record(make_host(home)).username == "dev@contoso.com"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("{not json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("x" * (10 * 1024 + 1), TOO_LARGE),
        (
            {**RECORD, "clientId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
            f"Authentication record validation failed: {WRONG_CLIENT}",
        ),
        (
            {"clientId": VSCODE_CLIENT_ID, "tenantId": "", "username": 7},
            "Authentication record validation failed: tenantId must be a non-empty string; username must be a "
            "non-empty string; homeAccountId field is missing; authority field is missing",
        ),
        (
            {**RECORD, "tenantId": "not a tenant"},
            "Authentication record validation failed: tenantId validation failed: Invalid tenant ID provided. You can "
            "locate your tenant ID by following the instructions here: "
            "https://learn.microsoft.com/partner-center/find-ids-and-domain-names",
        ),
    ],
    ids=["malformed-json", "too-large", "wrong-client", "missing-fields", "bad-tenant"],
)
def test_a_bad_record_is_unavailable_with_the_reason(home: Path, with_broker: None, content, detail: str) -> None:
    write_record(home, content)
    assert unavailable_message(VisualStudioCodeCredential(host=make_host(home))) == BAD_RECORD.format(detail)


def test_a_record_that_is_not_an_object_escapes_the_constructor(home: Path, with_broker: None) -> None:
    write_record(home, "[1, 2]")
    with pytest.raises(TypeError):
        VisualStudioCodeCredential(host=make_host(home))


FAKE_BROKER = """
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

class Broker:
    def __init__(self, **kwargs):
        assert kwargs["client_id"] == "aebc6443-996d-45c2-90f0-388ff96faa56"
        assert kwargs["authentication_record"].username == "dev@contoso.com"
        self.tenant = kwargs.get("tenant_id")

    def get_token(self, *scopes, **request):
        raise ClientAuthenticationError(message=f"no default broker account (tenant {self.tenant})")
"""


def test_broker_errors_are_unavailable_inside_dac_and_fail_outside(
    home: Path, with_broker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_record(home, RECORD)
    (home / "fake_broker.py").write_text(textwrap.dedent(FAKE_BROKER))
    monkeypatch.setattr(broker_process, "BROKER_CLASS", "fake_broker:Broker")
    credential = VisualStudioCodeCredential(host=make_host(home, PYTHONPATH=str(home)), tenant_id="t9")
    assert credential.probe().status == UNKNOWN
    flag = within_dac.set(True)
    try:
        assert unavailable_message(credential) == "no default broker account (tenant t9)"
    finally:
        within_dac.reset(flag)
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(SCOPE)
    assert not isinstance(info.value, CredentialUnavailableError)
