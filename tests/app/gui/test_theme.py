"""Light or dark: "system" reads the desktop's colour scheme through Qt's own function without building the Qt
namespace's enums before the first paint, and gives the same answer as PySide6's ``colorScheme()``."""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.gui import theme
from tests.app.gui.xserver import xcb_env, xvfb
from tests.system import require_system

ROOT = Path(__file__).resolve().parents[3]
BOTH_READINGS = """
import json
from PySide6.QtWidgets import QApplication
from app.gui import theme
app = QApplication([])
hints = app.styleHints()
print(json.dumps([theme._color_scheme_by_symbol(hints), hints.colorScheme().value, theme.is_dark_theme("system")]))
"""


def test_dark_scheme_is_qts_number_for_dark():
    assert Qt.ColorScheme.Dark.value == theme.DARK_SCHEME


def test_the_system_scheme_read_without_enums_is_pysides_answer(qapp):
    assert theme.system_color_scheme() == QGuiApplication.styleHints().colorScheme().value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the C++ name is read where Qt exports it")
def test_on_linux_the_scheme_is_read_through_qts_symbol(qapp):
    by_symbol = theme._color_scheme_by_symbol(QGuiApplication.styleHints())
    assert by_symbol == QGuiApplication.styleHints().colorScheme().value


def test_a_forced_or_chosen_theme_wins_over_the_system(monkeypatch):
    monkeypatch.setenv(theme.THEME_ENV, "dark")
    assert theme.is_dark_theme("light") and theme.is_dark_theme("system")
    monkeypatch.setenv(theme.THEME_ENV, "light")
    assert not theme.is_dark_theme("dark")
    monkeypatch.delenv(theme.THEME_ENV)
    assert theme.is_dark_theme("dark") and not theme.is_dark_theme("light")


def test_system_follows_the_scheme(qapp, monkeypatch):
    monkeypatch.delenv(theme.THEME_ENV, raising=False)
    for scheme in (0, 1, 2):
        monkeypatch.setattr(theme, "system_color_scheme", lambda scheme=scheme: scheme)
        assert theme.is_dark_theme("system") == (scheme == Qt.ColorScheme.Dark.value)


def test_without_the_symbol_it_asks_pyside(qapp, monkeypatch):
    monkeypatch.setattr(theme, "COLOR_SCHEME_SYMBOL", "_ZN_no_such_symbol")
    assert theme._color_scheme_by_symbol(QGuiApplication.styleHints()) is None
    assert theme.system_color_scheme() == QGuiApplication.styleHints().colorScheme().value


@pytest.mark.needs_system
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="GTK's dark variant through Qt's gtk3 theme")
@pytest.mark.parametrize(("gtk_theme", "scheme"), [("Adwaita:dark", 2), ("Adwaita", 1)])
def test_a_desktop_in_dark_or_light_reads_the_same_both_ways(tmp_path, gtk_theme, scheme):
    """A real desktop's answer (GTK's theme, through Qt's gtk3 platform theme), not only offscreen's Unknown."""
    require_system(ctypes.util.find_library("gtk-3") is not None, "GTK 3 is not installed (apt-get install libgtk-3-0)")
    with xvfb(640, 480, window_manager=False) as display:
        env = xcb_env(display, QT_QPA_PLATFORMTHEME="gtk3", GTK_THEME=gtk_theme, HOME=str(tmp_path))
        env.pop(theme.THEME_ENV, None)
        done = subprocess.run(
            [sys.executable, "-c", BOTH_READINGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == [scheme, scheme, scheme == theme.DARK_SCHEME]
