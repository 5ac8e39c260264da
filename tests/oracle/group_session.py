"""One process per test module for the batched oracles: each group's sandbox started here, its cases run beside it.

tests/oracle/sandbox_groups.py starts ``python -m tests.oracle.group_session RUNNER`` once per module (inside a
loopback-only network namespace where the machine allows) and asks it for one group at a time: a scenario, its
overrides and the group's cases. This process starts that sandbox (its servers run on threads here) and hands
the cases, with the environment ``chainsight sandbox exec`` would give a command, to its case runner: ``python
-m tests.oracle.group_session --cases RUNNER``, a child that imports azure-identity, the engine and RUNNER once
and runs each case in a forked child of its own (tests/oracle/forked_cases.py). The forking happens there, in a
process with no threads. RUNNER's ``verdict(case)`` gives a case's verdict. Each reply is {case: verdict}.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import sys
import tempfile
import warnings
from pathlib import Path

from tests.oracle.forked_cases import CASE_TIMEOUT, HARNESS_ERROR, run_forked
from tests.oracle.line_server import LineServer, serve

SANDBOX_FAILED = "the sandbox did not start: {error}"
# Handing a group's cases over and back, beyond each case's own CASE_TIMEOUT.
HANDOVER_ALLOWANCE = 30.0


def cases_timeout(size: int) -> float:
    return size * CASE_TIMEOUT + HANDOVER_ALLOWANCE


def _end_with_parent() -> None:
    from engine.sandbox import process_tree

    process_tree.set_parent_death_signal(signal.SIGTERM)


def run_cases(runner: str) -> None:
    """The case runner: each request's cases run with exactly its environment, each in a forked child."""
    _end_with_parent()
    warnings.simplefilter("ignore", DeprecationWarning)
    import azure.identity  # noqa: F401 - imported before the first fork, so each case's child starts warm

    import engine.build
    import engine.run  # noqa: F401

    verdict = importlib.import_module(runner).verdict

    def handle(request: dict) -> dict:
        os.environ.clear()
        os.environ.update(request["env"])
        return run_forked(request["cases"], verdict)

    serve(handle)


def host_groups(runner: str) -> None:
    """The session: for each request, the group's sandbox here and its cases in the case runner."""
    import engine.sandbox
    from engine.sandbox import netns

    _end_with_parent()
    if os.environ.get(netns.IN_NETNS_ENV) == "1":
        netns.bring_loopback_up()
    scratch = Path(tempfile.mkdtemp(prefix="oracle-groups-"))
    cases = LineServer([sys.executable, "-m", "tests.oracle.group_session", "--cases", runner], scratch / "cases.log")

    def handle(request: dict) -> dict:
        names = list(request["cases"])
        try:
            box = engine.sandbox.start(request["scenario"], overrides=request["overrides"] or None)
        except Exception as ex:
            return {name: {HARNESS_ERROR: SANDBOX_FAILED.format(error=ex)} for name in names}
        with box:
            try:
                return cases.ask({"env": dict(box.env), "cases": request["cases"]}, cases_timeout(len(names)))
            except RuntimeError as ex:
                return {name: {HARNESS_ERROR: str(ex)} for name in names}

    try:
        serve(handle)
    finally:
        cases.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1] == "--cases":
        run_cases(sys.argv[2])
    else:
        host_groups(sys.argv[1])
