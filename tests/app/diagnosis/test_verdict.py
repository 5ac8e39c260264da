"""The headline: who signed in as whom, who stopped the chain (never "passed over"), how far a cancel got."""

from __future__ import annotations

from app.diagnosis.verdict import first_sentence, of_run, of_try_every
from engine import events
from engine.account import Account
from engine.chain import ChainedTokenCredential
from engine.run import ChainRun, run_chain
from tests.app.diagnosis.helpers import gather
from tests.app.gui.doubles import (
    CONTOSO,
    DEV_UPN,
    FABRIKAM,
    SP_APPID,
    WRONG_ACCOUNT_ENV,
    Double,
    failing,
    succeeding,
    unavailable,
    user_token,
    wrong_account_chain,
)


def test_leftover_client_secret_names_the_service_principal_and_flags_the_secret():
    found, _, _ = gather(wrong_account_chain, WRONG_ACCOUNT_ENV)
    assert found.selected == "EnvironmentCredential"
    assert found.verdict == f"DefaultAzureCredential uses EnvironmentCredential, as app {SP_APPID} (tenant {FABRIKAM})."
    assert found.warnings[0].id == "leftover-secret"
    assert "CANARY" not in found.text and "CANARY" not in str(found.to_json())


def test_without_the_secret_the_verdict_is_the_cli_and_lists_who_was_passed_over_in_full():
    env = {k: v for k, v in WRONG_ACCOUNT_ENV.items() if k != "AZURE_CLIENT_SECRET"}
    found, _, _ = gather(wrong_account_chain, env)
    assert found.verdict == f"DefaultAzureCredential uses AzureCliCredential, as {DEV_UPN} (tenant {CONTOSO})."
    assert [(p.credential, p.outcome) for p in found.passed_over] == [
        ("EnvironmentCredential", "unavailable"),
        ("ManagedIdentityCredential", "unavailable"),
    ]
    assert found.passed_over[0].reason == (
        "EnvironmentCredential authentication unavailable. Environment variables are not fully configured."
    )
    assert found.next_steps == ()  # the chain works: nothing to do


def test_the_member_that_stopped_the_chain_is_named_with_its_whole_message_and_not_passed_over():
    long = "IMDS answered 500. " + "x" * 400 + " Please run: az login --scope https://management.azure.com/.default"
    chain = ChainedTokenCredential(
        Double("EnvironmentCredential", unavailable("not configured")),
        Double("ManagedIdentityCredential", failing(long)),
        Double("AzureCliCredential", lambda h: None),
    )
    head = of_run(run_chain(chain))
    assert head.text.startswith("ChainedTokenCredential stopped at ManagedIdentityCredential")
    assert head.stopped.credential == "ManagedIdentityCredential" and head.stopped.reason == long
    assert [p.credential for p in head.passed_over] == ["EnvironmentCredential"]


def test_all_unavailable_says_no_usable_credential():
    chain = ChainedTokenCredential(Double("AzureCliCredential", unavailable("Please run 'az login'")))
    assert of_run(run_chain(chain)).text == (
        "ChainedTokenCredential found no usable credential: every member was unavailable."
    )


def test_a_chain_that_could_not_run_reports_the_error():
    run = ChainRun(chain="DefaultAzureCredential", outcome="failed", error="ValueError: bad authority")
    assert of_run(run).text == "The chain could not run: ValueError: bad authority"


def test_a_run_cancelled_mid_chain_says_how_far_it_got_and_what_was_never_tried():
    recorder = events.Recorder()

    def cancel_then_give_up(host):
        recorder.cancel()  # Esc while az runs; az finishes anyway (unavailable): the chain must not go on
        return unavailable("Please run 'az login' to set up an account")(host)

    chain = ChainedTokenCredential(
        Double("EnvironmentCredential", unavailable("not configured")),
        Double("AzureCliCredential", cancel_then_give_up),
        Double("AzureDeveloperCliCredential", succeeding(user_token())),
        Double("AzurePowerShellCredential", succeeding(user_token())),
    )
    run = run_chain(chain, recorder=recorder)
    assert run.outcome == "cancelled"
    assert [a.credential for a in run.attempts] == ["EnvironmentCredential", "AzureCliCredential"]
    expected = (
        "Cancelled after 2 of 4 members; 0 signed in so far; "
        "not tried: AzureDeveloperCliCredential, AzurePowerShellCredential."
    )
    assert of_run(run).text == expected and run.error == expected and run.to_json()["cancelled"] is True


def test_a_cancelled_try_every_says_so():
    done = ChainRun(members=("AzureCliCredential",), outcome="succeeded", selected="AzureCliCredential")
    done.attempts = [_attempt("AzureCliCredential", "succeeded")]
    flying = ChainRun(members=("AzureDeveloperCliCredential",), outcome="cancelled")
    flying.attempts = [_attempt("AzureDeveloperCliCredential", "cancelled")]
    waiting = ChainRun(members=("AzurePowerShellCredential",), outcome="cancelled")
    head = of_try_every([done, flying, waiting])
    assert head.outcome == "cancelled"
    assert head.text == (
        "Cancelled after 1 of 3 members; 1 signed in so far; not tried: AzurePowerShellCredential "
        "(AzureDeveloperCliCredential abandoned mid-attempt)."
    )


def test_first_sentence_never_cuts_mid_sentence():
    assert first_sentence("One two. Three four.") == "One two."
    assert first_sentence("No full stop here\nsecond line") == "No full stop here"


def _attempt(name: str, outcome: str):
    from engine.run import Attempt

    account = Account(upn=DEV_UPN, tenant_id=CONTOSO) if outcome == "succeeded" else None
    return Attempt(0, name, name, 0.0, 0.1, outcome, None, account=account)
