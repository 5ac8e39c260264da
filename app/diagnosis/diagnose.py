"""One diagnosis for every front end: the verdict, warnings with checked fixes, and next steps.

The window, ``chainsight run``/``scan`` and the report call ``diagnose`` with the same inputs (the chain
spec, the host, the current evidence and the latest run) and get the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.diagnosis import findings, remedies
from app.diagnosis import verdict as headlines
from app.diagnosis.evidence import Context, Evidence
from app.diagnosis.findings import Finding
from app.diagnosis.fixes import Action, Builder, Outcome, verify
from app.diagnosis.remedies import NextStep
from engine import env_vars as ev
from engine.events import CANCELLED, FAILED, SUCCEEDED
from engine.host import Host
from engine.profiles import get_profile
from engine.run import ChainRun
from engine.spec import ChainSpec

# Remedies that mean "not set up here" rather than "set up and broken".
NOT_SET_UP = frozenset(
    {
        "env-not-configured",
        "wi-missing",
        "mi-unreachable",
        "cache-none",
        "broker-package",
        "broker-platform",
        "az-missing",
        "azd-missing",
        "pwsh-missing",
        "pwsh-module",
        "az-not-signed-in",
        "azd-not-signed-in",
        "pwsh-not-signed-in",
        "vscode-sign-in",
    }
)


@dataclass(frozen=True)
class Diagnosis:
    outcome: str  # succeeded | failed | cancelled | running | probed
    verdict: str
    context: Context
    selected: str | None = None
    account: Any = None
    stopped: headlines.PassedOver | None = None
    passed_over: tuple[headlines.PassedOver, ...] = ()
    warnings: tuple[Finding, ...] = ()
    next_steps: tuple[NextStep, ...] = ()

    def to_json(self) -> dict:
        """The ``"diagnosis"`` object of ``run --json`` and ``scan --json``."""
        return {
            "verdict": self.verdict,
            "warnings": [w.to_json() for w in self.warnings],
            "next_steps": [s.to_json() for s in self.next_steps],
        }

    @property
    def text(self) -> str:
        """The whole diagnosis as plain text (for a report, the clipboard or a test)."""
        return self.render()

    def render(self, *, attempts: bool = True) -> str:
        """Plain text; ``attempts=False`` leaves out who was passed over (``chainsight run`` has printed it)."""
        lines = [self.verdict]
        if attempts and self.stopped is not None:
            lines.append(f"  {self.stopped.credential} failed: {_indent(self.stopped.reason)}")
        if attempts and self.passed_over:
            lines.append("Passed over:")
            lines += [f"  - {p.credential} was {p.outcome}: {_indent(p.reason, 6)}" for p in self.passed_over]
        for warning in self.warnings:
            lines.append(f"Warning: {warning.text}")
            for fix in warning.fixes:
                lines.append(f"  Fix: {fix.label} — {describe_fix(fix)}")
        if self.next_steps:
            lines.append("Next steps:")
            for step in self.next_steps:
                lines.append(f"  - {step.credential}: {step.text}")
                if step.command:
                    lines.append(f"      $ {step.command}")
        return "\n".join(lines)


def describe_fix(fix) -> str:
    """What applying the fix promises, or why it is untested."""
    outcome = fix.outcome
    if not outcome.tested:
        return f"untested ({outcome.why})"
    if outcome.selected is None:
        return "the chain would then fail"
    who = f" as {headlines.account_label(outcome.account)}" if outcome.account is not None else ""
    return f"then {outcome.selected} signs in{who}"


def _indent(text: str, width: int = 4) -> str:
    return text.strip().replace("\n", "\n" + " " * width)


def diagnose(
    spec: ChainSpec,
    host: Host,
    evidence: Mapping[str, Evidence],
    *,
    members: Sequence[str] = (),
    run: ChainRun | None = None,
    try_every: Sequence[ChainRun] | None = None,
    tenant: str | None = None,
    scenario: str | None = None,
    builder: Builder | None = None,
) -> Diagnosis:
    """Diagnose the chain ``spec`` on ``host`` from ``evidence`` (current context only) and the latest run.

    ``members`` are the built chain's member names (taken from the run when there is one); ``builder``
    rebuilds the chain to check fixes (``engine.build.build`` unless a test passes its doubles').
    """
    builder = builder or _default_builder
    scenario = scenario or scenario_of(host)
    context = Context.of(host)
    env = host.env
    profile = get_profile(spec.azure_identity) if spec.is_default else None
    names = list(run.members) if run is not None and run.members else list(members)
    if try_every is not None:
        head = headlines.of_try_every(try_every)
    elif run is not None:
        head = headlines.of_run(run)
    else:
        head = headlines.of_probes(names, evidence)

    def check(action: Action) -> Outcome:
        return verify(action, spec, host, evidence, builder)

    def exclude_option(credential: str) -> str | None:
        if profile is None:
            return None
        member = next((m for m in profile.members if m.credential == credential), None)
        return member.exclude_option if member else None

    decided = run is not None and run.outcome in (SUCCEEDED, FAILED)
    warnings = [
        *findings.leftover_secret(run if decided else None, env, spec.is_default, check),
        *findings.token_credentials(run, names, env, profile, spec.is_default, check),
        *findings.different_accounts(head.selected, names, evidence, spec.is_default, exclude_option, check),
        *findings.tenant_mismatch(env, evidence, check),
    ]
    scoped = [r for r in (run, *(try_every or ())) if r is not None and r.scopes]
    scope = scoped[0].scopes[0] if scoped else None  # the request's: commands sign in for what it asked
    steps = _next_steps(
        head, names, evidence, env, spec, tenant=tenant, scope=scope, scenario=scenario, try_every=try_every is not None
    )
    return Diagnosis(
        head.outcome,
        head.text,
        context,
        head.selected,
        head.account,
        head.stopped,
        head.passed_over,
        tuple(warnings),
        tuple(steps),
    )


def _next_steps(
    head: headlines.Headline,
    names: list[str],
    evidence: Mapping[str, Evidence],
    env: Mapping[str, str],
    spec: ChainSpec,
    *,
    tenant: str | None,
    scope: str | None,
    scenario: str | None,
    try_every: bool,
) -> list[NextStep]:
    if head.outcome in (SUCCEEDED, CANCELLED, "running") and not try_every:
        return []
    if head.stopped is not None:
        failures = [(head.stopped.credential, head.stopped.reason)]
    elif head.outcome == "probed":
        if any(e.usable for e in evidence.values()):
            return []
        failures = [(n, evidence[n].reason) for n in names if n in evidence and evidence[n].usable is False]
    else:
        failures = [(p.credential, p.reason) for p in head.passed_over]
    options = {"env": env, "tenant": tenant, "scope": scope, "scenario": scenario}
    steps: list[NextStep] = []
    seen: set[tuple[str, str]] = set()
    for credential, message in failures:
        step = remedies.next_step(credential, message, **options)
        if (step.remedy, step.command) in seen and step.remedy in NOT_SET_UP:
            continue
        seen.add((step.remedy, step.command))
        steps.append(step)
    if head.outcome == FAILED or (head.outcome == "probed" and failures):
        if steps and not try_every and all(s.remedy in NOT_SET_UP for s in steps):
            steps.insert(0, remedies.render(remedies.NOTHING_REMEDY, spec.type, **options))
        value = (env.get(ev.AZURE_TOKEN_CREDENTIALS) or "").strip()
        if value and spec.is_default and not try_every:
            steps.append(
                remedies.render(
                    remedies.TOKEN_CREDENTIALS_REMEDY,
                    spec.type,
                    value=value,
                    members=", ".join(names) or "none",
                    **options,
                )
            )
    return steps


SANDBOX_LABEL = "sandbox: "
SCENARIO_VARIABLE = "CHAINSIGHT_SANDBOX_SCENARIO"


def scenario_of(host: Host) -> str | None:
    """The sandbox scenario a host simulates (the window's label, or ``sandbox exec``'s variable)."""
    if host.label.startswith(SANDBOX_LABEL):
        return host.label[len(SANDBOX_LABEL) :]
    return host.env.get(SCENARIO_VARIABLE) or None


def _default_builder(spec: ChainSpec, host: Host):
    from engine.build import build  # loads msal and every credential: only when a fix is checked

    return build(spec, host)
