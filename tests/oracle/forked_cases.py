"""Many oracle cases in one sandbox: each case in a forked child, one at a time, from the sandbox's first HOME.

The oracle runners import azure-identity and the engine once (tests/oracle/group_session.py), then hand
every case of a group to ``run_forked``. Before each case, HOME is put back as the sandbox wrote it; the child applies the case's
environment, computes its verdict and sends it back through a pipe, then leaves with ``os._exit``. So a
case's environment, module state (azure-identity's and msal's caches, the engine's) and files in HOME
never reach the next case, and a case that crashes or hangs costs only its own verdict.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

# A case well past this is stuck (a tool or endpoint that never answers): the slowest cases, with the
# 1 s IMDS probe and a timed-out tool, take a few seconds; the old one-sandbox-per-case run allowed 120 s
# for a sandbox start and a case together.
CASE_TIMEOUT = 90.0
HARNESS_ERROR = "harness_error"
CASE_TIMED_OUT = "case {name!r}: no verdict after {timeout:.0f} s; its processes were killed"
CASE_DIED = "case {name!r}: the case's process ended without a verdict ({how})"
CASE_RAISED = "case {name!r}: the runner raised\n{trace}"
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def overlay(environment: MutableMapping[str, str], changes: Mapping[str, str | None]) -> None:
    """A case's variables on ``environment``: a value sets one, None unsets it."""
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value


def apply_env(env: Mapping[str, str | None]) -> None:
    """The case's variables on this process's environment."""
    overlay(os.environ, env)


def reset_home(home: Path, pristine: Path) -> None:
    """HOME, at the same path, with exactly the pristine copy's contents."""
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(pristine, home, symlinks=True)


def how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _child(name: str, case: dict, verdict_of: Callable[[dict], dict], write_end: int) -> None:
    """In the forked child: never returns (os._exit), so nothing of the parent's runs twice."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # its own group: a timeout kills the tools it started too
    try:
        apply_env(case.get("env", {}))
        text = json.dumps(verdict_of(case))
    except BaseException:
        text = json.dumps(
            {HARNESS_ERROR: CASE_RAISED.format(name=name, trace=_JWT.sub("****", traceback.format_exc()))}
        )
    try:
        with os.fdopen(write_end, "w") as out:
            out.write(text)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


def _read_until(read_end: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when the deadline passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([read_end], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_end, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_one(name: str, case: dict, verdict_of: Callable[[dict], dict], timeout: float) -> dict:
    """One case in a forked child: its verdict, or an error naming the case."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(name, case, verdict_of, write_end)
    os.close(write_end)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # set from both sides, so the group exists whichever runs first
    try:
        text = _read_until(read_end, time.monotonic() + timeout)
    finally:
        os.close(read_end)
        # Whatever the case left running (a tool, a browser stand-in) ends with it, never overlapping the next.
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if text is None:
        return {HARNESS_ERROR: CASE_TIMED_OUT.format(name=name, timeout=timeout)}
    if not text:
        return {HARNESS_ERROR: CASE_DIED.format(name=name, how=how_it_ended(status))}
    return json.loads(text)


def run_forked(
    cases: Mapping[str, dict], verdict_of: Callable[[dict], dict], timeout: float = CASE_TIMEOUT
) -> dict[str, Any]:
    """Every case in turn, each from HOME as it is now: {name: verdict or {"harness_error": ...}}."""
    home = Path(os.environ["HOME"])
    scratch = Path(tempfile.mkdtemp(prefix="oracle-cases-"))
    pristine = scratch / "home"
    shutil.copytree(home, pristine, symlinks=True)
    try:
        results = {}
        for name, case in cases.items():
            reset_home(home, pristine)
            results[name] = run_one(name, case, verdict_of, timeout)
        return results
    finally:
        reset_home(home, pristine)
        shutil.rmtree(scratch, ignore_errors=True)


def both_sides(real: Callable[[dict], dict], engine: Callable[[dict], dict]) -> Callable[[dict], dict]:
    """A case's verdict of both sides from the same HOME: the real library runs first and may rewrite HOME (a
    refreshed cache, a tool's files), so HOME is put back before the engine runs."""
    from tests.oracle.fresh_home import FreshHome

    def both(case: dict) -> dict:
        with FreshHome() as home:
            real_verdict = real(case)
            home.restore()
            return {"real": real_verdict, "engine": engine(case)}

    return both
