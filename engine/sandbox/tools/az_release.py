"""What differs between the az releases the sandbox's az can be: version tables and texts.

2.91 is the default (the release the real-tools tier pins); a scenario may choose 2.67, whose text after an
Entra error is the older "Interactive authentication is needed" form. Sources: azure-cli's
``azure/cli/core/auth/util.py`` (aad_error_handler) and ``util.py`` (get_az_version_string) of each release.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

DEFAULT = "2.91"


@dataclass(frozen=True)
class Release:
    version: str
    msal: str
    mgmt_resource: str

    def relogin(self, tenant: str, scopes: list[str]) -> str:
        """The recommendation az prints after an Entra error from a silent token request."""
        if self.version.startswith("2.67"):
            return "Interactive authentication is needed. Please run:\naz login --scope " + " ".join(scopes)
        command = ["az login"]
        if tenant:
            command += ["--tenant", f'"{tenant}"']
        if scopes:
            command += ["--scope", *(f'"{s}"' for s in scopes)]
        return (
            "Run the command below to authenticate interactively; additional arguments may be added as needed:\n"
            "az logout\n" + " ".join(command)
        )

    def version_json(self) -> dict:
        return {
            "azure-cli": self.version,
            "azure-cli-core": self.version,
            "azure-cli-telemetry": "1.1.0",
            "extensions": {},
        }

    def version_text(self, config_dir: str) -> str:
        """`az --version`: the text table (offline, so no "updates available" column)."""

        def row(name: str, version: str) -> str:
            return name.ljust(25) + version.rjust(15)

        lines = [
            row("azure-cli", self.version),
            "",
            row("core", self.version),
            row("telemetry", "1.1.0"),
            "",
            "Dependencies:",
            row("msal", self.msal),
            row("azure-mgmt-resource", self.mgmt_resource),
            "",
            f"Python location '{sys.executable}'",
            f"Config directory '{config_dir}'",
            f"Extensions directory '{config_dir}/cliextensions'",
            "",
            f"Python ({platform.system()}) {sys.version}",
            "",
            "Legal docs and information: aka.ms/AzureCliLegal",
            "",
            "",
            "",
        ]
        return "\n".join(lines)


RELEASES = {
    "2.91": Release("2.91.0", msal="1.39.0", mgmt_resource="24.0.0"),
    "2.67": Release("2.67.0", msal="1.31.0", mgmt_resource="23.1.1"),
}


def release(name: str | None) -> Release:
    return RELEASES.get(name or DEFAULT, RELEASES[DEFAULT])
