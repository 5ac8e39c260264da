"""The report document as one self-contained HTML page: inline CSS and SVG, nothing fetched, printable."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape

from app.report.diagnosis import apply_as_flags, expect_text
from app.report.markdown import NOT_RUN, NOTHING_SET, account_text, member_account_text, no_verdict
from app.report.svg_timeline import OUTCOME_COLOURS, duration_text, render_svg

STYLE = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d1d1d;
       background: #fff; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 3px;
       margin-top: 28px; } h3 { font-size: 15px; margin-bottom: 6px; } h4 { font-size: 14px; margin: 16px 0 4px; }
.meta { color: #555; margin: 0 0 12px; }
.verdict { border-left: 6px solid #555; background: #f5f5f5; padding: 10px 14px; border-radius: 4px; }
.verdict.succeeded { border-color: #2e7d32; background: #edf7ee; } .verdict.failed { border-color: #c62828;
       background: #fdecea; } .verdict.cancelled { border-color: #ef6c00; background: #fff3e0; }
.verdict .headline { font-weight: 600; font-size: 15px; margin: 0; }
.verdict ul { margin: 6px 0 0; padding-left: 20px; }
.warning { border-left: 4px solid #f6c343; background: #fffaeb; padding: 6px 10px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.members { table-layout: fixed; } table.members col.n { width: 2.2em; } table.members col.cred { width: 21%; }
table.members col.state { width: 11%; } table.members col.from { width: 10%; } table.members col.acct { width: 17%; }
table.steps { table-layout: fixed; } table.steps col.start { width: 9%; } table.steps col.result { width: 14%; }
table.steps col.took { width: 9%; }
th { background: #f2f2f2; font-weight: 600; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: #f2f2f2; padding: 0 3px; border-radius: 3px; word-break: break-all; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 8px; white-space: pre-wrap; word-break: break-word;
      margin: 4px 0 8px; }
.badge { display: inline-block; white-space: nowrap; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; background: #607d8b; }
.muted { color: #666; }
svg.timeline { border: 1px solid #e3e3e3; background: #fff; }
svg .lane-label { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: #1d1d1d; }
svg .step-label, svg .bar-label, svg .tick, svg .legend { font: 10.5px system-ui, "DejaVu Sans", sans-serif;
      fill: #555; }
svg .grid { stroke: #eee; stroke-width: 1; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } tr, .warning, pre, svg { break-inside: avoid; }
  .verdict, .warning, th, .badge, svg rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _badge(status: str) -> str:
    colour = OUTCOME_COLOURS.get(status, {"available": "#2e7d32"}.get(status, "#607d8b"))
    return f'<span class="badge" style="background:{colour}">{escape(status)}</span>'


def _code(text: object) -> str:
    return f"<code>{escape(str(text))}</code>" if str(text) else ""


def _pre(text: object) -> str:
    return f"<pre>{escape(str(text))}</pre>"


def render_html(document: Mapping) -> str:
    machine = document.get("machine") or {}
    chain = document.get("chain") or {}
    run = document.get("run")
    title = f"Chainsight report: {chain.get('type') or 'chain'} on {machine.get('label') or ''}"
    note = "Identities are pseudonymised. " if document.get("identities_redacted") else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Generated {escape(str(document.get("generated", "")))} by Chainsight '
        f"{escape(str(document.get('chainsight_version', '')))}. {note}No token, refresh token, secret, password, "
        "assertion or private key is included.</p>",
        _diagnosis(document.get("diagnosis") or {}, (run or {}).get("outcome"), no_verdict(document)),
        _machine(machine),
        _chain(chain, run is not None),
        _run(run),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _diagnosis(diagnosis: Mapping, outcome: str | None, missing: str) -> str:
    verdict = [ln for ln in str(diagnosis.get("verdict") or "").splitlines() if ln.strip()]
    headline = escape(verdict[0]) if verdict else escape(missing)
    rest = "".join(f"<li>{escape(ln)}</li>" for ln in verdict[1:])
    parts = [
        "<h2>Verdict</h2>",
        f'<div class="verdict {escape(outcome or "")}"><p class="headline">{headline}</p>'
        + (f"<ul>{rest}</ul>" if rest else "")
        + "</div>",
    ]
    warnings = diagnosis.get("warnings") or []
    if warnings:
        parts.append("<h3>Warnings</h3>")
        for warning in warnings:
            fixes = []
            for fix in warning.get("fixes") or []:
                line = f"Fix: {escape(fix.get('label', ''))}"
                flags = apply_as_flags(fix.get("apply") or {})
                if flags:
                    line += f"<br>Try it: {_code('chainsight run ' + flags)}"
                promise = expect_text(fix.get("expect"))
                if promise:
                    line += f"<br><span class='muted'>Expected outcome: {escape(promise)}.</span>"
                fixes.append(f"<li>{line}</li>")
            fix_list = f"<ul>{''.join(fixes)}</ul>" if fixes else ""
            parts.append(f'<div class="warning">{escape(warning.get("text", ""))}{fix_list}</div>')
    steps = diagnosis.get("next_steps") or []
    if steps:
        parts.append("<h3>Next steps</h3><ul>")
        for step in steps:
            who = f"<b>{escape(step['credential'])}</b>: " if step.get("credential") else ""
            command = _pre(step["command"]) if step.get("command") else ""
            parts.append(f"<li>{who}{escape(step.get('text', ''))}{command}</li>")
        parts.append("</ul>")
    return "\n".join(parts)


def _machine(machine: Mapping) -> str:
    rows = [("Machine", escape(str(machine.get("label", "")))), ("OS", escape(str(machine.get("os", ""))))]
    rows.append(("Python", escape(str(machine.get("python", "")))))
    for tool in machine.get("tools") or []:
        if tool.get("version"):
            value = f"{escape(tool['version'])} <span class='muted'>{_code(tool.get('path') or '')}</span>"
        else:
            value = f"<span class='muted'>{escape(tool.get('note') or 'unknown')}</span>"
        rows.append((escape(str(tool.get("name", ""))), value))
    parts = ["<h2>Machine</h2><table>", *(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows), "</table>"]
    parts.append("<h3>Chain variables</h3>")
    variables = machine.get("variables") or []
    if variables:
        parts.append("<table><tr><th>Variable</th><th>Value</th></tr>")
        parts += [
            f"<tr><td>{escape(v.get('name', ''))}</td><td>{_code(v.get('value', ''))}</td></tr>" for v in variables
        ]
        parts.append("</table>")
    else:
        parts.append(f"<p class='muted'>{NOTHING_SET}</p>")
    what_if = machine.get("what_if") or []
    if what_if:
        parts.append(
            "<h3>What-if overlay</h3><p>The chain saw these changes; the real environment was not touched.</p>"
        )
        items = [
            f"<li>{escape(w['name'])}: {'unset' if w.get('unset') else _code(w.get('value', ''))}</li>" for w in what_if
        ]
        parts.append(f"<ul>{''.join(items)}</ul>")
    return "\n".join(parts)


def _chain(chain: Mapping, run_exists: bool) -> str:
    options = chain.get("options") or {}
    option_text = ", ".join(_code(f"{k}={json.dumps(v)}") for k, v in options.items()) or "none"
    parts = [
        "<h2>Chain</h2>",
        f"<p><b>{escape(str(chain.get('type', '')))}</b>, azure-identity {escape(str(chain.get('profile', '')))}; "
        f"options: {option_text}.</p>",
    ]
    if chain.get("error"):
        parts.append(f"<p>The chain could not be built:</p>{_pre(chain['error'])}")
    members = chain.get("members") or []
    if members:
        parts.append(
            '<table class="members"><colgroup><col class="n"><col class="cred"><col class="state"><col class="from">'
            '<col class="acct"><col></colgroup>'
            "<tr><th>#</th><th>Credential</th><th>State</th><th>From</th><th>Account</th><th>Why</th></tr>"
        )
        for number, member in enumerate(members, 1):
            source = member.get("source") or ""
            if run_exists and not member.get("tried") and source != "run":
                source += " (not reached)"
            parts.append(
                f"<tr><td>{number}</td><td>{escape(str(member.get('credential', '')))}</td>"
                f"<td>{_badge(str(member.get('status', '')))}</td><td>{escape(source)}</td>"
                f"<td>{escape(member_account_text(member))}</td>"
                f"<td>{escape(str(member.get('reason') or '').strip().split(chr(10))[0])}</td></tr>"
            )
        parts.append("</table>")
    return "\n".join(parts)


def _run(run: Mapping | None) -> str:
    if not run:
        return f"<h2>Last run</h2><p class='muted'>{NOT_RUN}</p>"
    scopes = ", ".join(_code(s) for s in run.get("scopes") or []) or "none"
    duration = run.get("duration") if isinstance(run.get("duration"), (int, float)) else None
    facts = [("Ran on", escape(str(run["machine"])))] if run.get("machine") else []
    facts += [
        ("Kind", escape(str(run.get("kind", "run")))),
        ("Scopes", scopes),
        ("Outcome", f"{_badge(str(run.get('outcome') or 'unknown'))} in {duration_text(duration)}"),
    ]
    if run.get("selected"):
        account = account_text(run.get("account"))
        facts.append(("Selected", escape(str(run["selected"])) + (f", as {escape(account)}" if account else "")))
    parts = ["<h2>Last run</h2><table>", *(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts), "</table>"]
    if run.get("error"):
        parts.append(f"<p>The chain's error:</p>{_pre(run['error'])}")
    parts += ["<h3>Timeline</h3>", render_svg(run), "<h3>Attempts</h3>"]
    for number, attempt in enumerate(run.get("attempts") or [], 1):
        parts.append(_attempt(number, attempt))
    return "\n".join(parts)


def _attempt(number: int, attempt: Mapping) -> str:
    duration = attempt.get("duration") if isinstance(attempt.get("duration"), (int, float)) else None
    parts = [
        f"<h4>{number}. {escape(str(attempt.get('credential', '')))} "
        f"{_badge(str(attempt.get('outcome') or 'running'))} <span class='muted'>{duration_text(duration)}</span></h4>"
    ]
    if attempt.get("account"):
        parts.append(f"<p>Account: {escape(account_text(attempt['account']))}</p>")
    if attempt.get("message"):
        parts.append(_pre(attempt["message"]))
    steps = attempt.get("steps") or []
    if steps:
        parts.append(
            '<table class="steps"><colgroup><col class="start"><col><col class="result"><col class="took"></colgroup>'
            "<tr><th>Start</th><th>Step</th><th>Result</th><th>Took</th></tr>"
        )
        for step in steps:
            detail = step.get("detail") or {}
            result = []
            if "status" in detail:
                result.append(f"HTTP {escape(str(detail['status']))}")
            if "exit_status" in detail:
                result.append(f"exit {escape(str(detail['exit_status']))}")
            if step.get("error"):
                result.append(escape(str(step["error"])))
            extra = ""
            if detail.get("url") and str(detail["url"]) not in str(step.get("label", "")):
                extra += f"<br>{_code(detail['url'])}"
            if detail.get("argv"):
                extra += f"<br>{_code(' '.join(str(a) for a in detail['argv']))}"
            if detail.get("script"):
                extra += (
                    f"<br><span class='muted'>Script (decoded from -EncodedCommand):</span>{_pre(detail['script'])}"
                )
            if detail.get("stderr"):
                extra += _pre(detail["stderr"])
            started = step.get("started") if isinstance(step.get("started"), (int, float)) else 0.0
            took = step.get("duration") if isinstance(step.get("duration"), (int, float)) else None
            parts.append(
                f"<tr><td>+{duration_text(started)}</td><td>{escape(str(step.get('kind', '')))} "
                f"{escape(str(step.get('label', '')))}{extra}</td><td>{'; '.join(result)}</td>"
                f"<td>{duration_text(took)}</td></tr>"
            )
        parts.append("</table>")
    return "\n".join(parts)
