"""The report document as Markdown: readable as plain text (a text timeline), rendered well by GitHub."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from app.report.diagnosis import apply_as_flags, expect_text
from app.report.svg_timeline import duration_text

BAR_WIDTH = 40
LABEL_WIDTH = 34
# Intraword underscores (AZURE_CLIENT_ID) are not emphasis in GitHub Markdown: left alone for plain-text readers.
_INLINE_SPECIAL = re.compile(r"([\\`*\[\]<>|~]|(?<!\w)_|_(?!\w))")
NOTHING_SET = "None of the chain's variables is set."
NOT_RUN = "The chain was not run (availability was only probed)."
# The diagnosis section when there is no verdict to show (the document's "diagnosis" is null or empty).
NO_DIAGNOSIS_YET = "No diagnosis yet: the chain had not been diagnosed when this report was made."
NO_DIAGNOSIS_YET_RAN = (
    "No diagnosis yet: the run had not been diagnosed when this report was made; its attempts are below."
)
NO_DIAGNOSIS_UNBUILT = "No diagnosis: the chain could not be built here (its error is under Chain)."
EMPTY_VERDICT = "The diagnosis gave no verdict."


def escape(text: object) -> str:
    """Inline Markdown: special characters escaped, on one line (safe in a table cell)."""
    return _INLINE_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def code(text: object) -> str:
    """Inline code that survives backticks inside it."""
    text = " ".join(str(text).split())
    if not text:
        return ""
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def block(text: str, info: str = "text") -> list[str]:
    """A fenced block longer than any run of backticks inside ``text``."""
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return [f"{fence}{info}", *text.rstrip("\n").split("\n"), fence]


def account_text(account: Mapping | None) -> str:
    if not account:
        return ""
    who = account.get("upn") or account.get("client_id") or account.get("object_id") or "unknown"
    tenant = account.get("tenant_id")
    return f"{who} (tenant {tenant})" if tenant else str(who)


def member_account_text(member: Mapping) -> str:
    """A member's account, saying when it is not from a token (a tool's files, a guess from a variable)."""
    text = account_text(member.get("account"))
    note = member.get("account_note")
    return f"{text} ({note})" if text and note else text


def render_markdown(document: Mapping) -> str:
    machine = document.get("machine") or {}
    chain = document.get("chain") or {}
    lines = [f"# Chainsight report: {escape(chain.get('type') or 'chain')} on {escape(machine.get('label') or '')}", ""]
    note = "Identities are pseudonymised. " if document.get("identities_redacted") else ""
    lines += [
        f"Generated {escape(document.get('generated', ''))} by Chainsight {escape(document.get('chainsight_version'))}. "
        f"{note}No token, refresh token, secret, password, assertion or private key is included.",
        "",
    ]
    lines += _diagnosis(document.get("diagnosis") or {}, no_verdict(document))
    lines += _machine(machine)
    lines += _chain(chain, run_exists=document.get("run") is not None)
    lines += _run(document.get("run"))
    return "\n".join(lines).rstrip() + "\n"


def no_verdict(document: Mapping) -> str:
    """What the verdict section says when the document's diagnosis has no verdict, and why."""
    if isinstance(document.get("diagnosis"), Mapping):
        return EMPTY_VERDICT
    if (document.get("chain") or {}).get("error"):
        return NO_DIAGNOSIS_UNBUILT
    return NO_DIAGNOSIS_YET_RAN if document.get("run") else NO_DIAGNOSIS_YET


def _diagnosis(diagnosis: Mapping, missing: str) -> list[str]:
    lines = ["## Verdict", ""]
    verdict = [ln for ln in str(diagnosis.get("verdict") or "").splitlines() if ln.strip()]
    lines += [f"**{escape(verdict[0])}**", ""] if verdict else [escape(missing), ""]
    lines += [f"- {escape(ln)}" for ln in verdict[1:]]
    lines += [""] if verdict[1:] else []
    warnings = diagnosis.get("warnings") or []
    if warnings:
        lines += ["### Warnings", ""]
        for warning in warnings:
            lines.append(f"- {escape(warning.get('text', ''))}")
            for fix in warning.get("fixes") or []:
                lines.append(f"  - Fix: {escape(fix.get('label', ''))}")
                flags = apply_as_flags(fix.get("apply") or {})
                if flags:
                    lines.append(f"    - Try it: {code('chainsight run ' + flags)}")
                promise = expect_text(fix.get("expect"))
                if promise:
                    lines.append(f"    - Expected outcome: {escape(promise)}")
        lines.append("")
    steps = diagnosis.get("next_steps") or []
    if steps:
        lines += ["### Next steps", ""]
        for step in steps:
            who = f"**{escape(step['credential'])}**: " if step.get("credential") else ""
            lines.append(f"- {who}{escape(step.get('text', ''))}")
            if step.get("command"):
                lines += ["", *("  " + ln for ln in block(step["command"], "sh")), ""]
        lines.append("")
    return lines


def _machine(machine: Mapping) -> list[str]:
    lines = ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {escape(machine.get(key, ''))} |" for k, key in (("Machine", "label"), ("OS", "os"))]
    lines.append(f"| Python | {escape(machine.get('python', ''))} |")
    for tool in machine.get("tools") or []:
        if tool.get("version"):
            value = f"{escape(tool['version'])} ({code(tool.get('path') or '')})"
        else:
            value = escape(tool.get("note") or "unknown")
        lines.append(f"| {escape(tool.get('name', ''))} | {value} |")
    lines += ["", "### Chain variables", ""]
    variables = machine.get("variables") or []
    if variables:
        lines += ["| Variable | Value |", "|---|---|"]
        lines += [f"| {escape(v.get('name', ''))} | {code(v.get('value', ''))} |" for v in variables]
    else:
        lines.append(NOTHING_SET)
    what_if = machine.get("what_if") or []
    if what_if:
        lines += [
            "",
            "### What-if overlay",
            "",
            "The chain saw these changes; the real environment was not touched.",
            "",
        ]
        lines += [f"- {escape(w['name'])}: {'unset' if w.get('unset') else code(w.get('value', ''))}" for w in what_if]
    return [*lines, ""]


def _chain(chain: Mapping, run_exists: bool) -> list[str]:
    options = chain.get("options") or {}
    option_text = ", ".join(code(f"{k}={json.dumps(v)}") for k, v in options.items()) or "none"
    lines = [
        "## Chain",
        "",
        f"**{escape(chain.get('type', ''))}**, azure-identity {escape(chain.get('profile', ''))}; options: {option_text}.",
        "",
    ]
    if chain.get("error"):
        lines += ["The chain could not be built:", "", *block(str(chain["error"])), ""]
    members = chain.get("members") or []
    if not members:
        return lines
    lines += ["| # | Credential | State | From | Account | Why |", "|---|---|---|---|---|---|"]
    for number, member in enumerate(members, 1):
        source = member.get("source") or ""
        if run_exists and not member.get("tried") and source != "run":
            source += " (not reached)"
        reason = str(member.get("reason") or "").strip().split("\n")[0]
        lines.append(
            f"| {number} | {escape(member.get('credential', ''))} | {escape(member.get('status', ''))} | "
            f"{escape(source)} | {escape(member_account_text(member))} | {escape(reason)} |"
        )
    return [*lines, ""]


def text_timeline(run: Mapping) -> str:
    """One line per attempt and per step: name, outcome, start and duration, and a bar to scale."""
    attempts = [a for a in run.get("attempts") or [] if isinstance(a, Mapping)]
    rows = []
    for attempt in attempts:
        rows.append((attempt, False))
        rows += [(s, True) for s in attempt.get("steps") or [] if isinstance(s, Mapping)]
    ends = [float(run.get("duration") or 0.0)]
    ends += [_start(item) + (_duration(item) or 0.0) for item, _ in rows]
    total = max(max(ends), 0.001)
    header = f"{'':{LABEL_WIDTH}} {'':12} {'start':>9} {'took':>9}  0{'':{BAR_WIDTH - len(duration_text(total)) - 1}}"
    lines = [header + duration_text(total)]
    for item, is_step in rows:
        start, duration = _start(item), _duration(item)
        if is_step:
            label = "  " + " ".join(f"{item.get('kind', '')} {item.get('label', '')}".split())
            status = (item.get("detail") or {}).get("status", "error" if item.get("error") else "")
        else:
            label, status = " ".join(str(item.get("credential", "")).split()), str(item.get("outcome") or "running")
        label = label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"
        first = int(BAR_WIDTH * start / total)
        width = max(1, round(BAR_WIDTH * (duration if duration is not None else total - start) / total))
        bar = " " * min(first, BAR_WIDTH - 1) + ("=" if is_step else "#") * width
        lines.append(
            f"{label:{LABEL_WIDTH}} {status!s:12} {duration_text(start):>9} {duration_text(duration):>9} "
            f"|{bar[:BAR_WIDTH]:{BAR_WIDTH}}|"
        )
    return "\n".join(lines)


def _start(item: Mapping) -> float:
    value = item.get("started")
    return max(0.0, float(value)) if isinstance(value, (int, float)) else 0.0


def _duration(item: Mapping) -> float | None:
    value = item.get("duration")
    return max(0.0, float(value)) if isinstance(value, (int, float)) else None


def _run(run: Mapping | None) -> list[str]:
    lines = ["## Last run", ""]
    if not run:
        return [*lines, NOT_RUN, ""]
    scopes = ", ".join(code(s) for s in run.get("scopes") or []) or "none"
    lines += [f"- Ran on: {escape(run['machine'])}"] if run.get("machine") else []
    lines += [
        f"- Kind: {escape(run.get('kind', 'run'))}",
        f"- Scopes: {scopes}",
        f"- Outcome: **{escape(run.get('outcome') or 'unknown')}** in {duration_text(_duration(run))}",
    ]
    if run.get("selected"):
        account = account_text(run.get("account"))
        lines.append(f"- Selected: {escape(run['selected'])}" + (f", as {escape(account)}" if account else ""))
    lines.append("")
    if run.get("error"):
        lines += ["The chain's error:", "", *block(str(run["error"])), ""]
    lines += ["### Timeline", "", *block(text_timeline(run)), "", "### Attempts", ""]
    for number, attempt in enumerate(run.get("attempts") or [], 1):
        lines += _attempt(number, attempt)
    return lines


def _attempt(number: int, attempt: Mapping) -> list[str]:
    title = (
        f"#### {number}. {escape(attempt.get('credential', ''))}: {escape(attempt.get('outcome') or 'running')} "
        f"({duration_text(_duration(attempt))})"
    )
    lines = [title, ""]
    if attempt.get("account"):
        lines += [f"Account: {escape(account_text(attempt['account']))}", ""]
    if attempt.get("message"):
        lines += [*block(str(attempt["message"])), ""]
    for step in attempt.get("steps") or []:
        detail = step.get("detail") or {}
        label = f"{step.get('kind', '')} {step.get('label', '')}".strip()
        results = [f"HTTP {detail['status']}"] if "status" in detail else []
        results += [f"exit {detail['exit_status']}"] if "exit_status" in detail else []
        result = f" → {escape(', '.join(results))}" if results else ""
        lines.append(f"- +{duration_text(_start(step))} {code(label)}{result} ({duration_text(_duration(step))})")
        if detail.get("url") and str(detail["url"]) not in label:
            lines.append(f"  - URL: {code(detail['url'])}")
        if detail.get("argv"):
            lines.append(f"  - Command: {code(' '.join(str(a) for a in detail['argv']))}")
        if detail.get("script"):
            lines += [
                "  - Script (decoded from -EncodedCommand):",
                "",
                *("    " + ln for ln in block(str(detail["script"]), "powershell")),
                "",
            ]
        if step.get("error"):
            lines.append(f"  - Error: {escape(step['error'])}")
        if detail.get("stderr"):
            lines += ["  - Standard error:", "", *("    " + ln for ln in block(str(detail["stderr"]))), ""]
    return [*lines, ""]
