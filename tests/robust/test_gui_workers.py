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
