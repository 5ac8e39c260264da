"""Processes the tests start and must not leave behind: is one still running, did it end in time."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a zombie has ended; only its parent has not reaped it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def ended(pid: int, within: float) -> bool:
    """Whether the process ends within ``within`` seconds. One still running then is killed: the test fails on
    it, and leaves nothing behind."""
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not alive(pid):
        return True
    os.kill(pid, signal.SIGKILL)
    return False
