"""What the app remembers between sessions (QSettings): window geometry and state, recent spec files."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Chainsight"
APPLICATION = "Chainsight"
SETTINGS_ENV = "CHAINSIGHT_SETTINGS"  # an INI path; tests and portable installs point it elsewhere
MAX_RECENT = 8
THEMES = ("system", "light", "dark")


class Settings:
    def __init__(self, path: str | os.PathLike | None = None) -> None:
        path = path or os.environ.get(SETTINGS_ENV)
        if path:
            self.store = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)

    # ---- window ------------------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        value = self.store.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray | None) -> None:
        """The window's place and its docks' state (``None``: keep the stored state, as a window closed before
        its docks were built has none to give)."""
        self.store.setValue("window/geometry", geometry)
        if state is not None:
            self.store.setValue("window/state", state)
        self.store.sync()

    # ---- appearance --------------------------------------------------------------------------
    def theme(self) -> str:
        """ "system", "light" or "dark"; anything else stored there reads as "system"."""
        value = self.value("appearance/theme", "system")
        return value if value in THEMES else "system"

    def set_theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
        self.store.setValue("appearance/theme", theme)
        self.store.sync()

    # ---- recent files ------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str | os.PathLike) -> list[str]:
        path = str(Path(path).resolve())
        recent = [path, *[p for p in self.recent_files() if p != path]][:MAX_RECENT]
        self.store.setValue("files/recent", recent)
        self.store.sync()
        return recent

    def remove_recent(self, path: str) -> None:
        self.store.setValue("files/recent", [p for p in self.recent_files() if p != path])
        self.store.sync()

    # ---- last request ------------------------------------------------------------------------
    def value(self, key: str, default: str = "") -> str:
        value = self.store.value(key, default)
        return str(value) if value is not None else default

    def set_value(self, key: str, value: str) -> None:
        self.store.setValue(key, value)
