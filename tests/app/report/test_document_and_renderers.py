"""The document and its renderings: canaries never appear, the diagnosis schema renders in full, the
HTML is self-contained, and md and html show only what the JSON document holds."""

from __future__ import annotations

import json
import re

import pytest

from app.report import FORMATS, format_for, render
from app.report.collect import WindowState, chain_part, report_document, run_part, try_every_part, window_document
from app.report.document import evidence_from, members_section
from app.report.markdown import (
    EMPTY_VERDICT,
    NO_DIAGNOSIS_UNBUILT,
    NO_DIAGNOSIS_YET,
    NO_DIAGNOSIS_YET_RAN,
    text_timeline,
)
from app.report.redact import pseudonymise
from app.report.svg_timeline import nice_step, render_svg
from engine.spec import ChainSpec
from tests.app.report import samples

MACHINE = {"label": "sandbox: canaries", "os": "Linux", "python": "CPython 3.11.7", "tools": [], "variables": []}
EXTERNAL = re.compile(r"""(?i)(\bsrc\s*=|\bhref\s*=|url\(|@import|<script|<link|<img|<iframe)""")


def _document(*, diagnosis: dict | None = None, redact: bool = False, spec: ChainSpec | None = None) -> dict:
    spec = spec or ChainSpec()
    host = samples.canary_host()
    run = samples.canary_run()
    section = run_part(spec, run)
    if diagnosis is not None:
        section["diagnosis"] = diagnosis
    return report_document(
        host,
        chain=chain_part(spec, list(run.members)),
        run=section,
        evidence=evidence_from(samples.canary_probes(), section),
        redact_identities=redact,
        machine={**MACHINE, "variables": [{"name": "AZURE_CLIENT_SECRET", "value": samples.CLIENT_SECRET}]},
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "diagnosis",
    [lambda: None, lambda: samples.DIAGNOSIS, samples.canary_diagnosis],
    ids=["none-yet", "schema", "app-diagnosis"],
)
def test_no_canary_secret_reaches_any_format(fmt: str, diagnosis) -> None:
    text = render(_document(diagnosis=diagnosis()), fmt)
    for canary in samples.CANARIES:
        assert canary not in text, f"{canary[:8]}… leaked into the {fmt} report"
    assert not re.search(r"eyJ[A-Za-z0-9_-]{8,}\.", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_redacted_reports_hold_no_original_identity_in_any_section(fmt: str) -> None:
    text = render(_document(diagnosis=samples.DIAGNOSIS, redact=True), fmt)
    for original in samples.IDENTITIES:
        assert original.lower() not in text.lower(), f"{original} left in the {fmt} report"
    assert "user-1@example.invalid" in text and "tenant-1" in text


def test_pseudonyms_are_consistent_across_the_document() -> None:
    document = _document(diagnosis=samples.DIAGNOSIS, redact=True)
    upn = "user-1@example.invalid"
    assert document["run"]["account"]["upn"] == upn
    assert document["chain"]["members"][1]["account"]["upn"] == upn
    assert document["diagnosis"]["warnings"][0]["fixes"][0]["expect"]["account"] == upn
    tenant = document["run"]["account"]["tenant_id"]
    assert tenant in document["diagnosis"]["next_steps"][0]["command"]
    assert document["identities_redacted"] is True


def test_the_run_diagnosis_renders_in_full_in_markdown_and_html() -> None:
    document = _document(diagnosis=samples.DIAGNOSIS)
    assert document["diagnosis"] == samples.DIAGNOSIS and "diagnosis" not in document["run"]
    md, html = render(document, "md"), render(document, "html")
    for text in (md, html):
        assert "DefaultAzureCredential uses AzureCliCredential, as dev@contoso.com." in text
        assert "Try without AZURE_CLIENT_SECRET" in text
        assert f"chainsight run --unset-env AZURE_CLIENT_SECRET --set-env AZURE_TENANT_ID={samples.TENANT}" in text
        assert "--option exclude_cli_credential=true" in text
        assert "AzureCliCredential as dev@contoso.com" in text and "the chain fails" in text
        assert "Expected outcome: untested" in text  # a checked fix that promises nothing says so
        assert f"az login --tenant {samples.TENANT} --scope https://management.azure.com/.default" in text
        assert "refresh token was revoked (AADSTS50173)" in text


def test_app_diagnosis_of_the_run_is_the_reports_diagnosis_word_for_word() -> None:
    real = samples.canary_diagnosis()  # built by app/diagnosis from the canary run and probes
    document = _document(diagnosis=real)
    assert document["diagnosis"] == real
    md = render(document, "md")
    assert f"**{real['verdict'].split(chr(10))[0]}**" in md.replace("\\", "")
    fixes = [f for w in real["warnings"] for f in w["fixes"]]
    assert {"unset_env": ["AZURE_CLIENT_SECRET"]} in [f["apply"] for f in fixes]
    assert "Try it: `chainsight run --unset-env AZURE_CLIENT_SECRET`" in md


def test_members_state_is_the_latest_evidence_and_a_probe_account_is_labelled() -> None:
    document = _document()
    env, cli = document["chain"]["members"]
    assert (env["status"], env["source"], env["tried"]) == ("failed", "run", True)
    assert [e["source"] for e in env["evidence"]] == ["probe", "run"]
    assert (cli["status"], cli["account_source"]) == ("succeeded", "run")
    only_probed = members_section(["AzureCliCredential"], evidence_from(samples.canary_probes()))
    assert only_probed[0]["account_source"] == "probe"
    md = render({**document, "run": None, "chain": {**document["chain"], "members": only_probed}}, "md")
    assert "(read by the probe, not from a token)" in md


def test_run_times_count_from_the_runs_own_start() -> None:
    original = [a.started for a in samples.canary_run().attempts]
    run = samples.canary_run()
    run.started = 0.5  # the run began half a second after its recorder (construction, probes)
    for attempt in run.attempts:
        attempt.started += 0.5
        for step in attempt.steps:
            step.started += 0.5
    section = run_part(ChainSpec(), run)
    assert [a["started"] for a in section["attempts"]] == pytest.approx(original)
    assert section["attempts"][1]["steps"][0]["started"] == pytest.approx(
        samples.canary_run().attempts[1].steps[0].started
    )
    assert section["outcome"] == "succeeded" and section["kind"] == "run"


def test_try_every_runs_become_one_section_of_all_attempts() -> None:
    runs = [samples.canary_run(), samples.canary_run()]
    section = try_every_part(ChainSpec(), runs)
    assert section["kind"] == "try every" and len(section["attempts"]) == 4
    assert section["outcome"] == "succeeded"


def test_a_try_every_report_carries_app_diagnosis_of_those_runs() -> None:
    from app.diagnosis import TRY_EVERY, Context, EvidenceBoard, diagnose, from_runs

    host, runs = samples.canary_host(), [samples.canary_run(), samples.canary_run()]
    board = EvidenceBoard()
    board.add_all(from_runs(runs, TRY_EVERY, Context.of(host)))
    shown = diagnose(ChainSpec(), host, board.current(Context.of(host)), try_every=runs).to_json()
    assert shown["verdict"].startswith("Tried")
    state = WindowState(host, ChainSpec(), tuple(runs[0].members), kind="try every", runs=tuple(runs), diagnosis=shown)
    document = window_document(state, tool_timeout=1)
    assert document["diagnosis"] == shown and document["run"]["kind"] == "try every"


def test_html_is_one_self_contained_page_with_an_inline_svg_timeline() -> None:
    html = render(_document(diagnosis=samples.DIAGNOSIS), "html")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert html.count("<svg") == 1 and "<style>" in html and "@media print" in html
    assert "EnvironmentCredential: failed" in html  # a lane's tooltip


def test_markup_in_messages_is_escaped_in_html_and_markdown() -> None:
    document = _document()
    document["run"]["attempts"][0]["message"] = "<script>alert(1)</script> | pipe"
    document["chain"]["members"][0]["reason"] = "<img src=x> | cell"
    html, md = render(document, "html"), render(document, "md")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<img src" not in html
    assert "\\<img src=x\\> \\| cell" in md


def test_markdown_has_a_text_timeline_with_a_bar_per_attempt_and_step() -> None:
    document = _document()
    timeline = text_timeline(document["run"])
    lines = timeline.splitlines()
    assert len(lines) == 1 + 2 + 2  # header, two attempts, one step each
    assert lines[1].startswith("EnvironmentCredential") and "#" in lines[1]
    assert lines[2].startswith("  http POST") and "=" in lines[2]
    assert "```text" in render(document, "md")


def test_renderers_survive_an_empty_or_unexpected_document() -> None:
    for document in ({}, {"run": {"attempts": [{"started": "x", "duration": None, "steps": [{}]}]}, "diagnosis": {}}):
        for fmt in ("md", "html"):
            assert render(document, fmt)
    with pytest.raises(ValueError, match="unknown report format"):
        render({}, "pdf")


def test_svg_timeline_of_a_run_without_attempts_and_nice_ticks() -> None:
    assert "No attempt was made." in render_svg({"attempts": []})
    assert nice_step(1.0) == pytest.approx(0.2) and nice_step(0.0) == 1.0 and nice_step(7.3) == pytest.approx(2.0)


def test_json_report_is_the_document() -> None:
    document = _document(diagnosis=samples.DIAGNOSIS)
    assert json.loads(render(document, "json")) == document
    assert format_for("r.HTML") == "html" and format_for("r.json") == "json" and format_for("report") == "md"


def test_bar_labels_go_after_the_bar_before_it_or_inside_it_never_over_the_lane_names() -> None:
    from app.report.svg_timeline import LABEL_WIDTH, WIDTH, _bar_label

    after = _bar_label("failed · 5 ms", LABEL_WIDTH + 10, LABEL_WIDTH + 20, 10)
    before = _bar_label("failed · 5 ms", WIDTH - 100, WIDTH - 40, 10)
    inside = _bar_label("unavailable · 1000 ms", LABEL_WIDTH, WIDTH - 50, 10)
    assert 'text-anchor="end"' not in after
    assert 'text-anchor="end"' in before and "fill:#fff" not in before
    assert "fill:#fff" in inside and f'x="{WIDTH - 54:.1f}"' in inside


def test_a_diagnosis_given_to_the_report_wins_over_the_runs_own() -> None:
    run = samples.canary_run()
    given = {**samples.DIAGNOSIS, "verdict": "The window's own verdict."}
    state = WindowState(
        samples.canary_host(), ChainSpec(), tuple(run.members), kind="run", runs=(run,), diagnosis=given
    )
    section = run_part(ChainSpec(), run, {"attempts": [], "diagnosis": samples.DIAGNOSIS})
    assert window_document(state, tool_timeout=1)["diagnosis"] == given
    mapped = report_document(state.host, chain={}, run=section, evidence={}, diagnosis=given, machine=MACHINE)
    assert mapped["diagnosis"] == given and "diagnosis" not in mapped["run"]
    own = report_document(state.host, chain={}, run=section, evidence={}, machine=MACHINE)
    assert own["diagnosis"] == samples.DIAGNOSIS  # without one given, the run's own (`run --json` carries it)


# An entry of `run --json`'s "evidence", exactly as the shared diagnosis writes it.
PROVENANCE = [
    {
        "credential": "EnvironmentCredential",
        "status": "failed",
        "reason": "AADSTS7000215",
        "source": "run",
        "machine": "sandbox: canaries",
        "overlay": {},
        "at": 1764660000.0,
        "account": None,
        "account_observed": False,
    },
    {
        "credential": "ManagedIdentityCredential",
        "status": "unknown",
        "reason": "IMDS did not answer",
        "source": "probe",
        "machine": "sandbox: canaries",
        "overlay": {},
        "at": 1764660000.0,
        "account": {"tenant_id": None, "object_id": None, "client_id": samples.APP_ID, "upn": None},
        "account_observed": False,
    },
    {
        "credential": "AzureCliCredential",
        "status": "available",
        "reason": "signed in",
        "source": "probe",
        "machine": "sandbox: canaries",
        "overlay": {},
        "at": 1764660000.0,
        "account": {"tenant_id": samples.TENANT, "object_id": None, "client_id": None, "upn": samples.UPN},
        "account_observed": True,
    },
]


def test_the_runs_provenance_evidence_is_each_members_latest_and_says_how_its_account_was_known() -> None:
    probes = [*samples.canary_probes()]
    section = {"attempts": [], "evidence": PROVENANCE}
    evidence = evidence_from(probes, section)
    assert [e["source"] for e in evidence["AzureCliCredential"]] == ["probe"]  # replaced, not repeated
    assert evidence["AzureCliCredential"][0]["account_observed"] is True
    members = {
        m["credential"]: m
        for m in members_section(["EnvironmentCredential", "ManagedIdentityCredential", "AzureCliCredential"], evidence)
    }
    assert members["EnvironmentCredential"]["status"] == "failed"
    assert members["ManagedIdentityCredential"]["account_note"] == "guessed from configuration, not observed"
    assert members["AzureCliCredential"]["account_note"] == "read from the tool's own sign-in files"
    md = render(_document() | {"chain": {"type": "DefaultAzureCredential", "members": list(members.values())}}, "md")
    assert f"{samples.APP_ID} (guessed from configuration, not observed)" in md


def _verdict_section(text: str) -> list[str]:
    """The lines under the Markdown report's "## Verdict" heading, up to the next heading."""
    after = text.split("## Verdict\n", 1)[1]
    return [ln for ln in after.split("\n## ", 1)[0].splitlines() if ln.strip()]


@pytest.mark.parametrize(
    ("ran", "error", "message"),
    [
        (False, None, NO_DIAGNOSIS_YET),
        (True, None, NO_DIAGNOSIS_YET_RAN),
        (False, "ValueError: x", NO_DIAGNOSIS_UNBUILT),
    ],
    ids=["nothing-diagnosed", "run-not-yet-diagnosed", "chain-not-built"],
)
def test_a_window_report_before_any_diagnosis_says_there_is_none_yet(ran: bool, error, message: str) -> None:
    run = samples.canary_run()
    state = WindowState(
        samples.canary_host(),
        ChainSpec(),
        tuple(run.members),
        kind="run" if ran else None,
        runs=(run,) if ran else (),
        error=error,
    )
    document = window_document(state, tool_timeout=1)
    assert document["diagnosis"] is None and (document["run"] is not None) == ran
    md, html = render(document, "md"), render(document, "html")
    assert _verdict_section(md)[0].replace("\\", "") == message  # the heading is never left empty
    assert f'<p class="headline">{message}</p>' in html


def test_a_diagnosis_without_a_verdict_says_so_rather_than_render_an_empty_heading() -> None:
    document = _document(diagnosis={"warnings": "not a list"})
    assert document["diagnosis"] == {"verdict": "", "warnings": [], "next_steps": []}
    assert _verdict_section(render(document, "md")) == [EMPTY_VERDICT]


def test_window_statuses_become_evidence_with_their_provenance() -> None:
    from dataclasses import dataclass

    from app.report.collect import WindowState, window_evidence

    @dataclass
    class Status:  # the window's MemberStatus, as the shared diagnosis extends it
        badge: str
        reason: str
        identity: object
        source: str
        guessed: bool = False

    state = WindowState(
        samples.canary_host(),
        ChainSpec(),
        ("ManagedIdentityCredential", "AzureCliCredential"),
        statuses={
            "ManagedIdentityCredential": Status("unknown", "no answer", None, "probe"),
            "AzureCliCredential": Status("available", "signed in", None, "run #3", guessed=False),
        },
    )
    run = run_part(ChainSpec(), samples.canary_run())
    evidence = window_evidence(state, run)
    assert [e["source"] for e in evidence["AzureCliCredential"]] == ["run"]  # the status was that run's
    assert evidence["ManagedIdentityCredential"][0]["account_observed"] is True


def test_powershells_encoded_command_is_shown_decoded_and_so_redacted() -> None:
    from app.report.document import ENCODED_SCRIPT, decode_scripts, run_section
    from engine.credentials._internal.powershell_script import encoded_command

    script = f"Get-AzAccessToken -ResourceUrl 'https://management.azure.com' -TenantId '{samples.TENANT}'"
    argv = ["/bin/sh", "-c", f"pwsh -NoProfile -NonInteractive -EncodedCommand {encoded_command(script)}"]
    detail = decode_scripts({"argv": argv, "exit_status": 0})
    assert detail["script"] == script and detail["argv"][2].endswith(f"-EncodedCommand {ENCODED_SCRIPT}")
    assert decode_scripts({"argv": ["pwsh", "-EncodedCommand", "not//base64=="]})["argv"][2] == "not//base64=="
    apart = decode_scripts({"argv": ["pwsh", "-EncodedCommand", encoded_command(script)]})
    assert apart["argv"] == ["pwsh", "-EncodedCommand", ENCODED_SCRIPT] and apart["script"] == script
    section = run_section(
        {
            "attempts": [
                {"credential": "AzurePowerShellCredential", "steps": [{"kind": "process", "detail": {"argv": argv}}]}
            ]
        },
        outcome="failed",
        duration=0.1,
    )
    document = _document() | {"run": section}
    redacted, _ = pseudonymise(document)
    for fmt in ("md", "html", "json"):
        text = render(redacted, fmt)
        assert samples.TENANT not in text and encoded_command(script) not in text
    assert "Script (decoded from -EncodedCommand)" in render(document, "md")
