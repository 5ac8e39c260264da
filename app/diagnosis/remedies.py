"""Next steps: the remedy each failure finds in the table (remedy_table.py), filled in for this request
and environment. A tool's own "Please run …" line is kept whole and becomes the command: the tool knows
best what it needs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from app.diagnosis import input_notes
from app.diagnosis.remedy_table import (
    AZ,
    AZD,
    CHAIN_LINK,
    DEV_LINK,
    ERROR_CODES,
    GENERIC,
    GENERIC_REMEDY,
    NOTHING_CONFIGURED,
    NOTHING_REMEDY,
    PWSH,
    REMEDIES,
    TOKEN_CREDENTIALS,
    TOKEN_CREDENTIALS_REMEDY,
    Remedy,
)
from engine import env_vars as ev

# What signs each credential back in: the tenant and scope of the request are filled in.
SIGN_IN = {
    AZ: "az login{tenant: --tenant {}}{scope: --scope {}}",
    AZD: "azd auth login{tenant: --tenant-id {}}{scope: --scope {}}",
    PWSH: "Connect-AzAccount{tenant: -Tenant {}}",
}
RESPONSE_BODY = "\nContent: "  # azure-core's str() of an error carrying a response: message, then this, then the body
PLEASE_RUN = re.compile(r"Please run:?[ \t]*\n?[ \t]*(?P<rest>[^\n]*)")
WI_VARIABLES = {
    "tenant_id": ev.AZURE_TENANT_ID,
    "client_id": ev.AZURE_CLIENT_ID,
    "token_file_path": ev.AZURE_FEDERATED_TOKEN_FILE,
}


@dataclass(frozen=True)
class NextStep:
    credential: str
    text: str  # the explanation, then the troubleshooting link
    command: str
    remedy: str  # the table row's id: tests check every failure has a specific one
    link: str = ""

    def to_json(self) -> dict:
        return {"credential": self.credential, "text": self.text, "command": self.command}


def own_text(message: str) -> str:
    """The message as azure-identity words it, without the response body azure-core appends to an error
    that carries one ("\nContent: <body>"): raw server text never picks a remedy or a command."""
    return (message or "").split(RESPONSE_BODY, 1)[0]


def tool_command(message: str) -> str:
    """The command a tool's own "Please run …" asks for, whole ("" when it asks for none)."""
    match = PLEASE_RUN.search(own_text(message))
    if match is None:
        return ""
    rest = match.group("rest").strip()
    quoted = re.match(r"""^["'`](?P<cmd>[^"'`]+)["'`]""", rest)
    if quoted:
        return quoted.group("cmd").strip()
    return rest.rstrip(".").strip()


def find(credential: str, message: str) -> Remedy:
    """The first row matching ``credential`` and ``message``; the generic row when none does."""
    text = own_text(message)
    return next((r for r in REMEDIES if r.matches(credential, text)), GENERIC_REMEDY)


def sign_in_command(credential: str, *, tenant: str | None, scope: str | None) -> str:
    template = SIGN_IN.get(credential, SIGN_IN[AZ])
    return _fill(template, tenant=tenant, scope=scope)


def _fill(template: str, **values: str | None) -> str:
    """``{name: text {}}`` becomes ``text <value>`` (quoted for a shell) when the value is set, else ""."""

    def optional(match: re.Match) -> str:
        value = values.get(match.group(1))
        return match.group(2).replace("{}", shlex.quote(value)) if value else ""

    return re.sub(r"\{(\w+):([^{}]*\{\}[^{}]*)\}", optional, template)


def next_step(
    credential: str,
    message: str,
    *,
    env: Mapping[str, str],
    tenant: str | None = None,
    scope: str | None = None,
    scenario: str | None = None,
) -> NextStep:
    """The remedy for one failure, filled in for this request and environment."""
    remedy = find(credential, message)
    return render(remedy, credential, message, env=env, tenant=tenant, scope=scope, scenario=scenario)


def render(
    remedy: Remedy,
    credential: str,
    message: str = "",
    *,
    env: Mapping[str, str],
    tenant: str | None = None,
    scope: str | None = None,
    scenario: str | None = None,
    **extra: str,
) -> NextStep:
    client_id = (env.get(ev.AZURE_CLIENT_ID) or "").strip()
    values = {
        "scope": scope or "",
        "client_id": client_id or "<client id>",
        "mi_identity": f"user-assigned, client id {client_id}" if client_id else "system-assigned",
        "missing": _missing_workload(message, env),
        "env_missing": _missing_environment(env),
        "scenario": scenario or "<scenario>",
        **_input_values(message, env, tenant=tenant, scope=scope),
        **extra,
    }
    explanation = remedy.explanation.format(**values)
    own = tool_command(message)
    if own:
        command = own
    elif remedy.command == "sign-in":
        command = sign_in_command(credential, tenant=tenant, scope=scope)
    elif remedy.command.startswith("sign-in:"):
        command = sign_in_command(AZ, tenant=tenant, scope=scope)
    else:
        command = _fill(remedy.command, tenant=tenant, scope=scope).format(**values) if remedy.command else ""
    text = f"{explanation} See {remedy.link}"
    return NextStep(credential, text, command, remedy.id, remedy.link)


def _input_values(message: str, env: Mapping[str, str], *, tenant: str | None, scope: str | None) -> dict:
    """What the user's own input was, for the rows that say what is wrong with it (input_notes.py)."""
    return {
        "scope_shown": input_notes.shown(scope) if scope is not None else "of the request",
        "tenant_shown": input_notes.request_tenant(tenant, env),
        "authority_value": input_notes.authority_value(env),
        "authority_note": input_notes.authority_note(env),
        "mi_endpoint": input_notes.mi_endpoint(env),
        "token_file": input_notes.token_file(env, message),
        "file_problem": input_notes.file_problem(message),
        "cache_file": input_notes.cache_file(message),
        "cache_problem": input_notes.cache_problem(message),
    }


def _missing_workload(message: str, env: Mapping[str, str]) -> str:
    match = re.search(r"Missing required arguments: ([^.]*)", message or "")
    if match:
        names = [WI_VARIABLES.get(arg.strip(" '\""), arg.strip(" '\"")) for arg in match.group(1).split(",")]
    else:
        names = [v for v in WI_VARIABLES.values() if not env.get(v)]
    return ", ".join(names) or "none"


def _missing_environment(env: Mapping[str, str]) -> str:
    from engine.credentials.environment import missing_variables_reason

    return missing_variables_reason(env)


__all__ = [
    "CHAIN_LINK",
    "DEV_LINK",
    "ERROR_CODES",
    "GENERIC",
    "NOTHING_CONFIGURED",
    "NOTHING_REMEDY",
    "REMEDIES",
    "TOKEN_CREDENTIALS",
    "TOKEN_CREDENTIALS_REMEDY",
    "NextStep",
    "Remedy",
    "find",
    "next_step",
    "render",
    "tool_command",
]
