"""The Export pane: the chain as Python code for azure-identity, following every edit live.

A style selector (auto, environment, DefaultAzureCredential, ChainedTokenCredential; a form that
would not behave like the chain is disabled, its tooltip says why), sync/async, an optional usage
example, the one-line "why" of the chosen form, the code with Python highlighting, Copy and Save as
.py. The code never holds a secret (the exporter reads secrets from environment variables at run
time), so copying it is always safe. Rendering is pure and takes a millisecond or two, so it runs
on the GUI thread on every edit.
"""

from __future__ import annotations

import html
import keyword
from pathlib import Path

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPalette,
    QStandardItemModel,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.export import AUTO, CHAINED, CLIENT, DEFAULT, ENV, GET_TOKEN, ExportError, export, forms
from engine.safe_save import SaveError, save_text
from engine.spec import ChainSpec

STYLE_ITEMS = (
    (AUTO, "Auto (shortest equivalent form)"),
    (ENV, "Environment: AZURE_TOKEN_CREDENTIALS"),
    (DEFAULT, "DefaultAzureCredential(...)"),
    (CHAINED, "ChainedTokenCredential(...)"),
)
EXAMPLE_ITEMS = ((None, "No example"), (GET_TOKEN, "Example: get_token"), (CLIENT, "Example: SDK client"))
AUTO_TOOLTIP = (
    "The first of DefaultAzureCredential, ChainedTokenCredential that behaves like this chain: code that runs as it "
    "is. The environment form needs AZURE_TOKEN_CREDENTIALS set where the app runs; choose it explicitly."
)
EQUIVALENT_TOOLTIP = "Behaves like this chain: {reason}."
NOT_EQUIVALENT_TOOLTIP = "Not available: {reason}."
NO_SPEC = "Edit the chain to see its code."
NO_EXPORT = "No export: {reason}"
COPIED = "Copied to the clipboard."
SAVED = "Saved {path}."
SAVE_FAILED = "Not saved: {reason}"
SET_VARIABLES = "The app's environment must set {assignments}."
DEFAULT_FILE_NAME = "credential.py"
OVERLAY_NOTE = (
    "<br><b>What-if active</b> ({overlay}): runs in the app use it, but this code will see your app's real "
    "environment; set or unset those variables there too."
)


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, azure-identity classes, strings, numbers and comments, per line."""

    KEYWORDS = tuple(k for k in keyword.kwlist if k not in ("None", "True", "False"))

    def __init__(self, document: QTextDocument, palette: QPalette | None = None) -> None:
        super().__init__(document)
        dark = (palette or QGuiApplication.palette()).color(QPalette.ColorRole.Base).lightness() < 128
        colours = {
            "keyword": "#c678dd" if dark else "#7a1fa2",
            "constant": "#d19a66" if dark else "#a0522d",
            "class": "#e5c07b" if dark else "#0b61a4",
            "string": "#98c379" if dark else "#22863a",
            "number": "#d19a66" if dark else "#a0522d",
            "comment": "#7f848e" if dark else "#6a737d",
        }
        self.formats = {name: self._format(colour, name) for name, colour in colours.items()}
        words = "|".join(self.KEYWORDS)
        self.rules = [
            (QRegularExpression(rf"\b(?:{words})\b"), self.formats["keyword"]),
            (QRegularExpression(r"\b(?:None|True|False)\b"), self.formats["constant"]),
            (QRegularExpression(r"\b[A-Z][A-Za-z0-9]*(?:Credential|Client|Policy|Request)\b"), self.formats["class"]),
            (QRegularExpression(r"\b\d+(?:\.\d+)?\b"), self.formats["number"]),
            (QRegularExpression(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""), self.formats["string"]),
        ]

    @staticmethod
    def _format(colour: str, name: str) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(colour))
        if name == "keyword":
            fmt.setFontWeight(QFont.Weight.Bold)
        if name == "comment":
            fmt.setFontItalic(True)
        return fmt

    def highlightBlock(self, text: str) -> None:
        comment_at = len(text)
        stripped = text.lstrip()
        if stripped.startswith("#"):
            comment_at = len(text) - len(stripped)
        for pattern, fmt in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                if match.capturedStart() < comment_at:
                    self.setFormat(match.capturedStart(), match.capturedLength(), fmt)
        if comment_at < len(text):
            self.setFormat(comment_at, len(text) - comment_at, self.formats["comment"])


class ExportPane(QWidget):
    """Shows ``set_spec``'s chain as code; emits ``code_changed`` whenever the code changes."""

    code_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec: ChainSpec | None = None
        self._code = ""
        self._overlay = ""
        self.setAccessibleName("Export")

        self.style_box = QComboBox(self)
        self.style_box.setAccessibleName("Form")
        for style, label in STYLE_ITEMS:
            self.style_box.addItem(label, style)
        self.style_box.setItemData(0, AUTO_TOOLTIP, Qt.ItemDataRole.ToolTipRole)
        self.async_box = QCheckBox("Async", self)
        self.async_box.setToolTip("Async code: the credentials of azure.identity.aio, closed with async with")
        self.example_box = QComboBox(self)
        self.example_box.setAccessibleName("Example")
        for kind, label in EXAMPLE_ITEMS:
            self.example_box.addItem(label, kind)
        for box in (self.style_box, self.example_box):  # long labels must not set the dock's minimum width
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        controls = QHBoxLayout()
        controls.addWidget(self.style_box, 1)
        options = QHBoxLayout()
        options.addWidget(self.example_box, 1)
        options.addWidget(self.async_box)

        self.why = QLabel(NO_SPEC, self)
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why this form")
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.code_view = QPlainTextEdit(self)
        self.code_view.setReadOnly(True)
        # wrapped, so a narrow dock shows all of it (Copy and Save take the code as it is, unwrapped)
        self.code_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.code_view.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.code_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code_view.setAccessibleName("Exported code")
        self.code_view.setTabChangesFocus(True)
        self.highlighter = PythonHighlighter(self.code_view.document(), self.palette())

        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the code (it never contains a secret)")
        self.save_button = QPushButton("Save as .py…", self)
        self.status = QLabel("", self)
        self.status.setAccessibleName("Export status")
        self.status.setMinimumWidth(0)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(options)
        layout.addWidget(self.why)
        layout.addWidget(self.code_view, 1)
        layout.addLayout(buttons)

        self.style_box.currentIndexChanged.connect(self.refresh)
        self.async_box.toggled.connect(self.refresh)
        self.example_box.currentIndexChanged.connect(self.refresh)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save_dialog)
        self.refresh()

    # ---- inputs -------------------------------------------------------------------------------
    def set_spec(self, spec: ChainSpec) -> None:
        """Follow the chain (connected to the main window's ``chain_changed``)."""
        self._spec = spec
        self.refresh()

    def set_overlay(self, description: str) -> None:
        """The what-if overlay in words ("" when none): the code must say it does not carry it."""
        self._overlay = description
        self.refresh()

    def set_style(self, style: str) -> None:
        self.style_box.setCurrentIndex(self.style_box.findData(style))

    def set_async(self, enabled: bool) -> None:
        self.async_box.setChecked(enabled)

    def set_example(self, kind: str | None) -> None:
        self.example_box.setCurrentIndex(self.example_box.findData(kind))

    # ---- outputs ------------------------------------------------------------------------------
    def code(self) -> str:
        return self._code

    def style(self) -> str:
        return self.style_box.currentData()

    def refresh(self) -> None:
        if self._spec is None:
            self._show("", NO_SPEC)
            return
        async_ = self.async_box.isChecked()
        verdicts = forms(self._spec, async_=async_)
        self._update_style_items(verdicts)
        style = self.style()
        if style != AUTO and not verdicts[style].equivalent:
            self.style_box.blockSignals(True)
            self.set_style(AUTO)  # the chosen form stopped behaving like the chain: fall back, tooltip says why
            self.style_box.blockSignals(False)
            style = AUTO
        try:
            result = export(self._spec, style, async_=async_, example=self.example_box.currentData())
        except ExportError as ex:
            self._show("", NO_EXPORT.format(reason=ex))
            return
        why = result.reason
        if result.environment:
            assignments = ", ".join(f"{k}={v}" for k, v in result.environment.items())
            why += " " + SET_VARIABLES.format(assignments=assignments)
        self._show(result.code, why)

    def _update_style_items(self, verdicts) -> None:
        model = self.style_box.model()
        assert isinstance(model, QStandardItemModel)
        for row in range(1, self.style_box.count()):
            verdict = verdicts[self.style_box.itemData(row)]
            item = model.item(row)
            item.setEnabled(verdict.equivalent)
            template = EQUIVALENT_TOOLTIP if verdict.equivalent else NOT_EQUIVALENT_TOOLTIP
            item.setToolTip(template.format(reason=verdict.reason))

    def _show(self, code: str, why: str) -> None:
        if self._overlay:
            why = html.escape(why, quote=False) + OVERLAY_NOTE.format(overlay=html.escape(self._overlay, quote=False))
        self.why.setText(why)
        self.copy_button.setEnabled(bool(code))
        self.save_button.setEnabled(bool(code))
        self.status.clear()
        if code != self._code:
            self._code = code
            self.code_view.setPlainText(code)
            self.code_changed.emit(code)

    # ---- actions ------------------------------------------------------------------------------
    def copy(self) -> None:
        if self._code:
            QGuiApplication.clipboard().setText(self._code)
            self.status.setText(COPIED)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the exported code", DEFAULT_FILE_NAME, "Python (*.py)")
        if path:
            self.save_to(path if path.endswith(".py") else path + ".py")

    def save_to(self, path: str | Path) -> Path | None:
        """Write the code to ``path`` atomically; on failure the pane says why and the old file stays."""
        path = Path(path)
        try:
            save_text(path, self._code)
        except SaveError as ex:
            self.status.setText(SAVE_FAILED.format(reason=ex))
            self.status.setToolTip(str(ex))
            return None
        self.status.setText(SAVED.format(path=path.name))
        self.status.setToolTip("")
        return path
