"""Warnings: what in the environment quietly shaped the chain, each read from current evidence only and
each with fixes that were checked (or marked untested) before they are offered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.diagnosis.evidence import Evidence, observed_accounts
from app.diagnosis.fixes import Action, Fix, Outcome, account_id
from app.diagnosis.verdict import account_label
from engine import env_vars as ev
from engine.account import Account
from engine.events import FAILED, SUCCEEDED
from engine.profiles import TOKEN_CREDENTIALS_NONE, Profile
from engine.run import ChainRun

DIFFERENT_ACCOUNTS = "Members resolve to different accounts: {pairs}."
DIFFERENT_TENANTS = "Members resolve to different tenants: {pairs}."
ALSO_TENANTS = " They are in different tenants, too."
USE_OTHER = "Exclude {selected} to use {other}'s account"
TENANT_MISMATCH = (
    "AZURE_TENANT_ID is {env_tenant}, but the Azure CLI is signed in to tenant {cli_tenant}: "
    "credentials that read AZURE_TENANT_ID and the CLI will sign in to different tenants."
)
TENANT_FIX = "Set AZURE_TENANT_ID to the CLI's tenant {cli_tenant}"
TOKEN_CREDENTIALS_SET = (
    "AZURE_TOKEN_CREDENTIALS={value} changes DefaultAzureCredential's members; only {members} are tried."
)
TOKEN_CREDENTIALS_IGNORED = "AZURE_TOKEN_CREDENTIALS={value} is set, but azure-identity {version} ignores it."
TOKEN_CREDENTIALS_FIX = "Unset AZURE_TOKEN_CREDENTIALS"
LEFTOVER_SECRET = (
    "EnvironmentCredential {what} because AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are set "
    "in the environment (often a leftover from a script or a .env file); the credentials after it were never "
    "tried."
)
UNSET_SECRET = "Unset AZURE_CLIENT_SECRET"
EXCLUDE_ENVIRONMENT = "Exclude EnvironmentCredential"

Verifier = Callable[[Action], Outcome]


@dataclass(frozen=True)
class Finding:
    id: str
    text: str
    fixes: tuple[Fix, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "text": self.text, "fixes": [f.to_json() for f in self.fixes]}


def _offer(label: str, action: Action, verify: Verifier, keep: Callable[[Outcome], bool]) -> list[Fix]:
    """The fix, if checking it shows it does what it is for (or nothing is known yet: untested)."""
    outcome = verify(action)
    if outcome.error or (outcome.tested and not keep(outcome)):
        return []
    return [Fix(label, action, outcome)]


def _usable(outcome: Outcome) -> bool:
    return outcome.selected is not None


def leftover_secret(run: ChainRun | None, env: Mapping[str, str], is_default: bool, verify: Verifier) -> list[Finding]:
    if run is None or not all(env.get(name) is not None for name in ev.ENVIRONMENT_SECRET_VARS):
        return []
    attempt = next((a for a in run.attempts if a.credential == "EnvironmentCredential"), None)
    if attempt is None or attempt.outcome not in (SUCCEEDED, FAILED):
        return []
    members = list(run.members)
    if "EnvironmentCredential" not in members or members[-1] == "EnvironmentCredential":
        return []
    if attempt.outcome == SUCCEEDED:
        who = account_label(attempt.account) if attempt.account else "a service principal"
        what = f"signed in as {who}"
    else:
        what = "failed and stopped the chain"
    fixes = _offer(UNSET_SECRET, Action.of(unset_env=[ev.AZURE_CLIENT_SECRET]), verify, _usable)
    if is_default:
        action = Action.of(options={"exclude_environment_credential": True})
        fixes += _offer(EXCLUDE_ENVIRONMENT, action, verify, _usable)
    return [Finding("leftover-secret", LEFTOVER_SECRET.format(what=what), tuple(fixes))]


def token_credentials(
    run: ChainRun | None,
    members: list[str],
    env: Mapping[str, str],
    profile: Profile | None,
    is_default: bool,
    verify: Verifier,
) -> list[Finding]:
    value = (env.get(ev.AZURE_TOKEN_CREDENTIALS) or "").strip()
    if not value or not is_default:
        return []
    if profile is not None and profile.token_credentials == TOKEN_CREDENTIALS_NONE:
        return [
            Finding("token-credentials-ignored", TOKEN_CREDENTIALS_IGNORED.format(value=value, version=profile.version))
        ]
    text = TOKEN_CREDENTIALS_SET.format(value=value, members=", ".join(members) or "none")
    fixes = _offer(TOKEN_CREDENTIALS_FIX, Action.of(unset_env=[ev.AZURE_TOKEN_CREDENTIALS]), verify, _usable)
    return [Finding("token-credentials", text, tuple(fixes))]


def different_accounts(
    selected: str | None,
    members: list[str],
    evidence: Mapping[str, Evidence],
    is_default: bool,
    exclude_option: Callable[[str], str | None],
    verify: Verifier,
) -> list[Finding]:
    """Needs two members whose accounts were observed in this context, and that differ."""
    order = {name: i for i, name in enumerate(members)}
    accounts = dict(sorted(observed_accounts(evidence).items(), key=lambda kv: order.get(kv[0], len(order))))
    distinct = {_identity(a) for a in accounts.values()}
    if len(distinct) < 2:
        return []
    pairs = "; ".join(f"{name} → {account_label(a)}" for name, a in accounts.items())
    same_people = len({a.display for a in accounts.values()}) < 2
    text = (DIFFERENT_TENANTS if same_people else DIFFERENT_ACCOUNTS).format(pairs=pairs)
    if not same_people and len({a.tenant_id for a in accounts.values() if a.tenant_id}) > 1:
        text += ALSO_TENANTS
    fixes: list[Fix] = []
    chosen = accounts.get(selected) if selected else None
    option = exclude_option(selected) if selected and is_default else None
    if chosen is not None and option:
        others = {_identity(a): name for name, a in accounts.items() if _identity(a) != _identity(chosen)}
        for other in others.values():
            wanted = accounts[other]

            def reaches(outcome: Outcome, wanted: Account = wanted) -> bool:
                return outcome.account is not None and account_id(outcome.account) == account_id(wanted)

            label = USE_OTHER.format(selected=selected, other=other)
            fixes += [f for f in _offer(label, Action.of(options={option: True}), verify, reaches) if f not in fixes]
    return [Finding("different-accounts", text, tuple(fixes))]


def tenant_mismatch(env: Mapping[str, str], evidence: Mapping[str, Evidence], verify: Verifier) -> list[Finding]:
    env_tenant = (env.get(ev.AZURE_TENANT_ID) or "").strip()
    cli = observed_accounts(evidence).get("AzureCliCredential")
    if not env_tenant or cli is None or not cli.tenant_id or cli.tenant_id.lower() == env_tenant.lower():
        return []
    values = {"env_tenant": env_tenant, "cli_tenant": cli.tenant_id}
    fixes = _offer(TENANT_FIX.format(**values), Action.of(set_env={ev.AZURE_TENANT_ID: cli.tenant_id}), verify, _usable)
    return [Finding("tenant-mismatch", TENANT_MISMATCH.format(**values), tuple(fixes))]


def _identity(account: Account) -> tuple[str, str | None]:
    return account.display, account.tenant_id
