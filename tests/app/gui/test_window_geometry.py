"""Where the window goes: a first start fits the screen it opens on, a remembered place is pulled back
onto a smaller screen, and --size is parsed with messages a user can act on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize

from app.gui.window_geometry import FRAME_ALLOWANCE, PREFERRED, centred, clamp_to, first_start_size, parse_size


@pytest.mark.parametrize(
    ("screen", "expected"),
    [
        (QRect(0, 0, 2560, 1440), PREFERRED),
        (QRect(0, 0, 1440, 900), QSize(1440 - FRAME_ALLOWANCE.width(), 900 - FRAME_ALLOWANCE.height())),
        (QRect(0, 0, 1366, 768), QSize(1366 - FRAME_ALLOWANCE.width(), 768 - FRAME_ALLOWANCE.height())),
        (QRect(0, 0, 1024, 640), QSize(1024 - FRAME_ALLOWANCE.width(), 640 - FRAME_ALLOWANCE.height())),
    ],
)
def test_a_first_start_takes_the_preferred_size_or_what_the_screen_has_room_for(screen, expected):
    assert first_start_size(screen) == expected


def test_the_first_start_is_centred_and_its_corner_is_on_screen():
    screen = QRect(1920, 0, 1366, 768)  # a second monitor to the right
    place = centred(first_start_size(screen), screen)
    assert screen.contains(place.topLeft())
    assert place.right() <= screen.right()


def test_a_remembered_window_larger_than_the_screen_is_shrunk_and_moved_onto_it():
    screen = QRect(0, 0, 1366, 768)
    clamped = clamp_to(QRect(600, 400, 1520, 940), screen)
    assert clamped.width() <= screen.width() and clamped.height() <= screen.height()
    assert screen.contains(clamped)


def test_a_remembered_window_on_a_monitor_that_is_gone_comes_back():
    screen = QRect(0, 0, 1366, 768)
    clamped = clamp_to(QRect(3000, 1200, 900, 600), screen)
    assert screen.contains(clamped) and clamped.size() == QSize(900, 600)


def test_size_parses_width_by_height_and_refuses_nonsense_with_a_hint():
    assert parse_size("960x600") == QSize(960, 600)
    assert parse_size("1520×940") == QSize(1520, 940)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("960")
    with pytest.raises(ValueError, match="too small"):
        parse_size("10x10")
