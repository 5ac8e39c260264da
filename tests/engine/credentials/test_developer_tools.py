"""Shared mechanics of the tool credentials, and a canary run proving no token reaches a ChainRun."""

from __future__ import annotations

import json

import pytest

from engine.credentials._internal.developer_tools import (
    UndecodableOutput,
    as_text_mode,
    encode_base64,
    safe_working_dir,
    single_resource,
)
from engine.credentials._internal.request_helpers import EXACTLY_ONE_SCOPE
from engine.credentials.azd_cli import AzureDeveloperCliCredential
from engine.credentials.azure_cli import AzureCliCredential
from engine.credentials.azure_powershell import AzurePowerShellCredential
from engine.errors import CredentialUnavailableError
from engine.host import Host
from engine.run import run_chain
from tests.doubles.chain import make_jwt
from tests.doubles.fake_tools import FakeTool, Reply

CANARY_TOKEN = make_jwt({"upn": "dev@contoso.com", "tid": "t-1", "canary": "CANARY-9f1c"})


def test_text_mode_translates_every_line_ending_and_refuses_undecodable_bytes():
    assert as_text_mode(b"a\r\nb\rc\n") == "a\nb\nc\n"
    assert as_text_mode("caf\u00e9 \ufffd".encode()) == "caf\u00e9 \ufffd"  # a real U+FFFD is text
    with pytest.raises(UndecodableOutput):
        as_text_mode(b"\xff")


def test_working_dir_is_bin_or_systemroot_found_case_insensitively_on_windows():
    assert safe_working_dir(Host(env={}), "x") == "/bin"
    assert safe_working_dir(Host(env={"SystemRoot": "C:\\Windows"}, system="Windows"), "x") == "C:\\Windows"
    with pytest.raises(CredentialUnavailableError, match="no root"):
        safe_working_dir(Host(env={}, system="Windows"), "no root")


@pytest.mark.parametrize(
    ("scopes", "resource"),
    [(("https://a/.default",), "https://a"), (("https://a",), "https://a"), (("https://a//.default",), "https://a/")],
)
def test_single_resource_strips_default_suffix_once(scopes, resource):
    assert single_resource(scopes) == resource


@pytest.mark.parametrize("scopes", [(), ("a", "b")])
def test_single_resource_needs_exactly_one_scope(scopes):
    with pytest.raises(ValueError, match=EXACTLY_ONE_SCOPE):
        single_resource(scopes)


def test_claims_are_utf8_base64_with_padding():
    assert encode_base64('{"a":"é"}') == "eyJhIjoiw6kifQ=="


REPLIES = {
    "az": (AzureCliCredential, json.dumps({"accessToken": CANARY_TOKEN, "expires_on": 1767225600})),
    "azd": (AzureDeveloperCliCredential, json.dumps({"token": CANARY_TOKEN, "expiresOn": "2026-01-01T00:00:00Z"})),
    "pwsh": (AzurePowerShellCredential, f"\nazsdk%{CANARY_TOKEN}%1767225600\n"),
}


@pytest.mark.parametrize("tool", sorted(REPLIES))
def test_a_successful_run_records_account_and_steps_but_never_the_token(tmp_path, tool):
    credential_class, stdout = REPLIES[tool]
    fake = FakeTool(tmp_path, tool, Reply(stdout))
    run = run_chain(credential_class(host=Host(env={"PATH": f"{fake.bin_dir}:/usr/bin:/bin"})))
    assert run.outcome == "succeeded" and run.account.upn == "dev@contoso.com"
    (attempt,) = run.attempts
    assert [s.kind for s in attempt.steps] == ["process"]
    assert attempt.steps[0].detail["exit_status"] == 0
    text = json.dumps(run.to_json()) + repr(run)
    assert "CANARY" not in text and CANARY_TOKEN.split(".")[1] not in text
