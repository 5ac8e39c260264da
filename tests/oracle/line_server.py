"""A long-lived child process that answers JSON requests, one line each way.

The batched oracles keep their expensive start-ups (an interpreter that has imported azure-identity, a
process inside a loopback-only network namespace) for a whole module and feed them one group of cases at
a time. ``LineServer`` is the asking side; ``serve`` is the loop the child runs. Only lines starting with
REPLY are answers, so whatever else a case prints on stdout cannot be mistaken for one.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPLY = "CHAINSIGHT-LINE-REPLY:"
NO_REPLY = "{program}: no reply ({why}); its stderr ends: {stderr!r}"
# The loop for an interpreter that cannot import this module (a release's venv): HANDLE names its handler.
SERVE_CODE = """
import json as _json, sys as _sys
for _line in _sys.stdin:
    _sys.stdout.write({reply!r} + _json.dumps(({handle})(_json.loads(_line))) + "\\n")
    _sys.stdout.flush()
"""


def serve_code(handle: str) -> str:
    """Python text that answers each request line with ``handle(request)``."""
    return SERVE_CODE.format(reply=REPLY, handle=handle)


def serve(handle: Callable[[Any], Any]) -> None:
    """The child's side: each request line answered with handle(request), until stdin ends."""
    for line in sys.stdin:
        reply = handle(json.loads(line))
        sys.stdout.write(REPLY + json.dumps(reply) + "\n")
        sys.stdout.flush()


class LineServer:
    """``argv`` started on first use (and again after a failure); ``ask`` sends a request and waits for the reply."""

    def __init__(self, argv: list[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self.argv, self.log, self.env = argv, log, env
        self.process: subprocess.Popen | None = None
        self._pending = b""  # read from stdout, not yet a whole line

    def ask(self, request: Any, timeout: float) -> Any:
        """The reply; raises RuntimeError (and ends the process, so the next request starts afresh) when none comes."""
        try:
            if self.process is None or self.process.poll() is not None:
                with self.log.open("ab") as stderr:
                    self.process = subprocess.Popen(
                        self.argv,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=stderr,
                        env=self.env,
                    )
                self._pending = b""
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
            line = self._reply(time.monotonic() + timeout, timeout)
        except (OSError, RuntimeError) as ex:
            self.close(wait=0)
            stderr = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(NO_REPLY.format(program=self.argv[0], why=ex, stderr=stderr)) from ex
        return json.loads(line[len(REPLY) :])

    def _reply(self, deadline: float, timeout: float) -> str:
        """The next REPLY line (other lines skipped), read from the descriptor so nothing waits in a buffer."""
        descriptor = self.process.stdout.fileno()
        while True:
            while b"\n" in self._pending:
                line, self._pending = self._pending.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                if text.startswith(REPLY):
                    return text
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"none after {timeout:.0f} s")
            ready, _, _ = select.select([descriptor], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(descriptor, 65536)
            if not chunk:
                raise RuntimeError(f"it exited ({self.process.wait()})")
            self._pending += chunk

    def close(self, wait: float = 30) -> None:
        """End the process: its stdin closed (it finishes and cleans up), killed if it is still there after ``wait``."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
