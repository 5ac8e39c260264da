"""`--sandbox SCENARIO --run --screenshot FILE.png`: start, run, wait, save the window, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_screenshot_mode_runs_the_sandbox_chain_saves_a_png_and_exits_0(tmp_path: Path):
    shot = tmp_path / "shots" / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHAINSIGHT_SETTINGS": str(tmp_path / "s.ini")}
    result = subprocess.run(
        [sys.executable, "-m", "app.gui", "--sandbox", "laptop-wrong-account", "--run", "--screenshot", str(shot)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1200 and image.height() >= 800
