"""The test side of a batched oracle: cases grouped by (scenario, overrides), each group in one ``sandbox exec``.

A runner module (tests/oracle/scenario_runner.py, token_info_runner.py) has ``main()``: it reads the group's
cases from argv[1] and returns {case: verdict}. ``GroupedVerdicts`` runs a group the first time one of its
cases is asked for, so each test reads its own case's verdict and a group that fails fails only its tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.oracle.forked_cases import CASE_TIMEOUT, HARNESS_ERROR
from tests.plugins.sandbox import run_in_sandbox

GroupKey = tuple[str, str]
GROUP_FAILED = "{key}: sandbox exec exited {code}\n{stderr}"
# Starting and stopping the sandbox around a group's cases.
SANDBOX_ALLOWANCE = 60.0


def group_of(case: Any) -> GroupKey:
    """Cases with the same scenario and overrides can share one sandbox."""
    return case.scenario, json.dumps(case.overrides, sort_keys=True)


def groups_of(cases: Mapping[str, Any]) -> dict[GroupKey, list[str]]:
    grouped: dict[GroupKey, list[str]] = {}
    for name, case in cases.items():
        grouped.setdefault(group_of(case), []).append(name)
    return grouped


def group_timeout(size: int) -> float:
    """The longest a group of `size` cases may take: each its CASE_TIMEOUT, plus the sandbox's start and stop."""
    return size * CASE_TIMEOUT + SANDBOX_ALLOWANCE


def longest_group_timeout(cases: Mapping[str, Any]) -> float:
    """What the test that runs the largest group may need (pytest's own timeout must allow it)."""
    return group_timeout(max(len(names) for names in groups_of(cases).values()))


def run_group(runner: str, key: GroupKey, cases: Mapping[str, dict], folder: Path, timeout: float) -> dict:
    """`runner`'s main() on `cases` in one sandbox: {case: verdict}, or {case: {"harness_error": ...}} for all."""
    scenario, overrides = key
    code = f"import sys\nsys.argv = [{runner!r}, {json.dumps(cases)!r}]\nfrom {runner} import main\nemit(main())\n"
    run = run_in_sandbox(scenario, code, folder=folder, overrides=json.loads(overrides), timeout=timeout)
    if run.returncode != 0:
        error = GROUP_FAILED.format(key=key, code=run.returncode, stderr=run.stderr[-3000:])
        return {name: {HARNESS_ERROR: error} for name in cases}
    return run.result()


def runner_payload(case: Any) -> dict:
    """What a group's runner needs of a case: all but where it runs (its scenario and overrides)."""
    return {k: v for k, v in vars(case).items() if k not in ("scenario", "overrides")}


class GroupedVerdicts:
    """`verdicts(name)`: the case's verdict; its whole group runs in one sandbox the first time one is asked for."""

    def __init__(
        self,
        runner: str,
        cases: Mapping[str, Any],
        folder: Callable[[], Path],
        payload: Callable[[Any], dict] = runner_payload,
    ) -> None:
        self.runner, self.cases, self.payload, self.folder = runner, cases, payload, folder
        self.groups = groups_of(cases)
        self._done: dict[GroupKey, dict] = {}

    def __call__(self, name: str) -> dict:
        key = group_of(self.cases[name])
        if key not in self._done:
            payloads = {n: self.payload(self.cases[n]) for n in self.groups[key]}
            timeout = group_timeout(len(payloads))
            self._done[key] = run_group(self.runner, key, payloads, self.folder(), timeout)
        return self._done[key][name]
