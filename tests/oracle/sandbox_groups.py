"""The test side of a batched oracle: cases grouped by (scenario, overrides), all groups through one session.

A runner module (tests/oracle/scenario_runner.py, token_info_runner.py) has ``verdict(case)``. ``GroupedVerdicts``
starts one tests/oracle/group_session.py process for the module (in a loopback-only network namespace where the
machine allows) and asks it for a group the first time one of its cases is asked for, so each test reads its own
case's verdict and a group that fails fails only its tests. ``close()`` ends the session; ``module_verdicts`` is
a module fixture's body that does so.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.oracle.forked_cases import HARNESS_ERROR
from tests.oracle.group_session import cases_timeout
from tests.oracle.line_server import LineServer
from tests.plugins.sandbox import namespaced

GroupKey = tuple[str, str]
GROUP_FAILED = "{key}: {error}"
# Starting and stopping the sandbox around a group's cases (and the session, for the first group).
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
    return cases_timeout(size) + SANDBOX_ALLOWANCE


def longest_group_timeout(cases: Mapping[str, Any]) -> float:
    """What the test that runs the largest group may need (pytest's own timeout must allow it)."""
    return group_timeout(max(len(names) for names in groups_of(cases).values()))


def runner_payload(case: Any) -> dict:
    """What a group's runner needs of a case: all but where it runs (its scenario and overrides)."""
    return {k: v for k, v in vars(case).items() if k not in ("scenario", "overrides")}


def session_server(runner: str, log: Path) -> LineServer:
    """The module's group session, isolated where this machine allows (required when CI says so)."""
    argv, env = namespaced([sys.executable, "-m", "tests.oracle.group_session", runner])
    return LineServer(argv, log, env=env)


class GroupedVerdicts:
    """`verdicts(name)`: the case's verdict; its whole group runs the first time one of its cases is asked for."""

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
        self._session: LineServer | None = None

    def __call__(self, name: str) -> dict:
        key = group_of(self.cases[name])
        if key not in self._done:
            payloads = {n: self.payload(self.cases[n]) for n in self.groups[key]}
            self._done[key] = self.run_group(key, payloads, group_timeout(len(payloads)))
        return self._done[key][name]

    def run_group(self, key: GroupKey, cases: dict[str, dict], timeout: float) -> dict:
        """{case: verdict} of one group, or {case: {"harness_error": ...}} for all of them."""
        if self._session is None:
            self._session = session_server(self.runner, self.folder() / "session.log")
        scenario, overrides = key
        request = {"scenario": scenario, "overrides": json.loads(overrides), "cases": cases}
        try:
            return self._session.ask(request, timeout)
        except RuntimeError as ex:
            return {name: {HARNESS_ERROR: GROUP_FAILED.format(key=key, error=ex)} for name in cases}

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def module_verdicts(
    runner: str, cases: Mapping[str, Any], tmp_path_factory: pytest.TempPathFactory, payload: Callable = runner_payload
) -> Iterator[GroupedVerdicts]:
    """A module fixture's body (``yield from``): the module's verdicts, its session ended when the module is done."""
    verdicts = GroupedVerdicts(runner, cases, lambda: tmp_path_factory.mktemp("group"), payload)
    try:
        yield verdicts
    finally:
        verdicts.close()
