"""The keyboard follows the eye: Tab walks the window in reading order (request bar, chain, centre,
right-hand pane), never into a pane hidden behind another dock tab, and leaves tables; every Alt+letter
means one thing in the menu bar and the window, and one thing inside each menu."""

from __future__ import annotations

import itertools
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu

MNEMONIC = re.compile(r"&([^&])")


def tab_walk(window, start, presses: int) -> list:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    visited = [QApplication.focusWidget()]
    for _ in range(presses):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    return visited


def region_of(window, widget) -> str:
    for name, region in (
        ("request", window.request_toolbar),
        ("chain", window.chain_dock),
        ("centre", window.centralWidget()),
        ("details", window.details_dock),
        ("environment", window.env_dock),
        ("export", window.export_dock),
    ):
        if region.isAncestorOf(widget):
            return name
    return "other"


def test_tab_follows_the_layout_and_never_enters_a_hidden_pane(qtbot, make_window):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    chain = window.focus_chain()
    visited = tab_walk(window, window.request_bar.preset, len(chain) + 3)
    names = [region_of(window, w) for w in visited]
    first_lap = visited[: len(chain)]
    assert first_lap == chain  # Tab visits exactly the chain, in its order, then starts over
    assert visited[len(chain)] is chain[0]
    laps = names[: len(chain)]
    order = ["request", "chain", "centre", "details", "other"]
    assert [order.index(n) for n in laps] == sorted(order.index(n) for n in laps), laps
    for widget in visited:
        assert widget.isVisible() and not widget.visibleRegion().isEmpty(), widget
        assert region_of(window, widget) not in ("environment", "export"), widget
    bar = window.request_bar
    assert {bar.run_button, bar.try_button, bar.cancel_button} - {bar.cancel_button} <= set(chain)
    for needed in (window.chain_panel.list, window.timeline.canvas, window.details.steps):
        assert needed in chain, needed
    # a table is one stop: Tab leaves it at once
    steps_at = visited.index(window.details.steps)
    assert visited[steps_at + 1] is not window.details.steps
    # within a region, reading order: top to bottom, then left to right
    for earlier, later in itertools.pairwise(chain):
        if region_of(window, earlier) == region_of(window, later) != "other":
            a, b = earlier.mapTo(window, earlier.rect().topLeft()), later.mapTo(window, later.rect().topLeft())
            assert (a.y() // 8, a.x()) <= (b.y() // 8, b.x()), (earlier, later)


def test_bringing_a_dock_tab_forward_puts_its_pane_in_the_chain_and_takes_the_other_out(qtbot, make_window):
    window = make_window()
    window.env_dock.raise_()
    qtbot.waitUntil(window.env_editor.isVisible, timeout=3000)
    chain = window.focus_chain()
    assert window.env_editor.table in chain
    assert window.details.steps not in chain and not window.details.isVisible()
    assert all(region_of(window, w) != "export" for w in chain)


def mnemonics(texts) -> list[str]:
    return [m.group(1).lower() for t in texts for m in [MNEMONIC.search(t.replace("&&", ""))] if m]


def duplicates(letters: list[str]) -> set[str]:
    return {x for x in letters if letters.count(x) > 1}


def test_mnemonics_are_unique_in_the_window_and_in_each_menu(qtbot, make_window):
    window = make_window()
    bar_titles = [a.text() for a in window.menuBar().actions()]
    window_level = list(bar_titles)
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and label.isVisibleTo(window):
            window_level.append(label.text())
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and "&" in button.text():
            window_level.append(button.text())
    letters = mnemonics(window_level)
    assert len(mnemonics(bar_titles)) == len(bar_titles)  # every menu has one
    assert not duplicates(letters), (duplicates(letters), window_level)

    def check(menu: QMenu) -> None:
        menu.aboutToShow.emit()  # menus filled on demand (recent files, sandbox scenarios)
        actions = [a for a in menu.actions() if not a.isSeparator() and a.isVisible()]
        letters = mnemonics([a.text() for a in actions])
        assert not duplicates(letters), (menu.title(), [a.text() for a in actions])
        for action in actions:
            if action.menu() is not None:
                check(action.menu())

    for action in window.menuBar().actions():
        assert isinstance(action, QAction) and action.menu() is not None
        check(action.menu())
