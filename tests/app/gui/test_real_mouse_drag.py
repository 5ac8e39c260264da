"""A real mouse drag under Xvfb (xcb platform) reorders the chain: drag and drop works for a person,
not only through the model API. Runs in a subprocess so xcb does not clash with the offscreen tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.system import require_system

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def xvfb_display():
    require_system(shutil.which("Xvfb") is not None, "Xvfb is not installed (apt-get install xvfb xauth)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not report a display number")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()


def test_dragging_a_row_with_the_mouse_moves_it_to_the_top(xvfb_display, tmp_path: Path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": xvfb_display, "HOME": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.app.gui.drag_under_xvfb"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, f"stdout: {result.stdout}\nstderr: {result.stderr[-3000:]}"
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["names"][0] == "AzureCliCredential", outcome
    assert outcome["mode"] == "ChainedTokenCredential"
    assert outcome["undo"] == ["Move AzureCliCredential"]
