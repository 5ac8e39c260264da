"""Background work on a QThreadPool: each job reports back through queued Qt signals.

The signals object is created on the GUI thread, so a worker thread's emit is queued to the GUI
thread whatever the slot is (a bound method or a lambda). The GUI thread never waits on a job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

# Chain work is I/O bound (processes, HTTP, sleeps), so allow many more threads than cores: a hung
# credential must never hold up the probes of the others.
MAX_THREADS = 24


class WorkerSignals(QObject):
    event = Signal(object)  # an engine event, as it happens
    result = Signal(object)
    error = Signal(object)  # the exception
    done = Signal()


class Worker(QRunnable):
    """Runs ``fn(*args)`` in the pool; ``fn`` may take ``emit`` to stream events back."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.fn, self.args = fn, args
        self.signals = WorkerSignals()
        self.setAutoDelete(False)  # Python keeps the reference until ``done``

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except BaseException as ex:  # a job must always report back, whatever it raised
            self._report(self.signals.error, ex)
        else:
            self._report(self.signals.result, result)
        finally:
            self._report(self.signals.done)

    @staticmethod
    def _report(signal, *args: Any) -> None:
        # A job abandoned at quit may finish after the window (and its signals object) is gone; there is
        # no one left to tell, and "Signal source has been deleted" must not reach the terminal.
        try:
            signal.emit(*args)
        except RuntimeError:
            pass


class WorkerPool(QObject):
    """A private thread pool that keeps each job alive until it has reported back."""

    def __init__(self, parent: QObject | None = None, max_threads: int = MAX_THREADS) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._live: set[Worker] = set()

    def start(self, fn: Callable[..., Any], *args: Any, **slots: Any) -> Worker:
        """Create and submit a job; ``on_result``/``on_error``/``on_event`` are its slots."""
        return self.submit(self.create(fn, *args, **slots))

    def create(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> Worker:
        worker = Worker(fn, *args)
        if on_result is not None:
            worker.signals.result.connect(on_result)
        if on_error is not None:
            worker.signals.error.connect(on_error)
        if on_event is not None:
            worker.signals.event.connect(on_event)
        return worker

    def submit(self, worker: Worker) -> Worker:
        worker.signals.done.connect(lambda: self._live.discard(worker))
        self._live.add(worker)
        self.pool.start(worker)
        return worker

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 3000) -> bool:
        return self.pool.waitForDone(msecs)
