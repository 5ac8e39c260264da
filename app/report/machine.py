"""The machine a report describes: OS, Python, the developer tools found, and the chain's variables.

Tools are asked for their version through the Host (the machine as credentials see it, sandbox
included), in parallel and with a short timeout: a hanging tool is killed and reported as such, a
tool printing garbage is reported with what it printed (masked and cut short). Nothing here raises.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from engine.env_vars import CHAIN_VARIABLES, SECRET_VARIABLES
from engine.host import Host
from engine.secrets import REDACTED, redact_text

TOOL_TIMEOUT = 6.0  # seconds; `az version` takes 1-3 s on a slow laptop, a hung tool must not hold a report
SHOWN_OUTPUT = 120  # characters of unexpected output kept in the report

NOT_FOUND = "not found on PATH"
TIMED_OUT = "did not answer within {seconds:g} s (killed)"
CANNOT_START = "could not be started: {error}"
EXITED = "exited with status {status}: {output}"
UNRECOGNISED = "printed no version we recognise: {output}"
NO_OUTPUT = "(no output)"


@dataclass(frozen=True)
class ToolQuery:
    """How to ask one developer tool for its version, and how to read the answer."""

    name: str
    argv: tuple[str, ...]
    parse: Callable[[str], str | None]


def parse_az_version(stdout: str) -> str | None:
    """``az version -o json`` prints {"azure-cli": "2.67.0", ...}; older builds print a table."""
    try:
        data = json.loads(stdout)
    except ValueError:
        match = re.search(r"^azure-cli\s+(\d[\w.+-]*)", stdout, re.MULTILINE)
        return match.group(1) if match else None
    version = data.get("azure-cli") if isinstance(data, dict) else None
    return version if isinstance(version, str) and re.fullmatch(r"\d[\w.+-]*", version) else None


def parse_azd_version(stdout: str) -> str | None:
    """``azd version`` prints "azd version 1.21.1 (commit …)"."""
    match = re.search(r"\bazd version (\d[\w.+-]*)", stdout)
    return match.group(1) if match else None


def parse_pwsh_version(stdout: str) -> str | None:
    """``pwsh --version`` prints "PowerShell 7.4.6"."""
    match = re.search(r"\bPowerShell (\d[\w.+-]*)", stdout)
    return match.group(1) if match else None


TOOLS = (
    ToolQuery("az", ("version", "--output", "json"), parse_az_version),
    ToolQuery("azd", ("version",), parse_azd_version),
    ToolQuery("pwsh", ("--version",), parse_pwsh_version),
)


def shown(text: str) -> str:
    """Unexpected tool output as a report may show it: printable, masked, on one line, cut short."""
    text = redact_text(text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if not text:
        return NO_OUTPUT
    return text if len(text) <= SHOWN_OUTPUT else text[: SHOWN_OUTPUT - 1] + "…"


def tool_version(host: Host, query: ToolQuery, timeout: float = TOOL_TIMEOUT) -> dict:
    """{"name", "path", "version", "note"}: version None with a note saying why when there is none."""
    path = host.which(query.name)
    entry = {"name": query.name, "path": path, "version": None, "note": ""}
    if path is None:
        return {**entry, "note": NOT_FOUND}
    try:
        result = host.run([path, *query.argv], timeout=timeout, label=f"{query.name} {' '.join(query.argv)}")
    except subprocess.TimeoutExpired:
        return {**entry, "note": TIMED_OUT.format(seconds=timeout)}
    except (OSError, ValueError) as ex:
        return {**entry, "note": CANNOT_START.format(error=shown(f"{type(ex).__name__}: {ex}"))}
    version = query.parse(result.stdout) if result.returncode == 0 else None
    if version is not None:
        return {**entry, "version": version}
    if result.returncode != 0:
        return {**entry, "note": EXITED.format(status=result.returncode, output=shown(result.stderr or result.stdout))}
    return {**entry, "note": UNRECOGNISED.format(output=shown(result.stdout))}


def tool_versions(host: Host, timeout: float = TOOL_TIMEOUT, tools: tuple[ToolQuery, ...] = TOOLS) -> list[dict]:
    """Every tool's version, asked at once: the wall time is the slowest tool's (at most ``timeout``)."""
    with ThreadPoolExecutor(max_workers=len(tools), thread_name_prefix="tool-version") as pool:
        return list(pool.map(lambda query: _safely(host, query, timeout), tools))


def _safely(host: Host, query: ToolQuery, timeout: float) -> dict:
    try:
        return tool_version(host, query, timeout)
    except Exception as ex:  # a report is written whatever one tool does
        return {"name": query.name, "path": None, "version": None, "note": shown(f"{type(ex).__name__}: {ex}")}


def chain_variables(host: Host) -> list[dict]:
    """The chain's variables that are set on ``host``, secrets masked, in the what-if editor's order."""
    return [
        {
            "name": name,
            "value": REDACTED if name in SECRET_VARIABLES else host.env[name],
            "secret": name in SECRET_VARIABLES,
        }
        for name in CHAIN_VARIABLES
        if name in host.env
    ]


def overlay_entries(host: Host) -> list[dict]:
    """The what-if overlay: variables set (value masked when secret) or unset, for the chain only."""
    return [
        {
            "name": name,
            "value": None if value is None else (REDACTED if name in SECRET_VARIABLES else value),
            "unset": value is None,
        }
        for name, value in sorted(host.overlay.items())
    ]


def known_secrets(host: Host) -> list[str]:
    """The values of the secret variables the chain can read: scrubbed from every string of a report."""
    values = [host.env.get(name) for name in SECRET_VARIABLES]
    values += [value for name, value in host.overlay.items() if name in SECRET_VARIABLES]
    return [v for v in values if v]


def os_description() -> str:
    """ "Linux 6.1.0-18-amd64 (Debian GNU/Linux 12 (bookworm))", "Darwin 23.4.0 (macOS 14.4)"…"""
    base = f"{platform.system()} {platform.release()}".strip()
    detail = ""
    try:
        if sys.platform == "darwin":
            detail = f"macOS {platform.mac_ver()[0]}" if platform.mac_ver()[0] else ""
        elif sys.platform == "win32":
            detail = " ".join(filter(None, platform.win32_ver()[:2]))
        elif hasattr(platform, "freedesktop_os_release"):
            detail = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:  # no /etc/os-release: the kernel is still worth saying
        detail = ""
    return f"{base} ({detail})" if detail else base or "unknown"


def python_description() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def collect_machine(host: Host, *, timeout: float = TOOL_TIMEOUT) -> dict:
    """The report's machine section (slow: asks each tool for its version; run it off the GUI thread)."""
    return {
        "label": host.label,
        "os": os_description(),
        "python": python_description(),
        "tools": tool_versions(host, timeout),
        "variables": chain_variables(host),
        "what_if": overlay_entries(host),
    }
