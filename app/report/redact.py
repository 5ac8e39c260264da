"""Scrubbing a report document: secrets always, identities when asked.

Both walk every string of the document (keys too), so a renderer can never show what this let through.
Secrets: the engine's own redaction (``engine.secrets.redact_text``), plus the values of the secret
variables the chain read (a tool may echo one), PEM private keys and form-encoded secret fields.
Identities: UPNs and tenant, object and client ids become stable pseudonyms ("tenant-1"), the same id
getting the same pseudonym everywhere in the document, free text included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engine.env_vars import AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_USERNAME
from engine.secrets import REDACTED, redact_text

# Keys whose values are secrets whatever they hold (a step detail or option named like one).
SECRET_KEY_WORDS = ("secret", "password", "token", "assertion", "private_key", "privatekey", "credential_value")
# Keys that merely mention a token but hold no secret: shown as they are.
NOT_SECRET_KEYS = frozenset({"expires_on", "token_type", "token_credentials", "token_file_path", "tokens"})
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL)
_FORM_SECRET = re.compile(
    r"(?i)\b((?:client_secret|password|refresh_token|access_token|id_token|client_assertion|assertion)=)[^&\s\"']+"
)
MIN_SECRET_LENGTH = 4  # shorter "secrets" would blank out ordinary words

GUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
UPN = re.compile(r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
PSEUDONYM_FORMATS = {
    "tenant": "tenant-{n}",
    "object": "object-{n}",
    "client": "client-{n}",
    "user": "user-{n}@example.invalid",
    "name": "Person {n}",
    "id": "id-{n}",
}
# Where an account's fields say what kind of identity a value is.
ACCOUNT_KINDS = {"tenant_id": "tenant", "object_id": "object", "client_id": "client", "upn": "user", "name": "name"}
ACCOUNT_KEYS = ("tenant_id", "object_id", "client_id", "upn")
# Authority segments that name no one: never pseudonymised (they appear in every authority URL).
NOT_IDENTITIES = frozenset({"common", "organizations", "consumers", "adfs"})
VARIABLE_KINDS = {AZURE_TENANT_ID: "tenant", AZURE_CLIENT_ID: "client", AZURE_USERNAME: "user"}
MIN_NAME_LENGTH = 3  # a display name shorter than this would match inside ordinary words


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """``value`` (nested dicts, lists, scalars) with ``fn`` applied to every string, keys included."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {fn(k) if isinstance(k, str) else k: map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [map_strings(v, fn) for v in value]
    return value


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered not in NOT_SECRET_KEYS and any(word in lowered for word in SECRET_KEY_WORDS)


def secret_scrubber(known_secrets: Iterable[str] = ()) -> Callable[[str], str]:
    """A function that masks every secret in a string: token shapes, known secret values, private keys."""
    values = sorted({s for s in known_secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    literal = re.compile("|".join(re.escape(v) for v in values)) if values else None

    def scrub(text: str) -> str:
        if literal is not None:  # first: a secret may itself look like a token and be cut in half otherwise
            text = literal.sub(REDACTED, text)
        text = _PRIVATE_KEY.sub(REDACTED, text)
        text = _FORM_SECRET.sub(rf"\g<1>{REDACTED}", text)
        return redact_text(text)

    return scrub


def scrub_secrets(document: Any, known_secrets: Iterable[str] = ()) -> Any:
    """The document with every secret masked, and every value under a secret-named key replaced."""
    scrub = secret_scrubber(known_secrets)

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                scrub(k) if isinstance(k, str) else k: (
                    REDACTED if isinstance(k, str) and is_secret_key(k) and _has_content(v) else walk(v)
                )
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return scrub(value) if isinstance(value, str) else value

    return walk(document)


def _has_content(value: Any) -> bool:
    return value not in (None, "", [], {}, False) and not isinstance(value, bool)


class Pseudonyms:
    """Stable pseudonyms for one report: learn the identities the document names, then replace them."""

    def __init__(self, fixed: Mapping[str, str] | None = None) -> None:
        self._names: dict[str, str] = {}  # normalised original -> pseudonym
        self._counts: dict[str, int] = {}
        self._pattern: re.Pattern | None = None
        # exact replacements made first (the home directory, whose path names the user: -> "~")
        self._fixed = [
            (re.compile(re.escape(k) + r"(?![\w.-])"), v)
            for k, v in sorted((fixed or {}).items(), key=lambda kv: -len(kv[0]))
            if len(k) > 1
        ]

    def pseudonym(self, value: str, kind: str) -> str:
        key = value.strip().lower()
        if key not in self._names:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._names[key] = PSEUDONYM_FORMATS[kind].format(n=self._counts[kind])
        return self._names[key]

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self._names)

    def learn(self, document: Any) -> None:
        """Give the identities the document's structure names their kind (tenant, client…) first."""
        if isinstance(document, Mapping):
            if any(key in document for key in ACCOUNT_KEYS):  # an account: its name is a person's or an app's
                for key, kind in ACCOUNT_KINDS.items():
                    if isinstance(document.get(key), str):
                        self._learn_value(document[key], kind)
            name, value = document.get("name"), document.get("value")
            if isinstance(name, str) and name in VARIABLE_KINDS and isinstance(value, str):
                self._learn_value(value, VARIABLE_KINDS[name])
            for value in document.values():
                self.learn(value)
        elif isinstance(document, (list, tuple)):
            for value in document:
                self.learn(value)

    def _learn_value(self, value: str, kind: str) -> None:
        value = value.strip()
        if not value or value.lower() in NOT_IDENTITIES:
            return
        if kind == "name" and (len(value) < MIN_NAME_LENGTH or GUID.fullmatch(value)):
            return
        if kind in ("object", "client") and not GUID.fullmatch(value):
            return  # not an id (a resource id path, a placeholder): the patterns still catch GUIDs inside
        self._pattern = None
        self.pseudonym(value, kind)

    def replace(self, text: str) -> str:
        """``text`` with every learned identity, GUID and UPN-shaped string replaced, in one pass."""
        if self._pattern is None:
            literals = sorted((k for k in self._names if not GUID.fullmatch(k)), key=len, reverse=True)
            alternatives = [r"(?<![\w-])" + re.escape(k) + r"(?![\w-])" for k in literals]
            self._pattern = re.compile("|".join([*alternatives, GUID.pattern, UPN.pattern]), re.IGNORECASE)

        def substitute(match: re.Match) -> str:
            found = match.group(0)
            return self._names.get(found.lower()) or self.pseudonym(found, "user" if "@" in found else "id")

        for original, replacement in self._fixed:
            text = original.sub(lambda _, r=replacement: r, text)
        return self._pattern.sub(substitute, text)


def pseudonymise(document: Any, fixed: Mapping[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """The document with identities replaced, and the mapping used (original, lower-cased -> pseudonym);
    ``fixed`` are exact replacements made first (``{"/home/dana": "~"}``)."""
    names = Pseudonyms(fixed)
    names.learn(document)
    return map_strings(document, names.replace), names.mapping
