"""File > Save report… and Copy report: the window's state is copied on the GUI thread, the report is
collected (tool versions), rendered and written on the worker pool, and the result comes back by signal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from app.report import format_for, render
from app.report.collect import WindowState, window_document

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

REPORT_FILTERS = {"HTML report (*.html)": "html", "Markdown report (*.md)": "md", "JSON report (*.json)": "json"}
SUFFIXES = {"html": ".html", "md": ".md", "json": ".json"}
COLLECTING = "Collecting the report (asking az, azd and pwsh for their versions)…"
SAVED = "Report saved to {path}"
COPIED = "Report copied to the clipboard (Markdown)"
SAVE_FAILED = "Could not save the report to {path}"
COLLECT_FAILED = "Could not collect the report"


def window_state(window: MainWindow) -> WindowState:
    """A snapshot of what the window shows: cheap, taken on the GUI thread."""
    state = window.state
    names = {m.uid: m.type for m in state.members}
    built = tuple(names[uid] for uid in window._built_uids if uid in names)  # the chain the probes ran on
    members = built or tuple(m.type for row, m in enumerate(state.members) if state.is_enabled(row))
    statuses = {
        m.type: window.model.statuses[m.uid]
        for m in state.members
        if m.type in members and m.uid in window.model.statuses
    }
    record = next((r for r in reversed(window.timeline.history) if r.finished), None)
    return WindowState(
        host=window.host,
        spec=window.chain_spec(),
        members=members,
        statuses=statuses,
        kind=record.kind if record is not None else None,
        runs=tuple(record.runs) if record is not None else (),
        error=record.error if record is not None else None,
        run_machine=(record.host_label or None) if record is not None else None,
        # the verdict banner's; None before the window has diagnosed anything (the report then says so)
        diagnosis=window.diagnosis.to_json() if window.diagnosis is not None else None,
    )


def render_report(state: WindowState, fmt: str) -> str:
    """Worker job: collect and render."""
    return render(window_document(state), fmt)


def write_report(state: WindowState, fmt: str, path: str) -> str:
    """Worker job: collect, render and write; returns the path."""
    Path(path).write_text(render_report(state, fmt), encoding="utf-8")
    return path


def save_report(window: MainWindow, path: str | None = None, fmt: str | None = None) -> None:
    """Ask where (unless ``path`` is given), then collect and write the report off the GUI thread."""
    if path is None:
        default = str(window._start_dir() / "chainsight-report.html")
        path, chosen = QFileDialog.getSaveFileName(window, "Save report", default, ";;".join(REPORT_FILTERS))
        if not path:
            return
        fmt = fmt or REPORT_FILTERS.get(chosen, "html")
        if not Path(path).suffix:
            path += SUFFIXES[fmt]
    fmt = fmt or format_for(path, "html")
    window.statusBar().showMessage(COLLECTING)
    window.runner.workers.start(
        write_report,
        window_state(window),
        fmt,
        path,
        on_result=lambda written: _done(window, SAVED.format(path=written)),
        on_error=lambda ex: window._error(SAVE_FAILED.format(path=path), f"{type(ex).__name__}: {ex}"),
    )


def copy_report(window: MainWindow) -> None:
    """Collect the report off the GUI thread, then put its Markdown on the clipboard."""
    window.statusBar().showMessage(COLLECTING)
    window.runner.workers.start(
        render_report,
        window_state(window),
        "md",
        on_result=lambda text: (QGuiApplication.clipboard().setText(text), _done(window, COPIED)),
        on_error=lambda ex: window._error(COLLECT_FAILED, f"{type(ex).__name__}: {ex}"),
    )


def _done(window: MainWindow, message: str) -> None:
    window.statusBar().showMessage(message, 6000)
