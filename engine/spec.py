"""ChainSpec: the chain the user configured, as plain data, saved as TOML.

Keys are azure-identity's own class and keyword names, so a user recognises them and export is
a direct mapping. Loading reports every problem with its key path in one error.
"""

from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from engine import dac_keywords
from engine.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from engine.safe_files import read_regular
from engine.safe_save import save_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_AZURE_CREDENTIAL = "DefaultAzureCredential"
CHAINED_TOKEN_CREDENTIAL = "ChainedTokenCredential"

_STR = (str,)
_OPT_STR = (str, type(None))
_NUM = (int, float)
_BOOL = (bool,)
_LIST = (list,)
_DICT = (dict,)

# Keyword arguments DefaultAzureCredential reads or forwards (exclude_* come from the profile).
DAC_OPTIONS: dict[str, tuple[type, ...]] = dac_keywords.option_types()

# Constructor keyword arguments of each credential a ChainedTokenCredential may hold. Secrets are
# never stored: ``*_env`` options name the environment variable the value is read from.
CREDENTIAL_OPTIONS: dict[str, dict[str, tuple[type, ...]]] = {
    "EnvironmentCredential": {"authority": _STR, "disable_instance_discovery": _BOOL},
    "WorkloadIdentityCredential": {"tenant_id": _STR, "client_id": _STR, "token_file_path": _STR},
    "ManagedIdentityCredential": {"client_id": _STR, "identity_config": _DICT},
    "SharedTokenCacheCredential": {"username": _STR, "tenant_id": _STR, "authority": _STR},
    "VisualStudioCodeCredential": {"tenant_id": _STR},
    "AzureCliCredential": {
        "tenant_id": _STR,
        "subscription": _STR,
        "additionally_allowed_tenants": _LIST,
        "process_timeout": _NUM,
    },
    "AzurePowerShellCredential": {"tenant_id": _STR, "additionally_allowed_tenants": _LIST, "process_timeout": _NUM},
    "AzureDeveloperCliCredential": {"tenant_id": _STR, "additionally_allowed_tenants": _LIST, "process_timeout": _NUM},
    "InteractiveBrowserCredential": {
        "tenant_id": _STR,
        "client_id": _STR,
        "login_hint": _STR,
        "redirect_uri": _STR,
        "timeout": _NUM,
        "authority": _STR,
        "disable_instance_discovery": _BOOL,
    },
    "ClientSecretCredential": {
        "tenant_id": _STR,
        "client_id": _STR,
        "client_secret_env": _STR,
        "authority": _STR,
        "disable_instance_discovery": _BOOL,
    },
    "UsernamePasswordCredential": {
        "client_id": _STR,
        "username": _STR,
        "password_env": _STR,
        "tenant_id": _STR,
        "authority": _STR,
        "disable_instance_discovery": _BOOL,
    },
    "CertificateCredential": {
        "tenant_id": _STR,
        "client_id": _STR,
        "certificate_path": _STR,
        "password_env": _STR,
        "send_certificate_chain": _BOOL,
        "authority": _STR,
        "disable_instance_discovery": _BOOL,
    },
}


# Constructor arguments without a default: missing, the constructor would fail with a bare TypeError.
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "ClientSecretCredential": ("tenant_id", "client_id"),
    "UsernamePasswordCredential": ("client_id", "username"),
    "CertificateCredential": ("tenant_id", "client_id"),
}
REQUIRED = 'required by {kind}; add {key} = "..." to this credential\'s table'

NULLABLE_AS_EMPTY = frozenset({"managed_identity_client_id"})

# Seconds: a timeout is a finite positive number no larger than a day (NaN, inf, 0 or -1 would switch the
# tool timeout off or make every tool "fail to invoke", which azure-identity reports misleadingly).
MAX_SECONDS = 86400
SPEC_MAX_BYTES = 1024 * 1024
NOT_A_NUMBER = "must be a finite number of seconds greater than 0 and at most {max}, got {value!r}"
NOT_A_BOOL = "must be true or false (TOML and JSON spelling), got {value!r}"
NOT_STRINGS = "must be a list of strings"
NOT_STRING_TABLE = "must be a table of strings"
UNKNOWN_OPTION = "unknown option{owner}{hint}"
DID_YOU_MEAN = "; did you mean {match!r}?"
NOT_UTF8 = "not UTF-8 text (byte {position}); save the file as UTF-8"
TOO_DEEP = "nested too deeply"
# Keys DefaultAzureCredential itself refuses: its own message (engine/default.py raises the same at build).
DAC_REFUSED = {"tenant_id": "'tenant_id' is not supported in DefaultAzureCredential."}

# The variable a secret is read from when the spec names none: azure-identity's own variable names.
DEFAULT_SECRET_VARIABLES: dict[str, dict[str, str]] = {
    "ClientSecretCredential": {"client_secret_env": "AZURE_CLIENT_SECRET"},
    "UsernamePasswordCredential": {"password_env": "AZURE_PASSWORD"},
}


class SpecError(ValueError):
    """Every problem of a spec at once, each with its key path."""

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{_printable(source)}: " if source else ""
        if [path for path, _ in problems] == ["(file)"]:  # the file itself, not a key in it
            super().__init__(f"{where}{_printable(' '.join(str(problems[0][1]).split()))}")
            return
        listed = "; ".join(f"{_printable(path)}: {_printable(' '.join(str(m).split()))}" for path, m in problems)
        super().__init__(f"{where}invalid chain spec: {listed}")


def _printable(text: str) -> str:
    """``text`` on one line: control characters (a key may hold a newline) shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass
class CredentialSpec:
    type: str
    options: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass
class ChainSpec:
    type: str = DEFAULT_AZURE_CREDENTIAL
    azure_identity: str = DEFAULT_PROFILE
    options: dict[str, Any] = field(default_factory=dict)
    credentials: list[CredentialSpec] = field(default_factory=list)

    # ---- TOML ----------------------------------------------------------------------------------
    @classmethod
    def loads(cls, text: str, source: str | None = None) -> ChainSpec:
        try:
            data = tomllib.loads(text.removeprefix("\ufeff"))  # Windows editors write a BOM
        except tomllib.TOMLDecodeError as ex:
            raise SpecError([("(file)", f"not valid TOML: {ex}")], source) from None
        except RecursionError:
            raise SpecError([("(file)", TOO_DEEP)], source) from None
        return cls.from_dict(data, source)

    @classmethod
    def load(cls, path: str | Path) -> ChainSpec:
        """Read a spec file; SpecError naming the file for anything unreadable, special or not UTF-8."""
        try:
            data = read_regular(path, what="chain spec", max_bytes=SPEC_MAX_BYTES)
        except OSError as ex:
            raise SpecError([("(file)", getattr(ex, "reason", None) or str(ex))], str(path)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as ex:
            raise SpecError([("(file)", NOT_UTF8.format(position=ex.start))], str(path)) from None
        return cls.loads(text, str(path))

    def dumps(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | Path) -> None:
        """Write atomically (engine.safe_save): a failure leaves the old file and no temporary file."""
        save_text(path, self.dumps())

    def to_dict(self) -> dict:
        chain: dict[str, Any] = {"type": self.type, "azure_identity": self.azure_identity}
        if self.options:
            # TOML has no null. managed_identity_client_id=None ("force system-assigned") behaves exactly
            # as "" does in azure-identity (both are falsy everywhere it is read), so it is written as "".
            chain["options"] = {k: ("" if v is None and k in NULLABLE_AS_EMPTY else v) for k, v in self.options.items()}
        if self.credentials:
            chain["credentials"] = [
                {"type": c.type, **({} if c.enabled else {"enabled": False}), **c.options} for c in self.credentials
            ]
        return {"chain": chain}

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> ChainSpec:
        problems: list[tuple[str, str]] = []
        for key in data:
            if key != "chain":
                problems.append((key, "unknown table; a spec has only [chain]"))
        chain = data.get("chain")
        if not isinstance(chain, dict):
            problems.append(("chain", "missing [chain] table"))
            raise SpecError(problems, source)
        spec = cls()
        spec.type = _take(chain, "type", _STR, "chain.type", problems, DEFAULT_AZURE_CREDENTIAL)
        if spec.type not in (DEFAULT_AZURE_CREDENTIAL, CHAINED_TOKEN_CREDENTIAL):
            problems.append(("chain.type", f"must be {DEFAULT_AZURE_CREDENTIAL!r} or {CHAINED_TOKEN_CREDENTIAL!r}"))
        spec.azure_identity = _take(chain, "azure_identity", _STR, "chain.azure_identity", problems, DEFAULT_PROFILE)
        try:
            profile = get_profile(spec.azure_identity)
        except ValueError:
            problems.append(("chain.azure_identity", f"unknown version; known: {', '.join(PROFILES)}"))
            profile = get_profile(None)
        for key in chain:
            if key not in ("type", "azure_identity", "options", "credentials"):
                problems.append((f"chain.{key}", "unknown key"))
        options = chain.get("options", {})
        if not isinstance(options, dict):
            problems.append(("chain.options", "must be a table"))
            options = {}
        known = {**DAC_OPTIONS, **{m.exclude_option: _BOOL for m in profile.members}}
        if spec.type == CHAINED_TOKEN_CREDENTIAL and options:
            problems.append(
                (
                    "chain.options",
                    "only DefaultAzureCredential takes options; ChainedTokenCredential options go on each credential",
                )
            )
        for key, value in options.items():
            if spec.type == DEFAULT_AZURE_CREDENTIAL and key in DAC_REFUSED:
                problems.append((f"chain.options.{key}", DAC_REFUSED[key]))
                continue
            _check(f"chain.options.{key}", value, known.get(key), problems, known=known)
        spec.options = dict(options)
        credentials = chain.get("credentials", [])
        if not isinstance(credentials, list):
            problems.append(("chain.credentials", "must be an array of tables ([[chain.credentials]])"))
            credentials = []
        if spec.type == DEFAULT_AZURE_CREDENTIAL and credentials:
            problems.append(
                (
                    "chain.credentials",
                    "DefaultAzureCredential builds its own members; "
                    'use exclude_* options, or type = "ChainedTokenCredential"',
                )
            )
        for i, entry in enumerate(credentials):
            spec.credentials.append(_credential(entry, f"chain.credentials[{i}]", problems))
        if spec.type == CHAINED_TOKEN_CREDENTIAL and not credentials:
            problems.append(("chain.credentials", "a ChainedTokenCredential needs at least one credential"))
        if problems:
            raise SpecError(problems, source)
        return spec

    # ---- queries -------------------------------------------------------------------------------
    @property
    def profile(self):
        return get_profile(self.azure_identity)

    @property
    def is_default(self) -> bool:
        return self.type == DEFAULT_AZURE_CREDENTIAL


def _credential(entry: Any, path: str, problems: list[tuple[str, str]]) -> CredentialSpec:
    if not isinstance(entry, dict):
        problems.append((path, "must be a table"))
        return CredentialSpec("?")
    kind = entry.get("type")
    if not isinstance(kind, str):
        problems.append((f"{path}.type", "missing credential type"))
        return CredentialSpec("?")
    if kind not in CREDENTIAL_OPTIONS:
        problems.append((f"{path}.type", f"unknown credential {kind!r}; known: {', '.join(CREDENTIAL_OPTIONS)}"))
        return CredentialSpec(kind)
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append((f"{path}.enabled", "must be true or false"))
        enabled = True
    options = {k: v for k, v in entry.items() if k not in ("type", "enabled")}
    for key, value in options.items():
        _check(
            f"{path}.{key}",
            value,
            CREDENTIAL_OPTIONS[kind].get(key),
            problems,
            owner=kind,
            known=CREDENTIAL_OPTIONS[kind],
        )
    return CredentialSpec(kind, options, enabled)


def _check(
    path: str, value: Any, types: tuple[type, ...] | None, problems: list, owner: str = "", known: Any = ()
) -> None:
    if types is None:
        key = path.rpartition(".")[2]
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = DID_YOU_MEAN.format(match=close[0]) if close else ""
        problems.append((path, UNKNOWN_OPTION.format(owner=f" of {owner}" if owner else "", hint=hint)))
    elif types == _BOOL and not isinstance(value, bool):
        problems.append((path, NOT_A_BOOL.format(value=value)))
    elif types == _NUM and (isinstance(value, bool) or not isinstance(value, _NUM)):
        problems.append((path, NOT_A_NUMBER.format(max=MAX_SECONDS, value=value)))
    elif not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
        problems.append((path, f"wrong type: expected {expected}, got {type(value).__name__}"))
    elif types == _NUM and not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        problems.append((path, NOT_A_NUMBER.format(max=MAX_SECONDS, value=value)))
    elif types == _LIST and not all(isinstance(item, str) for item in value):
        problems.append((path, NOT_STRINGS))
    elif types == _DICT and not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        problems.append((path, NOT_STRING_TABLE))


def _take(table: dict, key: str, types: tuple, path: str, problems: list, default: Any) -> Any:
    value = table.get(key, default)
    if not isinstance(value, types):
        problems.append((path, f"wrong type: expected {types[0].__name__}, got {type(value).__name__}"))
        return default
    return value
