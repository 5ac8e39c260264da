"""`--sandbox SCENARIO --run --screenshot FILE.png`: start, run, wait, save the window, exit 0; the window
has a first start's size on that screen, or exactly `--size`; bad arguments are refused with a hint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def offscreen_screen(tmp_path: Path, width: int, height: int) -> str:
    """The offscreen platform with a screen of this size (its default is 800x600)."""
    config = tmp_path / "screen.json"
    screen = {"name": "Test", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    return f"offscreen:configfile={config}"


def screenshot(tmp_path: Path, *extra: str, screen=(1366, 768)) -> tuple[subprocess.CompletedProcess, Path]:
    shot = tmp_path / "shots" / "window.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": offscreen_screen(tmp_path, *screen),
        "CHAINSIGHT_SETTINGS": str(tmp_path / "s.ini"),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.gui",
            "--sandbox",
            "laptop-wrong-account",
            "--run",
            "--screenshot",
            str(shot),
            *list(extra),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    return result, shot


def image_size(path: Path) -> tuple[int, int]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    return image.width(), image.height()


def test_screenshot_mode_runs_the_sandbox_chain_saves_a_first_start_sized_png_and_exits_0(tmp_path: Path):
    result, shot = screenshot(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = image_size(shot)
    assert 1200 <= width <= 1366 and 650 <= height <= 768  # a first start on 1366x768: the screen, less a frame


def test_screenshot_with_size_has_exactly_that_size_in_the_light_theme(tmp_path: Path):
    result, shot = screenshot(tmp_path, "--size", "960x600", "--theme", "light", screen=(1920, 1200))
    assert result.returncode == 0, result.stderr[-3000:]
    assert image_size(shot) == (960, 600)
    from PySide6.QtGui import QImage

    corner = QImage(str(shot)).pixelColor(2, 300)  # the window background: light
    assert corner.lightness() > 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sandbox", "laptop-wrong"], "did you mean 'laptop-wrong-account'"),
        (["--size", "big"], "--size wants WIDTHxHEIGHT"),
        (["--theme", "purple"], "invalid choice: 'purple'"),
        (["-style", "fusion", "--sandbox", "laptop-wrong"], "did you mean 'laptop-wrong-account'"),
    ],
)
def test_bad_arguments_are_refused_before_any_window_with_a_hint(tmp_path: Path, args, message):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHAINSIGHT_SETTINGS": str(tmp_path / "s.ini")}
    result = subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Error:" not in result.stderr and "LookupError" not in result.stderr


def test_qt_options_reach_qt_and_are_not_taken_for_a_spec_file():
    from app.gui import split_qt_args

    ours, qt = split_qt_args(["-style", "fusion", "spec.toml", "-platform=offscreen", "--run", "-reverse"])
    assert ours == ["spec.toml", "--run"]
    assert qt == ["-style", "fusion", "-platform=offscreen", "-reverse"]
    assert split_qt_args(["--style", "windows"]) == ([], ["-style", "windows"])


def test_starting_the_app_does_not_load_msal_requests_or_the_subcommands(monkeypatch):
    import sys as system

    import app.cli as cli

    started = {}

    class FakeGui:
        @staticmethod
        def main(argv):
            started["argv"] = argv
            return 0

    monkeypatch.setitem(system.modules, "app.gui", FakeGui)
    for name in ("msal", "requests", "app.cli.run", "app.cli.export"):
        monkeypatch.delitem(system.modules, name, raising=False)
    assert cli.main(["--sandbox", "laptop-az"]) == 0
    assert started["argv"] == ["--sandbox", "laptop-az"]
    assert not {"msal", "requests", "app.cli.run", "app.cli.export"} & set(system.modules)
