"""The headline of a diagnosis in plain words: who signed in and as whom, who stopped the chain, who was
passed over, or how far a cancelled run got. Messages are kept whole: a front end may fold them, never cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.diagnosis.evidence import Evidence
from engine.account import Account
from engine.events import CANCELLED, FAILED, SUCCEEDED, UNAVAILABLE
from engine.probe import AVAILABLE
from engine.run import ABANDONED, CANCELLED_AFTER, ChainRun, cancel_summary

USES = "{chain} uses {credential}, as {account}."
USES_OPAQUE = "{chain} uses {credential} (its token is not a JWT, so the account is unknown)."
STOPPED = "{chain} stopped at {credential}: it failed, so the credentials after it were never tried."
NONE_USABLE = "{chain} found no usable credential: every member was unavailable."
NOT_RUN = "The chain could not run: {error}"
RUNNING_TEXT = "Running {chain}…"
TRIED_EVERY = "Tried each credential on its own: {ok} of {total} signed in{who}."
PROBED = (
    "Checked without requesting a token: {ok} of {total} members look available{names}; run the chain to see "
    "which one signs in."
)
NOT_PROBED = "Nothing is known about this chain here yet: run it, or check availability."


@dataclass(frozen=True)
class PassedOver:
    credential: str
    outcome: str
    reason: str  # the whole message


@dataclass(frozen=True)
class Headline:
    outcome: str  # succeeded | failed | cancelled | running | probed
    text: str
    selected: str | None = None
    account: Account | None = None
    stopped: PassedOver | None = None  # the member whose failure ended the chain
    passed_over: tuple[PassedOver, ...] = ()


def account_label(account: Account) -> str:
    kind = "app " if account.identity_type == "app" and not account.upn else ""
    tenant = f" (tenant {account.tenant_id})" if account.tenant_id else ""
    return f"{kind}{account.display}{tenant}"


def first_sentence(message: str | None) -> str:
    """The message's first line up to the end of its first sentence (for a folded view; never mid-word)."""
    line = (message or "").strip().split("\n")[0].strip()
    for end in (". ", "! ", "? "):
        cut = line.find(end)
        if cut > 0:
            return line[: cut + 1]
    return line


def of_run(run: ChainRun) -> Headline:
    chain = run.chain or "The chain"
    stopper = next((a for a in run.attempts if a.outcome == FAILED), None) if run.outcome == FAILED else None
    stopped = PassedOver(stopper.credential, FAILED, stopper.message or "") if stopper else None
    passed = tuple(
        PassedOver(a.credential, a.outcome or "running", a.message or "")
        for a in run.attempts
        if a.outcome in (UNAVAILABLE, FAILED) and a.credential != run.selected and a is not stopper
    )
    if run.outcome is None:
        return Headline("running", RUNNING_TEXT.format(chain=chain), passed_over=passed)
    if run.outcome == CANCELLED:
        return Headline(CANCELLED, cancel_summary(run), passed_over=passed)
    if run.outcome == SUCCEEDED:
        if run.account is not None:
            text = USES.format(chain=chain, credential=run.selected, account=account_label(run.account))
        else:
            text = USES_OPAQUE.format(chain=chain, credential=run.selected)
        return Headline(SUCCEEDED, text, run.selected, run.account, passed_over=passed)
    if stopper is not None:
        return Headline(
            FAILED, STOPPED.format(chain=chain, credential=stopper.credential), stopped=stopped, passed_over=passed
        )
    if run.attempts:
        return Headline(FAILED, NONE_USABLE.format(chain=chain), passed_over=passed)
    return Headline(FAILED, NOT_RUN.format(error=first_sentence(run.error) or run.error or "unknown error"))


def of_try_every(runs: Sequence[ChainRun]) -> Headline:
    attempts = [a for run in runs for a in run.attempts]
    signed_in = [a for a in attempts if a.outcome == SUCCEEDED]
    if runs and any(r.outcome == CANCELLED for r in runs):
        return Headline(CANCELLED, cancel_summary_every(runs), passed_over=_passed(attempts))
    who = ""
    if signed_in:
        who = ": " + "; ".join(
            f"{a.credential} as {account_label(a.account) if a.account else 'an opaque token'}" for a in signed_in
        )
    text = TRIED_EVERY.format(ok=len(signed_in), total=len(runs), who=who)
    return Headline(SUCCEEDED if signed_in else FAILED, text, passed_over=_passed(attempts))


def cancel_summary_every(runs: Sequence[ChainRun]) -> str:
    """ "Cancelled after N of M members; X signed in so far; not tried: …" for members run one by one."""
    members = [r.members[0] if r.members else (r.attempts[0].credential if r.attempts else "?") for r in runs]
    done = [m for m, r in zip(members, runs, strict=True) if any(a.finished for a in r.attempts)]
    abandoned = [m for m, r in zip(members, runs, strict=True) if m not in done and r.attempts]
    ok = sum(1 for r in runs for a in r.attempts if a.outcome == SUCCEEDED)
    not_tried = [m for m, r in zip(members, runs, strict=True) if not r.attempts]
    return CANCELLED_AFTER.format(
        done=len(done),
        total=len(runs),
        ok=ok,
        not_tried=", ".join(not_tried) or "none",
        abandoned=ABANDONED.format(names=", ".join(abandoned)) if abandoned else "",
    )


def _passed(attempts) -> tuple[PassedOver, ...]:
    return tuple(
        PassedOver(a.credential, a.outcome or "running", a.message or "")
        for a in attempts
        if a.outcome in (UNAVAILABLE, FAILED)
    )


def of_probes(members: Sequence[str], evidence: Mapping[str, Evidence]) -> Headline:
    seen = [evidence[m] for m in members if m in evidence]
    if not seen:
        return Headline("probed", NOT_PROBED)
    ok = [e.credential for e in seen if e.status in (AVAILABLE, SUCCEEDED)]
    names = f" ({', '.join(ok)})" if ok else ""
    passed = tuple(PassedOver(e.credential, e.status, e.reason) for e in seen if e.usable is False)
    return Headline("probed", PROBED.format(ok=len(ok), total=len(members), names=names), passed_over=passed)
