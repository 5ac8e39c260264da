"""Values that must never leak: shown redacted everywhere unless explicitly revealed."""

from __future__ import annotations

REDACTED = "***"


class Secret:
    """A secret string: ``str``/``repr``/format/JSON show ``***``; ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return REDACTED

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self):
        raise TypeError("a Secret is not serialisable")

    def to_json(self) -> str:
        return REDACTED


def reveal(value: str | Secret | None) -> str | None:
    """The raw text of a plain string or a Secret."""
    return value.reveal() if isinstance(value, Secret) else value
