"""The child environment of a scenario: inherited variables scrubbed, sandbox wiring and scenario variables added."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

# Prefixes and names that could point a credential at a real account, endpoint, CA or keyring.
STRIPPED_PREFIXES = ("AZURE_", "IDENTITY_", "MSI_", "MSAL_", "AZUREPS_", "GNOME_KEYRING", "XDG_")
STRIPPED_NAMES = frozenset(
    {
        "IMDS_ENDPOINT",
        "BROWSER",
        "REQUEST_METHOD",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "NO_PROXY",
        "no_proxy",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "DBUS_SESSION_BUS_ADDRESS",
        "USERPROFILE",
        "LOCALAPPDATA",
        "APPDATA",
        "NO_COLOR",
        "AWS_CA_BUNDLE",
        "AZD_CONFIG_DIR",
        "AZURE_CONFIG_DIR",
    }
)
SYSTEM_PATH = ("/usr/bin", "/bin")
LOOPBACK_NO_PROXY = "localhost,127.0.0.1,::1"
_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^}]+))?\}")
UNKNOWN_PLACEHOLDER = "scenario variable {name}: unknown placeholder {{{placeholder}}}"


# A frozen build's own runtime bookkeeping (PyInstaller's bootloader); a child that inherits it would take
# itself for part of this app (a frozen Chainsight as CMD, or the frozen tool shims).
FROZEN_RUNTIME_PREFIX = "_PYI_"


def is_stripped(name: str) -> bool:
    return name in STRIPPED_NAMES or name.startswith(STRIPPED_PREFIXES)


def is_frozen_runtime(name: str, value: str, bundle: str | None = None) -> bool:
    """Set by a frozen build for itself: PyInstaller's variables, and paths into the bundle (its runtime hooks
    point QT_PLUGIN_PATH there), which would load this app's Qt plugins into CMD's own Qt."""
    bundle = getattr(sys, "_MEIPASS", None) if bundle is None else bundle
    if not bundle:
        return False
    inside = os.path.join(bundle, "")
    return name.startswith(FROZEN_RUNTIME_PREFIX) or any(
        p == bundle or p.startswith(inside) for p in value.split(os.pathsep)
    )


def search_path(bin_dir: Path) -> list[str]:
    """Tool shims first, then the running interpreter's directory (so `python` is this one; in a frozen build
    the app's folder, so `chainsight` is this one), then /usr/bin:/bin."""
    dirs = [str(bin_dir), str(Path(sys.executable).parent), *SYSTEM_PATH]
    return list(dict.fromkeys(dirs))


def shadowed_tools(names: set[str], path_dirs: list[str]) -> set[str]:
    """Absent-in-scenario tools that a real installation would still provide on the sandbox PATH."""
    rest = os.pathsep.join(path_dirs[1:])
    return {n for n in names if shutil.which(n, path=rest)}


def substitute(name: str, value: str, values: Mapping[str, str]) -> str:
    """Fill `{home}`, `{cert:app}` etc. in a scenario variable's value."""

    def fill(match: re.Match[str]) -> str:
        key = match[1] if match[2] is None else f"{match[1]}:{match[2]}"
        if key not in values:
            raise ValueError(UNKNOWN_PLACEHOLDER.format(name=name, placeholder=key))
        return values[key]

    return _PLACEHOLDER.sub(fill, value)


def build(
    base: Mapping[str, str],
    *,
    bin_dir: Path,
    home: Path,
    proxy_url: str,
    ca_bundle: Path,
    wiring: Mapping[str, str],
    scenario_env: Mapping[str, str],
    values: Mapping[str, str],
) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not is_stripped(k) and not is_frozen_runtime(k, v)}
    env.update(
        {
            "PATH": os.pathsep.join(search_path(bin_dir)),
            "HOME": str(home),
            "HTTPS_PROXY": proxy_url,
            "https_proxy": proxy_url,
            "HTTP_PROXY": proxy_url,
            "http_proxy": proxy_url,
            "NO_PROXY": LOOPBACK_NO_PROXY,
            "no_proxy": LOOPBACK_NO_PROXY,
            "REQUESTS_CA_BUNDLE": str(ca_bundle),
            "CURL_CA_BUNDLE": str(ca_bundle),
            "SSL_CERT_FILE": str(ca_bundle),
        }
    )
    env.update(wiring)
    env.update({k: substitute(k, v, values) for k, v in scenario_env.items()})
    return env
