"""Values that must never leak: shown redacted everywhere unless explicitly revealed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

REDACTED = "***"

# What a token looks like in free text: a JWT, a tool's JSON token field, PowerShell's azsdk% line.
_TOKEN_SHAPES = (
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?"),
    # a JSON token field, also JSON-in-JSON (escaped quotes) and cut short (no closing quote)
    re.compile(
        r'(\\?"(?:accessToken|access_token|token|refresh_token|refreshToken|id_token|client_secret)\\?"'
        r'\s*:\s*\\?")[^"\\\r\n]*'
    ),
    re.compile(r"(azsdk%)[^%\s]*"),
)


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


def redact_text(text: str) -> str:
    """``text`` with anything shaped like a token replaced by ``***`` (for tool stderr shown to users)."""
    text = _TOKEN_SHAPES[0].sub(REDACTED, text)
    for pattern in _TOKEN_SHAPES[1:]:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


def reveal(value: str | Secret | None) -> str | None:
    """The raw text of a plain string or a Secret."""
    return value.reveal() if isinstance(value, Secret) else value


def redact_url(url: str) -> str:
    """URLs never carry secrets in the flows we run, but strip any query value named like one."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    redacted = []
    for pair in parts.query.split("&"):
        key, sep, value = pair.partition("=")
        if any(word in key.lower() for word in ("secret", "password", "token", "assertion", "code")):
            value = "***"
        redacted.append(f"{key}{sep}{value}")
    return parts._replace(query="&".join(redacted)).geturl()
