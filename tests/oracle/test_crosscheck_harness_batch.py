"""The crosscheck harness's batch mode runs at most ``parallel`` cases at once (the release oracles' bound).

Each case runs AzureCliCredential against a fake az that notes when it started and ended and sleeps a
second; with ``parallel`` 1 no two runs overlap, without it they all do. This is what keeps old
releases' az stand-ins inside their 10 s timeout on a loaded machine (tests/oracle/release_runner.py).
"""

from __future__ import annotations

import itertools
import os
import stat
import sys
from pathlib import Path

from app.cli.crosscheck import run_theirs
from tests.system import require_oracle

require_oracle()

FAKE_AZ = """#!/bin/sh
echo "start $(date +%s.%N)" >> "{log}"
sleep 1
echo "end $(date +%s.%N)" >> "{log}"
echo '{{"accessToken": "x", "expires_on": 4102444800, "expiresOn": "2100-01-01 00:00:00.000000"}}'
"""


def _intervals(log: Path) -> list[tuple[float, float]]:
    events = sorted((float(t), kind) for kind, t in (line.split() for line in log.read_text().splitlines()))
    starts = [t for t, kind in events if kind == "start"]
    ends = [t for t, kind in events if kind == "end"]
    return list(zip(sorted(starts), sorted(ends), strict=True))


def _batch(tmp_path: Path, parallel: int | None) -> list[tuple[float, float]]:
    bin_dir, log = tmp_path / "bin", tmp_path / "az.log"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(FAKE_AZ.format(log=log))
    az.chmod(az.stat().st_mode | stat.S_IXUSR)
    case = {"chain": [{"type": "AzureCliCredential"}], "home": str(tmp_path)}
    payload: dict = {"batch": {f"case-{i}": dict(case) for i in range(4)}}
    if parallel is not None:
        payload["parallel"] = parallel
    env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path)}
    result = run_theirs(sys.executable, payload, env)
    assert all(r["selected"] == "AzureCliCredential" for r in result.values()), result
    return _intervals(log)


def _overlapping(intervals: list[tuple[float, float]]) -> bool:
    return any(later_start < end for (_, end), (later_start, _) in itertools.pairwise(intervals))


def test_one_case_at_a_time_never_overlaps(tmp_path):
    assert not _overlapping(_batch(tmp_path, parallel=1))


def test_without_a_bound_the_cases_run_together(tmp_path):
    assert _overlapping(_batch(tmp_path, parallel=None))
