"""AzureDeveloperCliCredential: parsing, error extraction, classification, argv and environment."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest

from engine import events
from engine.context import within_dac
from engine.credentials._internal import cli_output
from engine.credentials._internal.developer_tools import ToolOutput
from engine.credentials.azd_cli import (
    CLI_NOT_FOUND,
    FAILED_TO_INVOKE,
    FAILED_TO_INVOKE_THE_CLI,
    LOGGER,
    NOT_LOGGED_IN,
    UNKNOWN_CLAIMS_FLAG,
    AzureDeveloperCliCredential,
    classify_failure,
)
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from tests.doubles.fake_tools import FakeTool, Reply

SCOPE = "https://management.azure.com/.default"
OUTPUT = json.dumps({"token": "tok", "expiresOn": "2026-01-01T00:00:00Z"})
LOCAL_MIDNIGHT = int(datetime(2026, 1, 1).timestamp())


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (OUTPUT, ("tok", LOCAL_MIDNIGHT)),  # the Z is ignored: local time, as azure-identity reads it
        ('{"token": "tok", "expiresOn": "2026-01-01T00:00:00.5Z"}', None),
        ('{"token": "tok"}', None),
        ('{"expiresOn": "2026-01-01T00:00:00Z"}', None),
        ("ERROR: not json", None),
    ],
)
def test_parse_azd_token(output, expected):
    assert cli_output.parse_azd_token(output) == expected


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ('{"token": "secret", "expiresOn": "x"}', '{****, "expiresOn": "x"}'),
        ('{"token": "secret', "{****"),
        ('{"token":"secret"}', "{****}"),  # azure-identity would show this one
        ("plain", "plain"),
    ],
)
def test_sanitize_azd_masks_every_token(text, masked):
    assert cli_output.sanitize_azd(text) == masked


def _console(message):
    return json.dumps({"type": "consoleMessage", "data": {"message": message}})


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "dac", "error", "message"),
    [
        (127, "", "", False, CredentialUnavailableError, CLI_NOT_FOUND),
        (1, "", "'azd' is not recognized as a command", False, CredentialUnavailableError, CLI_NOT_FOUND),
        (1, "", "not logged in, run `azd auth login` to login", False, CredentialUnavailableError, NOT_LOGGED_IN),
        (1, "not logged in, run `azd auth login` to login", "", False, CredentialUnavailableError, NOT_LOGGED_IN),
        (
            1,
            "",
            "AADSTS1: not logged in, run `azd auth login` to login",
            False,
            ClientAuthenticationError,
            "AADSTS1: not logged in, run `azd auth login` to login",
        ),
        (1, "", "Error: unknown flag: --claims", False, CredentialUnavailableError, UNKNOWN_CLAIMS_FLAG),
        (1, '{"error": "out"}', '{"error": "err"}', False, ClientAuthenticationError, "out"),
        (1, "text", _console(" from stderr \n"), False, ClientAuthenticationError, "from stderr"),
        (1, "", "ERROR: boom\n", False, ClientAuthenticationError, "ERROR: boom\n"),
        (1, "", "ERROR: boom\n", True, CredentialUnavailableError, "ERROR: boom\n"),
        (1, "", "", False, ClientAuthenticationError, FAILED_TO_INVOKE),
        (1, "", "", True, CredentialUnavailableError, FAILED_TO_INVOKE),
    ],
)
def test_classify_failure_follows_azure_identity_order(returncode, stdout, stderr, dac, error, message):
    flag = within_dac.set(dac)
    try:
        result = classify_failure(ToolOutput(returncode, stdout, stderr))
    finally:
        within_dac.reset(flag)
    assert type(result) is error
    assert result.message == message


def test_argv_has_every_scope_the_tenant_and_base64_claims_and_no_color_is_set(tmp_path):
    tool = FakeTool(tmp_path, "azd", Reply(OUTPUT))
    host = Host(env={"PATH": f"{tool.bin_dir}:/usr/bin:/bin", "KEEP": "me"})
    recorder = events.Recorder()
    with events.recording(recorder):
        AzureDeveloperCliCredential(host=host).get_token(SCOPE, "s2", tenant_id="t-2", claims='{"a":1}')
    (call,) = tool.calls()
    assert call.argv == [
        "auth",
        "token",
        "--output",
        "json",
        "--no-prompt",
        "--scope",
        SCOPE,
        "--scope",
        "s2",
        "--tenant-id",
        "t-2",
        "--claims",
        "eyJhIjoxfQ==",
    ]
    assert call.env["NO_COLOR"] == "true" and call.env["KEEP"] == "me"
    assert call.cwd in ("/bin", "/usr/bin")
    first_log = next(e for e in recorder.events if isinstance(e, events.LogEmitted))
    assert (first_log.logger, first_log.level) == (LOGGER, logging.DEBUG)
    assert first_log.message == f"Executing subprocess with the following arguments {[str(tool.path), *call.argv]}"


def test_windows_runs_from_systemroot_and_is_unavailable_without_it(tmp_path):
    tool = FakeTool(tmp_path, "azd", Reply(OUTPUT))
    path = f"{tool.bin_dir}:/usr/bin:/bin"
    windows = Host(env={"PATH": path, "SYSTEMROOT": str(tmp_path)}, system="Windows")
    assert AzureDeveloperCliCredential(host=windows).get_token(SCOPE).token.reveal() == "tok"
    assert tool.calls()[0].cwd == str(tmp_path)
    tool.reset_calls()
    with pytest.raises(CredentialUnavailableError) as info:
        AzureDeveloperCliCredential(host=Host(env={"PATH": path}, system="Windows")).get_token(SCOPE)
    assert info.value.message == FAILED_TO_INVOKE_THE_CLI
    assert tool.calls() == []
