"""One process at a time builds a cached venv (the release oracles', the real azure-cli's).

The suite runs in parallel workers (pytest-xdist), and two modules may want the same venv at once:
without the lock one worker would delete the venv another is half-way through building.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold an exclusive lock named after ``target`` (``<target>.lock`` beside it) until the block ends."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, even if the build fails
        yield
