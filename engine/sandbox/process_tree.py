"""Keeping a sandboxed command's whole process tree under control (Linux; elsewhere the direct child).

- A parent-death signal makes the inner sandbox of ``exec --isolate-network`` stop (and clean up) when the
  outer chainsight dies, even by SIGKILL.
- As a subreaper, the exec process adopts whatever the command leaves behind when its parent exits, so
  those orphans stay in its tree and are ended with it instead of running on against a stopped sandbox.
- The grace kill ends the child and every descendant, not just the direct child.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """In a child before exec: receive ``sig`` when the parent dies (kept across exec of non-setuid programs)."""
    return _prctl(PR_SET_PDEATHSIG, int(sig))


def become_subreaper() -> bool:
    """Adopt orphaned descendants (instead of init), so they can be found and ended."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def children_of(pid: int) -> set[int]:
    """Direct children of ``pid`` (from /proc; empty where there is none)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``."""
    seen: set[int] = set()
    todo = [pid]
    while todo:
        for child in children_of(todo.pop()) - seen:
            seen.add(child)
            todo.append(child)
    return seen


def kill_tree(pid: int, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to ``pid`` and every descendant (the descendants first read, so none escapes by reparenting)."""
    targets = descendants(pid) | {pid}
    for target in targets:
        try:
            os.kill(target, sig)
        except (ProcessLookupError, PermissionError):
            pass
