"""D3 and D11 on the Windows code path: the threaded output reader (pipes there cannot be polled), selected
explicitly so it runs on Linux, through the Host exactly as Windows runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine import events, process_output
from tests.robust.test_process_bounds import (  # the same contract, now on the threaded reader
    ESCAPING_DAEMON,
    _open_files,
    daemon_pidfile,  # noqa: F401 (a fixture)
    test_collect_reads_both_streams_to_the_end,  # noqa: F401
    test_output_beyond_the_limit_is_discarded_and_noted,  # noqa: F401
)

READER_FOR = process_output.reader_for  # the real choice, before the fixture below replaces it


@pytest.fixture(autouse=True)
def windows_reader(monkeypatch):
    monkeypatch.setattr(process_output, "reader_for", lambda os_name: process_output.collect_with_threads)


def test_windows_gets_the_threaded_reader_and_posix_the_polling_one():
    assert READER_FOR("nt") is process_output.collect_with_threads
    assert READER_FOR("posix") is process_output.collect


def _pipe_threads() -> int:
    return sum(t.name == "chainsight-pipe" for t in threading.enumerate())


@pytest.mark.parametrize("after", ["time.sleep(60)", "sys.exit(0)"], ids=["tool-waits", "tool-exits"])
def test_timeout_ends_the_wait_when_a_daemon_holds_the_pipes(host, after, daemon_pidfile):  # noqa: F811
    files, threads = _open_files(), _pipe_threads()
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        host.run([sys.executable, "-c", ESCAPING_DAEMON.format(after=after, pidfile=daemon_pidfile)], timeout=1.0)
    assert time.monotonic() - started < 3.5
    # The readers stopped being waited for; once the daemon holding the pipes is gone they end and close them.
    os.kill(int(Path(daemon_pidfile).read_text()), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while (_pipe_threads() > threads or _open_files() > files) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _pipe_threads() <= threads and _open_files() <= files


def test_cancel_ends_the_wait_when_a_daemon_holds_the_pipes(host, daemon_pidfile):  # noqa: F811
    recorder = events.Recorder()
    threading.Timer(0.5, recorder.cancelled.set).start()
    started = time.monotonic()
    with events.recording(recorder), pytest.raises(events.RunCancelled):
        host.run(
            [sys.executable, "-c", ESCAPING_DAEMON.format(after="sys.exit(0)", pidfile=daemon_pidfile)], timeout=60
        )
    assert time.monotonic() - started < 3


def test_the_tool_is_killed_at_the_deadline(host, tmp_path):
    pidfile = tmp_path / "tool.pid"
    code = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    with pytest.raises(subprocess.TimeoutExpired):
        host.run([sys.executable, "-c", code], timeout=1.0)
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
