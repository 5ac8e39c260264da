"""BrokerCredential: its unavailable messages, and the real broker path run in a child interpreter."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from engine import events
from engine.context import within_dac
from engine.credentials._internal import broker_process
from engine.credentials.broker import INIT_FAILED, NO_PACKAGE, WRONG_PLATFORM, BrokerCredential
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from engine.probe import UNAVAILABLE, UNKNOWN

from .user_credential_fakes import fake_jwt

SCOPE = "https://management.azure.com/.default"
TOKEN = fake_jwt(upn="dev@contoso.com", tid="t1", oid="o1", canary="BROKER-TOKEN-CANARY")
WSL = {"system": "Linux", "sys_platform": "linux", "kernel_release": "5.15.153.1-microsoft-standard-WSL2"}

FAKE_BROKER = f"""
import msal
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

class Broker:
    def __init__(self, **kwargs):
        if kwargs.get("tenant_id") == "boom":
            raise ValueError("no such tenant")
        self.kwargs = kwargs

    def get_token(self, *scopes, **request):
        assert self.kwargs["use_default_broker_account"] and self.kwargs["disable_interactive_fallback"]
        assert self.kwargs["parent_window_handle"] is msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
        if request.get("claims") == "refuse":
            raise ClientAuthenticationError(message="WAM said no")
        return AccessToken({TOKEN!r}, 1767225600)
"""


@pytest.fixture
def with_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_process, "installed_version", lambda: "1.3.0")


@pytest.fixture
def fake_broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_package: None) -> dict:
    (tmp_path / "fake_broker.py").write_text(textwrap.dedent(FAKE_BROKER))
    monkeypatch.setattr(broker_process, "BROKER_CLASS", "fake_broker:Broker")
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)}


def test_without_the_package_every_call_is_unavailable(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_process, "installed_version", lambda: None)
    credential = BrokerCredential(host=host, tenant_id="t1")
    for _ in range(2):
        with pytest.raises(CredentialUnavailableError) as info:
            credential.get_token(SCOPE)
        assert info.value.message == NO_PACKAGE
    probe = credential.probe()
    assert probe.status == UNAVAILABLE and NO_PACKAGE in probe.reason


def test_this_machine_has_no_broker_package() -> None:
    assert broker_process.installed_version() is None


def test_with_the_package_on_plain_linux_or_macos_the_platform_is_wrong(with_package: None, tmp_path: Path) -> None:
    for system, platform in (("Linux", "linux"), ("Darwin", "darwin")):
        host = Host(env={}, system=system, sys_platform=platform, kernel_release="6.1.0-18-amd64", home=tmp_path)
        with pytest.raises(CredentialUnavailableError) as info:
            BrokerCredential(host=host).get_token(SCOPE)
        assert info.value.message == WRONG_PLATFORM


def test_on_wsl_with_the_package_the_broker_runs_in_a_child_and_its_token_comes_back(fake_broker: dict) -> None:
    host = Host(env=fake_broker, **WSL)
    assert BrokerCredential(host=host, tenant_id="t1").probe().status == UNKNOWN
    recorder = events.Recorder()
    with events.recording(recorder):
        token = BrokerCredential(host=host, tenant_id="t1").get_token(SCOPE)
    assert token.token.reveal() == TOKEN and token.expires_on == 1767225600
    steps = [e for e in recorder.events if isinstance(e, events.StepStarted)]
    assert [s.kind for s in steps] == ["process"] and steps[0].detail["argv"][0] == sys.executable
    assert "BROKER-TOKEN-CANARY" not in repr(recorder.events)


def test_broker_errors_stop_the_chain_even_inside_dac(fake_broker: dict) -> None:
    host = Host(env=fake_broker, system="Windows", sys_platform="win32")
    flag = within_dac.set(True)
    try:
        with pytest.raises(ClientAuthenticationError) as info:
            BrokerCredential(host=host).get_token(SCOPE, claims="refuse")
    finally:
        within_dac.reset(flag)
    assert not isinstance(info.value, CredentialUnavailableError)
    assert info.value.message == "WAM said no"


def test_a_broker_that_cannot_be_built_stays_unavailable(fake_broker: dict) -> None:
    credential = BrokerCredential(host=Host(env=fake_broker, **WSL), tenant_id="boom")
    for _ in range(2):  # the second call does not spawn again
        with pytest.raises(CredentialUnavailableError) as info:
            credential.get_token(SCOPE)
        assert info.value.message == INIT_FAILED.format("no such tenant")
