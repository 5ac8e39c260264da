"""The window fits the screen a person has: a 1366x768 laptop, a 1024x640 one, and a 13" laptop at
200 % (2732x1536 with QT_SCALE_FACTOR=2). After a run, every visible widget lies inside the window,
the window (with its frame) inside the screen, and Run, Try every credential and Cancel are on screen.
Each case runs ``chainsight --sandbox laptop-wrong-account --run --screenshot F`` under Xvfb + openbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app.gui.xserver import xcb_env, xvfb

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = "laptop-wrong-account"


def run_app(display: str, tmp_path: Path, *extra: str, scale: str | None = None) -> tuple[dict, Path]:
    shot = tmp_path / "window.png"
    env = xcb_env(display, CHAINSIGHT_SETTINGS=str(tmp_path / "settings.ini"), HOME=str(tmp_path))
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.app.gui.layout_under_xvfb",
            "--sandbox",
            SCENARIO,
            "--run",
            "--screenshot",
            str(shot),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert result.returncode == 0, f"stdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-3000:]}"
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no layout report: {result.stdout[-2000:]}"
    return json.loads(lines[-1]), shot


def assert_fits(layout: dict) -> None:
    x, y, width, height = layout["frame"]
    sx, sy, swidth, sheight = layout["screen"]
    assert sx <= x and sy <= y and x + width <= sx + swidth and y + height <= sy + sheight, layout
    assert layout["outside"] == [], layout["outside"]
    assert layout["buttons"] == {"run": True, "try": True, "cancel": True}, layout["buttons"]
    assert layout["run_finished"], layout


@pytest.mark.needs_system
@pytest.mark.parametrize(
    ("screen", "scale"),
    [((1366, 768), None), ((1024, 640), None), ((2732, 1536), "2")],
    ids=["1366x768", "1024x640", "2732x1536-at-200%"],
)
def test_a_first_start_fits_the_screen_and_keeps_every_widget_inside(screen, scale, tmp_path: Path):
    with xvfb(*screen) as display:
        layout, shot = run_app(display, tmp_path, scale=scale)
    assert_fits(layout)
    logical = (screen[0] // int(scale or 1), screen[1] // int(scale or 1))
    assert layout["window"][0] <= logical[0] and layout["window"][1] <= logical[1]
    assert layout["minimum"][0] <= 960 and layout["minimum"][1] <= 600, layout["minimum"]
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    ratio = int(scale or 1)
    assert image.width() <= screen[0] and image.height() <= screen[1]
    assert (image.width(), image.height()) == (layout["window"][0] * ratio, layout["window"][1] * ratio)


@pytest.mark.needs_system
def test_size_960x600_on_a_large_screen_gives_exactly_that_window(tmp_path: Path):
    with xvfb(1920, 1200) as display:
        layout, shot = run_app(display, tmp_path, "--size", "960x600")
    assert layout["window"] == [960, 600]
    assert_fits(layout)
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert (image.width(), image.height()) == (960, 600)


@pytest.mark.needs_system
def test_a_window_remembered_from_a_big_screen_is_pulled_onto_a_small_one(tmp_path: Path):
    with xvfb(1920, 1200) as display:
        layout, _ = run_app(display, tmp_path, "--size", "1800x1100")
    assert layout["window"] == [1800, 1100]  # remembered on quit
    with xvfb(1366, 768) as display:
        layout, _ = run_app(display, tmp_path)  # same settings file: a laptop after the big monitor
    assert layout["window"][0] <= 1366 and layout["window"][1] <= 768
    assert_fits(layout)
