"""app.verdict: the plain-language verdict, warnings and fixes, from real run_chain results over doubles."""

from __future__ import annotations

from app.verdict import verdict
from engine.account import Account
from engine.chain import ChainedTokenCredential
from engine.host import Host
from engine.profiles import get_profile
from engine.run import ChainRun, run_chain
from engine.spec import ChainSpec
from tests.app.gui.doubles import (
    CONTOSO,
    DEV_UPN,
    FABRIKAM,
    SP_APPID,
    WRONG_ACCOUNT_ENV,
    Double,
    failing,
    unavailable,
    user_token,
    wrong_account_chain,
)


def _run(env: dict) -> ChainRun:
    chain = wrong_account_chain(ChainSpec(), Host(env=env))
    run = run_chain(chain)
    run.chain = "DefaultAzureCredential"  # as the real DAC would report itself
    return run


def test_leftover_client_secret_selects_environment_credential_and_is_flagged_with_a_fix():
    run = _run(WRONG_ACCOUNT_ENV)
    cli = Account(tenant_id=CONTOSO, upn=DEV_UPN)
    result = verdict(run, env=WRONG_ACCOUNT_ENV, identities={"AzureCliCredential": cli})
    assert result.selected == "EnvironmentCredential"
    assert (
        result.headline == f"DefaultAzureCredential uses EnvironmentCredential, as app {SP_APPID} (tenant {FABRIKAM})."
    )
    actions = [w.action for w in result.warnings]
    assert ("unset", "AZURE_CLIENT_SECRET") in actions
    assert ("exclude", "EnvironmentCredential") in actions  # different accounts: use the CLI's instead
    assert ("set", "AZURE_TENANT_ID", CONTOSO) in actions  # AZURE_TENANT_ID differs from the CLI's tenant
    assert "CANARY" not in result.text


def test_without_the_secret_the_verdict_is_the_cli_and_explains_who_was_passed_over():
    env = {k: v for k, v in WRONG_ACCOUNT_ENV.items() if k != "AZURE_CLIENT_SECRET"}
    result = verdict(_run(env), env=env)
    assert result.selected == "AzureCliCredential"
    assert result.headline == f"DefaultAzureCredential uses AzureCliCredential, as {DEV_UPN} (tenant {CONTOSO})."
    assert [(p.credential, p.outcome) for p in result.passed_over] == [
        ("EnvironmentCredential", "unavailable"),
        ("ManagedIdentityCredential", "unavailable"),
    ]
    assert result.passed_over[0].reason.startswith("EnvironmentCredential authentication unavailable")


def test_a_failure_stops_the_chain_and_says_so():
    chain = ChainedTokenCredential(
        Double("ManagedIdentityCredential", failing("boom")), Double("AzureCliCredential", lambda h: None)
    )
    result = verdict(run_chain(chain))
    assert result.outcome == "failed"
    assert result.headline.startswith("ChainedTokenCredential stopped at ManagedIdentityCredential")


def test_all_unavailable_says_no_usable_credential():
    chain = ChainedTokenCredential(Double("AzureCliCredential", unavailable("Please run 'az login'")))
    result = verdict(run_chain(chain))
    assert result.headline == "ChainedTokenCredential found no usable credential: every member was unavailable."


def test_azure_token_credentials_is_explained_and_ignored_by_1_19():
    run = ChainRun(
        chain="DefaultAzureCredential",
        members=("AzureCliCredential",),
        outcome="succeeded",
        selected="AzureCliCredential",
        account=Account.from_token(user_token()),
    )
    env = {"AZURE_TOKEN_CREDENTIALS": "dev"}
    found = verdict(run, env=env, profile=get_profile("1.27")).warnings
    assert found[0].action == ("unset", "AZURE_TOKEN_CREDENTIALS")
    assert "only AzureCliCredential" in found[0].text
    ignored = verdict(run, env=env, profile=get_profile("1.19")).warnings
    assert "ignores it" in ignored[0].text and not ignored[0].action


def test_same_account_everywhere_gives_no_warning():
    run = _run({"PATH": "/bin"})
    result = verdict(run, identities={"AzureCliCredential": Account(tenant_id=CONTOSO, upn=DEV_UPN)})
    assert result.warnings == ()


def test_a_chain_that_could_not_run_reports_the_error():
    run = ChainRun(chain="DefaultAzureCredential", outcome="failed", error="ValueError: bad authority")
    assert verdict(run).headline == "The chain could not run: ValueError: bad authority"
