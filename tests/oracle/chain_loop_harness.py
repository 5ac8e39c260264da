"""Runs every chain-loop script with the azure-identity of *this* interpreter and prints the verdicts.

Run as ``<release venv python> chain_loop_harness.py`` with this repository on PYTHONPATH (the release
venvs hold azure-identity and its companions only); tests/oracle/test_releases_chain_loop_oracle.py
reads the one ``CHAINSIGHT-LOOP:{json}`` line: {"<script>/<kind>": run_real(...)}.
"""

from __future__ import annotations

import json
import sys
import warnings

from tests.oracle.chain_loop_cases import KINDS, SCRIPTS, run_real

MARKER = "CHAINSIGHT-LOOP:"


def main() -> None:
    warnings.simplefilter("ignore")
    verdicts = {f"{name}/{kind}": run_real(kind, SCRIPTS[name]) for name in SCRIPTS for kind in KINDS}
    sys.stdout.write(MARKER + json.dumps(verdicts) + "\n")


if __name__ == "__main__":
    main()
