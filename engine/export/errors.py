"""Why an export could not be produced."""

from __future__ import annotations

NO_CREDENTIALS = "the chain has no enabled credential"


class ExportError(ValueError):
    """The spec cannot be exported as asked (never carries an option's value, only its name)."""


class NotEquivalentError(ExportError):
    """The requested form would not behave as the spec does."""
