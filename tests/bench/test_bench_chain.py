"""Benchmark: ``chainsight scan``, ``chainsight run`` and the real DefaultAzureCredential, side by side.

Scenario: a laptop where nothing but az is available (azd and pwsh absent, no managed identity, as
off Azure). Each measurement is a fresh process inside ``chainsight sandbox exec``. Prints medians and
ratios against azure-identity; asserts nothing about speed. ``python -m tests.bench.test_bench_chain 5``
runs more rounds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from engine.sandbox import load_scenario, netns

ROOT = Path(__file__).resolve().parents[2]
MODES = ("scan", "run", "azure-identity")
ONLY_AZ = {"tools": {"azd": {"mode": "absent"}, "pwsh": {"mode": "absent"}}}


def measure(mode: str, scenario_file: Path) -> float:
    argv = [
        sys.executable,
        "-m",
        "app",
        "sandbox",
        "exec",
        "--scenario",
        str(scenario_file),
        *(["--isolate-network"] if netns.available()[0] else []),  # loopback only, where the OS allows
        "--",
        sys.executable,
        str(ROOT / "tests" / "bench" / "chain_timing.py"),
        mode,
    ]
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=120, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT))
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("ELAPSED")), None)
    assert line, result.stderr[-2000:]
    return float(line.split()[1])


def table(rounds: int, workdir: Path) -> str:
    scenario = load_scenario("laptop-az", ONLY_AZ)
    path = workdir / "laptop-only-az.toml"
    path.write_bytes(tomli_w.dumps(scenario.raw).encode())
    medians = {mode: statistics.median(measure(mode, path) for _ in range(rounds)) for mode in MODES}
    baseline = medians["azure-identity"]
    lines = [
        f"chain timing, scenario laptop-az with only az (median of {rounds})",
        f"{'what':<44}{'seconds':>10}{'vs azure-identity':>20}",
    ]
    labels = {
        "scan": "chainsight scan (all probes, parallel)",
        "run": "chainsight run (engine get_token)",
        "azure-identity": "DefaultAzureCredential().get_token",
    }
    for mode in MODES:
        lines.append(f"{labels[mode]:<44}{medians[mode]:>10.3f}{medians[mode] / baseline:>19.2f}x")
    return "\n".join(lines)


@pytest.mark.bench
def test_bench_prints_scan_run_and_azure_identity_side_by_side(tmp_path, capsys):
    report = table(1, tmp_path)
    with capsys.disabled():
        print("\n" + report)
    assert report.count("x\n") + report.endswith("x") == 3


if __name__ == "__main__":
    import tempfile

    print(table(int(sys.argv[1]) if len(sys.argv) > 1 else 3, Path(tempfile.mkdtemp())))
