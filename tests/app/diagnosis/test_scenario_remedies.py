"""Every failure mode of every sandbox scenario (the chain's run, and each member on its own) maps to a
specific remedy; the next steps keep a tool's own "Please run …" line whole."""

from __future__ import annotations

from app.diagnosis import remedies
from app.gui.sandbox_host import sandbox_host
from engine import sandbox as sandboxes
from engine.build import build
from engine.scan import scan
from engine.spec import ChainSpec
from tests.app.diagnosis.scenarios import SCENARIOS, cli_run, each_scenario, every_failure, try_every

scenario_box = each_scenario()


def test_every_failure_of_every_scenario_has_a_specific_remedy(scenario_box):
    result = cli_run(scenario_box)
    failures = every_failure(result, try_every(scenario_box))
    # and what a probe says of a member it finds unusable (scan and the window before any run use these)
    probes = scan(build(ChainSpec(), sandbox_host(scenario_box)))
    failures += [(p.credential, p.reason) for p in probes if p.status == "unavailable"]
    missing = [(c, m) for c, m in failures if remedies.find(c, m).id == remedies.GENERIC]
    assert missing == [], f"{scenario_box.scenario.name}: failures without a specific remedy: {missing}"
    if result.run.outcome != "succeeded":
        assert result.diagnosis.next_steps, "a failed chain always says what to do next"


def test_the_scenario_list_is_the_one_the_issue_names():
    assert len(SCENARIOS) >= 10 and {"everything-broken", "azure-arc", "laptop-wrong-account"} <= set(SCENARIOS)


def test_az_s_own_please_run_line_is_kept_whole_on_everything_broken():
    box = sandboxes.start("everything-broken")
    try:
        result = cli_run(box)
    finally:
        box.stop()
    az = next(s for s in result.diagnosis.next_steps if s.credential == "AzureCliCredential")
    assert az.command == "az login --scope https://management.azure.com/.default"
    assert az.remedy == "aadsts-revoked"
    assert result.diagnosis.warnings == ()  # nothing signed in: no "different accounts"
    attempt = next(a for a in result.run.attempts if a.credential == "AzureCliCredential")
    # az 2.91's own lines (the sandbox's az is its twin) stay whole in the message and the JSON
    assert '\naz logout\naz login --tenant "' in attempt.message
    assert attempt.message.rstrip().endswith('--scope "https://management.azure.com/.default"')
