"""Which members a DefaultAzureCredential keeps: defaults, AZURE_TOKEN_CREDENTIALS and ``exclude_*``.

Pure rules over a profile (no credential is built), so the editor, the exporter and the chain
builder agree without importing every credential.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine import env_vars as ev
from engine.profiles import TOKEN_CREDENTIALS_DEV_PROD, TOKEN_CREDENTIALS_FULL, Profile

REQUIRE_ENVVAR = (
    "AZURE_TOKEN_CREDENTIALS environment variable is required but is not set or is empty. "
    "Set it to 'dev', 'prod', or a specific credential name."
)


def token_credentials_value(env: Mapping[str, str]) -> str:
    """AZURE_TOKEN_CREDENTIALS stripped and lower-cased; "" when unset or blank."""
    return (env.get(ev.AZURE_TOKEN_CREDENTIALS) or "").strip().lower()


def resolve_exclusions(
    profile: Profile, env: Mapping[str, str], explicit: Mapping[str, bool | None], require_envvar: bool = False
) -> frozenset[str]:
    """Member keys excluded by defaults, AZURE_TOKEN_CREDENTIALS and ``exclude_*`` arguments."""
    value = token_credentials_value(env) if profile.token_credentials != "none" else ""
    if require_envvar and profile.require_envvar and not value:
        raise ValueError(REQUIRE_ENVVAR)
    defaults = {m.key: m.excluded_by_default for m in profile.members}
    if profile.token_credentials == TOKEN_CREDENTIALS_FULL:
        excluded = dict(defaults)
        if value:
            selected = _selection(profile, value)
            excluded = {key: key not in selected for key in defaults}
        for key, flag in explicit.items():
            if flag is not None and key in excluded:
                excluded[key] = bool(flag)
        return frozenset(k for k, v in excluded.items() if v)
    by_value: frozenset[str] = frozenset()
    if profile.token_credentials == TOKEN_CREDENTIALS_DEV_PROD and value:
        by_value = _selection(profile, value)  # in these versions the value names what it excludes
    return frozenset(key for key, default in defaults.items() if bool(explicit.get(key, default)) or key in by_value)


def _selection(profile: Profile, value: str) -> frozenset[str]:
    if value == "dev":
        return profile.dev
    if value == "prod":
        return profile.prod
    if profile.token_credentials == TOKEN_CREDENTIALS_FULL and value in profile.single_names:
        return frozenset({_single_name_key(profile, value)})
    raise ValueError(profile.messages["invalid_token_credentials"].format(value=value))


def _single_name_key(profile: Profile, value: str) -> str:
    return next(m.key for m in profile.members if m.credential.lower() == value)
