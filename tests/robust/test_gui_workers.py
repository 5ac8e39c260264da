"""D2: a finished job is released at once: its worker, its arguments and what they hold are freed."""

from __future__ import annotations

import gc
import weakref

import pytest

pytest.importorskip("PySide6")


class Held:
    """Stands for a chain: something a job's arguments keep alive."""


def test_finished_worker_and_its_arguments_are_freed(qtbot):
    from app.gui.workers import WorkerPool

    pool = WorkerPool()
    refs = []
    results = []
    for _ in range(5):
        held = Held()
        refs.append(weakref.ref(held))
        worker = pool.start(lambda h: "ok", held, on_result=results.append)
        refs.append(weakref.ref(worker))
        del held, worker
    qtbot.waitUntil(lambda: len(results) == 5 and not pool.busy, timeout=5000)
    assert pool.wait()
    gc.collect()
    assert [r() for r in refs] == [None] * len(refs)


def test_a_job_that_raises_is_released_too(qtbot):
    from app.gui.workers import WorkerPool

    pool = WorkerPool()
    errors = []
    held = Held()
    ref = weakref.ref(held)

    def boom(h):
        raise RuntimeError("no")

    pool.start(boom, held, on_error=errors.append)
    del held
    qtbot.waitUntil(lambda: bool(errors) and not pool.busy, timeout=5000)
    assert pool.wait()
    errors.clear()
    gc.collect()
    assert ref() is None


def test_a_report_arriving_after_the_pool_is_deleted_reaches_no_one(qtbot):
    """A window closed while a probe runs deletes its pool; the probe's queued report must not run its slot
    (the slot would emit from deleted objects: "Signal source has been deleted" in whatever runs next)."""
    import threading

    import shiboken6
    from PySide6.QtCore import QObject

    from app.gui.workers import WorkerPool

    owner = QObject()
    pool = WorkerPool(owner)
    release = threading.Event()
    finished = threading.Event()
    called = []

    def job():
        release.wait(5)
        return "late"

    worker = pool.start(job, on_result=called.append, on_error=called.append)
    worker.signals.done.connect(finished.set)
    release.set()  # the job finishes now; its report is queued to this thread, not yet delivered
    shiboken6.delete(owner)  # as closing the window does: the pool goes with its owner (Qt's pool waits for the job)
    assert not shiboken6.isValid(pool)
    qtbot.waitUntil(finished.is_set, timeout=5000)  # done is queued to this thread, as the report is
    qtbot.wait(100)  # let the queued report be delivered
    assert called == []
