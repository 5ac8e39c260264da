"""Light or dark: "system" reads the desktop's colour scheme through Qt's own function without building the Qt
namespace's enums before the first paint, and gives the same answer as PySide6's ``colorScheme()``."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.gui import theme


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
