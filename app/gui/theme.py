"""Light or dark: the app's palette and style, following the system's colour scheme or the user's choice."""

from __future__ import annotations

import functools
import os
import sys

THEME_ENV = "CHAINSIGHT_THEME"  # "dark" or "light" forces a palette (screenshots, tests)
THEMES = ("system", "light", "dark")


# Qt::ColorScheme::Dark (Qt 6.5+: Unknown 0, Light 1, Dark 2); a test checks it against PySide6's enum.
DARK_SCHEME = 2
# QStyleHints::colorScheme() const, by its C++ (Itanium ABI) name: Linux, the BSDs and macOS.
COLOR_SCHEME_SYMBOL = "_ZNK11QStyleHints11colorSchemeEv"


def is_dark_theme(theme: str) -> bool:
    """The palette for ``theme`` (system follows the desktop; CHAINSIGHT_THEME still forces one)."""
    forced = os.environ.get(THEME_ENV, "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    if theme in ("dark", "light"):
        return theme == "dark"
    return system_color_scheme() == DARK_SCHEME


def system_color_scheme() -> int:
    """``QGuiApplication.styleHints().colorScheme()`` as its number, read without building the ``Qt``
    namespace: PySide6 turns the answer into a Python enum of ``Qt``, and the first touch of ``Qt`` builds all
    of its ~90 enums (~16 ms), before the first paint. The same C++ function is called through ctypes where
    its name is known; elsewhere (or if that fails) through PySide6, at that cost."""
    from PySide6.QtGui import QGuiApplication

    hints = QGuiApplication.styleHints()
    scheme = _color_scheme_by_symbol(hints)
    if scheme is not None:
        return scheme
    return hints.colorScheme().value


def _color_scheme_by_symbol(hints) -> int | None:
    function = _scheme_function(COLOR_SCHEME_SYMBOL)
    if function is None:
        return None
    import shiboken6

    return int(function(shiboken6.getCppPointer(hints)[0]))


@functools.cache
def _scheme_function(symbol: str):
    """Qt's own function by its C++ name, or None where it cannot be found (then PySide6 answers)."""
    if sys.platform.startswith("win"):
        return None  # MSVC's names; the QtGui module does not export Qt's symbols there
    try:
        import ctypes

        from PySide6 import QtGui

        # dlsym on the module's handle searches its dependencies: Qt's QtGui library, wherever it lives
        function = getattr(ctypes.CDLL(QtGui.__file__), symbol)
    except (OSError, AttributeError, ImportError):
        return None
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_void_p]
    return function


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
