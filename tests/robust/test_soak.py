"""D1 and D2 soaks: many runs in one process leave open files, threads and memory flat.

300 engine runs against one sandbox (every run makes HTTPS requests to its authority), and 100 window
runs through the real engine with network traffic. Counts are taken after a few warm-up runs, since the
first runs load modules and fill caches; "flat" allows a small constant for threads mid-exit and
allocator noise.
"""

from __future__ import annotations

import gc
import os
import threading
import time

import pytest

from engine import sandbox as sandboxes
from engine.build import build
from engine.run import run_chain
from engine.spec import ChainSpec

SCENARIO = "laptop-wrong-account"  # EnvironmentCredential signs in with a client secret over HTTPS
WARM_UP = 5
FILES_SLACK = 6
THREADS_SLACK = 4
MEMORY_SLACK_MB = 40


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _measure() -> tuple[int, int, float]:
    time.sleep(0.3)  # connection threads of the last run may still be exiting
    gc.collect()
    return _open_files(), threading.active_count(), _rss_mb()


def _assert_flat(before: tuple[int, int, float], after: tuple[int, int, float]) -> None:
    print(f"soak: open files, threads, MB {before} -> {after}")
    files, threads, memory = before
    assert after[0] <= files + FILES_SLACK, f"open files {files} -> {after[0]}"
    assert after[1] <= threads + THREADS_SLACK, f"threads {threads} -> {after[1]}"
    assert after[2] <= memory + MEMORY_SLACK_MB, f"memory {memory:.0f} -> {after[2]:.0f} MB"


@pytest.fixture
def box():
    started = sandboxes.start(SCENARIO)
    yield started
    started.stop()


@pytest.mark.timeout(600)
def test_300_engine_runs_against_one_sandbox_stay_flat(box):
    from app.gui.sandbox_host import sandbox_host

    host = sandbox_host(box)

    def once() -> None:
        with build(ChainSpec(), host) as chain:
            run = run_chain(chain)
        assert run.outcome == "succeeded", run.error

    for _ in range(WARM_UP):
        once()
    before = _measure()
    for _ in range(300):
        once()
    _assert_flat(before, _measure())


@pytest.mark.timeout(600)
def test_100_window_runs_with_network_traffic_stay_flat(qtbot, box, tmp_path):
    pytest.importorskip("PySide6")
    from app.gui.main_window import MainWindow
    from app.gui.sandbox_host import sandbox_host
    from app.gui.settings import Settings

    window = MainWindow(host=sandbox_host(box), settings=Settings(tmp_path / "settings.ini"))
    window.ask_discard = lambda: True
    qtbot.addWidget(window)

    def once() -> None:
        with qtbot.waitSignal(window.run_finished, timeout=60000):
            window.run_chain()
        qtbot.waitUntil(lambda: not window.runner.workers.busy, timeout=10000)

    for _ in range(WARM_UP):
        once()
    before = _measure()
    for _ in range(100):
        once()
    _assert_flat(before, _measure())
