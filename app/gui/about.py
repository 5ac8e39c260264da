"""The About box: what Chainsight is, and the versions that matter when reporting a problem."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from engine.profiles import PROFILES, get_profile

ABOUT_TEXT = (
    "<h3>Chainsight {version}</h3>"
    "<p>Inspect Azure Identity credential chains on your own machine: which credentials are usable, "
    "which one <code>DefaultAzureCredential</code> picks, as which account, and why.</p>"
)


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def versions(profile: str | None = None) -> list[tuple[str, str]]:
    """(label, version) pairs shown in the About box and copied into bug reports."""
    chosen = get_profile(profile)
    return [
        ("Chainsight", package_version("chainsight")),
        ("azure-identity behaviour", f"{chosen.version} (profiles: {', '.join(p.version for p in PROFILES.values())})"),
        ("msal", package_version("msal")),
        ("PySide6 / Qt", f"{PySide6.__version__} / {qVersion()}"),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
    ]


def about_html(profile: str | None = None) -> str:
    rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in versions(profile))
    return ABOUT_TEXT.format(version=package_version("chainsight")) + f"<table>{rows}</table>"


def show_about(parent: QWidget, profile: str | None = None) -> None:
    QMessageBox.about(parent, "About Chainsight", about_html(profile))
