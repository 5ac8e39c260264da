"""Sandbox folders left behind by a sandbox that was killed (SIGKILL, power loss) are found and removed.

Each sandbox writes an owner file (its pid and that process's start time) into its folder. A folder
whose owner is no longer running is an orphan: it holds fake refresh tokens, passwords and a server key,
so the next sandbox start removes it. Folders without an owner file are left alone: they may belong to a
running sandbox of an older version.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

FOLDER_PREFIX = "chainsight-sandbox-"
OWNER_FILE = "owner"


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), or None if it is not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may contain spaces and parentheses: split after its last ")"
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def write_owner(folder: Path) -> None:
    """Mark ``folder`` as this process's."""
    pid = os.getpid()
    (folder / OWNER_FILE).write_text(f"{pid} {process_start_time(pid) or ''}\n")


def is_orphan(folder: Path) -> bool:
    try:
        pid_text, _, started = (folder / OWNER_FILE).read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return False
    if not Path("/proc").is_dir():  # no way to tell elsewhere: only a vanished pid counts
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    current = process_start_time(pid)
    return current is None or (bool(started) and current != started)


def remove_orphans(parent: Path | None = None) -> list[Path]:
    """Remove this user's orphaned sandbox folders under ``parent`` (the temp folder); returns them."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for folder in parent.glob(f"{FOLDER_PREFIX}*"):
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        if is_orphan(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
