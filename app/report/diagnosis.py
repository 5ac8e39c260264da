"""The report's diagnosis section: app/diagnosis's ``Diagnosis.to_json()``, the object ``chainsight run
--json`` and ``scan --json`` carry as "diagnosis" and the window's verdict banner shows.

The schema::

    {"verdict": str,
     "warnings": [{"id": str, "text": str,
                   "fixes": [{"label": str, "apply": {...}, "expect": {"selected": str|None, "account": str}}]}],
     "next_steps": [{"credential": str, "text": str, "command": str}]}

``normalise`` makes any dict of roughly that shape safe to render (missing keys, wrong types), so a
renderer never has to guess.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any


def normalise(diagnosis: Any) -> dict:
    """``diagnosis`` reduced to the schema's keys and types; anything else dropped, never raised on."""
    data = diagnosis if isinstance(diagnosis, Mapping) else {}
    return {
        "verdict": _text(data.get("verdict")),
        "warnings": [_warning(w) for w in _list(data.get("warnings")) if isinstance(w, Mapping)],
        "next_steps": [_next_step(s) for s in _list(data.get("next_steps")) if isinstance(s, Mapping)],
    }


def _warning(warning: Mapping) -> dict:
    return {
        "id": _text(warning.get("id")),
        "text": _text(warning.get("text")),
        "fixes": [_fix(f) for f in _list(warning.get("fixes")) if isinstance(f, Mapping)],
    }


def _fix(fix: Mapping) -> dict:
    result: dict[str, Any] = {"label": _text(fix.get("label"))}
    apply = fix.get("apply")
    if isinstance(apply, Mapping) and apply:
        result["apply"] = dict(apply)
    expect = fix.get("expect")
    if isinstance(expect, Mapping):  # {} is kept: the diagnosis checked the fix and could not promise
        result["expect"] = {k: expect[k] for k in ("selected", "account") if k in expect}
    return result


def _next_step(step: Mapping) -> dict:
    return {key: _text(step.get(key)) for key in ("credential", "text", "command")}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def apply_as_flags(apply: Mapping) -> str:
    """A fix's ``apply`` as command-line flags, so it can be tried from a shell:
    ``--unset-env AZURE_CLIENT_SECRET --set-env AZURE_TENANT_ID=… --option exclude_cli_credential=true``."""
    flags: list[str] = []
    for name in _list(apply.get("unset_env")):
        flags += ["--unset-env", str(name)]
    set_env = apply.get("set_env")
    for name, value in set_env.items() if isinstance(set_env, Mapping) else ():
        flags += ["--set-env", f"{name}={value}"]
    options = apply.get("options")
    for key, value in options.items() if isinstance(options, Mapping) else ():
        flags += ["--option", f"{key}={json.dumps(value)}"]
    return " ".join(shlex.quote(f) for f in flags)


UNTESTED = "untested (the evidence so far cannot tell what it will do)"


def expect_text(expect: Mapping | None) -> str:
    """ "AzureCliCredential as dev@contoso.com", "the chain fails", "untested…" when the fix carries an
    ``expect`` that promises nothing, or "" when it carries none."""
    if not isinstance(expect, Mapping):
        return ""
    if "selected" not in expect:
        return UNTESTED
    selected = expect.get("selected")
    if not selected:
        return "the chain fails"
    account = expect.get("account")
    return f"{selected} as {account}" if account else str(selected)
