"""Evidence: a run supersedes a probe both ways, other machines and overlays are never current, guesses
are labelled and never count as observed accounts."""

from __future__ import annotations

from app.diagnosis import PROBE, RUN, Context, Evidence, EvidenceBoard, from_probe, observed_accounts
from engine.account import Account
from engine.host import Host
from engine.probe import Probe

HERE = Context("this machine")
SANDBOX = Context("sandbox: laptop-az")
WHAT_IF = Context("this machine", (("AZURE_CLIENT_SECRET", None),))
DEV = Account(upn="dev@contoso.com", tenant_id="t1")


def _e(name, status, source=RUN, context=HERE, account=None, observed=False, at=1.0):
    return Evidence(name, status, "why", source, context, account, observed, at)


def test_a_run_downgrades_a_probe_and_a_later_probe_never_overrides_the_run():
    board = EvidenceBoard()
    board.add(_e("AzureCliCredential", "available", PROBE, account=DEV, observed=True))
    board.add(_e("AzureCliCredential", "unavailable", RUN, at=2.0))
    assert board.current(HERE)["AzureCliCredential"].status == "unavailable"
    board.add(_e("AzureCliCredential", "available", PROBE, account=DEV, observed=True, at=3.0))
    assert board.current(HERE)["AzureCliCredential"].status == "unavailable"
    board.add(_e("AzureCliCredential", "succeeded", RUN, account=DEV, observed=True, at=4.0))
    assert board.current(HERE)["AzureCliCredential"].status == "succeeded"


def test_evidence_from_another_machine_or_overlay_is_never_current():
    board = EvidenceBoard()
    board.add(_e("AzureCliCredential", "succeeded", context=SANDBOX, account=DEV, observed=True))
    board.add(_e("EnvironmentCredential", "succeeded", context=WHAT_IF, account=DEV, observed=True))
    assert board.current(HERE) == {}
    assert set(board.earlier(HERE)) == {"AzureCliCredential", "EnvironmentCredential"}
    board.forget(SANDBOX)
    assert board.current(SANDBOX) == {}


def test_context_of_a_host_is_its_label_and_overlay():
    host = Host(env={"A": "1"}, label="sandbox: app-service").with_overlay(unset=["A"], set={"B": "2"})
    assert Context.of(host) == Context("sandbox: app-service", (("A", None), ("B", "2")))
    assert Context.of(host).describe() == "sandbox: app-service, what-if: A unset, B set"


def test_only_the_developer_tools_own_files_count_as_observed_accounts_in_a_probe():
    mi = from_probe(Probe("ManagedIdentityCredential", "available", "IMDS", Account(client_id="c1")), HERE)
    az = from_probe(Probe("AzureCliCredential", "available", "signed in", DEV), HERE)
    cache = from_probe(Probe("SharedTokenCacheCredential", "available", "would use", DEV), HERE)
    assert not mi.account_observed and mi.account_note() == "guessed from configuration, not observed"
    assert not cache.account_observed
    assert az.account_observed and az.account_note() == "read from the tool's own sign-in files"
    board = EvidenceBoard()
    board.add_all([mi, az, cache])
    assert set(observed_accounts(board.current(HERE))) == {"AzureCliCredential"}


def test_an_account_seen_in_a_member_that_then_failed_is_not_counted():
    board = EvidenceBoard()
    board.add(_e("AzureCliCredential", "available", PROBE, account=DEV, observed=True))
    board.add(_e("AzureCliCredential", "unavailable", RUN, at=2.0))
    assert observed_accounts(board.current(HERE)) == {}


def test_evidence_json_carries_its_provenance():
    data = _e("AzureCliCredential", "succeeded", context=WHAT_IF, account=DEV, observed=True).to_json()
    assert data["source"] == "run" and data["machine"] == "this machine"
    assert data["overlay"] == {"AZURE_CLIENT_SECRET": None} and data["account"]["upn"] == "dev@contoso.com"
