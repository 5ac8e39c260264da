"""Pytest plugin: xdist's ``--dist loadscope`` hands out the longest modules first, not the ones with most tests.

loadscope keeps a module (or class) on one worker and, by default, queues scopes by their number of tests. The
long modules here are the oracles and sandboxes with few tests each (the soak test: two tests, 40 s), so they
went last and one worker ran alone for the final half minute. Queuing by expected wall time instead (longest
first, the classic greedy schedule) lets the short modules fill in behind them.

The expected times are a measurement, kept below: each module's summed test wall time in one full run on the
2-core machine (modules under 8 s are left out; they weigh their test count times SHORT_TEST). They only order
the queue; a stale figure costs some balance, never a test.
"""

from __future__ import annotations

from collections import Counter

import pytest

# Seconds of wall time per module, from a full run (4 workers on 2 cores, the four ending within 2 s), 2026-12-02.
MODULE_SECONDS = {
    "tests/app/gui/test_diagnosis_matrix.py": 93,
    "tests/realtools/test_azure_cli_twin.py": 88,
    "tests/oracle/test_releases_credentials_oracle.py": 81,
    "tests/oracle/test_releases_oracle.py": 75,
    "tests/oracle/test_crosscheck_oracle.py": 74,
    "tests/oracle/test_scenarios_oracle.py": 71,
    "tests/robust/test_soak.py": 48,
    "tests/app/report/test_report_scenarios.py": 44,
    "tests/oracle/signin/test_browser_signin_oracle.py": 42,
    "tests/robust/test_fuzz.py": 39,
    "tests/oracle/test_export_oracle.py": 38,
    "tests/app/cli/test_no_secrets_in_output.py": 38,
    "tests/robust/test_scan_agrees_and_store_timeout.py": 25,
    "tests/sandbox/test_scenarios_dac.py": 24,
    "tests/sandbox/test_tools.py": 22,
    "tests/app/diagnosis/test_scenario_remedies.py": 20,
    "tests/app/report/test_report_diagnosis.py": 20,
    "tests/app/gui/test_layout_fits.py": 19,
    "tests/app/gui/test_signin_panel.py": 18,
    "tests/robust/test_token_canaries.py": 15,
    "tests/sandbox/test_msal_flows.py": 14,
    "tests/oracle/test_token_info_oracle.py": 14,
    "tests/oracle/test_user_credentials_oracle.py": 13,
    "tests/robust/test_sandbox_exec_lifecycle.py": 12,
    "tests/sandbox/test_az_twin.py": 12,
    "tests/app/gui/test_app_python.py": 10,
    "tests/oracle/test_releases_construction_oracle.py": 9,
    "tests/oracle/signin/test_device_code_oracle.py": 9,
    "tests/app/cli/test_signin_cli.py": 9,
    "tests/robust/test_sigterm.py": 8,
    "tests/oracle/test_service_credentials_oracle.py": 8,
    "tests/app/cli/test_cli_run_contract.py": 8,
}
# What a test of a module not listed above is expected to take.
SHORT_TEST = 0.05


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def expected_seconds(scopes: dict[str, list[str]]) -> dict[str, float]:
    """Each scope's expected wall time: its module's measured time, shared among the module's scopes by test
    count (loadscope splits a module with test classes), or its test count times SHORT_TEST."""
    per_module = Counter(module_of(nodeid) for nodeids in scopes.values() for nodeid in nodeids)
    expected = {}
    for scope, nodeids in scopes.items():
        module = module_of(nodeids[0]) if nodeids else scope
        measured = MODULE_SECONDS.get(module)
        share = len(nodeids) / per_module[module] if per_module[module] else 0.0
        expected[scope] = measured * share if measured is not None else len(nodeids) * SHORT_TEST
    return expected


def longest_first(scopes: dict[str, list[str]]) -> list[str]:
    """The scopes in the order to hand them out: longest expected first (ties keep collection order)."""
    expected = expected_seconds(scopes)
    return sorted(scopes, key=lambda scope: -expected[scope])


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getoption("dist", None) != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirstScheduling(LoadScopeScheduling):
        """loadscope, with its queue put in longest-first order before the first scope is handed out."""

        _ordered = False

        def _assign_work_unit(self, node) -> None:
            if not self._ordered:
                self._ordered = True
                queue = self.workqueue
                order = longest_first({scope: list(nodeids) for scope, nodeids in queue.items()})
                reordered = [(scope, queue[scope]) for scope in order]
                queue.clear()
                queue.update(reordered)
            super()._assign_work_unit(node)

    return LongestFirstScheduling(config, log)
