"""Benchmark: the desktop app's cold start to its first painted window, beside a bare PySide6 window's.

Each start is a fresh process (offscreen), with bytecode as an installed app has it; prints the medians
and their ratio, asserts nothing about speed. ``python -m tests.bench.test_bench_gui_startup 9`` runs more rounds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5


def cold_start(mode: str, settings: Path) -> float:
    # The window probes the chain as it opens: IMDS must point at a closed loopback port, never at
    # 169.254.169.254 (the subprocess has no socket guard).
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CHAINSIGHT_SETTINGS": str(settings),
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9",
        # An installed app has its bytecode (pip compiles it), as PySide6 has: measure that, not a source
        # checkout recompiling every module on each start because PYTHONDONTWRITEBYTECODE is set here.
        "PYTHONPYCACHEPREFIX": str(settings.parent / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-m", "tests.bench.gui_first_paint", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.perf_counter() - started
    if "PAINTED" not in output.stdout:
        raise RuntimeError(f"{mode} never painted: {output.stderr[-2000:]}")
    return elapsed


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "settings.ini"
        for mode in ("bare", "app"):  # warm the OS file cache and the bytecode once, so both sides start alike
            cold_start(mode, settings)
        samples: dict[str, list[float]] = {"bare": [], "app": []}
        for _ in range(rounds):
            for mode in samples:  # interleaved, so drift affects both equally
                samples[mode].append(cold_start(mode, settings))
    return {mode: statistics.median(values) for mode, values in samples.items()}


def report(medians: dict[str, float], rounds: int) -> str:
    return (
        f"GUI cold start to first paint, median of {rounds} fresh processes (offscreen):\n"
        f"  bare PySide6 window  {medians['bare'] * 1000:8.0f} ms\n"
        f"  Chainsight window    {medians['app'] * 1000:8.0f} ms\n"
        f"  ratio                {medians['app'] / medians['bare']:8.2f}x"
    )


@pytest.mark.bench
def test_bench_gui_cold_start_to_first_paint_vs_bare_pyside6():
    medians = measure()
    print("\n" + report(medians, ROUNDS))
    assert medians["app"] > 0 and medians["bare"] > 0


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    print(report(measure(rounds), rounds))
