"""The pinned real Azure CLI, installed from PyPI into a venv cached outside the repository.

The venv lives in ``~/.cache/chainsight/realtools/azure-cli-<version>`` (or under $CHAINSIGHT_REALTOOLS_CACHE)
and is reused while its az answers `az version` with the pinned release; otherwise it is rebuilt (about
730 MB; minutes on a cold machine). It is built under a temporary name and renamed when complete, so an
interrupted build never passes for a finished one. `python -m azure.cli` runs it: a renamed venv's
console scripts would point at the old path, its interpreter does not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.cache_lock import exclusive
from tests.loopback import without_guard

AZURE_CLI_VERSION = "2.91.0"
CACHE_ENV = "CHAINSIGHT_REALTOOLS_CACHE"
BUILD_FAILED = "could not install azure-cli=={version} into {path} (pip exit {code}); pip's last lines:\n{tail}"


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "chainsight" / "realtools")


def venv_path(version: str = AZURE_CLI_VERSION) -> Path:
    return cache_root() / f"azure-cli-{version}"


def az_argv(venv: Path) -> list[str]:
    return [str(venv / "bin" / "python"), "-m", "azure.cli"]


def installed_version(venv: Path) -> str | None:
    """The azure-cli version the venv holds, read from package metadata (runs no az code, no network)."""
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, json; print(json.dumps(m.version('azure-cli')))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(probe.stdout) if probe.returncode == 0 else None


def ensure(version: str = AZURE_CLI_VERSION, log=print) -> Path:
    """The venv with azure-cli==version, reused when present, built when not; says how long that took."""
    venv = venv_path(version)
    with exclusive(venv):  # parallel test workers: one builds, the others wait and reuse it
        return _ensure(version, venv, log)


def _ensure(version: str, venv: Path, log) -> Path:
    started = time.monotonic()
    if installed_version(venv) == version:
        log(f"realtools: reusing {venv} (checked in {time.monotonic() - started:.1f} s)")
        return venv
    building = venv.with_name(venv.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    shutil.rmtree(venv, ignore_errors=True)
    building.parent.mkdir(parents=True, exist_ok=True)
    log(f"realtools: building {venv} (azure-cli=={version} from PyPI; minutes on a cold machine)")
    subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, timeout=300)
    pip = subprocess.run(
        [
            str(building / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"azure-cli=={version}",
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        env=without_guard(dict(os.environ)),  # the one child that must leave loopback: pip reaching PyPI
    )
    if pip.returncode != 0:
        tail = "\n".join((pip.stderr or pip.stdout).strip().splitlines()[-5:])
        shutil.rmtree(building, ignore_errors=True)
        raise RuntimeError(BUILD_FAILED.format(version=version, path=venv, code=pip.returncode, tail=tail))
    building.rename(venv)
    log(f"realtools: built {venv} in {time.monotonic() - started:.0f} s")
    return venv
