"""Why an export could not be produced."""

from __future__ import annotations


class ExportError(ValueError):
    """The spec cannot be exported as asked (never carries an option's value, only its name)."""


class NotEquivalentError(ExportError):
    """The requested form would not behave as the spec does."""
