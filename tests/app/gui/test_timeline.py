"""The timeline: geometry helpers (ticks, nesting, zoom/pan) and the canvas's lanes, hit testing and selection."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from app.gui.run_record import Request, RunRecord
from app.gui.timeline_model import Viewport, nice_step, step_depths, tick_label
from app.gui.timeline_view import GUTTER, TimelineCanvas, TimelinePanel
from engine.chain import ChainedTokenCredential
from engine.run import Step, run_chain
from tests.app.gui.doubles import Double, succeeding, unavailable, user_token


def _record(number: int = 1) -> RunRecord:
    chain = ChainedTokenCredential(
        Double("EnvironmentCredential", unavailable("not configured")),
        Double("AzureCliCredential", succeeding(user_token()), steps=2),
    )
    record = RunRecord(number, "run", "ChainedTokenCredential", Request())
    record.runs = [run_chain(chain)]
    record.finished = True
    return record


def test_ticks_are_1_2_5_steps_and_labelled_in_milliseconds():
    assert nice_step(1.0, 10) == 0.1
    assert nice_step(3.0, 4) == 1.0
    assert nice_step(0.07, 4) == 0.02
    assert tick_label(0.25) == "250 ms"
    assert tick_label(0.0015) == "1.5 ms"


def test_nested_steps_get_increasing_depth():
    steps = [Step(0, "process", "a", 0.0, 1.0), Step(1, "http", "b", 0.1, 0.5), Step(2, "file", "c", 1.2, 1.3)]
    assert step_depths(steps, now=2.0) == [0, 1, 0]


def test_zoom_keeps_the_anchor_time_under_the_cursor_and_pan_moves_the_view():
    view = Viewport(start=0.0, span=1.0, width=1000.0)
    before = view.t(250)
    view.zoom(2.0, anchor_x=250)
    assert abs(view.t(250) - before) < 1e-9 and abs(view.span - 0.5) < 1e-9 and not view.follow
    view.pan(-100)
    assert view.start > 0
    view.fit(2.0)
    assert view.follow and view.start == 0.0 and view.span > 2.0


def test_canvas_lanes_hit_testing_tooltips_and_selection(qtbot):
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 300)
    canvas.show()
    record = _record()
    canvas.set_records([record])
    rows = [row for row in canvas._rows() if row[0] == "lane"]
    assert len(rows) == 2
    _, _, _, top, _height = rows[1]
    attempt = record.lanes[1].attempt
    x = GUTTER + canvas.view.x(attempt.started) + 2
    assert canvas.hit(QPointF(x, top + 10)) == (0, 1, None)
    assert "AzureCliCredential" in canvas.tooltip_at(QPointF(x, top + 10))
    with qtbot.waitSignal(canvas.attempt_selected) as blocker:
        canvas.select(0, 1)
    assert blocker.args == [record, 1]
    canvas.grab()  # paints without error


def test_history_keeps_earlier_runs_and_compares_two(qtbot):
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    first, second = _record(1), _record(2)
    panel.add(first)
    panel.add(second)
    assert panel.current() is second and panel.run_combo.count() == 2
    panel.compare_combo.setCurrentIndex(2)  # the first run
    assert panel.canvas.records == [second, first]
    assert [row[0] for row in panel.canvas._rows()].count("header") == 2
    panel.run_combo.setCurrentIndex(1)
    assert panel.current() is first


def test_an_axis_labels_every_tick_with_the_same_decimals():
    assert [tick_label(t * 0.005, 0.005) for t in range(4)] == ["0 ms", "5 ms", "10 ms", "15 ms"]
    assert [tick_label(t * 0.0005, 0.0005) for t in range(3)] == ["0.0 ms", "0.5 ms", "1.0 ms"]
    assert tick_label(1.5, 0.5) == "1\u2009500 ms"


def test_a_lane_without_steps_has_room_for_its_second_line(qtbot):
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    record = _record()
    canvas.set_records([record])
    lanes = [row for row in canvas._rows() if row[0] == "lane"]
    no_steps = lanes[0][4]  # EnvironmentCredential: unavailable, no steps
    from app.gui.timeline_view import BAR_H, LANE_PAD

    assert no_steps >= LANE_PAD + BAR_H + canvas._small_line() + LANE_PAD


def test_a_failed_chain_selects_the_attempt_that_got_furthest_not_the_last():
    from app.gui.timeline_view import default_lane

    chain = ChainedTokenCredential(
        Double("EnvironmentCredential", unavailable("not configured")),
        Double("AzureCliCredential", unavailable("az: token expired"), steps=3),
        Double("AzurePowerShellCredential", unavailable("pwsh not found")),
    )
    record = RunRecord(1, "run", "ChainedTokenCredential", Request())
    record.runs = [run_chain(chain)]
    record.finished = True
    assert [lane.attempt.outcome for lane in record.lanes] == ["unavailable"] * 3
    assert default_lane(record) == 1


def test_the_history_label_counts_the_running_time_while_the_run_goes_on(qtbot):
    import time as clock

    panel = TimelinePanel()
    qtbot.addWidget(panel)
    record = RunRecord(1, "run", "ChainedTokenCredential", Request())
    record.started_monotonic = clock.monotonic() - 0.75
    panel.add(record)
    panel.update_record(record)
    assert "running…" in panel.run_combo.itemText(0) and "· 0 ms" not in panel.run_combo.itemText(0)
