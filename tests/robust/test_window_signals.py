"""D4: the window quits cleanly on SIGINT and SIGTERM and removes its sandbox folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

ROOT = Path(__file__).resolve().parents[2]


def _sandbox_folders(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("chainsight-sandbox-*"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_window_quits_on_signal_and_removes_its_sandbox_folder(tmp_path, sig):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TMPDIR=str(tmp),
        HOME=str(tmp_path),
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    argv = [sys.executable, "-m", "app", "--sandbox", "laptop-az", "--settings", str(tmp_path / "s.ini")]
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp.glob("chainsight-sandbox-*/state.json")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        assert _sandbox_folders(tmp), "the sandbox never started"
        time.sleep(0.5)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + sig and "Traceback" not in err, err
    assert _sandbox_folders(tmp) == []
