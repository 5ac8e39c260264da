"""Quitting never waits for a hung credential: the window closes at once, the process ends within
200 ms, and the abandoned probe's late answer is dropped without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from engine.chain import ChainedTokenCredential
from engine.host import Host
from tests.app.gui.doubles import Double, succeeding, user_token

ROOT = Path(__file__).resolve().parents[3]
QUIT_LIMIT_S = 0.2


def test_closing_the_window_with_a_hung_probe_returns_within_200_ms(qtbot, settings):
    from app.gui.main_window import MainWindow

    release = threading.Event()
    started = threading.Event()

    class Hung(Double):
        def probe(self):
            started.set()
            release.wait(30)
            raise TimeoutError("never answered")

    def builder(spec, host):
        return ChainedTokenCredential(Hung("ManagedIdentityCredential", succeeding(user_token()), host=host))

    window = MainWindow(host=Host(env={}, label="test host"), builder=builder, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(started.is_set, timeout=5000)
    begun = time.perf_counter()
    window.close()
    window.finish_quit()
    elapsed = time.perf_counter() - begun
    try:
        assert not window.isVisible()
        assert elapsed < QUIT_LIMIT_S, f"closing took {elapsed * 1000:.0f} ms"
        assert window.runner.workers.busy  # the probe was abandoned, not waited for
    finally:
        release.set()
        window.runner.workers.wait(5000)


def test_the_app_process_ends_within_200_ms_of_quit_while_a_probe_hangs(tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.app.gui.quit_with_hung_probe", str(tmp_path / "settings.ini")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    ended = time.monotonic()
    quit_at = [float(line.split()[1]) for line in stdout.splitlines() if line.startswith("QUIT ")]
    assert quit_at, f"never quit: {stdout}\n{stderr[-2000:]}"
    assert process.returncode == 0, stderr[-2000:]
    # communicate() returns when the pipes close, i.e. when the process has ended
    assert ended - quit_at[0] < QUIT_LIMIT_S, f"the process took {(ended - quit_at[0]) * 1000:.0f} ms to end"
    assert "Traceback" not in stderr and "Signal source has been deleted" not in stderr, stderr[-2000:]
