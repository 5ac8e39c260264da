"""Warnings come from current evidence only; every fix is checked by rebuilding the chain with it applied."""

from __future__ import annotations

from app.diagnosis import Context, Evidence, EvidenceBoard, diagnose
from app.diagnosis.fixes import Action, verify
from engine.account import Account
from engine.chain import ChainedTokenCredential
from engine.host import Host
from engine.probe import AVAILABLE, UNAVAILABLE, Probe
from engine.spec import ChainSpec
from tests.app.diagnosis.helpers import gather
from tests.app.gui.doubles import (
    CONTOSO,
    DEV_UPN,
    SP_APPID,
    WRONG_ACCOUNT_ENV,
    Double,
    failing,
    succeeding,
    unavailable,
    user_token,
    wrong_account_chain,
)

OTHER_UPN = "other@fabrikam.com"


def _ids(found):
    return [w.id for w in found.warnings]


def test_different_accounts_needs_two_observed_accounts_and_names_them():
    found, _, _ = gather(wrong_account_chain, WRONG_ACCOUNT_ENV)
    warning = next(w for w in found.warnings if w.id == "different-accounts")
    assert (
        f"EnvironmentCredential → app {SP_APPID}" in warning.text and f"AzureCliCredential → {DEV_UPN}" in warning.text
    )


def test_a_managed_identity_client_id_from_the_environment_is_a_guess_not_an_account():
    def builder(spec, host):
        guess = Account(client_id=host.env["AZURE_CLIENT_ID"], identity_type="app")
        return ChainedTokenCredential(
            Double(
                "ManagedIdentityCredential",
                unavailable("no response from the IMDS endpoint."),
                probe=Probe("ManagedIdentityCredential", AVAILABLE, "IMDS answered", guess),
            ),
            Double(
                "AzureCliCredential",
                succeeding(user_token()),
                probe=Probe("AzureCliCredential", AVAILABLE, "az", Account(upn=DEV_UPN, tenant_id=CONTOSO)),
            ),
        )

    found, board, _ = gather(builder, {"AZURE_CLIENT_ID": "0c9a51f2-guess"}, run=False)
    assert "different-accounts" not in _ids(found)
    mi = board.current(Context("test host"))["ManagedIdentityCredential"]
    assert mi.guessed_account is not None and mi.observed_account is None


def test_nothing_signed_in_gives_no_account_warning_even_if_a_probe_read_an_account():
    def builder(spec, host):
        return ChainedTokenCredential(
            Double(
                "AzureCliCredential",
                unavailable("ERROR: AADSTS50173: revoked. Please run:\naz login --scope x"),
                probe=Probe("AzureCliCredential", AVAILABLE, "az", Account(upn=DEV_UPN, tenant_id=CONTOSO)),
            ),
            Double(
                "AzureDeveloperCliCredential",
                unavailable("azd: not logged in, run `azd auth login` to login"),
                probe=Probe("AzureDeveloperCliCredential", AVAILABLE, "azd", Account(upn=OTHER_UPN)),
            ),
        )

    found, _, _ = gather(builder, {})
    assert found.warnings == ()
    assert found.verdict.endswith("found no usable credential: every member was unavailable.")


def test_after_unsetting_the_secret_the_old_service_principal_is_not_current():
    board = EvidenceBoard()
    before = Host(env=WRONG_ACCOUNT_ENV, label="test host")
    after = before.with_overlay(unset=["AZURE_CLIENT_SECRET"])
    for host in (before, after):
        found, gathered, _ = gather(wrong_account_chain, dict(host.env), host=host)
        for item in gathered.current(Context.of(host)).values():
            board.add(item)
    found = diagnose(ChainSpec(), after, board.current(Context.of(after)), members=[], builder=wrong_account_chain)
    assert SP_APPID not in found.text


def _dev_builder(spec, host):
    """AZURE_TOKEN_CREDENTIALS=dev keeps az and azd; azd reads an account from its files but cannot sign in."""
    members = [
        Double(
            "AzureCliCredential",
            succeeding(user_token()),
            probe=Probe("AzureCliCredential", AVAILABLE, "az", Account(upn=DEV_UPN, tenant_id=CONTOSO)),
        ),
        Double(
            "AzureDeveloperCliCredential",
            failing("ERROR: fetching token: AADSTS700082: expired"),
            probe=Probe("AzureDeveloperCliCredential", AVAILABLE, "azd", Account(upn=OTHER_UPN)),
        ),
    ]
    if spec.options.get("exclude_cli_credential"):
        members = members[1:]
    return ChainedTokenCredential(*members)


def test_a_fix_that_would_leave_no_usable_credential_is_not_offered():
    env = {"AZURE_TOKEN_CREDENTIALS": "dev"}
    found, _, _ = gather(_dev_builder, env)
    accounts = next(w for w in found.warnings if w.id == "different-accounts")
    # Only a probe speaks for azd: excluding az is shown as untested, never as a promise.
    assert [f.tested for f in accounts.fixes] == [False]
    assert accounts.fixes[0].to_json()["expect"] == {}
    assert accounts.fixes[0].to_json()["apply"] == {"options": {"exclude_cli_credential": True}}
    found, _, _ = gather(_dev_builder, env, try_every=True)
    assert "different-accounts" not in _ids(found)  # tried: azd cannot sign in, so no second account

    def blocked(spec, host):
        """azd signs in as someone else, but a managed identity that fails hard sits between them."""
        members = [
            Double("AzureCliCredential", succeeding(user_token())),
            Double("ManagedIdentityCredential", failing("IMDS answered 500")),
            Double("AzureDeveloperCliCredential", succeeding(user_token(OTHER_UPN))),
        ]
        return ChainedTokenCredential(*members[1:] if spec.options.get("exclude_cli_credential") else members)

    found, _, _ = gather(blocked, {}, try_every=True)
    accounts = next(w for w in found.warnings if w.id == "different-accounts")
    assert accounts.fixes == ()  # excluding az would stop at the managed identity: not offered


def test_a_checked_fix_promises_the_credential_and_account_and_delivers_them():
    found, _, _ = gather(wrong_account_chain, WRONG_ACCOUNT_ENV, try_every=True)
    leftover = next(w for w in found.warnings if w.id == "leftover-secret")
    fixes = {f.label: f for f in leftover.fixes}
    unset = fixes["Unset AZURE_CLIENT_SECRET"].to_json()
    assert unset == {
        "label": "Unset AZURE_CLIENT_SECRET",
        "apply": {"unset_env": ["AZURE_CLIENT_SECRET"]},
        "expect": {"selected": "AzureCliCredential", "account": DEV_UPN},
    }
    exclude = fixes["Exclude EnvironmentCredential"].to_json()
    assert exclude["apply"] == {"options": {"exclude_environment_credential": True}}
    # applied and run again, each gives what it promised
    for fix in (unset, exclude):
        host = Host(env=WRONG_ACCOUNT_ENV, label="test host").with_overlay(unset=fix["apply"].get("unset_env", ()))
        spec = ChainSpec(options=fix["apply"].get("options", {}))
        _, _, run = gather(wrong_account_chain, dict(host.env), spec=spec, host=host)
        assert run.selected == fix["expect"]["selected"] and run.account.upn == fix["expect"]["account"]


def test_a_fix_that_changes_what_a_member_reads_is_untested_for_that_member():
    evidence = {
        "EnvironmentCredential": Evidence("EnvironmentCredential", "succeeded", "ok", "run", Context("test host")),
    }
    host = Host(env=WRONG_ACCOUNT_ENV, label="test host")
    outcome = verify(Action.of(set_env={"AZURE_TENANT_ID": CONTOSO}), ChainSpec(), host, evidence, wrong_account_chain)
    assert not outcome.tested and "EnvironmentCredential reads AZURE_TENANT_ID" in outcome.why


def test_a_fix_that_breaks_construction_is_never_offered():
    def breaks(spec, host):
        if "AZURE_TOKEN_CREDENTIALS" not in host.env:
            raise ValueError("bad")
        return wrong_account_chain(spec, host)

    outcome = verify(
        Action.of(unset_env=["AZURE_TOKEN_CREDENTIALS"]),
        ChainSpec(),
        Host(env={"AZURE_TOKEN_CREDENTIALS": "dev"}),
        {},
        breaks,
    )
    assert outcome.error and "ValueError: bad" in outcome.error


def test_azure_token_credentials_is_explained_with_a_checked_fix_and_ignored_by_1_19():
    env = {"AZURE_TOKEN_CREDENTIALS": "dev"}
    found, _, _ = gather(_dev_builder, env, try_every=True)
    narrowing = next(w for w in found.warnings if w.id == "token-credentials")
    assert "only AzureCliCredential, AzureDeveloperCliCredential are tried" in narrowing.text
    old, _, _ = gather(_dev_builder, env, spec=ChainSpec(azure_identity="1.19"))
    assert "token-credentials-ignored" in _ids(old)


def test_tenant_mismatch_compares_the_environment_with_the_cli_s_observed_tenant():
    env = {**WRONG_ACCOUNT_ENV}
    found, _, _ = gather(wrong_account_chain, env)
    mismatch = next(w for w in found.warnings if w.id == "tenant-mismatch")
    assert CONTOSO in mismatch.text


def test_unavailable_members_have_no_state_to_share(tmp_path):
    # a probe that says UNAVAILABLE with an account never yields an observed account either
    def builder(spec, host):
        return ChainedTokenCredential(
            Double(
                "AzureCliCredential",
                unavailable("Please run 'az login' to set up an account"),
                probe=Probe("AzureCliCredential", UNAVAILABLE, "az", Account(upn=DEV_UPN)),
            ),
        )

    found, _, _ = gather(builder, {}, run=False)
    assert found.warnings == ()


def _nothing_here(spec, host):
    return ChainedTokenCredential(
        Double(
            "EnvironmentCredential",
            unavailable(
                "EnvironmentCredential authentication unavailable. Environment variables are not fully configured."
            ),
        ),
        Double("AzureCliCredential", unavailable("Azure CLI not found on path")),
    )


def test_a_machine_with_nothing_set_up_is_told_what_to_do_first():
    found, _, _ = gather(_nothing_here, {})
    assert [s.remedy for s in found.next_steps] == ["nothing-configured", "env-not-configured", "az-missing"]
    assert found.next_steps[0].command == "az login --scope https://management.azure.com/.default"
    assert "open a sandbox scenario" in found.next_steps[0].text


def test_a_failed_chain_narrowed_by_azure_token_credentials_says_so_last():
    found, _, _ = gather(_nothing_here, {"AZURE_TOKEN_CREDENTIALS": "dev"})
    last = found.next_steps[-1]
    assert last.remedy == "token-credentials" and last.command == "unset AZURE_TOKEN_CREDENTIALS"
    assert "AZURE_TOKEN_CREDENTIALS=dev narrows DefaultAzureCredential to" in last.text


def test_a_stopped_chain_gets_the_stopper_s_remedy_only():
    def stops(spec, host):
        return ChainedTokenCredential(
            Double("EnvironmentCredential", failing("AADSTS7000215: Invalid client secret provided.")),
            Double("AzureCliCredential", succeeding(user_token())),
        )

    found, _, _ = gather(stops, {"AZURE_CLIENT_ID": "c-1"})
    assert found.stopped.credential == "EnvironmentCredential"
    assert [s.remedy for s in found.next_steps] == ["aadsts-app"]
    assert found.next_steps[0].command == "az ad app credential reset --id c-1 --append"
