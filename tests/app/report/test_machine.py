"""The machine section: tool versions asked through the Host never hang or crash the report."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from app.report import machine
from engine.host import Host
from engine.secrets import REDACTED
from tests.app.report import samples


def _tool(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def tools_host(tmp_path: Path) -> tuple[Host, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return Host(env={"PATH": str(bin_dir), "HOME": str(tmp_path)}), bin_dir


@pytest.mark.parametrize(
    ("parse", "output", "expected"),
    [
        (machine.parse_az_version, '{"azure-cli": "2.67.0", "extensions": {}}', "2.67.0"),
        (machine.parse_az_version, "azure-cli                         2.50.0 *\n\ncore  2.50.0", "2.50.0"),
        (machine.parse_az_version, '{"azure-cli": {"nested": 1}}', None),
        (machine.parse_az_version, "<html>not json</html>", None),
        (machine.parse_az_version, "[1, 2]", None),
        (machine.parse_azd_version, "azd version 1.21.1 (commit 0000)", "1.21.1"),
        (machine.parse_azd_version, "{ token: oops }", None),
        (machine.parse_pwsh_version, "PowerShell 7.4.6\n", "7.4.6"),
        (machine.parse_pwsh_version, "", None),
    ],
)
def test_version_parsers_read_what_the_tools_print_and_reject_the_rest(parse, output, expected) -> None:
    assert parse(output) == expected


def test_versions_of_tools_that_answer_are_reported_with_their_path(tools_host) -> None:
    host, bin_dir = tools_host
    _tool(bin_dir, "az", 'print(\'{"azure-cli": "2.67.0"}\')')
    _tool(bin_dir, "azd", 'print("azd version 1.21.1 (commit abc)")')
    found = {t["name"]: t for t in machine.tool_versions(host, timeout=20)}
    assert found["az"] == {"name": "az", "path": str(bin_dir / "az"), "version": "2.67.0", "note": ""}
    assert found["azd"]["version"] == "1.21.1"
    assert found["pwsh"] == {"name": "pwsh", "path": None, "version": None, "note": machine.NOT_FOUND}


def test_a_hanging_tool_is_killed_after_the_timeout_and_the_others_still_answer(tools_host) -> None:
    host, bin_dir = tools_host
    _tool(bin_dir, "az", "time.sleep(60)")
    _tool(bin_dir, "pwsh", 'print("PowerShell 7.4.6")')
    started = time.monotonic()
    found = {t["name"]: t for t in machine.tool_versions(host, timeout=1.0)}
    assert time.monotonic() - started < 15  # the 60 s sleeper was killed, not waited for
    assert found["az"]["version"] is None
    assert found["az"]["note"] == machine.TIMED_OUT.format(seconds=1.0)
    assert found["pwsh"]["version"] == "7.4.6"


def test_garbage_and_failures_are_reported_masked_printable_and_short(tools_host) -> None:
    host, bin_dir = tools_host
    garbage = f"sys.stdout.buffer.write(b'\\x00\\xff\\x1b[31m{samples.ACCESS_TOKEN} ' + b'x' * 500)"
    _tool(bin_dir, "az", garbage)
    _tool(bin_dir, "azd", "sys.stderr.write('ERROR: broken\\n'); sys.exit(3)")
    found = {t["name"]: t for t in machine.tool_versions(host, timeout=20)}
    note = found["az"]["note"]
    assert note.startswith("printed no version we recognise: ")
    assert samples.ACCESS_TOKEN not in note and REDACTED in note
    assert all(ch.isprintable() for ch in note) and len(note) < 200
    assert found["azd"]["note"] == machine.EXITED.format(status=3, output="ERROR: broken")


def test_a_tool_that_cannot_start_is_reported_not_raised(tools_host) -> None:
    host, bin_dir = tools_host
    (bin_dir / "az").write_text("#!/nonexistent/interpreter\n")
    (bin_dir / "az").chmod(0o755)
    found = {t["name"]: t for t in machine.tool_versions(host, timeout=5)}
    assert found["az"]["note"].startswith("could not be started: ")


def test_chain_variables_show_names_and_mask_every_secret_value() -> None:
    host = samples.canary_host()
    variables = {v["name"]: v["value"] for v in machine.chain_variables(host)}
    assert variables["AZURE_CLIENT_ID"] == samples.APP_ID
    for name in ("AZURE_CLIENT_SECRET", "AZURE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD"):
        assert variables[name] == REDACTED
    assert "PATH" not in variables
    assert machine.overlay_entries(host) == [{"name": "AZURE_CLIENT_SECRET", "value": REDACTED, "unset": False}]
    assert set(machine.known_secrets(host)) == {samples.CLIENT_SECRET, samples.PASSWORD, samples.CERT_PASSWORD}


def test_collect_machine_describes_os_python_and_label(tools_host) -> None:
    host, _ = tools_host
    found = machine.collect_machine(host, timeout=5)
    assert found["label"] == "this machine"
    assert found["python"].split()[-1].count(".") == 2
    assert found["os"] and [t["name"] for t in found["tools"]] == ["az", "azd", "pwsh"]
