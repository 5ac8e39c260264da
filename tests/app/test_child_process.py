"""run_captured never leaves the user's interpreter running, even when a stop signal lands while it starts."""

from __future__ import annotations

import contextlib
import os
import time

import pytest

from app import child_process
from tests.processes import ended


@pytest.mark.skipif(os.name != "posix", reason="process groups and /proc")
def test_a_signal_held_while_the_child_started_kills_the_child(tmp_path, monkeypatch):
    """SIGTERM held back during Popen is delivered as the block ends, before the reader starts: as under load,
    when the child is already running by then (the full suite once left one behind this way)."""
    pid_file = tmp_path / "child.pid"

    @contextlib.contextmanager
    def held_then_delivered():
        yield
        deadline = time.monotonic() + 10
        while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.01)  # the child runs before the held signal arrives
        raise KeyboardInterrupt  # what the SIGTERM handler raises once the signal is let through

    monkeypatch.setattr(child_process, "_signals_held", held_then_delivered)
    with pytest.raises(KeyboardInterrupt):
        child_process.run_captured(["sh", "-c", f"echo $$ > '{pid_file}'; exec sleep 60"], timeout=30)
    assert ended(int(pid_file.read_text()), within=5)
