"""Background work on a QThreadPool: each job reports back through queued Qt signals.

The signals object is created on the GUI thread, so a worker thread's emit is queued to the GUI
thread whatever the slot is (a bound method or a lambda). The GUI thread never waits on a job.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

# Chain work is I/O bound (processes, HTTP, sleeps), so allow many more threads than cores: a hung
# credential must never hold up the probes of the others.
MAX_THREADS = 24


class WorkerSignals(QObject):
    event = Signal(object)  # an engine event, as it happens
    result = Signal(object)
    error = Signal(object)  # the exception
    done = Signal()


class Worker:
    """Runs ``fn(*args)`` in the pool; ``fn`` may take ``emit`` to stream events back.

    Not a QRunnable: PySide's QThreadPool keeps a reference to every QRunnable it was given that does
    not auto-delete, for ever. Given the bound ``run`` it wraps it in its own runnable and lets go after.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args = fn, args
        self.signals = WorkerSignals()

    def release(self) -> None:
        """Drop the job and every slot: what it held (a chain, its sessions) can be freed at once."""
        self.fn, self.args = _finished, ()
        with warnings.catch_warnings():  # PySide warns when a signal had nothing connected
            warnings.simplefilter("ignore", RuntimeWarning)
            for signal in (self.signals.event, self.signals.result, self.signals.error, self.signals.done):
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass

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


def _finished(*args: Any) -> None:
    """A released worker's job: it has already run."""


class WorkerPool(QObject):
    """A private thread pool that keeps each job alive until it has reported back.

    Finished workers are found by their signals object (the sender), never through a closure over the
    worker: a slot connected to the worker's own signals that captured the worker made a cycle through
    Qt, which Python's collector cannot see, so every job (and the chain it ran) lived for ever.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = MAX_THREADS) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._live: dict[WorkerSignals, Worker] = {}

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
            worker.signals.result.connect(self._while_alive(on_result))
        if on_error is not None:
            worker.signals.error.connect(self._while_alive(on_error))
        if on_event is not None:
            worker.signals.event.connect(self._while_alive(on_event))
        return worker

    def _while_alive(self, slot: Callable[[Any], None]) -> Callable[[Any], None]:
        """``slot``, called only while this pool exists. A job's report is queued to the GUI thread, and a window
        closed meanwhile has deleted its pool with it: a slot run then would emit from deleted objects
        ("Signal source has been deleted"). Qt drops a deleted receiver's queued calls, but these slots are
        plain callables, not methods of a QObject, so the check is here."""

        def call(value: Any) -> None:
            if shiboken6.isValid(self):
                slot(value)

        return call

    def submit(self, worker: Worker) -> Worker:
        worker.signals.done.connect(self._reap)
        self._live[worker.signals] = worker
        self.pool.start(worker.run)
        return worker

    @Slot()
    def _reap(self) -> None:
        worker = self._live.pop(self.sender(), None)
        if worker is not None:
            worker.release()

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 3000) -> bool:
        return self.pool.waitForDone(msecs)
