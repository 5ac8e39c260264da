"""Accounts remembered the azure-identity way, both directions, against the real azure-identity 1.27.

Plaintext: msal-extensions' file fallback (allow_unencrypted_storage=True) where this interpreter has no
PyGObject. Keyring: the real Secret Service (gnome-keyring under dbus-run-session) through libsecret, the store
azure-identity uses on Linux; the cache file is then only msal-extensions' signal file, without tokens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.sandbox import REPO_ROOT
from tests.system import require_oracle, require_system

require_oracle()

SCRIPT = Path(__file__).with_name("interop_script.py")
SYSTEM_GI = Path("/usr/lib/python3/dist-packages/gi")


def _run(argv: list[str], env: dict[str, str]) -> dict:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=240, cwd=REPO_ROOT, env=env)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(line.removeprefix("RESULT"))


LAB_EXEC = [sys.executable, "-m", "app", "sandbox", "exec", "--scenario", "browser-sign-in-lab", "--"]
# The sandbox strips the caller's D-Bus address (it never touches the real keyring): the keyring test starts its
# own session bus and gnome-keyring inside the sandbox, with the sandbox's home.
UNLOCKED_KEYRING = (
    "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec {python} {script} keyring"
)


def _assert_both_directions(result: dict) -> None:
    a, b = result["a"], result["b"]
    assert a["status"] == 0 and a["got"] == a["expected"] == "dev@contoso.com", a
    assert b["status"] == 0 and b["record_username"] == "mfa.dev@contoso.com", b
    assert b["azure_identity_silent"] == "ok", b


def test_plaintext_fallback_interoperates_both_ways(tmp_path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = _run([*LAB_EXEC, sys.executable, str(SCRIPT), "plaintext"], env)
    _assert_both_directions(result)
    assert result["a"]["plaintext_file_holds_tokens"] and result["b"]["plaintext_file_holds_tokens"]


@pytest.mark.needs_system
def test_secret_service_keyring_interoperates_both_ways(tmp_path) -> None:
    tools = all(shutil.which(t) for t in ("dbus-run-session", "gnome-keyring-daemon"))
    require_system(tools and SYSTEM_GI.exists(), "gnome-keyring, dbus and python3-gi (with gir1.2-secret-1)")
    gi_dir = tmp_path / "gi-only"
    gi_dir.mkdir()
    (gi_dir / "gi").symlink_to(SYSTEM_GI)  # PyGObject from Debian, for the same Python 3 minor version
    env = dict(os.environ, PYTHONPATH=f"{REPO_ROOT}:{gi_dir}")
    command = UNLOCKED_KEYRING.format(python=sys.executable, script=SCRIPT)
    result = _run([*LAB_EXEC, "dbus-run-session", "--", "sh", "-c", command], env)
    _assert_both_directions(result)
    assert not result["a"]["plaintext_file_holds_tokens"] and not result["b"]["plaintext_file_holds_tokens"]
