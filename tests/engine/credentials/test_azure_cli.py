"""AzureCliCredential: output parsing, masking, failure classification, Windows launch, records."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest

from engine import events
from engine.context import within_dac
from engine.credentials._internal import cli_output
from engine.credentials._internal.developer_tools import ToolOutput
from engine.credentials.azure_cli import (
    CLI_NOT_FOUND,
    FAILED_TO_INVOKE,
    FAILED_TO_INVOKE_THE_CLI,
    LOGGER,
    NOT_LOGGED_IN,
    AzureCliCredential,
    classify_failure,
)
from engine.errors import ClientAuthenticationError, CredentialUnavailableError
from engine.host import Host
from tests.doubles.fake_tools import FakeTool, Reply

SCOPE = "https://management.azure.com/.default"
OUTPUT = json.dumps({"accessToken": "tok", "expires_on": 1767225600, "expiresOn": "2026-01-01 00:00:00.000000"})


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (OUTPUT, ("tok", 1767225600)),
        ('{"accessToken": "tok", "expires_on": "1767225600"}', ("tok", 1767225600)),
        ('{"accessToken": "tok", "expires_on": 1767225600.9}', ("tok", 1767225600)),
        ('{"accessToken": "tok"}', None),
        ('{"expires_on": 1}', None),
        ('{"accessToken": "tok", "expires_on": "soon"}', None),
        ('{"accessToken": "tok", "expiresOn": "2026-01-01T00:00:00Z"}', None),
        ("not json", None),
        ("", None),
    ],
)
def test_parse_az_token_prefers_expires_on_and_returns_none_for_bad_output(output, expected):
    assert cli_output.parse_az_token(output) == expected


def test_parse_az_token_reads_expiresOn_as_naive_local_time():
    local = datetime(2026, 1, 1, 12, 30, 15, 250000)
    output = json.dumps({"accessToken": "tok", "expiresOn": local.strftime("%Y-%m-%d %H:%M:%S.%f")})
    assert cli_output.parse_az_token(output) == ("tok", int(local.timestamp()))


@pytest.mark.parametrize("output", ["[]", "null", "42", '"text"'])
def test_parse_az_token_lets_non_object_json_escape_as_type_error_like_azure_identity(output):
    with pytest.raises(TypeError):
        cli_output.parse_az_token(output)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ('{"accessToken": "secret", "x": 1}', '{****, "x": 1}'),
        ('{"accessToken": "secret', "{****"),
        ('{"accessToken":"secret","x":1}', '{****,"x":1}'),  # azure-identity would show this one
        ('{"accessToken" :  "secret"}', "{****}"),
        ("no token here", "no token here"),
    ],
)
def test_sanitize_az_masks_every_access_token(text, masked):
    assert cli_output.sanitize_az(text) == masked


@pytest.mark.parametrize(
    ("returncode", "stderr", "dac", "error", "message"),
    [
        (127, "", False, CredentialUnavailableError, CLI_NOT_FOUND),
        (
            1,
            "'az' is not recognized as an internal or external command",
            False,
            CredentialUnavailableError,
            CLI_NOT_FOUND,
        ),
        (1, "ERROR: Please run 'az login' to setup account.", False, CredentialUnavailableError, NOT_LOGGED_IN),
        (1, "Run 'az account set' first", False, CredentialUnavailableError, NOT_LOGGED_IN),
        (1, "AADSTS50076: MFA. Run az login", False, ClientAuthenticationError, "AADSTS50076: MFA. Run az login"),
        (1, "AADSTS50076: MFA. Run az login", True, CredentialUnavailableError, "AADSTS50076: MFA. Run az login"),
        (42, "ERROR: boom\n", False, ClientAuthenticationError, "ERROR: boom\n"),
        (42, "ERROR: boom\n", True, CredentialUnavailableError, "ERROR: boom\n"),
        (1, "", False, ClientAuthenticationError, FAILED_TO_INVOKE),
        (1, '{"accessToken": "secret"}', False, ClientAuthenticationError, "{****}"),
    ],
)
def test_classify_failure_follows_azure_identity_order(returncode, stderr, dac, error, message):
    flag = within_dac.set(dac)
    try:
        result = classify_failure(ToolOutput(returncode, "", stderr))
    finally:
        within_dac.reset(flag)
    assert type(result) is error
    assert result.message == message


def _windows_host(tmp_path, names, systemroot=True):
    """A Windows-flavoured host whose PATH holds the fake az under each of ``names``."""
    tool = FakeTool(tmp_path, "az", Reply(OUTPUT))
    script = tool.path.read_text()
    tool.path.unlink()
    for name in names:
        (tool.bin_dir / name).write_text(script)
        (tool.bin_dir / name).chmod(0o755)
    env = {"PATH": f"{tool.bin_dir}:/usr/bin:/bin"}
    if systemroot:
        env["SystemRoot"] = str(tmp_path)  # Windows spells it this way; lookups ignore case there
    return Host(env=env, system="Windows"), tool


def _spawned(call):
    recorder = events.Recorder()
    with events.recording(recorder):
        result = call()
    return result, [e.detail["argv"][0] for e in recorder.events if isinstance(e, events.StepStarted)]


def test_windows_prefers_az_cmd_and_runs_from_systemroot(tmp_path):
    host, tool = _windows_host(tmp_path, ["az.cmd", "az"])
    token, spawned = _spawned(lambda: AzureCliCredential(host=host).get_token(SCOPE))
    assert token.token.reveal() == "tok"
    assert spawned == [str(tool.bin_dir / "az.cmd")]
    (call,) = tool.calls()
    assert call.cwd == str(tmp_path)
    assert call.env["AZURE_CORE_NO_COLOR"] == "true"


def test_windows_falls_back_to_plain_az(tmp_path):
    host, tool = _windows_host(tmp_path, ["az"])
    token, spawned = _spawned(lambda: AzureCliCredential(host=host).get_token(SCOPE))
    assert token.expires_on == 1767225600
    assert spawned == [str(tool.bin_dir / "az")]


def test_windows_without_systemroot_is_unavailable_and_runs_nothing(tmp_path):
    host, tool = _windows_host(tmp_path, ["az.cmd"], systemroot=False)
    with pytest.raises(CredentialUnavailableError) as info:
        AzureCliCredential(host=host).get_token(SCOPE)
    assert info.value.message == FAILED_TO_INVOKE_THE_CLI
    assert tool.calls() == []


def test_each_call_logs_its_argv_and_records_a_process_step(tmp_path):
    tool = FakeTool(tmp_path, "az", Reply(OUTPUT))
    host = Host(env={"PATH": f"{tool.bin_dir}:/usr/bin:/bin"})
    recorder = events.Recorder()
    with events.recording(recorder):
        AzureCliCredential(host=host, subscription="sub-1").get_token(SCOPE, tenant_id="tenant-2")
    argv = [
        str(tool.path),
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        "https://management.azure.com",
        "--tenant",
        "tenant-2",
        "--subscription",
        "sub-1",
    ]
    logs = [(e.logger, e.level, e.message) for e in recorder.events if isinstance(e, events.LogEmitted)]
    assert logs[0] == (LOGGER, logging.DEBUG, f"Executing subprocess with the following arguments {argv}")
    assert logs[1][2] == "AzureCliCredential.get_token succeeded"
    steps = [e for e in recorder.events if isinstance(e, events.StepStarted)]
    assert [(s.kind, s.detail["argv"], s.detail["cwd"]) for s in steps] == [("process", argv, "/bin")]


def test_every_call_runs_az_again_because_nothing_is_cached(tmp_path):
    tool = FakeTool(tmp_path, "az", Reply(OUTPUT))
    credential = AzureCliCredential(host=Host(env={"PATH": f"{tool.bin_dir}:/usr/bin:/bin"}))
    for _ in range(3):
        credential.get_token(SCOPE)
    assert len(tool.calls()) == 3
