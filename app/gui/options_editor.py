"""A form for keyword arguments: one member's (ChainedTokenCredential) or DefaultAzureCredential's own."""

from __future__ import annotations

import json
import math
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.spec import MAX_SECONDS, NOT_A_NUMBER

DEFAULT = "(default)"
SECRET_HINT = "name of the environment variable holding the secret (the value itself is never saved)"


def parse_value(text: str, types: tuple[type, ...]) -> Any:
    """Turn what the user typed into the option's type; "" means "not set". Raises ValueError."""
    text = text.strip()
    if not text:
        return None
    if bool in types:
        return {"true": True, "false": False}[text.lower()]
    if int in types or float in types:
        number = float(text)
        if not (math.isfinite(number) and 0 < number <= MAX_SECONDS):  # the spec loader refuses the same
            raise ValueError(NOT_A_NUMBER.format(max=MAX_SECONDS, value=text))
        return int(number) if number.is_integer() else number
    if list in types:
        return [part.strip() for part in text.split(",") if part.strip()]
    if dict in types:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError('expected a JSON object, like {"object_id": "…"}')
        return value
    return text


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


class OptionsEditor(QGroupBox):
    """Edits a dict of options against a schema ``{name: types}``; Apply emits ``applied(dict)``."""

    applied = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Options", parent)
        self.schema: dict[str, tuple[type, ...]] = {}
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c9372c")
        self.error.setVisible(False)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setAccessibleName("Apply options")
        self.revert_button = QPushButton("Revert", self)
        self.apply_button.clicked.connect(self._apply)
        self.revert_button.clicked.connect(lambda: self.edit(self.title_text, self.schema, self.values))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.title_text = ""
        self.values: dict[str, Any] = {}
        self.setAccessibleName("Options editor")

    def edit(self, title: str, schema: dict[str, tuple[type, ...]], values: dict[str, Any]) -> None:
        self.title_text, self.schema, self.values = title, dict(schema), dict(values)
        self.setTitle(title)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        for name, types in schema.items():
            if bool in types:
                field = QComboBox(self)
                field.addItems([DEFAULT, "True", "False"])
                field.setCurrentText(format_value(values.get(name)) or DEFAULT)
            else:
                field = QLineEdit(format_value(values.get(name)), self)
                field.setPlaceholderText(_placeholder(name, types))
                if (int in types or float in types) and list not in types:
                    field.setValidator(QDoubleValidator(0, 1e6, 3, field))
                field.returnPressed.connect(self._apply)
            field.setAccessibleName(name)
            field.setToolTip(f"{name}: {' or '.join(t.__name__ for t in types)}")
            self.fields[name] = field
            self.form.addRow(name, field)
        self.error.setVisible(False)

    def current(self) -> dict[str, Any]:
        """The form's values, typed; raises ValueError naming the field that does not parse."""
        result: dict[str, Any] = {}
        for name, field in self.fields.items():
            text = field.currentText() if isinstance(field, QComboBox) else field.text()
            if text == DEFAULT:
                continue
            try:
                value = parse_value(text, self.schema[name])
            except (ValueError, KeyError) as ex:
                raise ValueError(f"{name}: {ex}") from None
            if value is not None:
                result[name] = value
        return result

    def _apply(self) -> None:
        try:
            values = self.current()
        except ValueError as ex:
            self.error.setText(str(ex))
            self.error.setVisible(True)
            return
        self.error.setVisible(False)
        self.values = values
        self.applied.emit(values)


def _placeholder(name: str, types: tuple[type, ...]) -> str:
    if name.endswith("_env"):
        return SECRET_HINT
    if list in types:
        return "comma-separated"
    if dict in types:
        return "JSON object"
    if int in types or float in types:
        return "number"
    return "(not set)"
