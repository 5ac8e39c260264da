"""The report document: one JSON-able dict; the Markdown and HTML reports are pure renderings of it.

Shape (``FORMAT_VERSION`` 1)::

    {"chainsight_report": 1, "generated": ISO-8601 UTC, "chainsight_version": str, "identities_redacted": bool,
     "machine": {"label", "os", "python", "tools": [{"name", "path", "version", "note"}],
                 "variables": [{"name", "value", "secret"}], "what_if": [{"name", "value", "unset"}]},
     "chain": {"type", "profile", "options", "error",
               "members": [{"credential", "status", "source", "reason", "account", "account_source", "account_note", "tried",
                            "evidence": [{"source", "status", "reason", "account", "duration"}]}]},
     "run": null | the `chainsight run --json` object plus "kind", "outcome", "duration",
     "diagnosis": null | {"verdict", "warnings", "next_steps"}: app/diagnosis's, as `run --json` carries it
                  (see diagnosis.py); null when none exists yet (a window that has not diagnosed anything)}

Every string has been through the secret scrubber; identities are pseudonymised when asked.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from app.report import diagnosis as diag
from app.report.redact import pseudonymise, scrub_secrets
from engine.probe import Probe
from engine.run import account_json

FORMAT_VERSION = 1
PROBE = "probe"
RUN = "run"
# How the report says where a member's account came from.
GUESSED = "guessed from configuration, not observed"
FROM_TOOL_FILES = "read from the tool's own sign-in files"
FROM_PROBE = "read by the probe, not from a token"


def probe_evidence(probe: Probe) -> dict:
    """A probe as evidence: availability without a token; its account is read from files or variables."""
    return {
        "source": PROBE,
        "status": probe.status,
        "reason": probe.reason,
        "account": account_json(probe.identity),
        "duration": round(probe.duration, 4),
    }


def attempt_evidence(attempt: Mapping, source: str = RUN) -> dict:
    """An attempt of a run (its ``to_json``) as evidence: the outcome and the account of the token."""
    return {
        "source": source,
        "status": attempt.get("outcome") or "running",
        "reason": attempt.get("message") or "",
        "account": attempt.get("account"),
        "duration": attempt.get("duration"),
    }


def provenance_evidence(entry: Mapping) -> dict:
    """An entry of `run --json`'s "evidence" (the shared diagnosis' provenance: source, machine,
    account_observed…) as report evidence."""
    return {
        "source": str(entry.get("source") or ""),
        "status": str(entry.get("status") or "unknown"),
        "reason": str(entry.get("reason") or ""),
        "account": entry.get("account") if isinstance(entry.get("account"), Mapping) else None,
        "duration": None,
        "account_observed": entry.get("account_observed") if isinstance(entry.get("account_observed"), bool) else None,
        "machine": entry.get("machine"),
    }


def account_note(entry: Mapping | None) -> str:
    """Where an evidence entry's account came from, when that is not a token the run received."""
    if not entry or not entry.get("account"):
        return ""
    observed = entry.get("account_observed")
    if observed is False:
        return GUESSED
    if entry.get("source") == PROBE:
        return FROM_TOOL_FILES if observed else FROM_PROBE
    return ""


def members_section(
    names: Sequence[str], evidence: Mapping[str, Sequence[dict]], attempted: Iterable[str] = ()
) -> list[dict]:
    """Each member with its evidence, oldest first; its state is the latest (a run supersedes a probe)."""
    attempted = set(attempted)
    members = []
    for name in names:
        items = list(evidence.get(name, ()))
        latest = items[-1] if items else {"source": "", "status": "unknown", "reason": "", "account": None}
        with_account = next((e for e in reversed(items) if e.get("account")), None)
        members.append(
            {
                "credential": name,
                "status": latest["status"],
                "source": latest["source"],
                "reason": latest["reason"],
                "account": with_account["account"] if with_account else None,
                # a probe reads an account from a tool's files or the variables; a run's comes from a token
                "account_source": with_account["source"] if with_account else None,
                "account_note": account_note(with_account),
                "tried": name in attempted,
                "evidence": items,
            }
        )
    return members


def run_section(
    run_json: Mapping, *, outcome: str | None, duration: float | None, kind: str = RUN, offset: float = 0.0
) -> dict:
    """The run as `chainsight run --json` gives it, plus what a reader needs that it leaves implicit.
    ``offset`` (the run's start on its recorder's clock) is subtracted, so times count from the run's start."""
    section = dict(run_json)
    attempts = [a for a in section.get("attempts") or [] if isinstance(a, Mapping)]
    section["attempts"] = [_with_scripts(_shifted(a, offset) if offset else a) for a in attempts]
    section.setdefault("kind", kind)
    section.setdefault("outcome", outcome)
    section.setdefault("duration", None if duration is None else round(duration, 6))
    return section


_ENCODED_COMMAND = re.compile(r"(-EncodedCommand\s+)([A-Za-z0-9+/=]{8,})", re.IGNORECASE)
ENCODED_SCRIPT = "<the script below>"


def decode_scripts(detail: Mapping) -> dict:
    """A process step's detail with PowerShell's ``-EncodedCommand`` (base64 UTF-16) shown as the script
    it encodes, so a reader can read it and the report's scrubbing reaches what it names (a tenant)."""
    argv = detail.get("argv")
    if not isinstance(argv, list):
        return dict(detail)
    scripts: list[str] = []

    def decode(match: re.Match) -> str:
        try:
            scripts.append(base64.b64decode(match.group(2), validate=True).decode("utf-16-le"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return match.group(0)
        return match.group(1) + ENCODED_SCRIPT

    # "pwsh … -EncodedCommand B64" inside one `sh -c` string, or "-EncodedCommand", "B64" as two items
    shown = []
    for i, item in enumerate(argv):
        if not isinstance(item, str):
            shown.append(item)
        elif i and str(argv[i - 1]).lower() == "-encodedcommand":
            shown.append(_ENCODED_COMMAND.sub(decode, f"{argv[i - 1]} {item}").split(" ", 1)[1])
        else:
            shown.append(_ENCODED_COMMAND.sub(decode, item))
    if not scripts:
        return dict(detail)
    return {**detail, "argv": shown, "script": "\n".join(scripts)}


def _with_scripts(attempt: Mapping) -> dict:
    steps = [
        {**s, "detail": decode_scripts(s["detail"])} if isinstance(s.get("detail"), Mapping) else s
        for s in attempt.get("steps") or []
        if isinstance(s, Mapping)
    ]
    return {**attempt, "steps": steps}


def _shifted(attempt: Mapping, offset: float) -> dict:
    def shift(item: Mapping) -> dict:
        started = item.get("started")
        return {**item, "started": round(started - offset, 6)} if isinstance(started, (int, float)) else dict(item)

    return {**shift(attempt), "steps": [shift(s) for s in attempt.get("steps") or []]}


def evidence_from(probes: Sequence[Probe] = (), run: Mapping | None = None, source: str = RUN) -> dict[str, list]:
    """Per member: its probe, then its attempt in the run (when it was reached); where the run's JSON
    carries the shared diagnosis' "evidence", that is the member's latest evidence instead."""
    evidence: dict[str, list] = {}
    for probe in probes:
        evidence.setdefault(probe.credential, []).append(probe_evidence(probe))
    provenance = (run or {}).get("evidence")
    if isinstance(provenance, list):  # the shared diagnosis' current evidence: it supersedes the attempts
        for entry in (e for e in provenance if isinstance(e, Mapping)):
            items = evidence.setdefault(str(entry.get("credential", "")), [])
            mapped = provenance_evidence(entry)
            if mapped["source"] == PROBE:  # the same probe, now with whether its account was observed
                items[:] = [e for e in items if e["source"] != PROBE]
            items.append(mapped)
        return evidence
    for attempt in (run or {}).get("attempts", []):
        evidence.setdefault(attempt.get("credential", ""), []).append(attempt_evidence(attempt, source))
    return evidence


def build_document(
    *,
    machine: Mapping,
    chain: Mapping,
    run: Mapping | None,
    evidence: Mapping[str, Sequence[dict]],
    version: str,
    diagnosis: Mapping | None = None,
    known_secrets: Iterable[str] = (),
    redact_identities: bool = False,
    home: str | None = None,
    generated: datetime | None = None,
) -> dict:
    """The whole report, scrubbed. ``run`` is ``run_section(...)`` or None (only probed). ``diagnosis`` is
    app/diagnosis's (``Diagnosis.to_json()``), else the run's own "diagnosis" (`run --json` carries it), else
    None: the report then says none exists yet. ``home`` is shown as "~" when identities are redacted."""
    attempted = [a.get("credential") for a in (run or {}).get("attempts", [])]
    names = list(chain.get("members") or [])
    names += [n for n in evidence if n not in names]
    given = diagnosis if diagnosis is not None else (run or {}).get("diagnosis")
    document = {
        "chainsight_report": FORMAT_VERSION,
        "generated": (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "chainsight_version": version,
        "identities_redacted": redact_identities,
        "machine": dict(machine),
        "chain": {
            "type": chain.get("type", ""),
            "profile": chain.get("profile", ""),
            "options": dict(chain.get("options") or {}),
            "error": chain.get("error"),
            "members": members_section(names, evidence, attempted),
        },
        "run": dict(run) if run else None,
        "diagnosis": diag.normalise(given) if isinstance(given, Mapping) else None,
    }
    if document["run"] is not None:
        document["run"].pop("diagnosis", None)  # shown once, as the report's diagnosis
    document = scrub_secrets(_plain(document), known_secrets)
    if redact_identities:  # the home directory's path names the user: it becomes "~"
        document, _ = pseudonymise(document, {home.rstrip("/\\"): "~"} if home else None)
    return document


def _plain(value: Any) -> Any:
    """Only JSON types: anything else (an Account, a Secret) becomes its ``to_json`` or its ``str``."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    to_json = getattr(value, "to_json", None)
    return _plain(to_json()) if callable(to_json) else str(value)
