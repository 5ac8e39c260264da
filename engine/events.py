"""Events: the single record of a run. Every view (timeline, log, JSON, report) renders these.

Credentials never emit events directly: the chain loop records attempts, the Host records steps
(each HTTP request, process, file read), and credentials add log lines. A ``Recorder`` bound to
the current context collects them and hands each one to its observers as it happens.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from engine.account import Account
from engine.secrets import redact_event

SUCCEEDED = "succeeded"
UNAVAILABLE = "unavailable"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class RunStarted:
    chain: str
    members: tuple[str, ...]
    scopes: tuple[str, ...]
    t: float
    api: str = "get_token"  # the method asked: get_token or get_token_info (engine.token_request)


@dataclass(frozen=True)
class AttemptStarted:
    index: int
    credential: str  # the name azure-identity shows (``_credential_name`` or the class name)
    credential_class: str
    t: float
    locked_in: bool = False


@dataclass(frozen=True)
class AttemptFinished:
    index: int
    credential: str
    outcome: str  # SUCCEEDED | UNAVAILABLE | FAILED | CANCELLED
    message: str | None
    t: float
    error_type: str | None = None
    account: Account | None = None
    expires_on: int | None = None


@dataclass(frozen=True)
class StepStarted:
    attempt: int | None
    step: int
    kind: str  # "http" | "process" | "file" | "probe" | "browser" | "wait"
    label: str
    t: float
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StepFinished:
    attempt: int | None
    step: int
    t: float
    detail: dict = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class LogEmitted:
    attempt: int | None
    logger: str
    level: int
    message: str
    t: float


@dataclass(frozen=True)
class RunFinished:
    outcome: str  # SUCCEEDED | FAILED | CANCELLED
    selected: str | None
    message: str | None
    t: float
    error_type: str | None = None
    account: Account | None = None
    expires_on: int | None = None


Event = RunStarted | AttemptStarted | AttemptFinished | StepStarted | StepFinished | LogEmitted | RunFinished
Observer = Callable[[Event], None]


class RunCancelled(BaseException):
    """Raised inside a run when the user cancels it; a BaseException so no credential swallows it."""


class Recorder:
    """Collects the events of one run and passes each to the observers, from whichever thread emits it."""

    def __init__(self, observers: tuple[Observer, ...] = (), clock: Callable[[], float] = time.monotonic):
        self._observers = list(observers)
        self._clock = clock
        self._t0 = clock()
        self._lock = threading.Lock()
        self._attempts = 0
        self._steps = 0
        self.events: list[Event] = []
        self.cancelled = threading.Event()
        self.cancelled_at: float | None = None  # seconds since the start, when cancel was requested

    def cancel(self) -> None:
        """Ask the run to stop: no member starts after this, and a member in flight is abandoned."""
        if self.cancelled_at is None:
            self.cancelled_at = self.now()
        self.cancelled.set()

    def now(self) -> float:
        """Seconds since the run started, on a monotonic clock."""
        return self._clock() - self._t0

    def emit(self, event: Event) -> None:
        event = redact_event(event)  # the one place every message, log line and step detail passes
        with self._lock:
            self.events.append(event)
        for observer in self._observers:
            observer(event)

    def next_attempt(self) -> int:
        with self._lock:
            self._attempts += 1
            return self._attempts - 1

    def next_step(self) -> int:
        with self._lock:
            self._steps += 1
            return self._steps - 1

    def check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise RunCancelled()


_recorder: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("chainsight_recorder", default=None)
_attempt: contextvars.ContextVar[int | None] = contextvars.ContextVar("chainsight_attempt", default=None)


def current_recorder() -> Recorder | None:
    return _recorder.get()


@contextlib.contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Bind ``recorder`` to the current context for the duration of the block."""
    token = _recorder.set(recorder)
    try:
        yield recorder
    finally:
        _recorder.reset(token)


def check_cancelled() -> None:
    """Raise RunCancelled if the current run was cancelled; the Host calls this around every I/O."""
    recorder = _recorder.get()
    if recorder is not None:
        recorder.check_cancelled()


def cancel_requested() -> threading.Event | None:
    recorder = _recorder.get()
    return recorder.cancelled if recorder is not None else None


class StepHandle:
    """Lets the code inside a step add detail (status, exit code) before the step finishes."""

    def __init__(self) -> None:
        self.detail: dict = {}


@contextlib.contextmanager
def step(kind: str, label: str, **detail: object) -> Iterator[StepHandle]:
    """Record one step (an HTTP request, a process, a file read) of the current attempt."""
    handle = StepHandle()
    recorder = _recorder.get()
    if recorder is None:
        yield handle
        return
    attempt = _attempt.get()
    index = recorder.next_step()
    recorder.emit(StepStarted(attempt, index, kind, label, recorder.now(), dict(detail)))
    error = None
    try:
        yield handle
    except BaseException as ex:
        error = f"{type(ex).__name__}: {ex}"
        raise
    finally:
        recorder.emit(StepFinished(attempt, index, recorder.now(), dict(handle.detail), error))


def log(logger: str, level: int, message: str) -> None:
    """Record a log line exactly as azure-identity would emit it (already formatted)."""
    recorder = _recorder.get()
    if recorder is not None:
        recorder.emit(LogEmitted(_attempt.get(), logger, level, message, recorder.now()))


@contextlib.contextmanager
def attempt_context(index: int) -> Iterator[None]:
    token = _attempt.set(index)
    try:
        yield
    finally:
        _attempt.reset(token)
