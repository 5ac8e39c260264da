"""Light or dark: the app's palette and style, following the system's colour scheme or the user's choice."""

from __future__ import annotations

import os
import sys

THEME_ENV = "CHAINSIGHT_THEME"  # "dark" or "light" forces a palette (screenshots, tests)
THEMES = ("system", "light", "dark")


def is_dark_theme(theme: str) -> bool:
    """The palette for ``theme`` (system follows the desktop; CHAINSIGHT_THEME still forces one)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    forced = os.environ.get(THEME_ENV, "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    if theme in ("dark", "light"):
        return theme == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def setup_style(app, theme: str = "system", *, fusion: bool = True) -> None:
    """Fusion (unless the user asked Qt for another -style), with a palette that follows ``theme``: the
    system's light or dark scheme (and its changes), or a fixed one."""
    from PySide6.QtGui import QGuiApplication

    if fusion and app.style().name().lower() != "fusion":  # Fusion is already Qt's default on Linux
        app.setStyle("Fusion")
    app.setProperty("chainsight_fusion", fusion)
    apply_theme(app, theme)
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda _: apply_theme(app, str(app.property("chainsight_theme") or "system"))
    )


def apply_theme(app, theme: str) -> None:
    from app.gui.palette import dark_palette, light_palette

    dark = is_dark_theme(theme)
    app.setProperty("chainsight_theme", theme)
    if dark and app.property("chainsight_fusion") and not app.property("chainsight_contrast"):
        from app.gui.contrast_style import ContrastStyle

        app.setStyle(ContrastStyle("Fusion"))
        app.setProperty("chainsight_contrast", True)
    app.setPalette(dark_palette() if dark else light_palette())
    resources = sys.modules.get("app.gui.resources")
    if resources is not None:  # icons drawn for the other palette; none are drawn before the first paint
        resources.clear_icon_cache()
