"""The verdict of a run in plain words: who signed in, as whom, why the others were passed over, and
what in the environment quietly shaped that. Pure (no Qt): the banner, reports and tests share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine import env_vars as ev
from engine.account import Account
from engine.events import CANCELLED, FAILED, SUCCEEDED, UNAVAILABLE
from engine.profiles import TOKEN_CREDENTIALS_NONE, Profile
from engine.run import ChainRun

USES = "{chain} uses {credential}, as {account}."
USES_OPAQUE = "{chain} uses {credential} (its token is not a JWT, so the account is unknown)."
STOPPED = "{chain} stopped at {credential}: it failed, so the credentials after it were never tried."
NONE_USABLE = "{chain} found no usable credential: every member was unavailable."
NOT_RUN = "The chain could not run: {error}"
CANCELLED_TEXT = "The run was cancelled."
RUNNING_TEXT = "Running {chain}…"

DIFFERENT_ACCOUNTS = "Members resolve to different accounts: {pairs}."
DIFFERENT_TENANTS = "Members resolve to different tenants: {pairs}."
USE_OTHER_FIX = "To use {other}'s account instead, exclude {selected} (or move {other} above it)."
TENANT_MISMATCH = (
    "AZURE_TENANT_ID is {env_tenant}, but the Azure CLI is signed in to tenant {cli_tenant}: "
    "credentials that read AZURE_TENANT_ID and the CLI will sign in to different tenants."
)
TENANT_MISMATCH_FIX = "Run `az login --tenant {env_tenant}`, or set AZURE_TENANT_ID to {cli_tenant}."
TOKEN_CREDENTIALS_SET = (
    "AZURE_TOKEN_CREDENTIALS={value} changes DefaultAzureCredential's members; only {members} are tried."
)
TOKEN_CREDENTIALS_IGNORED = "AZURE_TOKEN_CREDENTIALS={value} is set, but azure-identity {version} ignores it."
TOKEN_CREDENTIALS_FIX = "Unset AZURE_TOKEN_CREDENTIALS to get the full chain, or keep it if this is intended."
LEFTOVER_SECRET = (
    "EnvironmentCredential {what} because AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are set "
    "in the environment (often a leftover from a script or a .env file); the developer tools after it {after}."
)
LEFTOVER_SECRET_FIX = "Unset AZURE_CLIENT_SECRET (try it in the what-if editor), or exclude EnvironmentCredential."
FIRST_LINE_LIMIT = 160


@dataclass(frozen=True)
class Finding:
    """A warning with its suggested fix; ``action`` lets a front end offer the fix as one click."""

    text: str
    fix: str = ""
    action: tuple[str, ...] = ()  # ("exclude", credential) | ("unset", VAR) | ("set", VAR, value)


@dataclass(frozen=True)
class PassedOver:
    credential: str
    outcome: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    outcome: str  # succeeded | failed | cancelled | running
    headline: str
    selected: str | None = None
    account: Account | None = None
    passed_over: tuple[PassedOver, ...] = ()
    warnings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The whole verdict as plain text (for a report, the clipboard or a test)."""
        lines = [self.headline]
        lines += [f"- {p.credential} was {p.outcome}: {p.reason}" for p in self.passed_over]
        for w in self.warnings:
            lines.append(f"! {w.text}" + (f" Fix: {w.fix}" if w.fix else ""))
        return "\n".join(lines)


def first_line(message: str | None) -> str:
    text = (message or "").strip().split("\n")[0].strip()
    return text if len(text) <= FIRST_LINE_LIMIT else text[: FIRST_LINE_LIMIT - 1] + "…"


def account_label(account: Account) -> str:
    kind = "app " if account.identity_type == "app" and not account.upn else ""
    tenant = f" (tenant {account.tenant_id})" if account.tenant_id else ""
    return f"{kind}{account.display}{tenant}"


def verdict(
    run: ChainRun,
    *,
    env: Mapping[str, str] | None = None,
    identities: Mapping[str, Account] | None = None,
    profile: Profile | None = None,
) -> Verdict:
    """Explain ``run``. ``identities`` maps other members to the accounts they would use (from probes
    or "try every credential"); ``env`` is the environment the chain was built in."""
    env = env or {}
    chain = run.chain or "The chain"
    passed = tuple(
        PassedOver(a.credential, a.outcome or "running", first_line(a.message))
        for a in run.attempts
        if a.outcome in (UNAVAILABLE, FAILED) and a.credential != run.selected
    )
    if run.outcome is None:
        headline, outcome = RUNNING_TEXT.format(chain=chain), "running"
    elif run.outcome == SUCCEEDED:
        outcome = SUCCEEDED
        if run.account is not None:
            headline = USES.format(chain=chain, credential=run.selected, account=account_label(run.account))
        else:
            headline = USES_OPAQUE.format(chain=chain, credential=run.selected)
    elif run.outcome == CANCELLED:
        headline, outcome = CANCELLED_TEXT, CANCELLED
    else:
        outcome = FAILED
        failed = next((a for a in run.attempts if a.outcome == FAILED), None)
        if failed is not None:
            headline = STOPPED.format(chain=chain, credential=failed.credential)
        elif run.attempts:
            headline = NONE_USABLE.format(chain=chain)
        else:
            headline = NOT_RUN.format(error=first_line(run.error))
    accounts = _accounts(run, identities or {})
    warnings = [
        *_leftover_secret(run, env),
        *_token_credentials(run, env, profile),
        *_different_accounts(run, accounts),
        *_tenant_mismatch(env, accounts),
    ]
    return Verdict(outcome, headline, run.selected, run.account, passed, tuple(warnings))


def _accounts(run: ChainRun, identities: Mapping[str, Account]) -> dict[str, Account]:
    """Every member's known account, in chain order where the run names the members."""
    known = dict(identities)
    for attempt in run.attempts:
        if attempt.account is not None:
            known[attempt.credential] = attempt.account
    order = {name: i for i, name in enumerate(run.members)}
    return dict(sorted(known.items(), key=lambda item: order.get(item[0], len(order))))


def _different_accounts(run: ChainRun, accounts: Mapping[str, Account]) -> list[Finding]:
    distinct = {(a.display, a.tenant_id) for a in accounts.values()}
    if len(distinct) < 2:
        return []
    pairs = "; ".join(f"{name} → {account_label(a)}" for name, a in accounts.items())
    tenants = {a.tenant_id for a in accounts.values() if a.tenant_id}
    text = (DIFFERENT_TENANTS if len({a.display for a in accounts.values()}) < 2 else DIFFERENT_ACCOUNTS).format(
        pairs=pairs
    )
    if len(tenants) > 1 and text.startswith("Members resolve to different accounts"):
        text += " They are in different tenants, too."
    selected = run.selected
    if selected not in accounts:
        return [Finding(text)]
    chosen = accounts[selected]
    other = next(
        (
            name
            for name, a in accounts.items()
            if name != selected and (a.display, a.tenant_id) != (chosen.display, chosen.tenant_id)
        ),
        None,
    )
    if other is None:
        return [Finding(text)]
    return [Finding(text, USE_OTHER_FIX.format(other=other, selected=selected), ("exclude", selected))]


def _tenant_mismatch(env: Mapping[str, str], accounts: Mapping[str, Account]) -> list[Finding]:
    env_tenant = (env.get(ev.AZURE_TENANT_ID) or "").strip()
    cli = accounts.get("AzureCliCredential")
    if not env_tenant or cli is None or not cli.tenant_id or cli.tenant_id.lower() == env_tenant.lower():
        return []
    values = {"env_tenant": env_tenant, "cli_tenant": cli.tenant_id}
    return [
        Finding(
            TENANT_MISMATCH.format(**values),
            TENANT_MISMATCH_FIX.format(**values),
            ("set", ev.AZURE_TENANT_ID, cli.tenant_id),
        )
    ]


def _token_credentials(run: ChainRun, env: Mapping[str, str], profile: Profile | None) -> list[Finding]:
    value = (env.get(ev.AZURE_TOKEN_CREDENTIALS) or "").strip()
    if not value or run.chain != "DefaultAzureCredential":
        return []
    if profile is not None and profile.token_credentials == TOKEN_CREDENTIALS_NONE:
        return [Finding(TOKEN_CREDENTIALS_IGNORED.format(value=value, version=profile.version))]
    members = ", ".join(run.members) or "none"
    return [
        Finding(
            TOKEN_CREDENTIALS_SET.format(value=value, members=members),
            TOKEN_CREDENTIALS_FIX,
            ("unset", ev.AZURE_TOKEN_CREDENTIALS),
        )
    ]


def _leftover_secret(run: ChainRun, env: Mapping[str, str]) -> list[Finding]:
    if not all(env.get(name) is not None for name in ev.ENVIRONMENT_SECRET_VARS):
        return []
    attempt = next((a for a in run.attempts if a.credential == "EnvironmentCredential"), None)
    if attempt is None or attempt.outcome not in (SUCCEEDED, FAILED):
        return []
    later = (
        run.members[list(run.members).index("EnvironmentCredential") + 1 :]
        if "EnvironmentCredential" in run.members
        else ()
    )
    if not later:
        return []
    if attempt.outcome == SUCCEEDED:
        who = account_label(attempt.account) if attempt.account else "a service principal"
        what = f"signed in as {who}"
    else:
        what = "failed and stopped the chain"
    text = LEFTOVER_SECRET.format(what=what, after="were never tried")
    return [Finding(text, LEFTOVER_SECRET_FIX, ("unset", ev.AZURE_CLIENT_SECRET))]


TRIED_EVERY = "Tried each credential on its own: {ok} of {total} signed in{who}."


def try_every_verdict(runs: list[ChainRun], *, env: Mapping[str, str] | None = None) -> Verdict:
    """The verdict of "try every credential": every account side by side, and what differs."""
    env = env or {}
    attempts = [a for run in runs for a in run.attempts]
    accounts = {a.credential: a.account for a in attempts if a.account is not None}
    signed_in = [a for a in attempts if a.outcome == SUCCEEDED]
    who = ""
    if signed_in:
        who = ": " + "; ".join(
            f"{a.credential} as {account_label(a.account) if a.account else 'an opaque token'}" for a in signed_in
        )
    passed = tuple(
        PassedOver(a.credential, a.outcome or "running", first_line(a.message))
        for a in attempts
        if a.outcome in (UNAVAILABLE, FAILED)
    )
    summary = ChainRun(chain="", members=tuple(a.credential for a in attempts), attempts=attempts)
    warnings = [*_different_accounts(summary, accounts), *_tenant_mismatch(env, accounts)]
    outcome = SUCCEEDED if signed_in else FAILED
    if runs and all(r.outcome == CANCELLED for r in runs):
        outcome = CANCELLED
    headline = TRIED_EVERY.format(ok=len(signed_in), total=len(attempts), who=who)
    return Verdict(outcome, headline, None, None, passed, tuple(warnings))
