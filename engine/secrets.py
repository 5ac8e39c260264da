"""Values that must never leak: shown redacted everywhere unless explicitly revealed."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

REDACTED = "***"
KNOWN_SECRET_MIN_LENGTH = 8  # shorter values would mask ordinary words; token shapes still catch tokens
KNOWN_SECRETS_KEPT = 512  # the most recent secret values remembered for redaction

_FIELDS = r"(?:accessToken|access_token|token|refresh_token|refreshToken|id_token|client_secret|assertion|password)"
# What a token looks like in free text: a JWT, a tool's JSON token field, PowerShell's azsdk% line.
_TOKEN_SHAPES = (
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?"),
    # a JSON token field, also JSON-in-JSON (escaped quotes) and cut short (no closing quote)
    re.compile(rf'(\\*"{_FIELDS}\\*"\s*:\s*\\*")[^"\\\r\n]*'),
    # the same field in a Python repr ('access_token': '...') and form encoding (access_token=...)
    re.compile(rf"('{_FIELDS}'\s*:\s*')[^'\r\n]*"),
    re.compile(rf"(\b{_FIELDS}=)[^&\s\"']+"),
    re.compile(r"(azsdk%)[^%\s]*"),
)

_known: OrderedDict[str, None] = OrderedDict()
_known_lock = threading.Lock()


def remember(value: str) -> None:
    """Make ``value`` (a secret of this process's runs) redacted wherever it appears in text."""
    if len(value) < KNOWN_SECRET_MIN_LENGTH:
        return
    with _known_lock:
        _known[value] = None
        _known.move_to_end(value)
        while len(_known) > KNOWN_SECRETS_KEPT:
            _known.popitem(last=False)


class Secret:
    """A secret string: ``str``/``repr``/format/JSON show ``***``; ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if isinstance(value, str):
            remember(value)

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
    """The one redactor: ``text`` with token shapes and every remembered secret replaced by ``***``."""
    with _known_lock:
        known = [value for value in _known if value in text]
    for value in sorted(known, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    text = _TOKEN_SHAPES[0].sub(REDACTED, text)
    for pattern in _TOKEN_SHAPES[1:]:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


def redact_value(value: Any) -> Any:
    """Strings redacted inside any JSON-like value (dicts, lists, tuples); other values unchanged."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(item) for item in value)
    return value


def redact_event(event: Any) -> Any:
    """A dataclass record (an event) with every text field redacted; the same object when nothing changed."""
    changes = {}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if isinstance(value, (str, dict, list, tuple)):
            cleaned = redact_value(value)
            if cleaned != value:
                changes[f.name] = cleaned
    return dataclasses.replace(event, **changes) if changes else event


def install_log_redaction() -> None:
    """Redact every log record of this process as it is made (msal's and urllib3's included)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "chainsight_redacts", False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it for logging's own error report
            return record
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return record

    redacting_factory.chainsight_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


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
