"""Reading a child's output with a deadline and a size cap, whatever its children do with the pipes.

``Popen.communicate()`` waits for end-of-file on both pipes. A tool that leaves a background process
holding them (a daemon it started in its own session, or one that survived the kill) never gives EOF,
so the wait ends only when that process does. Here the deadline ends the wait: the group is killed,
reading stops and the pipes are closed. Output beyond ``limit`` bytes per stream is read and discarded,
so a tool printing gigabytes costs time, not memory.

Where pipes cannot be polled (Windows), ``collect_with_threads`` reads each pipe on a thread of its own
with the same deadline, cancel and cap; at a deadline it stops waiting for those threads, which end (and
close their pipe) when the pipe reaches end-of-file. ``reader_for`` picks one; tests run both on Linux.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

OUTPUT_LIMIT = 8 * 1024 * 1024  # bytes kept per stream; real tools print a few kilobytes
REAP_GRACE = 1.0  # seconds to wait for the killed child's exit status before giving up on it
_CHUNK = 65536
_POLL = 0.05  # how often a cancel is noticed while the child is quiet


class Cancelled(Exception):
    """The caller's cancel event was set; the child's group has been killed and its pipes closed."""


@dataclass
class Collected:
    stdout: bytes
    stderr: bytes
    truncated: bool  # some output beyond the limit was discarded


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (it was started in a session of its own)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass


def _next_wait(proc: subprocess.Popen, timeout: float | None, deadline: float | None, cancelled) -> float:
    """How long the next wait may last; raises Cancelled or TimeoutExpired when the wait must end now."""
    if cancelled is not None and cancelled.is_set():
        raise Cancelled()
    remaining = None if deadline is None else deadline - time.monotonic()
    if remaining is not None and remaining <= 0:
        raise subprocess.TimeoutExpired(proc.args, timeout)
    return _POLL if remaining is None else min(_POLL, remaining)


def _wait_for_exit(proc: subprocess.Popen, seconds: float) -> None:
    """Wait up to ``seconds`` for the child's exit; it may still be running afterwards."""
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        pass


def _keep(buffer: bytearray, chunk: bytes, limit: int) -> bool:
    """Append what fits under ``limit`` to ``buffer``; True when some of ``chunk`` was discarded."""
    room = limit - len(buffer)
    buffer += chunk[: max(0, room)]
    return len(chunk) > room


def collect(
    proc: subprocess.Popen,
    timeout: float | None,
    cancelled: threading.Event | None = None,
    limit: int = OUTPUT_LIMIT,
) -> Collected:
    """Both streams of ``proc`` until EOF and exit; TimeoutExpired or Cancelled (after cleanup) otherwise."""
    deadline = None if timeout is None else time.monotonic() + timeout
    buffers = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    truncated = False
    selector = selectors.DefaultSelector()
    try:
        for pipe in buffers:
            os.set_blocking(pipe.fileno(), False)
            selector.register(pipe, selectors.EVENT_READ)
        while selector.get_map() or proc.poll() is None:
            wait = _next_wait(proc, timeout, deadline, cancelled)
            if not selector.get_map():  # both pipes closed, the child still running: wait for its exit
                _wait_for_exit(proc, wait)
                continue
            for key, _ in selector.select(wait):
                chunk = _read(key.fileobj)
                if chunk is None:  # spurious wake-up
                    continue
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                truncated = _keep(buffers[key.fileobj], chunk, limit) or truncated
        return Collected(bytes(buffers[proc.stdout]), bytes(buffers[proc.stderr]), truncated)
    except BaseException:
        kill_group(proc)
        raise
    finally:
        selector.close()
        for pipe in buffers:
            pipe.close()
        if proc.returncode is None:
            _wait_for_exit(proc, REAP_GRACE)


def _read(pipe) -> bytes | None:
    """The next chunk, b"" at end of file (or a broken pipe), None when nothing is there yet."""
    try:
        return os.read(pipe.fileno(), _CHUNK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def collect_with_threads(
    proc: subprocess.Popen,
    timeout: float | None,
    cancelled: threading.Event | None = None,
    limit: int = OUTPUT_LIMIT,
) -> Collected:
    """``collect`` for platforms whose pipes cannot be polled: one reading thread per pipe."""
    deadline = None if timeout is None else time.monotonic() + timeout
    readers = [_PipeReader(proc.stdout, limit), _PipeReader(proc.stderr, limit)]
    try:
        while not all(r.done.is_set() for r in readers) or proc.poll() is None:
            wait = _next_wait(proc, timeout, deadline, cancelled)
            pending = next((r for r in readers if not r.done.is_set()), None)
            if pending is not None:
                pending.done.wait(wait)
                continue
            _wait_for_exit(proc, wait)  # both pipes at end of file, the child still running
        return Collected(readers[0].data(), readers[1].data(), any(r.truncated for r in readers))
    except BaseException:
        kill_group(proc)
        raise
    finally:
        if proc.returncode is None:
            _wait_for_exit(proc, REAP_GRACE)


class _PipeReader:
    """Reads one pipe to end-of-file on a daemon thread, keeping ``limit`` bytes; the thread alone closes
    the pipe (closing it under a blocked read could hand its descriptor number to another file)."""

    def __init__(self, pipe, limit: int) -> None:
        self.pipe = pipe
        self.limit = limit
        self.done = threading.Event()
        self.truncated = False
        self._buffer = bytearray()
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="chainsight-pipe", daemon=True).start()

    def _run(self) -> None:
        try:
            while chunk := self.pipe.read1(_CHUNK):
                with self._lock:
                    self.truncated = _keep(self._buffer, chunk, self.limit) or self.truncated
        except (OSError, ValueError):  # a broken pipe reads as the end
            pass
        finally:
            self.done.set()
            try:
                self.pipe.close()
            except OSError:
                pass

    def data(self) -> bytes:
        with self._lock:
            return bytes(self._buffer)


def reader_for(os_name: str):
    """The output reader for a platform: selectors where pipes can be polled, threads elsewhere."""
    return collect if os_name == "posix" else collect_with_threads
