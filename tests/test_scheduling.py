"""The longest-first queue for xdist's loadscope (tests/plugins/scheduling.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.scheduling import MODULE_SECONDS, SHORT_TEST, expected_seconds, longest_first

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_measured_modules_go_first_longest_first_then_the_rest_by_test_count():
    scopes = {
        "tests/test_many_quick.py": [f"tests/test_many_quick.py::test_{i}" for i in range(300)],
        "tests/robust/test_soak.py": ["tests/robust/test_soak.py::test_a", "tests/robust/test_soak.py::test_b"],
        "tests/oracle/test_scenarios_oracle.py": ["tests/oracle/test_scenarios_oracle.py::test_x"],
        "tests/test_few_quick.py": ["tests/test_few_quick.py::test_one"],
    }
    assert longest_first(scopes) == [
        "tests/oracle/test_scenarios_oracle.py",
        "tests/robust/test_soak.py",
        "tests/test_many_quick.py",
        "tests/test_few_quick.py",
    ]
    assert expected_seconds(scopes)["tests/test_many_quick.py"] == pytest.approx(300 * SHORT_TEST)


def test_a_module_split_into_class_scopes_shares_its_time_by_test_count():
    module = "tests/robust/test_soak.py"
    scopes = {
        f"{module}::TestA": [f"{module}::TestA::test_{i}" for i in range(3)],
        f"{module}::TestB": [f"{module}::TestB::test_0"],
    }
    expected = expected_seconds(scopes)
    assert expected[f"{module}::TestA"] == pytest.approx(MODULE_SECONDS[module] * 3 / 4)
    assert expected[f"{module}::TestB"] == pytest.approx(MODULE_SECONDS[module] / 4)


def test_every_measured_module_exists():
    assert [m for m in MODULE_SECONDS if not (REPO_ROOT / m).is_file()] == []
