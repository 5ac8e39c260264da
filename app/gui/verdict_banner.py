"""The verdict banner: the run's answer in plain words, why others were passed over, warnings with fixes."""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.gui.outcome_style import draw_badge_icon, look
from app.gui.resources import is_dark
from app.verdict import Verdict

WELCOME = "Which credential will your app use, and as whom?"
WELCOME_DETAIL = (
    "The chain on the left is what <code>DefaultAzureCredential</code> builds here. "
    "Press <b>Run</b> (Ctrl+R) to ask it for a token, or <b>Try every credential</b> to see each account."
)
TINTS_LIGHT = {
    "succeeded": "#e9f6ee",
    "warning": "#fff5dd",
    "failed": "#fdeceb",
    "cancelled": "#f8f0e1",
    "running": "#e9f0fc",
}
TINTS_DARK = {
    "succeeded": "#1b3024",
    "warning": "#3a3019",
    "failed": "#3b1f1f",
    "cancelled": "#33291a",
    "running": "#1c2940",
}
STALE = "<b>Stale:</b> the chain or the what-if changed since this run. Press <b>Run</b> again."
ACTION_LABELS = {"exclude": "Exclude {0}", "unset": "Try without {0}", "set": "Try {0}={1}"}


class _Badge(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.outcome = "unknown"
        self.setFixedSize(30, 30)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        draw_badge_icon(painter, QRectF(1, 1, 28, 28), self.outcome, is_dark(self.palette()))


class VerdictBanner(QFrame):
    """Shows a Verdict; a warning's fix is a link that emits ``fix_requested(action)``."""

    fix_requested = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VerdictBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.verdict: Verdict | None = None
        self._actions: list[tuple[str, ...]] = []
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
        self.verdict = None
        self.headline.setText(WELCOME)
        self.body.setText(detail)
        self.badge.outcome = "unknown"
        self.badge.update()
        self.mark_stale(False)
        self._tint("unknown")

    def show_running(self, text: str) -> None:
        self.headline.setText(text)
        self.body.setText("Attempts appear in the timeline as they happen. Esc cancels.")
        self.badge.outcome = "running"
        self.badge.update()
        self.mark_stale(False)
        self._tint("running")

    def show_error(self, headline: str, detail: str) -> None:
        self.verdict = None
        self.headline.setText(headline)
        self.body.setText(f"<pre style='white-space:pre-wrap'>{html.escape(detail)}</pre>")
        self.badge.outcome = "failed"
        self.badge.update()
        self.mark_stale(False)
        self._tint("failed")

    def show_verdict(self, verdict: Verdict, note: str = "") -> None:
        self.verdict = verdict
        self._actions = []
        self.headline.setText(verdict.headline)
        parts: list[str] = []
        if note:
            parts.append(f"<p>{note}</p>")
        if verdict.passed_over:
            items = "".join(
                f"<li><b>{html.escape(p.credential)}</b> was {p.outcome}: {html.escape(p.reason)}</li>"
                for p in verdict.passed_over
            )
            parts.append(f"<p style='margin:0'>Passed over:</p><ul style='margin-top:0'>{items}</ul>")
        for warning in verdict.warnings:
            link = ""
            if warning.action:
                self._actions.append(warning.action)
                label = ACTION_LABELS[warning.action[0]].format(*warning.action[1:])
                link = f" <a href='fix:{len(self._actions) - 1}'>{html.escape(label)}</a>"
            fix = f"<br><i>Fix:</i> {html.escape(warning.fix)}" if warning.fix else ""
            parts.append(f"<p>⚠ {html.escape(warning.text)}{fix}{link}</p>")
        self.body.setText("".join(parts) or "Nothing else to report.")
        outcome = verdict.outcome if verdict.outcome != "succeeded" or not verdict.warnings else "warning"
        self.badge.outcome = verdict.outcome
        self.badge.update()
        self.mark_stale(False)
        self._tint(outcome)

    def mark_stale(self, stale: bool) -> None:
        """After a chain or what-if edit the verdict shown is for the chain as it was: say so until the next run."""
        self.stale.setVisible(stale and self.verdict is not None)

    def set_context(self, text: str) -> None:
        self.context.setText(text)
        self.context.setVisible(bool(text))

    def _on_link(self, href: str) -> None:
        if href.startswith("fix:"):
            index = int(href[4:])
            if 0 <= index < len(self._actions):
                self.fix_requested.emit(self._actions[index])

    def _tint(self, outcome: str) -> None:
        # the application's palette, not ours: our style sheet's background has already been folded into
        # ours, so a neutral banner after a running one would keep the running tint
        palette = QGuiApplication.palette()
        dark = is_dark(palette)
        accents = {
            "succeeded": look("succeeded").color(dark),
            "warning": QColor("#e0a526" if dark else "#c98a00"),
            "failed": look("failed").color(dark),
            "cancelled": look("cancelled").color(dark),
            "running": look("running").color(dark),
        }
        fills = TINTS_DARK if dark else TINTS_LIGHT
        accent = accents.get(outcome, palette.color(QPalette.ColorRole.Mid))
        fill = fills.get(outcome, palette.color(QPalette.ColorRole.Base).name())
        self.setStyleSheet(
            f"#VerdictBanner {{ background: {fill}; border: 1px solid {accent.name()};"
            f" border-left: 5px solid {accent.name()}; border-radius: 6px; }}"
        )
