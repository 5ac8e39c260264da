"""The oracle runners' batch: each case in its own forked child, from the same HOME, failures kept to the case."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.oracle.forked_cases import HARNESS_ERROR, apply_env, how_it_ended, run_forked
from tests.processes import ended

LEFT_BY_A_CASE: list[str] = []


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    (home / ".azure").mkdir(parents=True)
    (home / ".azure" / "config").write_text("as the sandbox wrote it")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("ORACLE_CASE_VARIABLE", raising=False)
    return home


def what_a_case_sees(case: dict) -> dict:
    """Reports the state earlier cases could have left, then leaves some of its own."""
    home = Path(os.environ["HOME"])
    seen = {
        "variable": os.environ.get("ORACLE_CASE_VARIABLE"),
        "files": sorted(str(p.relative_to(home)) for p in home.rglob("*")),
        "config": (home / ".azure" / "config").read_text(),
        "module_state": list(LEFT_BY_A_CASE),
    }
    (home / ".azure" / "config").write_text("rewritten by " + case["name"])
    (home / "written-by-a-case").write_text(case["name"])
    LEFT_BY_A_CASE.append(case["name"])
    return seen


def test_each_case_starts_from_the_same_home_environment_and_module_state(home):
    cases = {
        "first": {"name": "first", "env": {"ORACLE_CASE_VARIABLE": "set by first"}},
        "second": {"name": "second"},
    }
    results = run_forked(cases, what_a_case_sees, timeout=30)
    untouched = {"variable": None, "files": [".azure", ".azure/config"], "config": "as the sandbox wrote it"}
    assert results["first"] == {**untouched, "variable": "set by first", "module_state": []}
    assert results["second"] == {**untouched, "module_state": []}
    assert sorted(p.name for p in home.rglob("*")) == [".azure", "config"], "HOME is left as it was found"
    assert os.environ.get("ORACLE_CASE_VARIABLE") is None and LEFT_BY_A_CASE == []


def fails_the_way_the_case_says(case: dict) -> dict:
    if case["how"] == "raise":
        raise ValueError("the runner's own bug")
    if case["how"] == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if case["how"] == "exit":
        os._exit(3)
    if case["how"] == "hang":
        tool = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        Path(case["pid_file"]).write_text(str(tool.pid))
        time.sleep(60)
    return {"verdict": case["how"]}


def test_a_case_that_raises_crashes_or_hangs_gets_an_error_naming_it_and_the_next_case_runs(home, tmp_path):
    pid_file = tmp_path / "tool.pid"
    cases = {
        "raises": {"how": "raise"},
        "dies": {"how": "die"},
        "exits": {"how": "exit"},
        "hangs": {"how": "hang", "pid_file": str(pid_file)},
        "fine": {"how": "fine"},
    }
    started = time.monotonic()
    results = run_forked(cases, fails_the_way_the_case_says, timeout=3)
    assert time.monotonic() - started < 30
    assert "case 'raises': the runner raised" in results["raises"][HARNESS_ERROR]
    assert "ValueError: the runner's own bug" in results["raises"][HARNESS_ERROR]
    assert results["dies"] == {
        HARNESS_ERROR: f"case 'dies': the case's process ended without a verdict "
        f"(killed by signal {int(signal.SIGKILL)})"
    }
    assert results["exits"][HARNESS_ERROR].endswith("(exit status 3)")
    assert results["hangs"] == {HARNESS_ERROR: "case 'hangs': no verdict after 3 s; its processes were killed"}
    assert results["fine"] == {"verdict": "fine"}
    assert ended(int(pid_file.read_text()), within=5), "the hung case's tool outlived it"


def test_a_case_variable_set_to_none_is_unset(monkeypatch):
    monkeypatch.setenv("ORACLE_CASE_VARIABLE", "inherited")
    monkeypatch.setenv("ORACLE_OTHER_VARIABLE", "inherited too")  # so monkeypatch unsets it afterwards
    apply_env({"ORACLE_CASE_VARIABLE": None, "ORACLE_OTHER_VARIABLE": "set"})
    assert "ORACLE_CASE_VARIABLE" not in os.environ
    assert os.environ["ORACLE_OTHER_VARIABLE"] == "set"


@pytest.mark.parametrize(
    ("status", "text"),
    [(0, "exit status 0"), (3 << 8, "exit status 3"), (signal.SIGKILL, f"killed by signal {int(signal.SIGKILL)}")],
)
def test_how_a_child_ended_is_said_in_words(status, text):
    assert how_it_ended(status) == text
