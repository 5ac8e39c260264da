"""AzurePowerShellCredential: the script, its command line, output parsing, classification, Windows fallback."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field

import pytest

from engine import events
from engine.credentials._internal import cli_output, powershell_script
from engine.credentials._internal.developer_tools import ToolOutput
from engine.credentials.azure_powershell import (
    AZ_ACCOUNT_NOT_INSTALLED,
    BLOCKED_BY_EXECUTION_POLICY,
    FAILED_TO_INVOKE,
    FAILED_TO_START,
    LOGGER,
    POWERSHELL_NOT_INSTALLED,
    RUN_CONNECT_AZ_ACCOUNT,
    AzurePowerShellCredential,
    raise_for_error,
)
from engine.errors import CredentialUnavailableError
from engine.host import Host, ProcessResult
from tests.doubles.fake_tools import FakeTool, Reply

SCOPE = "https://management.azure.com/.default"
NOT_RECOGNIZED = "'pwsh' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("\nazsdk%tok%1767225600\n\n", ("tok", 1767225600)),
        ("MOTD line\r\n  azsdk%tok%5  trailing", ("tok", 5)),
        ("azsdk%a%1\nazsdk%b%2", ("a", 1)),
        ("no marker here", None),
        ("", None),
    ],
)
def test_parse_pwsh_token_takes_the_first_marker_word(output, expected):
    assert cli_output.parse_pwsh_token(output) == expected


@pytest.mark.parametrize("output", ["azsdk%tok", "azsdk%tok%1%2", "azsdk%tok%soon"])
def test_parse_pwsh_token_lets_a_malformed_marker_raise_value_error_without_the_token(output):
    with pytest.raises(ValueError) as info:
        cli_output.parse_pwsh_token(output)
    assert "tok" not in str(info.value).replace("soon", "")


def test_script_carries_resource_and_tenant_and_encodes_as_utf16_base64():
    text = powershell_script.script("https://vault.azure.net", "tenant-2")
    assert "$params = @{ 'ResourceUrl' = 'https://vault.azure.net'; 'WarningAction' = 'Ignore' }" in text
    assert "$tenantId = 'tenant-2'" in text
    assert "Write-Output NO_AZ_ACCOUNT_MODULE" in text
    assert text.endswith('Write-Output "`nazsdk%$($tokenValue)%$($token.ExpiresOn.ToUnixTimeSeconds())`n"\n')
    assert base64.b64decode(powershell_script.encoded_command(text)).decode("utf-16-le") == text


def test_command_line_uses_sh_elsewhere_and_cmd_on_windows():
    posix = powershell_script.command_line("r", "", windows=False)
    windows = powershell_script.command_line("r", "", windows=True)
    assert posix[:2] == ["/bin/sh", "-c"] and posix[2].startswith("pwsh -NoProfile -NonInteractive -EncodedCommand ")
    assert windows[:2] == ["cmd", "/c"] and windows[2].endswith(" & exit")
    fallback = powershell_script.with_windows_powershell(windows)
    assert fallback[2] == windows[2].replace("pwsh", "powershell", 1)
    assert fallback[2].startswith("powershell -NoProfile")


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "message"),
    [
        (0, "NO_AZ_ACCOUNT_MODULE\n", "", AZ_ACCOUNT_NOT_INSTALLED),
        (127, "", "", POWERSHELL_NOT_INSTALLED),
        (1, "", NOT_RECOGNIZED, POWERSHELL_NOT_INSTALLED),
        (1, "", "Get-AzAccessToken: Run Connect-AzAccount to login.", RUN_CONNECT_AZ_ACCOUNT),
        (1, "", "AuthorizationManager check failed.", BLOCKED_BY_EXECUTION_POLICY),
        (42, "", "", FAILED_TO_INVOKE),
    ],
)
def test_raise_for_error_is_always_unavailable(returncode, stdout, stderr, message):
    with pytest.raises(CredentialUnavailableError) as info:
        raise_for_error(ToolOutput(returncode, stdout, stderr))
    assert info.value.message == message


def test_raise_for_error_logs_unclassified_stderr_at_debug():
    recorder = events.Recorder()
    with events.recording(recorder), pytest.raises(CredentialUnavailableError):
        raise_for_error(ToolOutput(42, "", "boom\n"))
    (line,) = [e for e in recorder.events if isinstance(e, events.LogEmitted)]
    assert (line.logger, line.level) == (LOGGER, logging.DEBUG)
    assert line.message == 'AzurePowerShellCredential received an error from Azure PowerShell: "boom\n"'


def test_raise_for_error_accepts_a_clean_exit():
    raise_for_error(ToolOutput(0, "azsdk%t%1", ""))


def _windows(tmp_path, *replies, systemroot=True):
    cmd = FakeTool(tmp_path, "cmd", *replies)
    env = {"PATH": f"{cmd.bin_dir}:/usr/bin:/bin"}
    if systemroot:
        env["SYSTEMROOT"] = str(tmp_path)
    return Host(env=env, system="Windows"), cmd


def test_windows_retries_once_with_windows_powershell_when_pwsh_is_not_recognized(tmp_path):
    host, cmd = _windows(tmp_path, Reply(stderr=NOT_RECOGNIZED, code=1), Reply("\r\nazsdk%tok%42\r\n"))
    token = AzurePowerShellCredential(host=host).get_token(SCOPE)
    assert (token.token.reveal(), token.expires_on) == ("tok", 42)
    first_call, second_call = cmd.calls()
    assert first_call.argv[0] == "/c" and first_call.argv[1].startswith("pwsh -NoProfile")
    assert second_call.argv[1] == first_call.argv[1].replace("pwsh", "powershell", 1)
    assert first_call.cwd == str(tmp_path)


@dataclass(frozen=True)
class ScriptedHost(Host):
    """A host whose processes exit as scripted: POSIX cannot exit 9009 as cmd.exe does."""

    replies: tuple = ()
    spawned: list = field(default_factory=list)

    def run(self, argv, *, env=None, cwd=None, timeout=None, label=None):
        self.spawned.append(list(argv))
        code, stdout = self.replies[len(self.spawned) - 1]
        return ProcessResult(tuple(argv), code, stdout, "", 0.01, stdout.encode(), b"")


def test_windows_retries_once_with_windows_powershell_on_exit_9009():
    host = ScriptedHost(env={"SystemRoot": "C:\\Windows"}, system="Windows", replies=((9009, ""), (0, "azsdk%t%7")))
    assert AzurePowerShellCredential(host=host).get_token(SCOPE).expires_on == 7
    assert [argv[2].split()[0] for argv in host.spawned] == ["pwsh", "powershell"]


def test_windows_without_any_powershell_is_not_installed_after_one_retry(tmp_path):
    host, cmd = _windows(tmp_path, Reply(stderr=NOT_RECOGNIZED, code=1))
    with pytest.raises(CredentialUnavailableError) as info:
        AzurePowerShellCredential(host=host).get_token(SCOPE)
    assert info.value.message == POWERSHELL_NOT_INSTALLED
    assert len(cmd.calls()) == 2


def test_windows_without_cmd_or_systemroot_fails_to_start(tmp_path):
    host = Host(env={"PATH": str(tmp_path), "SYSTEMROOT": str(tmp_path)}, system="Windows")
    with pytest.raises(CredentialUnavailableError) as info:
        AzurePowerShellCredential(host=host).get_token(SCOPE)
    assert info.value.message == FAILED_TO_START
    host, cmd = _windows(tmp_path, Reply("azsdk%t%1"), systemroot=False)
    with pytest.raises(CredentialUnavailableError) as info:
        AzurePowerShellCredential(host=host).get_token(SCOPE)
    assert info.value.message == FAILED_TO_START
    assert cmd.calls() == []


def test_linux_never_falls_back_to_windows_powershell(tmp_path):
    pwsh = FakeTool(tmp_path, "pwsh", Reply(stderr=NOT_RECOGNIZED, code=1), Reply("azsdk%t%1"))
    host = Host(env={"PATH": f"{pwsh.bin_dir}:/usr/bin:/bin"})
    with pytest.raises(CredentialUnavailableError) as info:
        AzurePowerShellCredential(host=host).get_token(SCOPE)
    assert info.value.message == POWERSHELL_NOT_INSTALLED
    assert len(pwsh.calls()) == 1
