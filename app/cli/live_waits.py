"""On a terminal, say which member is waiting, and for what, while a step runs long.

``chainsight run`` prints its result at the end; a managed-identity endpoint that holds the request, or a
tool that hangs, would otherwise leave the user looking at nothing. Every few seconds a waiting step
gets one stderr line naming the member, the step and how long it has waited, and that Ctrl-C ends it.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from engine import events

FIRST_NOTICE = 5.0  # seconds a step runs before it is mentioned
EVERY = 10.0  # seconds between mentions of the same step
WAITING = "chainsight: {member} is waiting on {label} ({seconds:.0f} s so far; Ctrl-C cancels the run)"


class LiveWaits:
    """A recorder observer; a daemon thread mentions steps that run long, until the run finishes."""

    def __init__(self, stream: TextIO | None = None, *, force: bool = False, clock=time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.enabled = force or bool(getattr(self.stream, "isatty", lambda: False)())
        self._clock = clock
        self._lock = threading.Lock()
        self._members: dict[int, str] = {}
        self._running: dict[int, tuple[int | None, str, float, float]] = {}  # step -> attempt, label, start, said
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, event: events.Event) -> None:
        if not self.enabled:
            return
        with self._lock:
            if isinstance(event, events.AttemptStarted):
                self._members[event.index] = event.credential
            elif isinstance(event, events.StepStarted):
                now = self._clock()
                self._running[event.step] = (event.attempt, event.label, now, now)
            elif isinstance(event, events.StepFinished):
                self._running.pop(event.step, None)
            elif isinstance(event, events.RunFinished):
                self._done.set()
        if self._thread is None and not self._done.is_set():
            self._thread = threading.Thread(target=self._watch, name="chainsight-live-waits", daemon=True)
            self._thread.start()

    def lines_due(self) -> list[str]:
        """The mentions due now (and mark them said)."""
        now = self._clock()
        due = []
        with self._lock:
            for step, (attempt, label, started, said) in list(self._running.items()):
                waited = now - started
                if waited >= FIRST_NOTICE and (said == started or now - said >= EVERY):
                    member = self._members.get(attempt, "the chain") if attempt is not None else "the chain"
                    due.append(WAITING.format(member=member, label=label, seconds=waited))
                    self._running[step] = (attempt, label, started, now)
        return due

    def _watch(self) -> None:
        while not self._done.wait(1.0):
            for line in self.lines_due():
                print(line, file=self.stream, flush=True)
