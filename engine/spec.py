"""ChainSpec: the chain the user configured, as plain data, saved as TOML.

Keys are azure-identity's own class and keyword names, so a user recognises them and export is
a direct mapping. Loading reports every problem with its key path in one error.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from engine import dac_keywords
from engine.profiles import DEFAULT_PROFILE, PROFILES, get_profile

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


NULLABLE_AS_EMPTY = frozenset({"managed_identity_client_id"})

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
        where = f"{source}: " if source else ""
        lines = [f"  {path}: {message}" for path, message in problems]
        super().__init__(f"{where}invalid chain spec ({len(problems)} problem(s)):\n" + "\n".join(lines))


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
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as ex:
            raise SpecError([("(file)", f"not valid TOML: {ex}")], source) from None
        return cls.from_dict(data, source)

    @classmethod
    def load(cls, path: str | Path) -> ChainSpec:
        return cls.loads(Path(path).read_text(encoding="utf-8"), str(path))

    def dumps(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | Path) -> None:
        """Write atomically, so a failure never leaves a half-written spec behind."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.dumps(), encoding="utf-8")
        tmp.replace(path)

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
            _check(f"chain.options.{key}", value, known.get(key), problems)
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
        _check(f"{path}.{key}", value, CREDENTIAL_OPTIONS[kind].get(key), problems, owner=kind)
    return CredentialSpec(kind, options, enabled)


def _check(path: str, value: Any, types: tuple[type, ...] | None, problems: list, owner: str = "") -> None:
    if types is None:
        problems.append((path, f"unknown option{' of ' + owner if owner else ''}"))
    elif not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = " or ".join("null" if t is type(None) else t.__name__ for t in types)
        problems.append((path, f"wrong type: expected {expected}, got {type(value).__name__}"))


def _take(table: dict, key: str, types: tuple, path: str, problems: list, default: Any) -> Any:
    value = table.get(key, default)
    if not isinstance(value, types):
        problems.append((path, f"wrong type: expected {types[0].__name__}, got {type(value).__name__}"))
        return default
    return value
