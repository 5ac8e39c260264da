"""D3 and D11 for tools: the timeout ends the wait whatever the children do; output size is capped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from engine import events, process_output

# A tool that starts a daemon in a session of its own (outside the group we kill) holding both pipes.
ESCAPING_DAEMON = """
import os, subprocess, sys, time
daemon = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
open({pidfile!r}, "w").write(str(daemon.pid))
{after}
"""


@pytest.fixture
def daemon_pidfile(tmp_path):
    """Where the escaping daemon leaves its pid, so the test ends it (it is outside every group we kill)."""
    path = tmp_path / "daemon.pid"
    yield str(path)
    if path.exists():
        try:
            os.kill(int(path.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("after", ["time.sleep(60)", "sys.exit(0)"], ids=["tool-waits", "tool-exits"])
def test_timeout_ends_the_wait_when_a_daemon_holds_the_pipes(host, after, daemon_pidfile):
    before = _open_files()
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        host.run([sys.executable, "-c", ESCAPING_DAEMON.format(after=after, pidfile=daemon_pidfile)], timeout=1.0)
    assert time.monotonic() - started < 3.5
    assert _open_files() <= before  # both pipes closed


def test_cancel_ends_the_wait_when_a_daemon_holds_the_pipes(host, daemon_pidfile):
    recorder = events.Recorder()
    threading.Timer(0.5, recorder.cancelled.set).start()
    started = time.monotonic()
    with events.recording(recorder), pytest.raises(events.RunCancelled):
        host.run(
            [sys.executable, "-c", ESCAPING_DAEMON.format(after="sys.exit(0)", pidfile=daemon_pidfile)], timeout=60
        )
    assert time.monotonic() - started < 3


def test_output_beyond_the_limit_is_discarded_and_noted(host):
    recorder = events.Recorder()
    size = process_output.OUTPUT_LIMIT + 5 * 1024 * 1024
    code = f"import sys; sys.stdout.buffer.write(b'x' * {size}); sys.stderr.write('done')"
    with events.recording(recorder):
        result = host.run([sys.executable, "-c", code], timeout=30)
    assert len(result.stdout_bytes) == process_output.OUTPUT_LIMIT and result.stderr == "done"
    finished = [e for e in recorder.events if isinstance(e, events.StepFinished)]
    assert "discarded" in finished[0].detail["output_truncated"]


def test_collect_reads_both_streams_to_the_end(host):
    code = "import sys; [print(i) for i in range(20000)]; print('e' * 70000, file=sys.stderr)"
    result = host.run([sys.executable, "-c", code], timeout=30)
    assert result.stdout.splitlines()[-1] == "19999" and len(result.stderr.strip()) == 70000


@pytest.mark.parametrize("timeout", [float("nan"), float("inf")])
def test_a_timeout_that_is_not_a_number_is_refused_not_waited_for_ever(host, timeout):
    with pytest.raises(ValueError, match="finite number of seconds"):
        host.run([sys.executable, "-c", "pass"], timeout=timeout)
