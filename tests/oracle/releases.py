"""Real azure-identity releases in their own venvs, cached outside the repository between runs.

Each venv holds one release plus the same msal / msal-extensions / azure-core this repository's
oracle uses, so a difference between two releases is azure-identity's own and nothing else's.
A venv is built when missing (about 10 s each) and reused afterwards; a half-built one (no marker
file) is rebuilt, one process at a time. ``python -m tests.oracle.releases`` builds them all, in parallel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cache_lock import exclusive
from tests.loopback import without_guard

# The latest patch of every minor release a profile stands for (pip index versions azure-identity).
RELEASES = ("1.19.0", "1.20.0", "1.21.0", "1.22.0", "1.23.1", "1.24.0", "1.25.3", "1.26.0", "1.27.0")
# Pinned alongside each release: the versions this repository's in-process oracle runs.
COMPANIONS = ("msal==1.39.0", "msal-extensions==1.3.1", "azure-core==1.41.0", "requests==2.34.2")
CACHE_ENV = "CHAINSIGHT_ORACLE_CACHE"
READY = "chainsight-ready"
BUILD_FAILED = "could not build a venv for azure-identity {version} in {path}: {detail}"


def cache_root() -> Path:
    """~/.cache/chainsight/oracle of the real user, or $CHAINSIGHT_ORACLE_CACHE.

    Not $HOME: tests run with an empty HOME of their own, which would rebuild every venv every run.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    try:
        import pwd  # POSIX: the account's home, whatever HOME says

        home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    except ImportError:  # Windows: the profile folder (tests do not redirect it)
        home = Path(os.environ.get("USERPROFILE") or Path.home())
    return home / ".cache" / "chainsight" / "oracle"


def venv_path(version: str) -> Path:
    return cache_root() / f"azure-identity-{version}"


def interpreter(version: str) -> Path:
    """The venv's python, building the venv first when it is missing or half-built."""
    path = venv_path(version)
    python = path / "bin" / "python"
    if (path / READY).is_file() and python.exists():
        return python
    with exclusive(path):
        return _build(version, path, python)


def _build(version: str, path: Path, python: Path) -> Path:
    if (path / READY).is_file() and python.exists():  # another worker built it while this one waited
        return python
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, capture_output=True, timeout=300)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                f"azure-identity=={version}",
                *COMPANIONS,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
            env=without_guard(dict(os.environ)),  # the one child that must leave loopback: pip reaching PyPI
        )
    except subprocess.CalledProcessError as ex:
        raise RuntimeError(BUILD_FAILED.format(version=version, path=path, detail=(ex.stderr or "")[-2000:])) from ex
    (path / READY).write_text(version)
    return python


def build_all(versions: tuple[str, ...] = RELEASES) -> dict[str, Path]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(versions, pool.map(interpreter, versions), strict=True))


if __name__ == "__main__":
    for version, python in build_all(tuple(sys.argv[1:]) or RELEASES).items():
        print(version, python)
