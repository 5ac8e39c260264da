"""Where the main window goes: a first start fits the screen it opens on, a remembered place is pulled
back onto a screen that may since have shrunk (a laptop undocked, a smaller monitor, 200 % scaling)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

PREFERRED = QSize(1440, 900)  # enough for the chain's full names, the timeline and the details side by side
MINIMUM = QSize(960, 600)  # every control stays reachable down to this (logical pixels)
# Room for the window manager's title bar and borders, which the window's own size does not include.
FRAME_ALLOWANCE = QSize(16, 40)


def first_start_size(available: QRect, preferred: QSize = PREFERRED) -> QSize:
    """The preferred size, shrunk to what the screen has room for (frame included), never below MINIMUM
    unless the screen itself is smaller."""
    room = QSize(
        max(1, available.width() - FRAME_ALLOWANCE.width()), max(1, available.height() - FRAME_ALLOWANCE.height())
    )
    width = min(preferred.width(), room.width())
    height = min(preferred.height(), room.height())
    return QSize(width, height)


def centred(size: QSize, available: QRect) -> QRect:
    """``size`` centred on ``available``, its top-left corner kept on the screen."""
    x = available.x() + max(0, (available.width() - size.width()) // 2)
    y = available.y() + max(0, (available.height() - size.height() - FRAME_ALLOWANCE.height()) // 2)
    return QRect(x, y, size.width(), size.height())


def clamp_to(rect: QRect, available: QRect) -> QRect:
    """``rect`` made to fit ``available``: shrunk if larger, then moved so that all of it is visible."""
    width = min(rect.width(), max(1, available.width() - FRAME_ALLOWANCE.width()))
    height = min(rect.height(), max(1, available.height() - FRAME_ALLOWANCE.height()))
    x = min(max(rect.x(), available.x()), available.x() + available.width() - width)
    y = min(max(rect.y(), available.y()), available.y() + available.height() - height)
    return QRect(x, y, width, height)


def parse_size(text: str) -> QSize:
    """ "960x600" -> QSize(960, 600); ValueError with a message a user can act on otherwise."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"--size wants WIDTHxHEIGHT in pixels, like 960x600; got {text!r}")
    width, height = (int(p) for p in parts)
    if width < 200 or height < 150:
        raise ValueError(f"--size {text} is too small to show anything; use at least 200x150")
    return QSize(width, height)
