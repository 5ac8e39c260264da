"""The batched oracles' test side: grouping cases by sandbox, running a group once and only when asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.oracle import sandbox_groups
from tests.oracle.forked_cases import CASE_TIMEOUT, HARNESS_ERROR
from tests.oracle.group_session import HANDOVER_ALLOWANCE
from tests.oracle.sandbox_groups import GroupedVerdicts, group_timeout, groups_of, longest_group_timeout


@dataclass
class Case:
    scenario: str
    overrides: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)


CASES = {
    "a1": Case("laptop-az"),
    "b1": Case("laptop-az", overrides={"tools": {"az": {"mode": "garbage"}}}),
    "a2": Case("laptop-az", env={"AZURE_TOKEN_CREDENTIALS": "dev"}),
    "c1": Case("no-such-scenario"),
    "b2": Case("laptop-az", overrides={"tools": {"az": {"mode": "garbage"}}}),
}


def test_cases_group_by_scenario_and_overrides_in_the_tables_order():
    assert list(groups_of(CASES).values()) == [["a1", "a2"], ["b1", "b2"], ["c1"]]


def test_a_groups_time_allows_every_case_its_own_timeout_and_the_largest_group_sets_the_tests_limit():
    assert group_timeout(2) == 2 * CASE_TIMEOUT + HANDOVER_ALLOWANCE + sandbox_groups.SANDBOX_ALLOWANCE
    assert longest_group_timeout(CASES) == group_timeout(2)


def test_a_group_runs_once_and_only_when_one_of_its_cases_is_asked_for(monkeypatch, tmp_path):
    ran = []

    def run_group(key, cases, timeout):
        ran.append((key[0], list(cases), timeout))
        return {name: {"real": name, "engine": name} for name in cases}

    verdicts = GroupedVerdicts("a.runner", CASES, lambda: tmp_path, lambda case: {"env": case.env})
    monkeypatch.setattr(verdicts, "run_group", run_group)
    assert verdicts("a2") == {"real": "a2", "engine": "a2"}
    assert verdicts("a1") == {"real": "a1", "engine": "a1"}
    assert ran == [("laptop-az", ["a1", "a2"], group_timeout(2))]


def test_a_sandbox_that_cannot_start_fails_each_case_of_its_group_with_the_reason_and_the_others_still_run(tmp_path):
    verdicts = GroupedVerdicts("tests.oracle.scenario_runner", CASES, lambda: tmp_path, lambda case: {"env": case.env})
    try:
        error = verdicts("c1")[HARNESS_ERROR]
        assert error.startswith("the sandbox did not start: ")
        assert "unknown sandbox scenario 'no-such-scenario'" in error
        # The same session goes on to the next group, whose cases run.
        assert set(verdicts("a1")) == {"real", "engine"}
    finally:
        verdicts.close()


def test_a_session_that_dies_fails_its_group_and_the_next_group_starts_a_new_one(tmp_path):
    verdicts = GroupedVerdicts("no.such.runner", CASES, lambda: tmp_path, lambda case: {"env": case.env})
    try:
        error = verdicts("a1")[HARNESS_ERROR]
        assert "no reply (it exited (1))" in error and "ModuleNotFoundError: No module named" in error
        assert verdicts("c1")[HARNESS_ERROR].startswith("the sandbox did not start: ")
    finally:
        verdicts.close()
