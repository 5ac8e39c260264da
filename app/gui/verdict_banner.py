"""The verdict banner: the run's answer in plain words, why others were passed over, warnings with fixes."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.diagnosis import Diagnosis, describe_fix
from app.diagnosis.verdict import first_sentence
from app.gui.outcome_style import RUNNING, draw_badge_icon, look
from app.gui.resources import is_dark
from engine import events

WELCOME = "Which credential will your app use, and as whom?"
WELCOME_DETAIL = (
    "The chain on the left is what <code>DefaultAzureCredential</code> builds here. "
    "Press <b>Run</b> (Ctrl+R) to ask it for a token, or <b>Try every credential</b> to see each account."
)
TINTS_LIGHT = {
    events.SUCCEEDED: "#e9f6ee",
    "warning": "#fff5dd",
    events.FAILED: "#fdeceb",
    events.CANCELLED: "#f8f0e1",
    RUNNING: "#e9f0fc",
}
TINTS_DARK = {
    events.SUCCEEDED: "#1b3024",
    "warning": "#3a3019",
    events.FAILED: "#3b1f1f",
    events.CANCELLED: "#33291a",
    RUNNING: "#1c2940",
}
STALE = "<b>Stale:</b> the chain or the what-if changed since this run. Press <b>Run</b> again."
UNTESTED_HINT = "untested: {why}. <a href='check'>Try every credential</a> to check it."
URL = re.compile(r"(https://[^\s<>&]+[^\s<>&.,;:)])")


class _Badge(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.outcome = "unknown"
        self.setFixedSize(30, 30)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        draw_badge_icon(painter, QRectF(1, 1, 28, 28), self.outcome, is_dark(self.palette()))


class VerdictBanner(QFrame):
    """Shows a Diagnosis; a checked fix is a link that emits ``fix_requested(fix)``; an untested one asks
    for "Try every credential" (``check_requested``) instead of promising anything."""

    fix_requested = Signal(object)  # app.diagnosis.Fix
    check_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VerdictBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.diagnosis: Diagnosis | None = None
        self._fixes: list = []
        self._expanded: set[int] = set()
        self._note = ""
        self._machine = ""
        self.badge = _Badge(self)
        self.headline = QLabel(WELCOME, self)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setAccessibleName("Verdict")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.12)
        font.setBold(True)
        self.headline.setFont(font)
        self.body = QLabel(WELCOME_DETAIL, self)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.body.setAccessibleName("Verdict details")
        self.body.linkActivated.connect(self._on_link)
        self.stale = QLabel(STALE, self)
        self.stale.setWordWrap(True)
        self.stale.setAccessibleName("Stale verdict")
        self.stale.setVisible(False)
        self.context = QLabel("", self)
        self.context.setWordWrap(True)
        self.context.setVisible(False)
        self.context.setAccessibleName("Sandbox scenario")
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.headline)
        text.addWidget(self.stale)
        text.addWidget(self.body)
        text.addWidget(self.context)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(12)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        self._tint("unknown")

    def show_welcome(self, detail: str = WELCOME_DETAIL) -> None:
        self.diagnosis = None
        self._outcome_shown = False
        self.headline.setText(WELCOME)
        self.body.setText(detail)
        self.badge.outcome = "unknown"
        self.badge.update()
        self.mark_stale(False)
        self._tint("unknown")

    def show_running(self, text: str) -> None:
        self.headline.setText(text)
        self.body.setText("Attempts appear in the timeline as they happen. Esc cancels.")
        self.badge.outcome = RUNNING
        self.badge.update()
        self.mark_stale(False)
        self._tint(RUNNING)

    def show_error(self, headline: str, detail: str) -> None:
        self.diagnosis = None
        self._outcome_shown = True
        self.headline.setText(headline)
        self.body.setText(f"<pre style='white-space:pre-wrap'>{html.escape(detail)}</pre>")
        self.badge.outcome = events.FAILED
        self.badge.update()
        self.mark_stale(False)
        self._tint(events.FAILED)

    def show_cancelled(self, text: str) -> None:
        """A run cancelled before any member started."""
        self.diagnosis = None
        self._outcome_shown = True
        self.headline.setText(text)
        self.body.setText("Nothing ran, so nothing new is known.")
        self.badge.outcome = events.CANCELLED
        self.badge.update()
        self.mark_stale(False)
        self._tint(events.CANCELLED)

    def show_diagnosis(self, diagnosis: Diagnosis, note: str = "", machine: str = "") -> None:
        self.diagnosis, self._note, self._machine = diagnosis, note, machine
        self._outcome_shown = True
        self._expanded = set()
        self.mark_stale(False)
        self._render()

    def _render(self) -> None:
        diagnosis = self.diagnosis
        if diagnosis is None:
            return
        self._fixes = []
        self.headline.setText(diagnosis.verdict)
        parts: list[str] = []
        if self._machine:
            parts.append(f"<p style='margin:0'><i>On {html.escape(self._machine)}.</i></p>")
        if self._note:
            parts.append(f"<p>{self._note}</p>")
        if diagnosis.stopped is not None:
            stopped = diagnosis.stopped
            parts.append(f"<p><b>{html.escape(stopped.credential)}</b> failed: {_rich(stopped.reason)}</p>")
        for warning in diagnosis.warnings:
            fixes = "".join(self._fix_item(fix) for fix in warning.fixes)
            parts.append(
                f"<p>⚠ {html.escape(warning.text)}</p>" + (f"<ul style='margin-top:0'>{fixes}</ul>" if fixes else "")
            )
        if diagnosis.next_steps:
            items = []
            for step in diagnosis.next_steps:
                command = f"<br><code>{html.escape(step.command)}</code>" if step.command else ""
                items.append(f"<li><b>{html.escape(step.credential)}</b>: {_rich(step.text)}{command}</li>")
            parts.append(f"<p style='margin:0'>Next steps:</p><ul style='margin-top:0'>{''.join(items)}</ul>")
        if diagnosis.passed_over:
            items = "".join(self._passed_item(i, p) for i, p in enumerate(diagnosis.passed_over))
            parts.append(f"<p style='margin:0'>Passed over:</p><ul style='margin-top:0'>{items}</ul>")
        self.body.setText("".join(parts) or "Nothing else to report.")
        outcome = diagnosis.outcome
        shown = outcome if outcome in (events.SUCCEEDED, events.FAILED, events.CANCELLED, RUNNING) else "unknown"
        tint = "warning" if shown == events.SUCCEEDED and diagnosis.warnings else shown
        self.badge.outcome = shown
        self.badge.update()
        self._tint(tint)

    def _passed_item(self, index: int, passed) -> str:
        """Folded to the first sentence, with the rest one click away: never cut mid-sentence."""
        short = first_sentence(passed.reason)
        full = passed.reason.strip()
        name = f"<b>{html.escape(passed.credential)}</b> was {html.escape(passed.outcome)}"
        if index in self._expanded or short == full:
            toggle = f" <a href='less:{index}'>less</a>" if short != full else ""
            return f"<li>{name}: {_rich(full)}{toggle}</li>"
        return f"<li>{name}: {_rich(short)} <a href='more:{index}'>more…</a></li>"

    def _fix_item(self, fix) -> str:
        if not fix.tested:
            why = UNTESTED_HINT.format(why=html.escape(fix.outcome.why))
            return f"<li>{html.escape(fix.label)} — {why}</li>"
        self._fixes.append(fix)
        link = f"<a href='fix:{len(self._fixes) - 1}'>{html.escape(fix.label)}</a>"
        return f"<li>{link} — {html.escape(describe_fix(fix))}</li>"

    def mark_stale(self, stale: bool) -> None:
        """After a chain or what-if edit the verdict shown is for the chain as it was: say so until the next run."""
        self.stale.setVisible(stale and getattr(self, "_outcome_shown", False))

    def set_context(self, text: str) -> None:
        self.context.setText(text)
        self.context.setVisible(bool(text))

    def fix_links(self) -> list:
        """The fixes offered as one click (checked ones only), in the order shown."""
        return list(self._fixes)

    def _on_link(self, href: str) -> None:
        kind, _, value = href.partition(":")
        if kind == "fix" and value.isdigit() and int(value) < len(self._fixes):
            self.fix_requested.emit(self._fixes[int(value)])
        elif kind == "check":
            self.check_requested.emit()
        elif kind in ("more", "less") and value.isdigit():
            (self._expanded.add if kind == "more" else self._expanded.discard)(int(value))
            self._render()
        elif href.startswith("https://"):
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl(href))

    def _tint(self, outcome: str) -> None:
        # the application's palette, not ours: our style sheet's background has already been folded into
        # ours, so a neutral banner after a running one would keep the running tint
        palette = QGuiApplication.palette()
        dark = is_dark(palette)
        accents = {
            events.SUCCEEDED: look(events.SUCCEEDED).color(dark),
            "warning": QColor("#e0a526" if dark else "#c98a00"),
            events.FAILED: look(events.FAILED).color(dark),
            events.CANCELLED: look(events.CANCELLED).color(dark),
            RUNNING: look(RUNNING).color(dark),
        }
        fills = TINTS_DARK if dark else TINTS_LIGHT
        accent = accents.get(outcome, palette.color(QPalette.ColorRole.Mid))
        fill = fills.get(outcome, palette.color(QPalette.ColorRole.Base).name())
        self.setStyleSheet(
            f"#VerdictBanner {{ background: {fill}; border: 1px solid {accent.name()};"
            f" border-left: 5px solid {accent.name()}; border-radius: 6px; }}"
        )


def _rich(text: str) -> str:
    """Escaped text with its line breaks kept and its https links clickable."""
    escaped = html.escape(text.strip()).replace("\n", "<br>")
    return URL.sub(lambda m: f"<a href='{m.group(1)}'>{m.group(1)}</a>", escaped)
