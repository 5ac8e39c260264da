"""Running the user's interpreter (``--profile auto``, ``crosscheck``) so that Ctrl-C or SIGTERM never
leaves it behind.

subprocess.run kills its child when interrupted, but only once Popen has returned: a signal that lands
while Popen is still starting the child (under load, after the child already runs) leaves it orphaned.
So the stop signals are held back while the child starts, it gets a process group of its own, and the
engine's bounded reader kills that whole group on any exception (KeyboardInterrupt included).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from engine.process_output import REAP_GRACE, kill_group, reader_for

HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def run_captured(
    argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``subprocess.run(argv, capture_output=True, text=True, timeout=timeout)``, never leaving the child
    (or its children) running when it raises: TimeoutExpired, OSError, KeyboardInterrupt. The output is read
    by the engine's bounded reader, so a grandchild holding the pipes cannot outlast the timeout either."""
    proc = None
    try:
        with _signals_held():
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(env) if env is not None else None,
                start_new_session=os.name == "posix",
            )
    except BaseException:
        # A signal held back while the child started is delivered as the block ends, before the reader below
        # (which kills the group on any exception) has begun: the child is running, so kill it here.
        if proc is not None:
            _abandon(proc)
        raise
    collected = reader_for(os.name)(proc, timeout)  # on any exception it kills the group and closes the pipes
    return subprocess.CompletedProcess(proc.args, proc.returncode, _text(collected.stdout), _text(collected.stderr))


def _abandon(proc: subprocess.Popen) -> None:
    """Kill the child's group, close its pipes and reap it (it was killed: it does not take long)."""
    kill_group(proc)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    try:
        proc.wait(REAP_GRACE)
    except subprocess.TimeoutExpired:
        pass


def _text(output: bytes) -> str:
    return output.decode("utf-8", errors="replace").replace("\r\n", "\n")


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (then they are delivered); a no-op where the platform
    cannot hold signals back."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
